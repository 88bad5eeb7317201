"""`civicloud apply` when things go wrong, on the real local cloud: the process killed (SIGKILL)
mid-apply, two applies of one tenant at once, a backend refusing a resource mid-apply.

After each fault, a re-run must converge (exit 0, then a plan with no changes) with exactly one
of each resource on the backends (no orphan, no duplicate), and destroy must leave nothing:
whatever a crash had leaked would still be listed. Backends are read with openstacksdk/boto3.
The example sandbox, with a keypair for its server, is the tenant (16 resources): the smallest
with every kind of step.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

import civicloud.localcloud as localcloud
from civicloud.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration
CIVICLOUD = Path(sys.executable).with_name("civicloud")
PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3nBmQ8v0Yc5Xq2g3R0kq7eN2Qw6jv1Zs0r9c4vS5Xy "
              "admin@fault-test")
ENV = {**os.environ, "CIVICLOUD_STATE_PASSPHRASE": "fault passphrase", "NO_COLOR": "1",
       "COLUMNS": "200"}


class Tenant:
    """A renamed copy of the example sandbox, with its own state directory."""

    def __init__(self, tmp_path: Path, **server_changes: str) -> None:
        doc = yaml.safe_load((PROJECT_ROOT / "examples/sandbox-pilot.yaml").read_text())
        self.name = doc["metadata"]["name"] = f"f{uuid.uuid4().hex[:7]}"
        doc["compute"]["keypairs"] = [{"name": "admin", "public_key": PUBLIC_KEY}]
        doc["compute"]["servers"][0].update({"keypair": "admin", **server_changes})
        self.doc = doc
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.file = tmp_path / f"{self.name}.yaml"
        self.state = tmp_path / "state"
        self.write()

    def write(self) -> None:
        self.file.write_text(yaml.safe_dump(self.doc, sort_keys=False))

    def start(self, verb: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [str(CIVICLOUD), verb, *args, "--state", str(self.state)], cwd=PROJECT_ROOT,
            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(self, verb: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(CIVICLOUD), verb, *args, "--state", str(self.state)], cwd=PROJECT_ROOT,
            env=ENV, capture_output=True, text=True, timeout=timeout, check=False)

    def apply(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("apply", str(self.file), "--yes", *args)

    def recorded(self) -> list[dict]:
        """The resources the state records (the stack's root left out)."""
        path = self.state / f"{self.name}.json"
        try:
            doc = json.loads(path.read_text())
        except FileNotFoundError:
            return []
        return [r for r in doc["deployment"]["resources"] if r["type"] != "pulumi:pulumi:Stack"]


def on_backends(conn, name: str) -> dict[str, list[str]]:
    """Every resource of the tenant found on the backends, by kind (names, duplicates kept)."""
    found: dict[str, list[str]] = {
        "users": [u.name for u in conn.identity.users() if u.name.startswith(f"{name}-")],
        "keypairs": [k.name for k in conn.compute.keypairs() if k.name.startswith(f"{name}-")],
        "buckets": [b["Name"] for backend in localcloud.s3_endpoints()
                    for b in localcloud.s3_client(backend).list_buckets()["Buckets"]
                    if b["Name"].startswith(f"{name}-")],
    }
    projects = [p for p in conn.identity.projects() if p.name == name]
    found["projects"] = [p.name for p in projects]
    for p in projects:
        found["servers"] = [s.name for s in conn.compute.servers(all_projects=True,
                                                                 project_id=p.id)]
        found["volumes"] = [v.name for v in conn.block_storage.volumes(all_projects=True,
                                                                       project_id=p.id)]
        found["networks"] = [n.name for n in conn.network.networks(project_id=p.id)]
        found["subnets"] = [s.name for s in conn.network.subnets(project_id=p.id)]
        found["security_groups"] = [g.name for g in conn.network.security_groups(project_id=p.id)
                                    if g.name != "default"]
    return {kind: sorted(names) for kind, names in found.items() if names}


@pytest.fixture(scope="module")
def conn(local_cloud):
    """The operator's connection; the module holds the local cloud's lock meanwhile, so no
    other session's `local-cloud down` pulls it away mid-apply."""
    with localcloud.exclusive():
        connection = localcloud.openstack_connection()
        yield connection
        connection.close()


@pytest.fixture
def new_tenant(tmp_path):
    """Makes renamed sandboxes; whatever a failed test left of them is destroyed after it."""
    made: list[Tenant] = []

    def make(**server_changes: str) -> Tenant:
        made.append(Tenant(tmp_path / str(len(made)), **server_changes))
        return made[-1]

    yield make
    for tenant in made:
        if tenant.recorded():
            # An interrupted step that cannot be settled would block destroy: forget it first.
            tenant.run("state", "clear-pending", tenant.name, "--yes")
            tenant.run("destroy", tenant.name, "--force", "--yes")


def converges_then_vanishes(tenant: Tenant, conn) -> None:
    """Re-run until done, check one of each resource, no change left, then destroy to nothing."""
    done = tenant.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    n = tenant.name
    assert on_backends(conn, n) == {
        "projects": [n], "users": [f"{n}-automation"], "buckets": [f"{n}-datasets"],
        "keypairs": [f"{n}-admin"],
        "servers": [f"{n}-portal"], "volumes": [f"{n}-portal-datasets"],
        "networks": [f"{n}-pilot"], "subnets": [f"{n}-pilot-v4"], "security_groups": [f"{n}-web"],
    }
    plan = tenant.run("plan", str(tenant.file), "--detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    gone = tenant.run("destroy", str(tenant.file), "--yes")
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert on_backends(conn, n) == {}
    assert tenant.recorded() == []


@pytest.mark.parametrize("kill_after", [1, 6, 12])
def test_sigkill_mid_apply_then_rerun_converges(new_tenant, conn, kill_after):
    tenant = new_tenant()
    proc = tenant.start("apply", str(tenant.file), "--yes")
    deadline = time.monotonic() + 240
    try:
        while len(tenant.recorded()) < kill_after:
            assert proc.poll() is None, f"apply ended before the kill: {proc.communicate()}"
            assert time.monotonic() < deadline, "apply made no progress"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert kill_after <= len(tenant.recorded()) < 16  # killed in the middle
    converges_then_vanishes(tenant, conn)


def test_a_second_apply_of_the_same_tenant_waits_or_fails_clearly(new_tenant, conn):
    tenant = new_tenant()
    first = tenant.start("apply", str(tenant.file), "--yes")
    owner = tenant.state / f"{tenant.name}.lock.owner"
    deadline = time.monotonic() + 60
    while not owner.exists():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    waiting = tenant.start("apply", str(tenant.file), "--yes")  # default timeout: waits
    impatient = tenant.run("apply", str(tenant.file), "--yes", "--lock-timeout", "1")
    assert impatient.returncode == 1
    assert f"stack {tenant.name} is still locked" in impatient.stderr
    assert "Wait for it to finish, then run again." in impatient.stderr
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, out + err
    assert "is locked: up waits" in out + err
    converges_then_vanishes(tenant, conn)  # the waiting run created no duplicate


def test_a_backend_error_mid_apply_is_reported_and_a_fixed_rerun_converges(new_tenant, conn):
    tenant = new_tenant(flavor="m1.does-not-exist")
    failed = tenant.apply()
    assert failed.returncode == 1
    assert f"Server {tenant.name}-portal failed" in failed.stderr
    assert "m1.does-not-exist" in failed.stderr
    assert "1 resource(s) failed" in failed.stderr
    # What was recorded exists on the backends; the server does not.
    recorded = {r["urn"].rsplit("::", 1)[-1] for r in tenant.recorded()}
    assert tenant.name in recorded and f"{tenant.name}-portal" not in recorded
    backends = on_backends(conn, tenant.name)
    assert backends["projects"] == [tenant.name] and "servers" not in backends
    tenant.doc["compute"]["servers"][0]["flavor"] = "m1.small"
    tenant.write()
    converges_then_vanishes(tenant, conn)
