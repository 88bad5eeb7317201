"""A provider failing mid-run, a process killed mid-apply: state stays true, re-runs converge."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from engine_constants import PASSPHRASE, STACK
from engine_programs import chain, credential, two_tier
from testprovider import CRASH_ENV, FAIL_ENV

from civicloud.engine.errors import PendingOperations
from civicloud.main import cli

RUNNER = Path(__file__).with_name("run_stack.py")


def run_subprocess(state_dir: Path, cloud: str, program: str, *args: str,
                   env: dict[str, str] | None = None) -> subprocess.Popen:
    full_env = {**os.environ, "CIVICLOUD_STATE_PASSPHRASE": PASSPHRASE, **(env or {})}
    return subprocess.Popen(
        [sys.executable, str(RUNNER), str(state_dir), cloud, program, *args],
        env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def state_ids(state_dir: Path) -> set[str]:
    doc = json.loads((state_dir / "dev.json").read_text())
    return {r["id"] for r in doc["deployment"]["resources"] if r.get("id")}


def test_provider_failure_keeps_completed_steps_and_skips_deletes(engine, cloud, monkeypatch):
    engine.up(STACK, two_tier(str(cloud.path), servers=3))
    cloud.clear_calls()
    # Replace the network (new cidr): its first dependent to be re-created fails.
    monkeypatch.setenv(FAIL_ENV, "srv1")
    changed = two_tier(str(cloud.path), cidr="10.9.0.0/24", servers=3)
    result = engine.up(STACK, changed)
    assert not result.ok
    assert any("srv1" in e and "injected" in e for e in result.errors)
    assert not result.invalid  # a backend failure, not bad input
    assert [s.name for s in result.failed()] == ["srv1"]
    assert not any(c[0] == "delete" for c in cloud.mutations())  # no "gone" deletes
    # Everything in the cloud is in the state (nothing leaked), old copies included.
    assert set(cloud.resources()) <= state_ids(engine.store.root)

    monkeypatch.delenv(FAIL_ENV)
    assert engine.up(STACK, changed).ok
    assert sorted(cloud.names()) == [("network", "net"), ("server", "srv0"),
                                     ("server", "srv1"), ("server", "srv2")]
    assert engine.preview(STACK, changed).changes == []


def test_crash_after_create_before_checkpoint_is_adopted_next_run(engine, cloud, state_dir):
    proc = run_subprocess(state_dir, str(cloud.path), "two_tier", env={CRASH_ENV: "srv0"})
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 137, out
    doc = json.loads((state_dir / "dev.json").read_text())
    pending = doc["deployment"]["pending_operations"]
    assert [(p["type"], p["resource"]["urn"].rsplit("::", 1)[-1]) for p in pending] == [
        ("creating", "srv0")]

    plan = engine.preview(STACK, two_tier(str(cloud.path)))
    assert plan.notes == ["a previous run was interrupted while creating Server 'srv0'; "
                          "apply settles it first"]
    events: list[str] = []
    result = engine.up(STACK, two_tier(str(cloud.path)),
                       on_event=lambda e: events.append(e.message))
    assert result.ok, result.errors
    assert any("adopted" in m for m in events)
    assert cloud.names() == {("network", "net"), ("server", "srv0")}  # no duplicate server
    assert set(cloud.resources()) == state_ids(state_dir)


def test_interrupted_create_without_lookup_stops_with_a_clear_message(engine, cloud, state_dir):
    proc = run_subprocess(state_dir, str(cloud.path), "credential", env={CRASH_ENV: "ci"})
    proc.communicate(timeout=120)
    assert proc.returncode == 137
    program = credential(str(cloud.path))
    with pytest.raises(PendingOperations, match=r"Credential 'ci'.*cannot tell whether"):
        engine.up(STACK, program)
    assert cloud.names() == {("credential", "ci")}  # untouched until a human decides
    # The human checked the backend and removed the half-created credential.
    cloud.delete(next(iter(cloud.resources())))
    cleared = CliRunner().invoke(cli, ["state", "clear-pending", "dev", "--state",
                                       str(state_dir), "--yes"])
    assert cleared.exit_code == 0 and "1 interrupted operation(s) cleared" in cleared.output
    assert engine.up(STACK, program).ok
    assert cloud.names() == {("credential", "ci")}


@pytest.mark.parametrize(("event", "count", "pause"), [
    ("step-start", 1, 0.1), ("step-done", 3, 0.0), ("step-start", 10, 0.1), ("step-done", 7, 0.0),
])
def test_sigkill_mid_apply_then_rerun_converges_without_orphans(cloud, state_dir, engine,
                                                                 event, count, pause):
    # Killed `pause` s after the count-th event, while provider calls (0.2 s each) are in flight.
    proc = run_subprocess(state_dir, str(cloud.path), "chain", "width=6", "delay=0.2")
    seen = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        seen += line.startswith(event)
        if seen == count:
            time.sleep(pause)
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert len(cloud.resources()) < 12  # killed part-way

    program = chain(str(cloud.path), width=6, delay=0.0)
    result = engine.up(STACK, program)
    assert result.ok, result.errors
    expected = {("thing", f"{k}{i}") for i in range(6) for k in ("root", "leaf")}
    assert cloud.names() == expected
    assert len(cloud.resources()) == 12  # nothing created twice
    assert set(cloud.resources()) == state_ids(state_dir)
    assert engine.preview(STACK, program).changes == []
    assert engine.destroy(STACK).ok
    assert cloud.resources() == {}
