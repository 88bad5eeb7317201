"""Long-running processes started by the local cloud: start in the background, find, stop by PID.

A PID file holds the PID and the process's start time, so a PID reused by an unrelated process is
never mistaken for ours (and never killed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence

import psutil

from civicloud.localcloud.layout import Layout

STOP_GRACE_SECONDS = 10.0


def start(
    layout: Layout,
    name: str,
    argv: Sequence[str | os.PathLike[str]],
    env: Mapping[str, str] | None = None,
) -> psutil.Process:
    """Starts `argv` detached (its own session, so it outlives us), output appended to its log."""
    layout.make_dirs()
    with layout.log(name).open("ab") as log:
        log.write(f"==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}\n".encode())
        log.flush()
        child = subprocess.Popen(
            [str(arg) for arg in argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    process = psutil.Process(child.pid)
    layout.pidfile(name).write_text(f"{child.pid} {process.create_time()}\n")
    return process


def find(layout: Layout, name: str) -> psutil.Process | None:
    """The running process recorded for `name`, or None."""
    try:
        pid_text, created_text = layout.pidfile(name).read_text().split()
        process = psutil.Process(int(pid_text))
        if abs(process.create_time() - float(created_text)) > 0.01:
            return None
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return process
    except (FileNotFoundError, ValueError, psutil.Error):
        return None


def tree(process: psutil.Process) -> list[psutil.Process]:
    """The process and all its descendants (uwsgi workers, oslo forks, Erlang children)."""
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return [process]


def stop(layout: Layout, name: str) -> bool:
    """SIGTERM to the recorded process tree, SIGKILL to what is left after the grace period.

    Returns True if something was running.
    """
    process = find(layout, name)
    layout.pidfile(name).unlink(missing_ok=True)
    if process is None:
        return False
    members = tree(process)
    for member in members:
        _signal(member, signal.SIGTERM)
    _, alive = psutil.wait_procs(members, timeout=STOP_GRACE_SECONDS)
    for member in alive:
        _signal(member, signal.SIGKILL)
    psutil.wait_procs(alive, timeout=5)
    return True


def _signal(process: psutil.Process, sig: signal.Signals) -> None:
    with contextlib.suppress(psutil.Error):
        process.send_signal(sig)


def resident_memory(processes: Sequence[psutil.Process]) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes over the processes and their descendants.

    RSS counts shared pages once per process; PSS splits them, so it is the honest total.
    """
    seen: dict[int, psutil.Process] = {}
    for process in processes:
        for member in tree(process):
            seen[member.pid] = member
    rss = pss = 0
    for member in seen.values():
        try:
            info = member.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss, pss
