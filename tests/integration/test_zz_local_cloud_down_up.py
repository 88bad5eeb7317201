"""`down` stops every process the local cloud started, by PID, and `up` brings it all back.

Slow (a full stop and start): the file name sorts last so the other tests run first, and the
cloud is up again when it ends, whatever happened.
"""

from __future__ import annotations

import psutil
import pytest

import civicloud.localcloud as localcloud
from civicloud.localcloud import procs
from civicloud.localcloud.cloud import service_names
from civicloud.localcloud.configs import PORTS
from civicloud.localcloud.health import tcp_open
from civicloud.localcloud.layout import HOST

pytestmark = pytest.mark.integration


def _gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_down_stops_every_process_and_up_starts_again(local_cloud):
    names = service_names(local_cloud)
    started = {name: procs.find(local_cloud, name) for name in names}
    assert all(started.values()), (
        f"not running before the test: {[n for n, p in started.items() if not p]}"
    )
    members = [member for process in started.values() for member in procs.tree(process)]

    # hold the lock throughout: another session's `up` must not restart the cloud mid-check
    with localcloud.exclusive():
        _down_then_up(names, members)

    assert all(row.answers for row in localcloud.status())
    conn = localcloud.openstack_connection()
    assert conn.compute.find_flavor("m1.tiny", ignore_missing=False).vcpus == 1
    s3 = localcloud.s3_client("local-s3-fr")
    assert s3.list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200


def _down_then_up(names: list[str], members: list[psutil.Process]) -> None:
    try:
        stopped = localcloud.down()
        assert sorted(stopped) == sorted(names)
        assert [m.pid for m in members if not _gone(m)] == []
        assert all(row.pid is None and not row.answers for row in localcloud.status())
        for port in (
            PORTS["mariadb"],
            PORTS["rabbitmq"],
            PORTS["keystone"],
            PORTS["nova-api"],
            8333,
            8433,
        ):
            assert not tcp_open(HOST, port), f"port {port} still open after down"
        assert localcloud.down() == []  # nothing left to stop
    finally:
        localcloud.up()
