"""`civicloud drift` on the real local cloud: out-of-band changes made with openstacksdk and
boto3 are reported exactly, the policy gate judges the live state and the current catalogue,
and applying again restores the declared state."""

from __future__ import annotations

import json

import pytest
from test_drift_support import LiveTenant

import civicloud.localcloud as localcloud
from civicloud.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tenant(local_cloud, tmp_path_factory):
    root = tmp_path_factory.mktemp("drift")
    t = LiveTenant(root / "tenants", root / "state", "dr")
    t.up()
    yield t
    t.destroy()


def drift(t: LiveTenant, *args: str) -> tuple[int, dict]:
    result = t.cli("drift", str(t.file), "-o", "json", *args)
    assert result.returncode in (0, 3, 4), result.stderr
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def changes(doc: dict) -> set[tuple]:
    return {(c["op"], c["kind"], c["name"],
             tuple(sorted((k, v["state"], v["live"]) for k, v in c["fields"].items()))
             if c["op"] == "~" else ()) for c in doc["tenants"][0]["changes"]}


def test_a_backend_that_moved_country_is_a_violation(tenant, tmp_path):
    code, doc = drift(tenant, "--detailed-exitcode")
    assert (code, doc["drift"], doc["policy"]["denied"]) == (0, False, False)

    catalogue = tmp_path / "catalogue.yaml"
    text = (PROJECT_ROOT / "catalogue/local.yaml").read_text()
    block = "region: fr-par-local\n    country: {0}\n    jurisdiction: {0}\n    eea: {1}"
    moved = text.replace(block.format("FR", "true"), block.format("US", "false"))
    assert moved != text
    catalogue.write_text(moved)
    code, doc = drift(tenant, "--detailed-exitcode", "--catalogue", str(catalogue))
    assert code == 4 and doc["drift"] is False and doc["policy"]["denied"] is True
    denied = [f for f in doc["policy"]["findings"] if f["status"] == "deny"]
    assert denied and all(f["rule_id"].startswith("CIVIC-LOC") for f in denied)
    assert any("local-s3-fr" in f["message"] and "US" in f["message"] for f in denied)
    code, _ = drift(tenant, "--catalogue", str(catalogue))  # without --detailed-exitcode
    assert code == 3


def test_out_of_band_changes_are_reported_exactly_and_apply_restores_them(tenant, os_admin):
    s3 = localcloud.s3_client("local-s3-fr")
    bucket, project = f"{tenant.name}-data", tenant.project(os_admin)
    group = next(os_admin.network.security_groups(project_id=project.id,
                                                  name=f"{tenant.name}-web"))
    server = next(os_admin.compute.servers(all_projects=True, project_id=project.id,
                                           name=f"^{tenant.name}-app$"))
    # What someone does by hand, outside civicloud:
    s3.delete_bucket_encryption(Bucket=bucket)
    os_admin.compute.update_quota_set(project.id, cores=10)
    rule = os_admin.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", protocol="tcp", port_range_min=22,
        port_range_max=22, remote_ip_prefix="0.0.0.0/0", project_id=project.id)
    os_admin.compute.delete_server(server)
    os_admin.compute.wait_for_delete(server, wait=120)

    code, doc = drift(tenant, "--detailed-exitcode")
    assert code == 4
    assert changes(doc) == {
        ("-", "Server", f"{tenant.name}-app", ()),
        ("~", "Bucket", bucket, (("encryption", "sse-s3", None),)),
        ("~", "Quota", f"{tenant.name}-quota-compute", (("limits.cores", 4, 10),)),
        ("+", "SecurityGroupRule", f"{tenant.name}-web: ingress tcp 22 from 0.0.0.0/0", ()),
    }
    assert [f["rule_id"] for f in doc["policy"]["findings"] if f["status"] == "deny"] == \
        ["CIVIC-ENC-2"]  # the live bucket has no default encryption
    reads = doc["tenants"][0]["reads"]
    assert reads["Server"] == reads["SecurityGroupRule"] == reads["Network"] == "list"

    text = tenant.cli("drift", str(tenant.file))
    assert text.returncode == 3  # a live violation, without --detailed-exitcode
    assert "encryption: \"sse-s3\" -> null" in text.stdout
    assert "limits.cores: 4 -> 10" in text.stdout

    # Drift wrote nothing: the backends are still as changed by hand.
    with pytest.raises(Exception, match=r"ServerSideEncryptionConfiguration|NotFound|404"):
        s3.get_bucket_encryption(Bucket=bucket)

    # plan reads the backends back first: the drift is noted, and the plan restores it
    plan = tenant.cli("plan", str(tenant.file))
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert f"Server '{tenant.name}-app' deleted outside civicloud" in plan.stdout
    assert f"Bucket '{bucket}' changed outside civicloud" in plan.stdout
    assert f"+ Server {tenant.name}-app" in plan.stdout  # re-created
    unrefreshed = tenant.cli("plan", str(tenant.file), "--no-refresh", "--detailed-exitcode")
    assert unrefreshed.returncode == 0, unrefreshed.stdout  # state alone: blind to the drift
    applied = tenant.cli("apply", str(tenant.file), "--yes")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    default = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert default["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert os_admin.compute.get_quota_set(project.id).cores == 4
    assert list(os_admin.compute.servers(all_projects=True, project_id=project.id,
                                         name=f"^{tenant.name}-app$"))
    # A rule civicloud never created is not deleted by apply: drift keeps showing it until
    # someone removes it (or declares it in the tenant file).
    _, doc = drift(tenant)
    assert {c["op"] for c in doc["tenants"][0]["changes"]} == {"+"}
    os_admin.network.delete_security_group_rule(rule)
    code, doc = drift(tenant, "--detailed-exitcode")
    assert (code, doc["drift"]) == (0, False), doc
