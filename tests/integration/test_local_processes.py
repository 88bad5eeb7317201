"""The local cloud's process handling on real processes: start detached, find by PID, stop."""

from __future__ import annotations

import contextlib
import signal
import time

import psutil
import pytest

from civicloud.localcloud import procs
from civicloud.localcloud.layout import Layout

pytestmark = pytest.mark.integration


@pytest.fixture
def layout(tmp_path) -> Layout:
    return Layout(tmp_path / "local")


def _reap(process: psutil.Process) -> None:
    # our own children become zombies until waited for
    with contextlib.suppress(psutil.Error):
        process.wait(timeout=5)


def test_start_records_the_pid_and_stop_terminates(layout):
    process = procs.start(layout, "sleeper", ["sleep", "300"])
    assert procs.find(layout, "sleeper").pid == process.pid
    assert procs.stop(layout, "sleeper") is True
    _reap(process)
    assert not psutil.pid_exists(process.pid) or process.status() == psutil.STATUS_ZOMBIE
    assert procs.find(layout, "sleeper") is None
    assert procs.stop(layout, "sleeper") is False


def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(layout, monkeypatch):
    monkeypatch.setattr(procs, "STOP_GRACE_SECONDS", 0.5)
    process = procs.start(layout, "stubborn", ["sh", "-c", "trap '' TERM; sleep 300 & wait"])
    time.sleep(0.3)  # let the shell install its trap and fork its child
    children = process.children(recursive=True)
    assert children
    started = time.monotonic()
    assert procs.stop(layout, "stubborn") is True
    assert time.monotonic() - started < 5
    for member in [process, *children]:
        _reap(member)
        assert not member.is_running() or member.status() == psutil.STATUS_ZOMBIE


def test_a_reused_pid_is_not_ours(layout):
    """A PID file whose start time does not match is ignored: the process is never signalled."""
    process = procs.start(layout, "other", ["sleep", "300"])
    layout.pidfile("other").write_text(f"{process.pid} {process.create_time() - 100}\n")
    assert procs.find(layout, "other") is None
    assert procs.stop(layout, "other") is False
    assert process.is_running()
    process.send_signal(signal.SIGKILL)
    _reap(process)


def test_output_goes_to_the_service_log(layout):
    process = procs.start(layout, "talker", ["sh", "-c", "echo hello from talker"])
    _reap(process)
    assert "hello from talker" in layout.log("talker").read_text()
