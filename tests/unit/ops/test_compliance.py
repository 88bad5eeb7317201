"""The compliance report's model from reads (no backend here): rule results from the gate's
findings, waivers, where the data live, evidence and data per country."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace

from civicloud.engine.state.model import ResourceState
from civicloud.ops.compliance import (
    GIB,
    build,
    data_per_country,
    rule_results,
    rule_status,
    waivers,
)
from civicloud.ops.detect import TenantDrift
from civicloud.ops.drift import Change
from civicloud.ops.live import Live
from civicloud.policy import Finding, Waiver

T = "pulumi-python:dynamic/civicloud:"
TODAY = date(2026, 11, 25)
WAIVER = Waiver("CIVIC-LOC-4", "pilot with the archives", "AD06 director", date(2026, 12, 31))
OLD = Waiver("CIVIC-EXP-2", "old exception", "RSSI", date(2026, 1, 31))


def finding(rule: str, status: str, tenant: str = "t", waiver: Waiver | None = None) -> Finding:
    return Finding(rule_id=rule, family="f", severity="error", message=f"{rule} says no",
                   path=("storage", "buckets", 0, "encryption"), tenant=tenant, status=status,
                   waiver=waiver)


def record(kind: str, urn_name: str, id_: str, **outputs) -> ResourceState:
    return ResourceState(urn=f"urn:pulumi:t::civicloud::{T}{kind}::{urn_name}", type=f"{T}{kind}",
                         custom=True, id=id_, outputs=outputs)


def test_a_rule_without_finding_passed_and_a_deny_outweighs_a_waiver():
    assert rule_status([]) == "pass"
    assert rule_status(["waived"]) == "waived"
    assert rule_status(["waived", "warn"]) == "warn"
    assert rule_status(["waived", "deny", "warn"]) == "deny"


def test_rule_results_cover_every_rule_for_this_tenant_only():
    findings = [finding("CIVIC-ENC-2", "deny"), finding("CIVIC-LOC-4", "waived", waiver=WAIVER),
                finding("CIVIC-ENC-1", "deny", tenant="other")]
    results = rule_results(["CIVIC-ENC-1", "CIVIC-ENC-2", "CIVIC-LOC-4"], "t", findings, TODAY)
    assert [(r["rule_id"], r["status"]) for r in results] == [
        ("CIVIC-ENC-1", "pass"), ("CIVIC-ENC-2", "deny"), ("CIVIC-LOC-4", "waived")]
    enc2 = results[1]["findings"][0]
    assert enc2["path"] == "storage.buckets[0].encryption" and enc2["waiver"] is None
    assert results[2]["findings"][0]["waiver"] == {
        "rule": "CIVIC-LOC-4", "reason": "pilot with the archives", "approver": "AD06 director",
        "until": "2026-12-31", "valid": True}


def test_waivers_list_approver_expiry_and_what_they_waive_now():
    tenant = {"waivers": [
        {"rule": "CIVIC-LOC-4", "reason": "pilot with the archives", "approver": "AD06 director",
         "until": "2026-12-31"},
        {"rule": "CIVIC-EXP-2", "reason": "old exception", "approver": "RSSI",
         "until": "2026-01-31"}]}
    results = rule_results(["CIVIC-EXP-2", "CIVIC-LOC-4"], "t",
                           [finding("CIVIC-LOC-4", "waived", waiver=WAIVER),
                            finding("CIVIC-EXP-2", "deny", waiver=OLD)], TODAY)
    listed = waivers(tenant, results, TODAY)
    assert [(w["rule"], w["approver"], w["until"], w["valid"], w["findings_waived"])
            for w in listed] == [("CIVIC-LOC-4", "AD06 director", "2026-12-31", True, 1),
                                 ("CIVIC-EXP-2", "RSSI", "2026-01-31", False, 0)]


@dataclass
class Job:
    name: str
    tenant: dict
    backends: dict
    file: str = "tenants/t.yaml"


BACKENDS = {
    "os-fr": {"kind": "openstack", "provider": "Syndicat", "region": "fr-1", "country": "FR",
              "jurisdiction": "FR", "eea": True, "status": "active",
              "qualifications": {"compute": ["secnumcloud"], "block_storage": ["hds"]}},
    "s3-de": {"kind": "s3", "provider": "Provider B", "region": "de-1", "country": "DE",
              "jurisdiction": "DE", "eea": True, "status": "active", "verified": True,
              "qualifications": {"object_storage": ["iso27001"]}},
}
TENANT = {"metadata": {"name": "t", "authority": "Commune de T"}, "type": "hybrid",
          "classification": "internal", "compute": {"backend": "os-fr"},
          "storage": {"backend": "s3-de"}}
BUCKET = record("Bucket", "t-data", "t-data", encryption="sse-s3", name="t-data")
GONE = record("Bucket", "t-old", "t-old", encryption="sse-s3", name="t-old")
VOLUME = record("Volume", "t-app-data", "v1", name="t-app-data", cloud="c", project_id="p")
SERVER = record("Server", "t-app", "s1", name="t-app")


def drift_of(changes: list[Change] | None = None) -> TenantDrift:
    live = Live(found={
        BUCKET.urn: {"encryption": None, "versioning": True, "object_lock": None,
                     "region": "de-1"},
        GONE.urn: None,
        VOLUME.urn: {"size_gb": 20, "volume_type": "encrypted"},
        SERVER.urn: {"flavor": "m1.small", "status": "ACTIVE"},
    })
    return TenantDrift(Job("t", TENANT, BACKENDS), 7, changes or [], {"Server": "list"},
                       {"tenant": TENANT}, [BUCKET, GONE, VOLUME, SERVER], live)


def gate(findings: list[Finding]) -> SimpleNamespace:
    rule = SimpleNamespace(family="encryption", severity="error", title="Buckets encrypted",
                           description="d", source="GDPR art. 32", waiver="RSSI")
    return SimpleNamespace(rules_evaluated=["CIVIC-ENC-1", "CIVIC-ENC-2"], findings=findings,
                           rules={"CIVIC-ENC-1": rule, "CIVIC-ENC-2": rule})


def test_the_document_shows_evidence_where_data_live_drift_and_the_verdict():
    spec = {"provider": "luks", "cipher": "aes-xts-plain64", "key_size": 256,
            "control_location": "front-end"}
    doc = build([drift_of([Change("~", "Bucket", "t-data", {"encryption": ("sse-s3", None)})])],
                gate([finding("CIVIC-ENC-2", "deny")]), datetime(2026, 11, 25, tzinfo=UTC),
                usage={BUCKET.urn: {"objects": 3, "bytes": 4096}},
                volumes={VOLUME.urn: {"encrypted": True, "type_encryption": spec}})
    assert doc["summary"] == {"tenants": 1, "compliant": 0, "with_violations": 1,
                              "waived_findings": 0, "drifted": 1, "not_deployed": 0,
                              "verdict": "violations"}
    t = doc["tenants"][0]
    assert (t["basis"], t["verdict"], t["counts"]["deny"], t["counts"]["pass"]) == \
        ("live", "violations", 1, 1)
    assert [(b["role"], b["country"], b["qualifications"]) for b in t["backends"]] == [
        ("compute", "FR", {"compute": ["secnumcloud"], "block_storage": ["hds"], "network": []}),
        ("storage", "DE", {"object_storage": ["iso27001"]})]
    bucket, gone = t["evidence"]["buckets"]
    assert (bucket["encryption"], bucket["declared_encryption"], bucket["country"],
            bucket["bytes"], bucket["objects"]) == (None, "sse-s3", "DE", 4096, 3)
    assert gone["present"] is False and gone["bytes"] is None
    volume = t["evidence"]["volumes"][0]
    assert (volume["encrypted"], volume["country"], volume["type_encryption"]["cipher"]) == \
        (True, "FR", "aes-xts-plain64")
    assert t["evidence"]["servers"][0]["flavor"] == "m1.small"
    assert t["drift"]["changes"][0]["fields"] == {"encryption": {"state": "sse-s3",
                                                                 "live": None}}
    assert doc["data_per_country"] == {"DE": {"object_bytes": 4096, "volume_bytes": 0},
                                       "FR": {"object_bytes": 0, "volume_bytes": 20 * GIB}}
    assert [r["id"] for r in doc["rules"]] == ["CIVIC-ENC-1", "CIVIC-ENC-2"]


def test_a_volume_whose_type_has_no_encryption_spec_is_not_encrypted():
    doc = build([drift_of()], gate([]), datetime(2026, 11, 25, tzinfo=UTC), usage={},
                volumes={VOLUME.urn: {"encrypted": True, "type_encryption": None}})
    assert doc["tenants"][0]["evidence"]["volumes"][0]["encrypted"] is False
    assert doc["summary"]["verdict"] == "compliant"


def test_a_tenant_never_applied_is_judged_on_its_file():
    d = TenantDrift(Job("t", TENANT, BACKENDS), None, [], {}, None)
    t = build([d], gate([]), datetime(2026, 11, 25, tzinfo=UTC), {}, {})["tenants"][0]
    assert (t["deployed"], t["basis"], t["evidence"]["buckets"]) == (False, "spec", [])


def test_data_per_country_skips_missing_resources():
    tenants = [{"evidence": {
        "buckets": [{"present": True, "bytes": 10, "country": "FR"},
                    {"present": False, "bytes": None, "country": "FR"}],
        "volumes": [{"present": True, "size_gb": 1, "country": "FR"},
                    {"present": False, "size_gb": None, "country": "DE"}]}}]
    assert data_per_country(tenants) == {"FR": {"object_bytes": 10, "volume_bytes": GIB}}
