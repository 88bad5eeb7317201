"""A tenant made by `civicloud init` from each published template is applied on the real local
cloud, checked with openstacksdk and boto3 (not civicloud), then destroyed."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import openstack
import pytest
import yaml
from botocore.config import Config
from rich.console import Console

import civicloud.localcloud as localcloud
from civicloud.paths import project_path
from civicloud.stacks.credentials import apply_local_defaults

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
BACKENDS = {b["name"]: b for b in
            yaml.safe_load(project_path("catalogue", "local.yaml").read_text())["backends"]}
IDENTITY = ("--set", "authority=Commune de Vence", "--set", "siren=210601522",
            "--set", "contact=dsi@ville-vence.example", "--set", "admin_ssh_key=ssh-ed25519 "
            "AAAAC3NzaC1lZDI1NTE5AAAAIH3nBmQ8v0Yc5Xq2g3R0kq7eN2Qw6jv1Zs0r9c4vS5Xy admin@vence")
EXTRA = {"pilot-sandbox": ("--set", "owner=chef@ville-vence.example")}


@pytest.fixture(scope="module")
def clients():
    localcloud.up(Console(stderr=True, soft_wrap=True))  # idempotent: seconds when already up
    apply_local_defaults()
    conn = openstack.connect(cloud=BACKENDS["local-openstack"]["cloud"])
    backend = BACKENDS["local-s3-fr"]
    s3 = boto3.session.Session(profile_name=backend["profile"]).client(
        "s3", endpoint_url=backend["endpoint"], config=Config(s3={"addressing_style": "path"}))
    yield conn, s3
    conn.close()


@pytest.mark.parametrize("template", ["communal-website", "document-archives", "ccas-health",
                                      "pilot-sandbox"])
def test_tenant_from_template_applies_on_the_local_cloud(template, clients, civicloud_process,
                                                         tmp_path: Path, monkeypatch):
    conn, s3 = clients
    monkeypatch.setenv("CIVICLOUD_STATE_PASSPHRASE", "template e2e passphrase")
    name = f"t{uuid.uuid4().hex[:8]}"
    tenant_file, state = tmp_path / f"{name}.yaml", f"--state={tmp_path / 'state'}"
    made = civicloud_process("init", "-t", template, "--set", f"tenant_name={name}", *IDENTITY,
                             *EXTRA.get(template, ()), "--output", str(tenant_file))
    assert made.exit_code == 0, made.output
    spec = yaml.safe_load(tenant_file.read_text())
    try:
        applied = civicloud_process("apply", str(tenant_file), "--yes", state, timeout=600)
        assert applied.exit_code == 0, applied.output
        project = conn.identity.find_project(name, domain_id="default")
        assert project is not None
        servers = {s.name for s in conn.compute.servers(all_projects=True, project_id=project.id)}
        assert servers == {f"{name}-{s['name']}" for s in spec["compute"]["servers"]}
        for bucket in (spec.get("storage") or {}).get("buckets", []):
            physical = f"{name}-{bucket['name']}"
            rules = s3.get_bucket_encryption(Bucket=physical)[
                "ServerSideEncryptionConfiguration"]["Rules"]
            algorithm = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
            assert algorithm == {"sse-s3": "AES256", "sse-kms": "aws:kms"}[bucket["encryption"]]
            if bucket.get("object_lock"):
                lock = s3.get_object_lock_configuration(Bucket=physical)
                retention = lock["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
                assert retention["Mode"] == bucket["object_lock"]["mode"]
                assert retention["Days"] == bucket["object_lock"]["days"]
    finally:
        destroyed = civicloud_process("destroy", str(tenant_file), "--force", "--yes", state,
                                      timeout=600)
    assert destroyed.exit_code == 0, destroyed.output
    assert conn.identity.find_project(name, domain_id="default") is None
