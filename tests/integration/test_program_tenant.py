"""The whole tenant program for examples/vence-community.yaml through the embedded engine, on
the real local cloud; every resource checked with openstacksdk and boto3, not civicloud."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import boto3
import openstack
import pytest
import yaml
from botocore.config import Config
from botocore.exceptions import ClientError

from civicloud.engine.base import StackRef
from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.state.local import LocalStateStore
from civicloud.stacks.credentials import apply_local_defaults
from civicloud.stacks.program import declare_tenant

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = yaml.safe_load((ROOT / "catalogue/local.yaml").read_text())
BACKENDS = {b["name"]: b for b in CATALOGUE["backends"]}
EXAMPLE = yaml.safe_load((ROOT / "examples/vence-community.yaml").read_text())


@pytest.fixture(scope="module")
def conn():
    apply_local_defaults()
    return openstack.connect(cloud=BACKENDS["local-openstack"]["cloud"])


@pytest.fixture(scope="module")
def s3():
    apply_local_defaults()
    backend = BACKENDS["local-s3-fr"]
    return boto3.session.Session(profile_name=backend["profile"]).client(
        "s3", endpoint_url=backend["endpoint"], config=Config(s3={"addressing_style": "path"})
    )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, conn, s3):
    """The example tenant under a unique name, applied once for the module; destroyed after
    (the last test checks the destroy itself)."""
    tenant = copy.deepcopy(EXAMPLE)
    name = f"v{uuid.uuid4().hex[:7]}"
    tenant["metadata"]["name"] = name
    engine = EmbeddedEngine(
        LocalStateStore(tmp_path_factory.mktemp("state")), passphrase="test passphrase"
    )
    stack = StackRef("civicloud-tenant", name)
    state = {"tenant": tenant}

    def program() -> None:
        declare_tenant(state["tenant"], BACKENDS)

    result = engine.up(stack, program)
    yield {"name": name, "engine": engine, "stack": stack, "program": program, "state": state,
           "result": result}  # fmt: skip
    engine.destroy(stack)  # idempotent: a no-op when the last test destroyed it already


def test_apply_creates_every_resource(deployed):
    result = deployed["result"]
    assert result.ok, result.errors
    ours = [s for s in result.steps if s.type.startswith("pulumi-python:dynamic/civicloud:")]
    assert {s.op for s in ours} == {"create"}
    assert len(ours) == 29  # see the unit test of the program for the breakdown


def test_project_users_and_quotas_exist(deployed, conn):
    name = deployed["name"]
    project = conn.identity.find_project(name, domain_id="default")
    assert {"civicloud", f"tenant:{name}"} <= set(project.tags)
    assert "SIREN 210601522" in project.description
    users = {u.name for u in conn.identity.users(default_project_id=project.id)}
    assert users == {f"{name}-alice", f"{name}-bob", f"{name}-automation"}
    quota = conn.compute.get_quota_set(project.id)
    assert (quota.instances, quota.cores, quota.ram) == (4, 8, 16384)
    assert conn.block_storage.get_quota_set(project.id).gigabytes == 200
    assert conn.network.get_quota(project.id).routers == 1
    outputs = deployed["engine"].outputs(deployed["stack"])
    assert outputs["project_id"] == project.id
    # The application credential secret never shows in the printable outputs.
    assert "automation_credential_secret" in outputs
    assert (
        outputs["automation_credential_secret"]
        != deployed["engine"].outputs(deployed["stack"], reveal=True)[
            "automation_credential_secret"
        ]
    )


def test_servers_are_active_on_the_tenant_network_with_encrypted_volumes(deployed, conn):
    name = deployed["name"]
    project = conn.identity.find_project(name, domain_id="default")
    network = conn.network.find_network(f"{name}-backend", project_id=project.id)
    servers = list(conn.compute.servers(all_projects=True, project_id=project.id))
    assert sorted(s.name for s in servers) == [f"{name}-app-1", f"{name}-web-1"]
    for server in servers:
        assert server.status == "ACTIVE"
        assert server.metadata["civicloud:tenant"] == name
        (port,) = conn.network.ports(device_id=server.id)
        assert port.network_id == network.id
        (attachment,) = conn.compute.volume_attachments(server)
        volume = conn.block_storage.get_volume(attachment.volume_id)
        assert volume.status == "in-use" and volume.is_encrypted
        assert volume.volume_type == "encrypted"
    router = conn.network.find_router(f"{name}-edge", project_id=project.id)
    assert list(conn.network.ports(device_id=router.id, network_id=network.id))
    group = conn.network.find_security_group(f"{name}-web", project_id=project.id)
    ports = {r.port_range_min for r in conn.network.security_group_rules(
        security_group_id=group.id, direction="ingress")}  # fmt: skip
    assert ports == {22, 443}


def test_buckets_are_encrypted_and_carry_their_region(deployed, s3):
    name = deployed["name"]
    docs, archives = f"{name}-documents", f"{name}-archives"
    rule = s3.get_bucket_encryption(Bucket=docs)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    rule = s3.get_bucket_encryption(Bucket=archives)["ServerSideEncryptionConfiguration"]["Rules"][
        0
    ]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    lock = s3.get_object_lock_configuration(Bucket=archives)["ObjectLockConfiguration"]
    assert lock["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 365}
    for bucket in (docs, archives):
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
        assert tags["civicloud:region"] == "fr-par-local"


def test_a_second_plan_has_no_changes(deployed):
    plan = deployed["engine"].preview(deployed["stack"], deployed["program"])
    assert [s.name for s in plan.changes] == []


def test_changing_a_quota_changes_exactly_that(deployed, conn):
    deployed["state"]["tenant"]["compute"]["quotas"]["instances"] = 6
    engine, stack, program = deployed["engine"], deployed["stack"], deployed["program"]
    plan = engine.preview(stack, program)
    assert [(s.op, s.name) for s in plan.changes] == [
        ("update", f"{deployed['name']}-quota-compute")
    ]
    assert engine.up(stack, program).ok
    project = conn.identity.find_project(deployed["name"], domain_id="default")
    assert conn.compute.get_quota_set(project.id).instances == 6


def test_destroy_leaves_nothing(deployed, conn, s3):
    name = deployed["name"]
    project_id = conn.identity.find_project(name, domain_id="default").id
    result = deployed["engine"].destroy(deployed["stack"])
    assert result.ok, result.errors
    assert conn.identity.find_project(name, domain_id="default") is None
    assert not [u for u in conn.identity.users() if u.name.startswith(f"{name}-")]
    assert not [g for g in conn.identity.groups() if g.name.startswith(f"{name}-")]
    assert conn.compute.find_keypair(f"{name}-admin") is None
    assert not list(conn.compute.servers(all_projects=True, project_id=project_id))
    assert not list(conn.block_storage.volumes(all_projects=True, project_id=project_id))
    assert not list(conn.network.networks(project_id=project_id))
    assert not list(conn.network.routers(project_id=project_id))
    # Filtered client-side: a listing filtered by project makes Neutron create its default group.
    assert not [g for g in conn.network.security_groups() if g.project_id == project_id]
    assert not list(conn.network.ports(project_id=project_id))
    for bucket in (f"{name}-documents", f"{name}-archives"):
        with pytest.raises(ClientError):
            s3.head_bucket(Bucket=bucket)
