"""Test hosts: small Debian machines with sshd, standing for the local cloud's servers.

The local OpenStack's hypervisor is fake (no VM boots), so Ansible configures these instead.
A Debian root is built once with debootstrap (cached), copied once per host, and an sshd runs
inside it with bubblewrap on 127.0.0.1:<port>. Bubblewrap gives each host its own root
filesystem, PID/IPC/UTS namespaces, a minimal /dev, a read-only /proc/sys and no host path
bound in, and drops the capabilities that reach the machine itself (clock, modules, mounts,
network config): nothing a playbook does touches the machine's own files.

    python -m civicloud.configure.testhosts up web-1 app-1 | down [NAME...] | status
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from civicloud.paths import project_path

SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# What the roles need, installed at build time so a run needs no package download.
ROOT_PACKAGES = [
    "openssh-server", "python3", "python3-apt", "sudo", "ca-certificates",
    "cron", "chrony", "auditd", "unattended-upgrades", "restic", "cryptsetup-bin", "e2fsprogs",
]
HOST_APT_PACKAGES = ["debootstrap", "bubblewrap", "openssh-client"]
FIRST_PORT = 2222
START_TIMEOUT_S = 20.0
VALID_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # a host name; never _root or ssh
# Capabilities that act on the machine rather than on the host's own files and processes.
DROPPED_CAPS = [
    "CAP_SYS_ADMIN", "CAP_SYS_TIME", "CAP_SYS_MODULE", "CAP_SYS_BOOT", "CAP_SYS_RAWIO",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_TTY_CONFIG", "CAP_NET_ADMIN", "CAP_MKNOD",
    "CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_SYSLOG", "CAP_AUDIT_CONTROL", "CAP_LINUX_IMMUTABLE",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
]


class TestHostError(RuntimeError):
    """A test host could not be built or started; the message says what to look at."""


@dataclass(frozen=True)
class TestHost:
    __test__ = False  # not a pytest test class, despite its name

    name: str
    port: int
    ssh_key: Path  # private key that root@host accepts
    known_hosts: Path  # host keys of every test host, for StrictHostKeyChecking
    root: Path  # the host's filesystem, as seen from the machine
    pid: int | None = None
    address: str = "127.0.0.1"


def base_dir() -> Path:
    """`$CIVICLOUD_TESTHOSTS_DIR`, else `testhosts/` in the local cloud's directory."""
    if os.environ.get("CIVICLOUD_TESTHOSTS_DIR"):
        return Path(os.environ["CIVICLOUD_TESTHOSTS_DIR"]).resolve()
    local = os.environ.get("CIVICLOUD_LOCAL_DIR")
    return (Path(local) if local else project_path(".local-cloud")).resolve() / "testhosts"


def _cached_root() -> Path:
    return base_dir() / "_root"


def _key_path() -> Path:
    return base_dir() / "ssh" / "id_ed25519"


def _known_hosts() -> Path:
    return base_dir() / "ssh" / "known_hosts"


def _host_dir(name: str) -> Path:
    return base_dir() / name


def _record_path(name: str) -> Path:
    return _host_dir(name) / "host.json"


# --- building ------------------------------------------------------------------------------


def _run(cmd: list[str], what: str, log: Path | None = None) -> None:
    out = log.open("ab") if log else subprocess.DEVNULL
    try:
        result = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    finally:
        if log:
            out.close()
    if result.returncode != 0:
        where = f" (see {log})" if log else ""
        raise TestHostError(f"{what} failed with exit code {result.returncode}{where}")


def ensure_host_tools() -> None:
    """Installs debootstrap, bubblewrap and the ssh client from Debian if one is missing."""
    if all(shutil.which(tool) for tool in ("debootstrap", "bwrap", "ssh")):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", *HOST_APT_PACKAGES]
    for cmd in (["apt-get", "update", "-q"], install):
        if subprocess.run(cmd, env=env, capture_output=True, check=False).returncode != 0:
            raise TestHostError(f"`{' '.join(cmd)}` failed: install {HOST_APT_PACKAGES} by hand")


def _debian_mirror() -> str:
    """The Debian mirror this machine already uses (deb822 or one-line sources)."""
    for path in sorted(Path("/etc/apt").glob("sources.list.d/*.sources")):
        for line in path.read_text().splitlines():
            if line.startswith("URIs:") and line.rstrip().endswith("/debian"):
                return line.split(":", 1)[1].strip()
    sources = Path("/etc/apt/sources.list")
    if sources.exists():
        for line in sources.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb" and parts[1].endswith("/debian"):
                return parts[1]
    return DEFAULT_MIRROR


def ensure_root() -> Path:
    """Builds the cached Debian root once (about a minute); later calls return it at once."""
    root = _cached_root()
    marker = root.with_suffix(".packages")
    if root.is_dir() and marker.exists() and marker.read_text().split() == ROOT_PACKAGES:
        return root
    ensure_host_tools()
    base_dir().mkdir(parents=True, exist_ok=True)
    building = root.with_suffix(".building")
    shutil.rmtree(building, ignore_errors=True)
    mirror = _debian_mirror()
    log = base_dir() / "debootstrap.log"
    log.unlink(missing_ok=True)
    print(f"building the test hosts' Debian root (once, ~1 min; log: {log})", file=sys.stderr)
    _run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(ROOT_PACKAGES)}",
         SUITE, str(building), mirror],
        "debootstrap", log,
    )
    (building / "etc/apt/sources.list").write_text(f"deb {mirror} {SUITE} main\n")
    # Each copy gets its own host keys (generated in _prepare_copy).
    for key in (building / "etc/ssh").glob("ssh_host_*"):
        key.unlink()
    shutil.rmtree(root, ignore_errors=True)
    building.rename(root)
    marker.write_text("\n".join(ROOT_PACKAGES) + "\n")
    return root


def _ensure_client_key() -> Path:
    key = _key_path()
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True)
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "civicloud-testhosts",
              "-f", str(key)], "ssh-keygen (client key)")
    return key


def _prepare_copy(name: str) -> Path:
    """Copies the cached root for one host (once) and gives it host keys and root's key."""
    host_root = _host_dir(name) / "root"
    if (host_root / "etc/ssh/ssh_host_ed25519_key").exists():
        return host_root
    source = ensure_root()
    shutil.rmtree(host_root, ignore_errors=True)
    host_root.parent.mkdir(parents=True, exist_ok=True)
    _run(["cp", "-a", "--reflink=auto", str(source), str(host_root)], f"copying {name}'s root")
    # `ssh-keygen -A -f PREFIX` writes PREFIX/etc/ssh/ssh_host_*: no chroot needed.
    _run(["ssh-keygen", "-A", "-f", str(host_root)], f"ssh-keygen (host keys of {name})")
    (host_root / "etc/hostname").write_text(f"{name}\n")
    (host_root / "etc/hosts").write_text(f"127.0.0.1 localhost\n127.0.1.1 {name}\n")
    ssh_dir = host_root / "root/.ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    authorized = ssh_dir / "authorized_keys"
    authorized.write_text(_ensure_client_key().with_suffix(".pub").read_text())
    authorized.chmod(0o600)
    return host_root


# --- running -------------------------------------------------------------------------------


def _read_record(name: str) -> dict[str, object] | None:
    try:
        return json.loads(_record_path(name).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _is_our_process(pid: int | None, host_root: Path) -> bool:
    """True if `pid` is the bwrap we started for this root (PIDs get reused)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return bool(cmdline) and cmdline[0].endswith(b"bwrap") and str(host_root).encode() in cmdline


def _ssh_answers(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            return sock.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _choose_port(name: str) -> int:
    record = _read_record(name)
    if record and _port_free(int(record["port"])):
        return int(record["port"])
    taken = {int(r["port"]) for r in map(_read_record, _host_names()) if r}
    port = FIRST_PORT
    while port in taken or not _port_free(port):
        port += 1
    return port


def _bwrap_command(name: str, host_root: Path, port: int) -> list[str]:
    drops = [arg for cap in DROPPED_CAPS for arg in ("--cap-drop", cap)]
    # cron runs beside sshd so the backup job is really scheduled; sshd -D stays in front
    # (SIGHUP makes it re-read its configuration in place, as `service ssh reload` does).
    init = (
        "[ -x /usr/sbin/cron ] && /usr/sbin/cron; "
        f"exec /usr/sbin/sshd -D -e -p {port} -o ListenAddress=127.0.0.1"
    )
    return [
        "bwrap", "--bind", str(host_root), "/", "--proc", "/proc", "--dev", "/dev",
        "--tmpfs", "/tmp", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--hostname", name, *drops, "/bin/sh", "-c", init,
    ]


def _start(name: str, host_root: Path) -> tuple[int, int]:
    port = _choose_port(name)
    (host_root / "run/sshd").mkdir(parents=True, exist_ok=True)
    for stale in (host_root / "run").glob("*.pid"):  # left by a previous start
        stale.unlink()
    log = _host_dir(name) / "sshd.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            _bwrap_command(name, host_root, port), stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    _record_path(name).write_text(json.dumps({"name": name, "port": port, "pid": proc.pid}))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TestHostError(f"test host {name}: sshd exited ({proc.returncode}); see {log}")
        if _ssh_answers(port):
            return port, proc.pid
        time.sleep(0.2)
    raise TestHostError(f"test host {name}: SSH did not answer on 127.0.0.1:{port}; see {log}")


def _write_known_hosts(hosts: list[TestHost]) -> None:
    lines = []
    for host in hosts:
        key = (host.root / "etc/ssh/ssh_host_ed25519_key.pub").read_text().split()[:2]
        lines.append(f"[127.0.0.1]:{host.port} {' '.join(key)}")
    _known_hosts().parent.mkdir(parents=True, exist_ok=True)
    _known_hosts().write_text("\n".join(lines) + "\n")


def _host_names() -> list[str]:
    if not base_dir().is_dir():
        return []
    return sorted(p.name for p in base_dir().iterdir() if (p / "host.json").exists())


def _validate_name(name: str) -> None:
    if not VALID_NAME.fullmatch(name):
        raise TestHostError(f"invalid test host name {name!r}: use a server name such as web-1 "
                            "(lower-case letters, digits and dashes)")


def _lock() -> FileLock:
    """One `up`/`down` at a time (the local cloud's script and a test may race)."""
    base_dir().mkdir(parents=True, exist_ok=True)
    return FileLock(str(base_dir() / ".lock"))


def up(hosts: list[str]) -> list[TestHost]:
    """Starts one test host per name (idempotent) and returns them once SSH answers."""
    for name in hosts:
        _validate_name(name)
    with _lock():
        key = _ensure_client_key()
        started: list[TestHost] = []
        for name in hosts:
            host_root = _prepare_copy(name)
            record = _read_record(name)
            pid = int(record["pid"]) if record else None
            if record and _is_our_process(pid, host_root) and _ssh_answers(int(record["port"])):
                port = int(record["port"])
            else:
                if _bwrap_processes(host_root):  # running but not answering: start afresh
                    _stop(host_root)
                port, pid = _start(name, host_root)
            started.append(TestHost(name, port, key, _known_hosts(), host_root, pid))
        _write_known_hosts(status())
    return started


def status() -> list[TestHost]:
    """The test hosts whose sshd is running (started by `up`)."""
    running = []
    for name in _host_names():
        record = _read_record(name)
        host_root = _host_dir(name) / "root"
        if record and _is_our_process(int(record["pid"]), host_root):
            running.append(
                TestHost(name, int(record["port"]), _key_path(), _known_hosts(), host_root,
                         int(record["pid"]))
            )
    return running


def down(hosts: list[str] | None = None) -> list[str]:
    """Stops the named test hosts (all if None); their files stay for the next `up`."""
    stopped = []
    with _lock():
        for name in hosts if hosts is not None else _host_names():
            host_root = _host_dir(name) / "root"
            if _bwrap_processes(host_root):
                _stop(host_root)
                stopped.append(name)
    return stopped


def _bwrap_processes(host_root: Path) -> list[int]:
    """Both bwrap processes of a host: the one we started and its child, the init of the
    host's PID namespace (same command line), which outlives the first if killed alone."""
    return [int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and _is_our_process(int(p.name), host_root)]


def _stop(host_root: Path) -> None:
    # SIGKILL to the namespace's init makes the kernel kill every process of the host
    # (sshd sessions and cron left bwrap's process group with setsid).
    processes = _bwrap_processes(host_root)
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process, signal.SIGKILL)
    for process in processes:  # reap the ones started by this Python process
        with contextlib.suppress(ChildProcessError):
            os.waitpid(process, 0)
    deadline = time.monotonic() + 10.0
    while _bwrap_processes(host_root):
        if time.monotonic() > deadline:
            raise TestHostError(f"test host at {host_root} did not stop")
        time.sleep(0.1)


def remove(hosts: list[str]) -> None:
    """Stops the hosts and deletes their files: the next `up` starts from a fresh copy."""
    for name in hosts:
        _validate_name(name)
    down(hosts)
    with _lock():
        for name in hosts:
            shutil.rmtree(_host_dir(name), ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    usage = (
        "usage: python -m civicloud.configure.testhosts "
        "up NAME... | down [NAME...] | remove NAME... | status"
    )
    if not args or args[0] not in ("up", "down", "remove", "status"):
        print(usage, file=sys.stderr)
        return 2
    verb, names = args[0], args[1:]
    try:
        for name in names:
            _validate_name(name)
    except TestHostError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if verb == "up":
            if not names:
                print(usage, file=sys.stderr)
                return 2
            for host in up(names):
                print(f"{host.name}: ssh -i {host.ssh_key} -p {host.port} "
                      f"-o UserKnownHostsFile={host.known_hosts} root@127.0.0.1")
        elif verb == "down":
            print("stopped: " + (", ".join(down(names or None)) or "nothing was running"))
        elif verb == "remove":
            remove(names)
        else:
            for host in status():
                print(f"{host.name}: running on 127.0.0.1:{host.port} (pid {host.pid}), "
                      f"root {host.root}")
    except TestHostError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
