"""Test hosts: a real sshd per host in a bubblewrap container, isolated from the machine."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from civicloud.configure import testhosts

pytestmark = pytest.mark.integration

NAME = "cfgtest-iso"


def ssh(host: testhosts.TestHost, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ssh", "-i", str(host.ssh_key), "-p", str(host.port), "-o", "BatchMode=yes",
         "-o", f"UserKnownHostsFile={host.known_hosts}", "root@127.0.0.1", command],
        capture_output=True, text=True, timeout=60, check=False,
    )


@pytest.fixture(scope="module")
def host():
    testhosts.remove([NAME])
    (started,) = testhosts.up([NAME])
    yield started
    testhosts.remove([NAME])


def test_up_is_idempotent_and_status_lists_the_host(host):
    (again,) = testhosts.up([NAME])
    assert (again.port, again.pid) == (host.port, host.pid)
    assert NAME in {h.name for h in testhosts.status()}


def test_ssh_with_the_key_and_strict_host_key_checking(host):
    result = ssh(host, "hostname; id -u")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [NAME, "0"]


def test_files_written_over_ssh_land_in_the_host_root_only(host):
    assert ssh(host, "echo inside > /root/written-over-ssh").returncode == 0
    assert (host.root / "root/written-over-ssh").read_text() == "inside\n"
    # The machine's own tree is not there: the checkout is invisible from inside.
    assert ssh(host, f"test -e {Path.cwd()}/pyproject.toml").returncode == 1


def test_kernel_settings_and_clock_of_the_machine_are_out_of_reach(host):
    result = ssh(host, "echo 1 > /proc/sys/net/ipv4/ip_forward")
    assert result.returncode != 0
    assert "not permitted" in result.stderr or "Read-only" in result.stderr
    assert ssh(host, "date -s 2001-01-01").returncode != 0
    # no block device of the machine is visible
    assert ssh(host, "ls /dev | grep -E '^(sd|vd|nvme|loop)'").stdout == ""


def processes_in_namespace(host: testhosts.TestHost) -> list[str]:
    """PIDs of every process in the host's PID namespace (seen from the machine)."""
    (init,) = Path(f"/proc/{host.pid}/task/{host.pid}/children").read_text().split()
    namespace = os.readlink(f"/proc/{init}/ns/pid")
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "ns/pid") == namespace:
                found.append(entry.name)
        except OSError:
            continue
    return found


def test_down_stops_exactly_the_host(host):
    other = testhosts.up(["cfgtest-iso2"])[0]
    try:
        assert ssh(host, "sleep 300 >/dev/null 2>&1 &").returncode == 0  # a session's child
        inside = processes_in_namespace(host)
        assert len(inside) >= 3  # init, sshd, cron, the sleep...
        assert testhosts.down([NAME]) == [NAME]
        assert not Path(f"/proc/{host.pid}").exists()
        # killed at once; the machine's init reaps them in the next moments
        deadline = time.monotonic() + 5
        while any(Path(f"/proc/{pid}").exists() for pid in inside):
            assert time.monotonic() < deadline, "processes of the stopped host are left"
            time.sleep(0.1)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", host.port), timeout=1).close()
        assert ssh(other, "true").returncode == 0  # the other host still runs
        (restarted,) = testhosts.up([NAME])
        assert ssh(restarted, "cat /root/written-over-ssh").stdout == "inside\n"
    finally:
        testhosts.remove(["cfgtest-iso2"])
