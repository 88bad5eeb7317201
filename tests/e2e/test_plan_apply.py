"""plan -> apply -> verify on the backends -> no-change re-plan -> edit -> exactly those changes
-> saved plan -> destroy -> nothing left, through the CLI on the real local cloud.

The example tenants are copied under unique names (no clash with the demo or another run); every
check of what exists reads the backends with openstacksdk and boto3, never civicloud. The tests
of this module run in order and share one deployment (applying is what costs time).
"""

from __future__ import annotations

import json
import os
import uuid
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner
from rich.console import Console

import civicloud.localcloud as localcloud
from civicloud.localcloud.errors import LocalCloudError
from civicloud.main import cli as civicloud_cli
from civicloud.paths import PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def civicloud(*args: str):
    """The CLI in-process (the `civicloud` fixture is per test; this module shares a deployment).
    `from conftest import` would be ambiguous when tests/integration is collected too."""
    result = CliRunner().invoke(civicloud_cli, list(args), prog_name="civicloud")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback would reach the user: fail loudly
    return SimpleNamespace(exit_code=result.exit_code, stdout=result.stdout,
                           stderr=result.stderr, output=result.stdout + result.stderr)
EXAMPLES = {"vence": "vence-community.yaml", "antibes": "hybrid-antibes.yaml",
            "pilot": "sandbox-pilot.yaml"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The three example tenants, renamed, in a directory; a state directory of their own.
    The module holds the local cloud's lock: no other session's `local-cloud down` meanwhile."""
    with localcloud.exclusive():
        yield from _world(tmp_path_factory)


def _world(tmp_path_factory):
    try:
        localcloud.up(Console(stderr=True, soft_wrap=True))
    except LocalCloudError as error:
        pytest.fail(f"local cloud did not come up: {error}", pytrace=False)
    root = tmp_path_factory.mktemp("e2e")
    tenants_dir = root / "tenants"
    tenants_dir.mkdir()
    run = uuid.uuid4().hex[:6]
    names, files = {}, {}
    for key, example in EXAMPLES.items():
        doc = yaml.safe_load((PROJECT_ROOT / "examples" / example).read_text())
        doc["metadata"]["name"] = names[key] = f"e{run}-{key}"
        doc["metadata"].pop("syndicate", None)  # no syndicate file here: no envelope warning
        files[key] = tenants_dir / example
        files[key].write_text(yaml.safe_dump(doc, sort_keys=False))
    old = os.environ.get("CIVICLOUD_STATE_PASSPHRASE")
    os.environ["CIVICLOUD_STATE_PASSPHRASE"] = "e2e passphrase"
    conn = localcloud.openstack_connection()
    world = {"names": names, "files": files, "dir": tenants_dir, "root": root,
             "state": str(root / "state"), "conn": conn}
    yield world
    for key in EXAMPLES:  # whatever a failed test left behind
        civicloud("destroy", names[key], "--force", "--yes", "--state", world["state"])
    conn.close()
    if old is None:
        os.environ.pop("CIVICLOUD_STATE_PASSPHRASE")
    else:
        os.environ["CIVICLOUD_STATE_PASSPHRASE"] = old


def cli(world, *args: str):
    return civicloud(*args, "--state", world["state"])


def project(conn, name: str):
    return conn.identity.find_project(name, domain_id="default")


def buckets_named(prefix: str) -> set[str]:
    found = set()
    for backend in localcloud.s3_endpoints():
        s3 = localcloud.s3_client(backend)
        found |= {b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(prefix)}
    return found


def test_plan_lists_every_resource_and_says_which_engine(world):
    run = cli(world, "plan", str(world["dir"]), "--detailed-exitcode")
    assert run.exit_code == 4, run.output
    assert "engine: embedded (Pulumi CLI not found on PATH)" in run.output
    vence = world["names"]["vence"]
    assert f"+ Project {vence}" in run.stdout
    assert f"+ Bucket {vence}-archives" in run.stdout
    assert "Plan: 29 to add, 0 to change, 0 to replace, 0 to destroy." in run.stdout
    assert "project_id = (known after apply)" in run.stdout
    assert project(world["conn"], vence) is None  # a plan touches nothing


def test_apply_without_a_terminal_needs_yes(world):
    run = cli(world, "apply", str(world["files"]["pilot"]))
    assert run.exit_code == 2
    assert "pass --yes" in run.stderr
    assert project(world["conn"], world["names"]["pilot"]) is None


def test_apply_all_creates_every_tenant(world):
    run = cli(world, "apply", "--all", str(world["dir"]), "--parallel", "3", "--yes")
    assert run.exit_code == 0, run.output
    for name in world["names"].values():
        assert f"{name}: Apply complete." in run.stdout
    assert "verified on the backends after writing" in run.stdout


def test_every_resource_exists_on_the_backends(world):
    conn, names = world["conn"], world["names"]
    vence = names["vence"]
    p = project(conn, vence)
    assert p is not None and f"tenant:{vence}" in p.tags
    assert {u.name for u in conn.identity.users(default_project_id=p.id)} == {
        f"{vence}-alice", f"{vence}-bob", f"{vence}-automation"}
    assert conn.compute.get_quota_set(p.id).instances == 4
    assert conn.block_storage.get_quota_set(p.id).gigabytes == 200
    servers = list(conn.compute.servers(all_projects=True, project_id=p.id))
    assert sorted(s.name for s in servers) == [f"{vence}-app-1", f"{vence}-web-1"]
    assert all(s.status == "ACTIVE" for s in servers)
    volumes = list(conn.block_storage.volumes(all_projects=True, project_id=p.id))
    assert len(volumes) == 2 and all(v.is_encrypted and v.status == "in-use" for v in volumes)
    assert conn.network.find_router(f"{vence}-edge", project_id=p.id) is not None
    s3 = localcloud.s3_client("local-s3-fr")
    for bucket, algorithm in ((f"{vence}-documents", "AES256"), (f"{vence}-archives", "aws:kms")):
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        assert rule["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == algorithm
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    lock = s3.get_object_lock_configuration(Bucket=f"{vence}-archives")
    assert lock["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Days"] == 365
    for key in ("antibes", "pilot"):
        assert project(conn, names[key]) is not None
    assert buckets_named(names["pilot"]) == {f"{names['pilot']}-datasets"}


def test_replan_shows_no_changes(world):
    run = cli(world, "plan", str(world["dir"]), "--detailed-exitcode")
    assert run.exit_code == 0, run.output
    assert run.stdout.count("No changes.") == 3


def test_output_prints_exports_and_masks_secrets(world):
    vence = world["names"]["vence"]
    run = cli(world, "output", vence, "project_id")
    assert run.exit_code == 0, run.output
    assert run.stdout.strip() == project(world["conn"], vence).id
    masked = json.loads(cli(world, "output", vence, "-o", "json").stdout)
    assert masked["automation_credential_secret"] == "[secret]"
    shown = cli(world, "output", vence, "automation_credential_secret", "--show-secrets")
    assert shown.exit_code == 0 and shown.stdout.strip() not in ("", "[secret]")
    assert cli(world, "output", vence, "nope").exit_code == 2


def test_an_edit_plans_exactly_its_changes_and_a_saved_plan_applies_them(world):
    vence, path = world["names"]["vence"], world["files"]["vence"]
    doc = yaml.safe_load(path.read_text())
    doc["compute"]["quotas"]["instances"] = 5
    doc["compute"]["servers"].append({"name": "web-2", "flavor": "m1.small", "image": "debian-12",
                                      "network": "backend", "security_groups": ["web"],
                                      "keypair": "admin"})
    doc["storage"]["buckets"] = [b for b in doc["storage"]["buckets"] if b["name"] != "archives"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    saved = world["root"] / "plan.json"
    run = cli(world, "plan", str(path), "--out", str(saved), "-o", "json")
    assert run.exit_code == 0, run.output
    (tenant,) = json.loads(run.stdout)["tenants"]
    changes = {(c["op"], c["kind"], c["name"]) for c in tenant["plan"]["changes"]}
    assert changes == {("update", "Quota", f"{vence}-quota-compute"),
                       ("create", "Server", f"{vence}-web-2"),
                       ("delete", "Bucket", f"{vence}-archives")}
    (quota,) = [c for c in tenant["plan"]["changes"] if c["op"] == "update"]
    assert quota["changed"] == ["limits"] and quota["inputs"]["limits"]["instances"] == 5

    run = cli(world, "apply", str(saved), "--yes")
    assert run.exit_code == 0, run.output
    conn = world["conn"]
    p = project(conn, vence)
    assert conn.compute.get_quota_set(p.id).instances == 5
    servers = {s.name for s in conn.compute.servers(all_projects=True, project_id=p.id)}
    assert f"{vence}-web-2" in servers
    assert buckets_named(f"{vence}-") == {f"{vence}-documents"}

    again = cli(world, "apply", str(saved), "--yes")  # the state moved: that plan is stale
    assert again.exit_code == 2
    assert "the state changed since" in again.stderr


def test_destroy_refuses_a_tenant_that_is_not_a_sandbox(world):
    run = cli(world, "destroy", str(world["files"]["vence"]), "--yes")
    assert run.exit_code == 2
    assert "community tenant, not a sandbox" in run.stderr
    assert project(world["conn"], world["names"]["vence"]) is not None


def test_destroy_leaves_nothing_on_the_backends(world):
    conn, names = world["conn"], world["names"]
    ids = {key: project(conn, name).id for key, name in names.items()}
    run = cli(world, "destroy", str(world["files"]["pilot"]), "--yes")  # a sandbox: no --force
    assert run.exit_code == 0, run.output
    for key in ("vence", "antibes"):
        run = cli(world, "destroy", names[key], "--force", "--yes")
        assert run.exit_code == 0, run.output
    for key, name in names.items():
        assert project(conn, name) is None
        assert not list(conn.compute.servers(all_projects=True, project_id=ids[key]))
        assert not list(conn.block_storage.volumes(all_projects=True, project_id=ids[key]))
        assert not list(conn.network.networks(project_id=ids[key]))
        assert not [u for u in conn.identity.users() if u.name.startswith(f"{name}-")]
        assert not [k for k in conn.compute.keypairs() if k.name.startswith(f"{name}-")]
        assert buckets_named(f"{name}-") == set()
