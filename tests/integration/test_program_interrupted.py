"""An apply of the example tenant killed with SIGKILL in the middle, then re-run: it converges,
leaves no duplicate or orphan on the backends (listed with openstacksdk/boto3), and destroys
cleanly. The kill happens while a given kind of resource is being created."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import openstack
import pytest
import yaml
from botocore.config import Config

from civicloud.engine.base import StackRef
from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.state.local import LocalStateStore
from civicloud.stacks.credentials import apply_local_defaults
from civicloud.stacks.program import declare_tenant

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
BACKENDS = {
    b["name"]: b for b in yaml.safe_load((ROOT / "catalogue/local.yaml").read_text())["backends"]
}
EXAMPLE = yaml.safe_load((ROOT / "examples/vence-community.yaml").read_text())
PASSPHRASE = "test passphrase"

# The apply, in a process of its own so that it can be killed; one line per engine event.
CHILD = """
import json, sys
from civicloud.engine.base import StackRef
from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.state.local import LocalStateStore
from civicloud.stacks.program import declare_tenant
state_dir, tenant, backends = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
engine = EmbeddedEngine(LocalStateStore(state_dir), passphrase=sys.argv[4])
def show(event):
    kind = event.step.type.rsplit(":", 1)[-1] if event.step else "-"
    print(event.kind, kind, flush=True)
engine.up(StackRef("civicloud-tenant", tenant["metadata"]["name"]),
          lambda: declare_tenant(tenant, backends), on_event=show)
"""


@pytest.fixture(scope="module")
def conn():
    apply_local_defaults()
    return openstack.connect(cloud=BACKENDS["local-openstack"]["cloud"])


@pytest.fixture(scope="module")
def s3():
    backend = BACKENDS["local-s3-fr"]
    return boto3.session.Session(profile_name=backend["profile"]).client(
        "s3", endpoint_url=backend["endpoint"], config=Config(s3={"addressing_style": "path"})
    )


def apply_and_kill(state_dir: Path, tenant: dict, kill_when_creating: str) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(state_dir),
            json.dumps(tenant),
            json.dumps(BACKENDS),
            PASSPHRASE,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    seen = []
    for line in child.stdout:
        seen.append(line.strip())
        if line.split()[:2] == ["step-start", kill_when_creating]:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL, f"the apply ended before the kill: {seen}"


def tenant_resources(conn, s3, name: str) -> dict[str, list[str]]:
    """What the backends hold for this tenant, listed without civicloud."""
    project = conn.identity.find_project(name, domain_id="default")
    pid = project.id if project else None
    in_project = {"all_projects": True, "project_id": pid}
    prefixed = f"{name}-"
    return {
        "projects": [project.name] if project else [],
        "users": sorted(u.name for u in conn.identity.users() if u.name.startswith(prefixed)),
        "groups": sorted(g.name for g in conn.identity.groups() if g.name.startswith(prefixed)),
        "keypairs": [k.name for k in conn.compute.keypairs() if k.name.startswith(prefixed)],
        "servers": sorted(s.name for s in conn.compute.servers(**in_project)) if pid else [],
        "volumes": sorted(v.name for v in conn.block_storage.volumes(**in_project)) if pid else [],
        "networks": sorted(n.name for n in conn.network.networks() if n.project_id == pid),
        "routers": sorted(r.name for r in conn.network.routers() if r.project_id == pid),
        # Filtered client-side: a listing filtered by project makes Neutron create its default.
        "security_groups": sorted(
            g.name for g in conn.network.security_groups() if g.project_id == pid
        ),
        "buckets": sorted(
            b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(prefixed)
        ),
    }


@pytest.mark.parametrize("kill_when_creating", ["Network", "Server", "VolumeAttachment", "Bucket"])
def test_an_apply_killed_midway_converges_on_rerun(tmp_path, conn, s3, kill_when_creating):
    tenant = copy.deepcopy(EXAMPLE)
    name = f"k{uuid.uuid4().hex[:7]}"
    tenant["metadata"]["name"] = name
    engine = EmbeddedEngine(LocalStateStore(tmp_path), passphrase=PASSPHRASE)
    stack = StackRef("civicloud-tenant", name)

    def program() -> None:
        declare_tenant(tenant, BACKENDS)

    try:
        apply_and_kill(tmp_path, tenant, kill_when_creating)
        result = engine.up(stack, program)
        assert result.ok, result.errors
        assert not engine.preview(stack, program).changes
        assert tenant_resources(conn, s3, name) == {
            "projects": [name],
            "users": [f"{name}-alice", f"{name}-automation", f"{name}-bob"],
            "groups": [f"{name}-admins"],
            "keypairs": [f"{name}-admin"],
            "servers": [f"{name}-app-1", f"{name}-web-1"],
            "volumes": [f"{name}-app-1-archive", f"{name}-web-1-data"],
            "networks": [f"{name}-backend"],
            "routers": [f"{name}-edge"],
            "security_groups": ["default", f"{name}-web"],
            "buckets": [f"{name}-archives", f"{name}-documents"],
        }
    finally:
        destroyed = engine.destroy(stack)
    assert destroyed.ok, destroyed.errors
    assert not any(tenant_resources(conn, s3, name).values())
