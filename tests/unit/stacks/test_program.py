"""The tenant program's resource graph, with Pulumi's documented unit-test mocks (no cloud).

What is checked here is pure logic: which resources a tenant becomes, their deterministic
names, the inputs they carry. The providers themselves are tested on the real local cloud."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pulumi
import pytest
import yaml

from civicloud.stacks.program import ProgramError, declare_tenant

ROOT = Path(__file__).resolve().parents[3]
TENANT = yaml.safe_load((ROOT / "examples/vence-community.yaml").read_text())
BACKENDS = {
    b["name"]: b for b in yaml.safe_load((ROOT / "catalogue/local.yaml").read_text())["backends"]
}


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.resources.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


def run(tenant: dict, backends: dict = BACKENDS) -> list[pulumi.runtime.MockResourceArgs]:
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="civicloud-tenant", stack="test", preview=False)

    @pulumi.runtime.test
    def program():
        declare_tenant(tenant, backends)

    program()
    return mocks.resources


def kind(args: pulumi.runtime.MockResourceArgs) -> str:
    return args.typ.rsplit(":", 1)[-1]


def by_kind(resources, name: str) -> list:
    return [r for r in resources if kind(r) == name]


def test_the_example_tenant_becomes_every_resource_it_declares():
    resources = run(TENANT)
    assert Counter(kind(r) for r in resources) == {
        "Project": 1, "User": 3, "Group": 1, "RoleAssignment": 4, "ApplicationCredential": 1,
        "Quota": 3, "Network": 1, "Subnet": 1, "Router": 1, "RouterInterface": 1,
        "SecurityGroup": 1, "SecurityGroupRule": 2, "Keypair": 1, "Server": 2, "Volume": 2,
        "VolumeAttachment": 2, "Bucket": 2,
    }  # fmt: skip
    assert all(r.typ.startswith("pulumi-python:dynamic/civicloud:") for r in resources)


def test_every_name_derives_from_the_tenant_name():
    for resource in run(TENANT):
        assert resource.name == "vence" or resource.name.startswith("vence-"), resource.name
        if "name" in resource.inputs:
            assert resource.inputs["name"].startswith("vence"), resource.inputs["name"]


def test_inputs_name_backends_and_never_carry_their_credentials():
    resources = run(TENANT)
    for resource in resources:
        assert not {"username", "access_key", "secret_key", "auth"} & set(resource.inputs)
    server = by_kind(resources, "Server")[0]
    assert server.inputs["cloud"] == "civicloud-local"
    bucket = by_kind(resources, "Bucket")[0]
    assert (bucket.inputs["endpoint"], bucket.inputs["profile"]) == (
        "http://127.0.0.1:8333", "local-fr"
    )  # fmt: skip


def test_buckets_carry_region_encryption_and_object_lock():
    buckets = {b.inputs["name"]: b.inputs for b in by_kind(run(TENANT), "Bucket")}
    docs, archives = buckets["vence-documents"], buckets["vence-archives"]
    assert docs["region"] == archives["region"] == "fr-par-local"
    assert docs["encryption"] == "sse-s3"
    assert docs["lifecycle"] == [{"id": "expire-tmp", "prefix": "tmp/", "expire_days": 30}]
    assert archives["encryption"] == "sse-kms"
    assert archives["kms_key"] == "alias/seaweedfs-default"
    assert archives["object_lock"] == {"mode": "GOVERNANCE", "days": 365}


def test_volumes_use_the_encrypted_type_and_quotas_are_split_by_service():
    resources = run(TENANT)
    assert {v.inputs["volume_type"] for v in by_kind(resources, "Volume")} == {"encrypted"}
    quotas = {q.inputs["service"]: q.inputs["limits"] for q in by_kind(resources, "Quota")}
    assert quotas["compute"] == {"instances": 4, "cores": 8, "ram": 16384}
    assert quotas["volume"] == {"volumes": 4, "gigabytes": 200}
    assert quotas["network"]["floating_ips"] == 0


def test_a_rule_keeps_its_name_when_another_rule_is_inserted():
    names = {r.name for r in by_kind(run(TENANT), "SecurityGroupRule")}
    tenant = copy.deepcopy(TENANT)
    tenant["compute"]["security_groups"][0]["rules"].insert(
        0, {"direction": "ingress", "protocol": "tcp", "port": 80, "remote": "10.0.0.0/8"}
    )
    assert names < {r.name for r in by_kind(run(tenant), "SecurityGroupRule")}


def test_a_storage_only_tenant_has_no_openstack_resources():
    tenant = {k: v for k, v in copy.deepcopy(TENANT).items() if k not in ("compute", "access")}
    assert {kind(r) for r in run(tenant)} == {"Bucket"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["compute"]["servers"][0].update(public_ip=True), "public_ip"),
        (lambda t: t["compute"]["servers"][0].update(network="nope"), "unknown network"),
        (lambda t: t["storage"].update(backend="elsewhere"), "not in the catalogue"),
    ],
)
def test_what_the_program_cannot_build_is_refused_before_any_call(change, message):
    tenant = copy.deepcopy(TENANT)
    change(tenant)
    with pytest.raises(ProgramError, match=message):
        run(tenant)


HYBRID = yaml.safe_load((ROOT / "examples/hybrid-antibes.yaml").read_text())


def test_tenant_roles_map_to_keystone_roles_never_to_cloud_admin():
    resources = run(HYBRID)
    (role,) = by_kind(resources, "Role")
    assert role.inputs["name"] == "antibes-archivist"
    granted = {a.name: a.inputs["role"] for a in by_kind(resources, "RoleAssignment")}
    assert granted["antibes-user-claire-admin"] == "manager"
    assert granted["antibes-user-ged-robot-archivist"] == "antibes-archivist"
    assert "admin" not in granted.values()


def test_an_sse_c_bucket_with_noncurrent_expiry_is_declared_as_such():
    buckets = {b.inputs["name"]: b.inputs for b in by_kind(run(HYBRID), "Bucket")}
    backups = buckets["antibes-backups"]
    assert backups["encryption"] == "sse-c"
    assert backups["lifecycle"] == [
        {"id": "old-versions", "prefix": "", "noncurrent_expire_days": 90}
    ]
    assert "key_ref" not in backups  # the SSE-C key is the client's, never the provider's


def test_an_undeclared_role_is_refused():
    tenant = copy.deepcopy(HYBRID)
    tenant["access"]["roles"] = []
    with pytest.raises(ProgramError, match="unknown role 'archivist'"):
        run(tenant)
