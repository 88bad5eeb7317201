"""`civicloud report compliance` on the real local cloud: a hybrid-like tenant (server, volume,
two buckets) is applied, one bucket's encryption is removed out of band with boto3, and the
report's evidence is checked against what boto3 and openstacksdk read directly; the HTML is
opened in headless Chromium (screenshot kept under test-artifacts/compliance/) and the PDF
printed."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from test_drift_support import LiveTenant

import civicloud.localcloud as localcloud
from civicloud.ops.compliance_render import find_chromium, run_chromium
from civicloud.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "compliance"  # ignored by git
PAYLOAD = b"civicloud compliance evidence " * 41  # 1230 bytes


@pytest.fixture(scope="module")
def tenant(local_cloud, tmp_path_factory):
    root = tmp_path_factory.mktemp("compliance")
    t = LiveTenant(root / "tenants", root / "state", "co")
    doc = yaml.safe_load(t.file.read_text())
    doc["type"] = "hybrid"
    doc["compute"]["servers"][0]["volumes"] = [{"name": "data", "size_gb": 1}]
    doc["compute"]["security_groups"][0]["rules"].append(
        {"direction": "ingress", "protocol": "tcp", "port": 22, "remote": "0.0.0.0/0"})
    doc["storage"]["buckets"].append({"name": "archive", "encryption": "sse-s3",
                                      "versioning": True})
    doc["waivers"] = [{"rule": "CIVIC-EXP-3", "reason": "bastion being migrated",
                       "approver": "RSSI", "until": "2099-12-31"}]
    t.file.write_text(yaml.safe_dump(doc, sort_keys=False))
    t.up()
    s3 = localcloud.s3_client("local-s3-fr")
    s3.put_object(Bucket=f"{t.name}-data", Key="deliberations/2026-11.pdf", Body=PAYLOAD)
    yield t
    # civicloud never deletes a bucket holding data: empty it, then destroy the tenant.
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=f"{t.name}-data"):
        for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=f"{t.name}-data", Key=v["Key"], VersionId=v["VersionId"])
    t.destroy()


def report(t: LiveTenant, *args: str):
    result = t.cli("report", "compliance", str(t.file), *args)
    assert "Traceback" not in result.stderr
    return result


def test_json_evidence_matches_the_backends_and_the_encryption_rule_denies(tenant, os_admin):
    s3 = localcloud.s3_client("local-s3-fr")
    data, archive = f"{tenant.name}-data", f"{tenant.name}-archive"
    s3.delete_bucket_encryption(Bucket=data)  # by hand, outside civicloud

    result = report(tenant, "-o", "json")
    assert result.returncode == 3, result.stderr  # a violation
    doc = json.loads(result.stdout)
    assert doc["version"] == 1 and doc["summary"]["verdict"] == "violations"
    (t,) = doc["tenants"]
    assert (t["tenant"], t["deployed"], t["basis"], t["verdict"]) == \
        (tenant.name, True, "live", "violations")

    # Every rule evaluated, each with its result: the encryption rule denies, the waived one
    # names its approver, every other rule passed.
    results = {r["rule_id"]: r for r in t["rules"]}
    assert set(results) == {r["id"] for r in doc["rules"]} and len(results) >= 20
    assert results["CIVIC-ENC-2"]["status"] == "deny"
    assert results["CIVIC-ENC-2"]["findings"][0]["path"] == "storage.buckets[0].encryption"
    assert results["CIVIC-EXP-3"]["status"] == "waived"
    assert results["CIVIC-EXP-3"]["findings"][0]["waiver"]["approver"] == "RSSI"
    assert {i for i, r in results.items() if r["status"] != "pass"} == {"CIVIC-ENC-2",
                                                                          "CIVIC-EXP-3"}
    assert t["waivers"] == [{"rule": "CIVIC-EXP-3", "reason": "bastion being migrated",
                             "approver": "RSSI", "until": "2099-12-31", "valid": True,
                             "findings_waived": 1}]

    # Buckets: encryption, versioning and size as boto3 reads them.
    buckets = {b["name"]: b for b in t["evidence"]["buckets"]}
    with pytest.raises(Exception, match=r"ServerSideEncryptionConfiguration|NotFound|404"):
        s3.get_bucket_encryption(Bucket=data)
    assert (buckets[data]["encryption"], buckets[data]["declared_encryption"]) == \
        (None, "sse-s3")
    rule = s3.get_bucket_encryption(Bucket=archive)["ServerSideEncryptionConfiguration"][
        "Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "AES256" and buckets[archive]["encryption"] == "sse-s3"
    for name, bucket in buckets.items():
        versioning = s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
        assert bucket["versioning"] is versioning
        stored = [v["Size"] for p in s3.get_paginator("list_object_versions").paginate(
            Bucket=name) for v in p.get("Versions", [])]
        assert (bucket["objects"], bucket["bytes"]) == (len(stored), sum(stored))
    assert buckets[data]["bytes"] == len(PAYLOAD) and buckets[archive]["versioning"] is True

    # Volume: its type and the type's Cinder encryption, as openstacksdk reads them.
    project = tenant.project(os_admin)
    (volume,) = os_admin.block_storage.volumes(all_projects=True, project_id=project.id)
    (evidence,) = t["evidence"]["volumes"]
    volume_type = os_admin.block_storage.find_type(volume.volume_type, ignore_missing=False)
    spec = os_admin.block_storage.get_type_encryption(volume_type.id)
    assert evidence["name"] == volume.name and evidence["size_gb"] == volume.size
    assert evidence["volume_type"] == volume.volume_type
    assert evidence["encrypted"] is bool(volume.is_encrypted and spec.provider) is True
    assert (evidence["type_encryption"]["provider"], evidence["type_encryption"]["cipher"]) == \
        (spec.provider, spec.cipher)

    # Servers: flavor and status as Nova reports them.
    (server,) = os_admin.compute.servers(all_projects=True, project_id=project.id)
    (row,) = t["evidence"]["servers"]
    assert (row["flavor"], row["status"]) == (server.flavor["original_name"], server.status)

    # Where the data live: the catalogue's facts, and data per country.
    assert {(b["role"], b["name"], b["country"], b["jurisdiction"]) for b in t["backends"]} == \
        {("compute", "local-openstack", "FR", "FR"), ("storage", "local-s3-fr", "FR", "FR")}
    storage = next(b for b in t["backends"] if b["role"] == "storage")
    assert storage["qualifications"] == {"object_storage": ["secnumcloud", "hds"]}
    assert doc["data_per_country"] == {"FR": {"object_bytes": len(PAYLOAD),
                                              "volume_bytes": volume.size * 1024**3}}
    # Spend per member, priced by civicloud.ops.metering: the server has run, so it cost.
    spend = doc["spend_per_member"]
    assert spend is not None and spend["eur"][tenant.name] > 0
    assert t["drift"]["drifted"] is True
    assert {(c["op"], c["kind"], c["name"]) for c in t["drift"]["changes"]} == \
        {("~", "Bucket", data)}


def test_html_opens_in_headless_chromium_and_pdf_prints(tenant, tmp_path):
    chromium = find_chromium()
    assert chromium, "Chromium is needed (scripts/bootstrap installs it: apt-get install chromium)"
    html_file = tmp_path / "compliance.html"
    result = report(tenant, "-o", "html", "--output-file", str(html_file))
    assert result.returncode in (0, 3), result.stderr
    html = html_file.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert f"Tenant {tenant.name}" in html and html.count("<svg") == 3  # results, data, spend

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "compliance-report.png"
    screenshot.unlink(missing_ok=True)
    run_chromium(html_file, f"--screenshot={screenshot}", "--window-size=1280,2000")
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000  # a rendered page, not blank
    (ARTIFACTS / "compliance-report.html").write_text(html)

    pdf = tmp_path / "compliance.pdf"
    result = report(tenant, "-o", "pdf", "--output-file", str(pdf))
    assert result.returncode in (0, 3), result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5_000
    (ARTIFACTS / "compliance-report.pdf").write_bytes(pdf.read_bytes())
