"""Runs playbooks/site.yml against an inventory with ansible-runner, and summarises per host.

ansible-runner records the run's environment (our secrets) in its artifacts: the private data
directory is a fresh 0700 temporary directory, removed when the run ends.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicloud.paths import project_path

PLAYBOOK = "site.yml"
# ansible-playbook's own counters, in the order of its recap.
COUNTERS = ("ok", "changed", "failures", "dark", "skipped")


@dataclass
class HostSummary:
    ok: int = 0
    changed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)  # first lines of failure messages

    @property
    def status(self) -> str:
        if self.unreachable:
            return "unreachable"
        if self.failed:
            return "failed"
        return "changed" if self.changed else "ok"


@dataclass
class RunResult:
    hosts: dict[str, HostSummary]
    runner_status: str  # successful | failed | timeout | canceled
    output_tail: str = ""  # ansible-playbook's last lines: what went wrong before any host ran

    @property
    def failed_hosts(self) -> list[str]:
        return [h for h, s in self.hosts.items() if s.status in ("failed", "unreachable")]

    @property
    def ok(self) -> bool:
        return self.runner_status == "successful" and not self.failed_hosts


Progress = Callable[[str, str, str, str], None]  # (status, host, task, message)


def _message(result: dict[str, Any]) -> str:
    """A failed task's message and the last line of its error output (never a no_log'd value:
    Ansible censors those results before they reach the events)."""
    lines = []
    for key in ("msg", "stderr", "module_stderr"):
        text = result.get(key)
        if isinstance(text, str) and text.strip():
            last = text.strip().splitlines()[-1 if key != "msg" else 0]
            if last not in lines:
                lines.append(last[:300])
    return " | ".join(lines)


def _progress_handler(hosts: dict[str, HostSummary], progress: Progress | None):
    outcome = {
        "runner_on_ok": "ok", "runner_on_failed": "failed", "runner_on_unreachable": "unreachable",
        "runner_on_skipped": "skipped",
    }

    def handle(event: dict[str, Any]) -> bool:
        kind = event.get("event", "")
        if kind not in outcome:
            return True
        data = event.get("event_data", {})
        result = data.get("res") or {}
        status = outcome[kind]
        if status == "ok" and result.get("changed"):
            status = "changed"
        if status == "failed" and data.get("ignore_errors"):
            status = "ignored"
        host = data.get("host", "?")
        task = data.get("task", "")
        message = _message(result) if status in ("failed", "unreachable") else ""
        if message:
            hosts.setdefault(host, HostSummary()).errors.append(f"{task}: {message}")
        if progress:
            progress(status, host, task, message)
        return True  # keep the event in the artifacts (needed for the final stats)

    return handle


def run_site(
    inventory: Path,
    env: dict[str, str],
    *,
    limit: str | None = None,
    tags: str | None = None,
    check: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    import ansible_runner  # heavy import: only when a run happens

    hosts: dict[str, HostSummary] = {}
    private = Path(tempfile.mkdtemp(prefix="civicloud-ansible-"))  # mode 0700
    # ansible-playbook comes from the same environment as civicloud.
    path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
    envvars = {
        **env,
        "PATH": path,
        "ANSIBLE_PIPELINING": "True",
        # A dropped SSH connection (exit 255) is retried before a host counts as unreachable.
        "ANSIBLE_SSH_RETRIES": "3",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "True",
    }
    try:
        runner = ansible_runner.run(
            private_data_dir=str(private),
            project_dir=str(project_path("playbooks")),
            playbook=PLAYBOOK,
            inventory=str(inventory.resolve()),
            envvars=envvars,
            limit=limit,
            tags=tags,
            cmdline="--check" if check else None,
            event_handler=_progress_handler(hosts, progress),
            quiet=True,
        )
        stats = runner.stats or {}
        for counter in COUNTERS:
            for host, count in (stats.get(counter) or {}).items():
                summary = hosts.setdefault(host, HostSummary())
                attr = {"failures": "failed", "dark": "unreachable"}.get(counter, counter)
                setattr(summary, attr, count)
        tail = "" if hosts else "\n".join(runner.stdout.read().strip().splitlines()[-15:])
        return RunResult(hosts, runner.status, tail)
    finally:
        shutil.rmtree(private, ignore_errors=True)
