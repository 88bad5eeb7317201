"""up / down / status / logs: the local cloud's life cycle, from the modules beside this one."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from filelock import FileLock, Timeout
from rich.console import Console
from rich.table import Table

from civicloud.localcloud import bootstrap, configs, infra, install, procs, s3, services, snapshot
from civicloud.localcloud.clients import connect, write_clouds_yaml
from civicloud.localcloud.commands import run
from civicloud.localcloud.credentials import Credentials, load_or_create
from civicloud.localcloud.errors import LocalCloudError
from civicloud.localcloud.health import wait_until
from civicloud.localcloud.layout import CLOUD_NAME, Layout
from civicloud.localcloud.services import Service

LOCK_TIMEOUT = 900.0  # seconds another up/down may hold the lock (a fresh install takes ~4 min)
# Seconds a service may take to answer. nova-api alone imports for ~11 s on an idle machine;
# on 2 cores shared with a busy test run everything is many times slower.
API_TIMEOUT = float(os.environ.get("CIVICLOUD_LOCAL_TIMEOUT", "300"))


def all_services(layout: Layout) -> list[Service]:
    """Every service, in start order."""
    return [
        *services.infrastructure(layout),
        services.keystone(layout),
        *services.openstack(layout),
        *s3.services(layout),
    ]


def service_names(layout: Layout) -> list[str]:
    return [service.name for service in all_services(layout)]


@dataclass
class Timings:
    console: Console
    phases: list[tuple[str, float]]

    @contextmanager
    def phase(self, title: str) -> Iterator[None]:
        start = time.monotonic()
        with self.console.status(f"{title}…"):
            try:
                yield
            except LocalCloudError:
                raise
            except Exception as exc:  # an SDK or OS error: name the phase, no traceback
                raise LocalCloudError(title, f"{type(exc).__name__}: {exc}") from exc
        elapsed = time.monotonic() - start
        self.phases.append((title, elapsed))
        self.console.print(f"[green]✓[/green] {title} [dim]({elapsed:.1f} s)[/dim]")


def _ensure_running(layout: Layout, service: Service) -> bool:
    """Starts `service` unless it already runs; returns True if it was started now."""
    if procs.find(layout, service.name) is not None:
        return False
    if service.port and service.answers():
        raise LocalCloudError(
            service.name,
            f"port {service.port} is taken by a process the local cloud did not start; stop it",
        )
    procs.start(layout, service.name, service.argv, service.env)
    return True


def _wait(layout: Layout, service: Service, timeout: float = API_TIMEOUT) -> None:
    wait_until(
        service.name,
        service.answers,
        timeout,
        alive=lambda: procs.find(layout, service.name) is not None,
        log=layout.log(service.name),
    )


def _start_and_wait(layout: Layout, group: list[Service]) -> set[str]:
    """Starts what is not running, waits for all; returns the names started now."""
    started = {service.name for service in group if _ensure_running(layout, service)}
    _in_parallel([lambda s=service: _wait(layout, s) for service in group])
    return started


def _in_parallel(tasks: list[Callable[[], object]]) -> None:
    with ThreadPoolExecutor(max_workers=max(1, len(tasks))) as pool:
        for future in [pool.submit(task) for task in tasks]:
            future.result()


def _wait_for_compute_host(layout: Layout, conn, started_now: set[str]) -> None:
    """Waits until a nova-compute started now reports in, and maps its host to cell1 once
    (Nova schedules nowhere before). A heartbeat older than the process does not count:
    it would hide a compute service that died at start."""
    marker = layout.data / ".discovered-hosts"
    if "nova-compute" not in started_now and marker.exists():
        return
    process = procs.find(layout, "nova-compute")
    started = process.create_time() if process else time.time()
    since = dt.datetime.fromtimestamp(started - 1, dt.UTC)  # heartbeats have whole seconds

    def reported() -> bool:
        for service in conn.compute.services(binary="nova-compute"):
            beat = dt.datetime.fromisoformat(service.updated_at or "1970-01-01T00:00:00")
            if service.state == "up" and beat.replace(tzinfo=dt.UTC) >= since:
                return True
        return False

    wait_until(
        "nova-compute",
        reported,
        API_TIMEOUT,
        alive=lambda: procs.find(layout, "nova-compute") is not None,
        what="to report to nova-conductor",
        log=layout.log("nova-compute"),
    )
    if not marker.exists():
        conf = layout.etc / "nova" / "nova.conf"
        discover = [layout.bin("nova-manage"), "--config-file", conf, "cell_v2", "discover_hosts"]
        run("nova-compute", discover, layout.log("nova-compute"))
        marker.touch()


@contextmanager
def exclusive(layout: Layout, console: Console | None = None) -> Iterator[None]:
    """One up/down at a time per local directory (test sessions of several people may race).

    Re-entrant in a process (one lock object per path), so a caller may hold it around
    several calls, e.g. a test that stops the cloud and checks nothing restarted meanwhile.
    """
    layout.root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(layout.root / ".lock", is_singleton=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if console:
            console.print("waiting for another local-cloud up/down to finish…")
        try:
            lock.acquire(timeout=LOCK_TIMEOUT)
        except Timeout as exc:
            raise LocalCloudError(
                "lock", f"{lock.lock_file} held for {LOCK_TIMEOUT:.0f} s"
            ) from exc
    try:
        yield
    finally:
        lock.release()


def up(layout: Layout, console: Console) -> Timings:
    with exclusive(layout, console):
        return _up(layout, console)


def _up(layout: Layout, console: Console) -> Timings:
    timings = Timings(console, [])
    started = time.monotonic()
    with timings.phase("Install (apt packages, OpenStack and SeaweedFS virtualenvs)"):
        install.install_all(layout)
    creds: Credentials = load_or_create(layout.secrets_file)
    with timings.phase("Configuration files"):
        configs.write_all(layout, creds)
        infra.prepare(layout, creds)
        s3.write_configs(layout)
        write_clouds_yaml(layout, creds)
    with timings.phase("MariaDB, RabbitMQ"):
        mariadb, epmd, rabbitmq = services.infrastructure(layout)
        # S3 servers need nothing else: start them now, check them at the end
        for service in s3.services(layout):
            _ensure_running(layout, service)
        _start_and_wait(layout, [mariadb, epmd])
        _ensure_running(layout, rabbitmq)
        infra.create_databases(layout, creds)
        _wait(layout, rabbitmq)
    fresh = not bootstrap.any_migrated(layout)
    from_snapshot = fresh and snapshot.valid(layout)
    with timings.phase("Restore the setup snapshot" if from_snapshot else "Database migrations"):
        if from_snapshot:
            snapshot.restore(layout)
        else:
            bootstrap.migrate_all(layout, creds)
    keystone, others = services.keystone(layout), services.openstack(layout)
    if bootstrap.catalogue_registered(layout):
        # every service finds its peers through the catalogue at request time: start all at once
        with timings.phase("Keystone, Placement, Neutron, Glance, Cinder, Nova"):
            started_now = _start_and_wait(layout, [keystone, *others])
    else:
        with timings.phase("Keystone and the service catalogue"):
            _start_and_wait(layout, [keystone])
            bootstrap.register_catalogue(layout, creds, connect(layout.clouds_yaml))
        with timings.phase("Placement, Neutron, Glance, Cinder, Nova"):
            started_now = _start_and_wait(layout, others)
    conn = connect(layout.clouds_yaml)  # authenticates lazily: costs nothing when all is done
    with timings.phase("Compute host, flavors, public network, image, encrypted volume type"):
        _wait_for_compute_host(layout, conn, started_now)
        bootstrap.create_resources(layout, conn)
    with timings.phase("S3 servers (SeaweedFS)"):
        _in_parallel([lambda s=service: _wait(layout, s, 60) for service in s3.services(layout)])
    if fresh and not from_snapshot:
        with timings.phase("Setup snapshot (makes `up` after `down --wipe` fast)"):
            snapshot.save(layout)
    timings.phases.append(("total", time.monotonic() - started))
    return timings


def down(layout: Layout, wipe: bool = False) -> list[str]:
    """Stops every recorded process, the OpenStack ones together, the infrastructure last.

    `wipe` then deletes the data, logs and generated files; installs, passwords and the setup
    snapshot stay.
    """
    with exclusive(layout):
        return _down(layout, wipe)


def _down(layout: Layout, wipe: bool) -> list[str]:
    everything = all_services(layout)
    infra_names = {service.name for service in services.infrastructure(layout)}
    stopped: list[str] = []

    def stop(name: str) -> None:
        if procs.stop(layout, name):
            stopped.append(name)

    _in_parallel([lambda n=s.name: stop(n) for s in everything if s.name not in infra_names])
    for name in ("rabbitmq", "epmd", "mariadb"):
        stop(name)
    if wipe:
        for path in (layout.data, layout.logs, layout.pids, layout.run, layout.etc):
            shutil.rmtree(path, ignore_errors=True)
        for path in (layout.clouds_yaml, layout.s3_credentials, layout.s3_config):
            path.unlink(missing_ok=True)
    return stopped


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    url: str
    pid: int | None
    answers: bool


def status(layout: Layout) -> list[ServiceStatus]:
    def one(service: Service) -> ServiceStatus:
        process = procs.find(layout, service.name)
        answers = process is not None and service.answers()
        return ServiceStatus(service.name, service.url, process.pid if process else None, answers)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, all_services(layout)))


def status_table(rows: list[ServiceStatus]) -> Table:
    table = Table(title="civicloud local cloud", title_justify="left")
    for column in ("service", "URL", "PID", "state"):
        table.add_column(column)
    for row in rows:
        if row.pid is None:
            state = "[red]stopped[/red]"
        elif row.answers:
            state = "[green]answers[/green]" if row.url else "[green]running[/green]"
        else:
            state = "[yellow]not answering[/yellow]"
        table.add_row(row.name, row.url or "-", str(row.pid or "-"), state)
    return table


def memory(layout: Layout) -> tuple[int, int]:
    running = [p for name in service_names(layout) if (p := procs.find(layout, name)) is not None]
    return procs.resident_memory(running)


def hints(layout: Layout) -> list[str]:
    return [
        f"export OS_CLIENT_CONFIG_FILE={layout.clouds_yaml} OS_CLOUD={CLOUD_NAME}",
        f"export AWS_SHARED_CREDENTIALS_FILE={layout.s3_credentials}"
        f" AWS_CONFIG_FILE={layout.s3_config}",
    ]
