"""The compliance report's model: per tenant, every rule of the gate with its result on the
*live* tenant, the waivers, where each piece of data lives, the encryption read back from the
backends, and the drift.

`collect` does the reads (state, backends, policy gate); `build` and the functions it calls are
pure and turn those reads into the report document whose shape the JSON output publishes
(`REPORT_VERSION`; described in the README). Rendering is in compliance_render.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from civicloud.ops.detect import TenantDrift
from civicloud.ops.live import kind_of
from civicloud.policy.report import path_text
from civicloud.policy.waivers import Waiver, parse_waivers

REPORT_VERSION = 1
GIB = 1024**3
# The services each role of a backend provides (the qualification keys of the catalogue).
SERVICES = {"compute": ["compute", "block_storage", "network"], "storage": ["object_storage"]}
Doc = dict[str, Any]


# -- rules and waivers ---------------------------------------------------------------------------
def rule_status(statuses: Sequence[str]) -> str:
    """A rule's result for one tenant from its findings' statuses: any deny is a violation, then
    a warning, then waived; no finding at all means the rule passed."""
    for status in ("deny", "warn", "waived"):
        if status in statuses:
            return status
    return "pass"


def waiver_doc(waiver: Waiver, today: date) -> Doc:
    return {"rule": waiver.rule, "reason": waiver.reason, "approver": waiver.approver,
            "until": waiver.until.isoformat(), "valid": waiver.valid_on(today)}


def rule_results(rule_ids: Sequence[str], tenant: str, findings: Sequence[Any],
                 today: date) -> list[Doc]:
    """One entry per rule evaluated, in rule order: status and the findings behind it."""
    mine = [f for f in findings if f.tenant == tenant]
    results = []
    for rule_id in rule_ids:
        found = [f for f in mine if f.rule_id == rule_id]
        results.append({
            "rule_id": rule_id,
            "status": rule_status([f.status for f in found]),
            "findings": [{"status": f.status, "path": path_text(f.path), "message": f.message,
                          "waiver": waiver_doc(f.waiver, today) if f.waiver else None}
                         for f in found],
        })
    return results


def waivers(tenant_doc: Doc, results: Sequence[Doc], today: date) -> list[Doc]:
    """The tenant's waivers, each with the number of findings it waives now (0: unused or
    expired — an expired waiver leaves its findings denied)."""
    waived: dict[str, int] = {}
    for result in results:
        for f in result["findings"]:
            if f["status"] == "waived":
                waived[result["rule_id"]] = waived.get(result["rule_id"], 0) + 1
    out = []
    for _, waiver in parse_waivers(tenant_doc):
        doc = waiver_doc(waiver, today)
        doc["findings_waived"] = waived.get(waiver.rule, 0) if doc["valid"] else 0
        out.append(doc)
    return out


# -- where the data live ---------------------------------------------------------------------------
def backends_used(tenant_doc: Doc, catalogue: dict[str, Doc]) -> list[Doc]:
    """The backends the tenant uses, as the *current* catalogue describes them."""
    out = []
    for role in ("compute", "storage"):
        name = (tenant_doc.get(role) or {}).get("backend")
        if not name or name not in catalogue:
            continue
        entry = catalogue[name]
        out.append({
            "role": role, "name": name, "kind": entry.get("kind"),
            "provider": entry.get("provider"), "region": entry.get("region"),
            "country": entry.get("country"), "jurisdiction": entry.get("jurisdiction"),
            "eea": entry.get("eea"), "status": entry.get("status"),
            "verified": entry.get("verified", False),
            "qualifications": {service: list((entry.get("qualifications") or {}).get(service)
                                             or []) for service in SERVICES[role]},
        })
    return out


def evidence(d: TenantDrift, usage: dict[str, Doc], volumes: dict[str, Doc]) -> Doc:
    """What was read back from the backends, per bucket, volume and server."""
    places = {b["role"]: b for b in backends_used(d.job.tenant, d.job.backends)}
    storage, compute = places.get("storage", {}), places.get("compute", {})
    out: Doc = {"buckets": [], "volumes": [], "servers": []}
    for r in d.records:
        kind, found = kind_of(r.type), d.live.found.get(r.urn)
        present = found is not None
        if kind == "Bucket":
            live = found or {}
            out["buckets"].append({
                "name": r.id or r.name, "present": present,
                "backend": storage.get("name"), "country": storage.get("country"),
                "region": live.get("region"), "declared_encryption": r.outputs.get("encryption"),
                "encryption": live.get("encryption"), "kms_key": live.get("kms_key"),
                "versioning": live.get("versioning"), "object_lock": live.get("object_lock"),
                **usage.get(r.urn, {"objects": None, "bytes": None}),
            })
        elif kind == "Volume":
            live, read = found or {}, volumes.get(r.urn, {})
            spec = read.get("type_encryption")
            out["volumes"].append({
                "name": r.outputs.get("name", r.name), "present": present,
                "backend": compute.get("name"), "country": compute.get("country"),
                "size_gb": live.get("size_gb"), "volume_type": live.get("volume_type"),
                "encrypted": bool(read.get("encrypted")) and spec is not None,
                "volume_reports_encrypted": read.get("encrypted"), "type_encryption": spec,
            })
        elif kind == "Server":
            live = found or {}
            out["servers"].append({
                "name": r.outputs.get("name", r.name), "present": present,
                "backend": compute.get("name"), "country": compute.get("country"),
                "flavor": live.get("flavor"), "status": live.get("status"),
            })
    return out


def data_per_country(tenants: Sequence[Doc]) -> dict[str, Doc]:
    """Bytes stored in buckets and bytes of volumes (provisioned size), per country."""
    countries: dict[str, Doc] = {}
    for t in tenants:
        for b in t["evidence"]["buckets"]:
            if b["present"] and b["bytes"] is not None:
                row = countries.setdefault(b["country"] or "?", {"object_bytes": 0,
                                                                  "volume_bytes": 0})
                row["object_bytes"] += b["bytes"]
        for v in t["evidence"]["volumes"]:
            if v["present"] and v["size_gb"]:
                row = countries.setdefault(v["country"] or "?", {"object_bytes": 0,
                                                                  "volume_bytes": 0})
                row["volume_bytes"] += v["size_gb"] * GIB
    return dict(sorted(countries.items()))


# -- the document --------------------------------------------------------------------------------
def tenant_report(d: TenantDrift, result: Any, today: date, usage: dict[str, Doc],
                  volumes: dict[str, Doc]) -> Doc:
    tenant = d.job.tenant
    results = rule_results(result.rules_evaluated, d.job.name, result.findings, today)
    counts = {s: sum(r["status"] == s for r in results) for s in ("pass", "deny", "warn",
                                                                  "waived")}
    return {
        "tenant": d.job.name, "file": d.job.file,
        "authority": tenant["metadata"].get("authority"), "type": tenant.get("type"),
        "classification": tenant.get("classification"),
        "deployed": d.serial is not None,
        # The rules judged what the backends hold; a tenant never applied is judged on its file.
        "basis": "live" if d.live_input is not None else "spec",
        "verdict": "violations" if counts["deny"] else "compliant",
        "counts": counts,
        "rules": results,
        "waivers": waivers(tenant, results, today),
        "backends": backends_used(tenant, d.job.backends),
        "evidence": evidence(d, usage, volumes),
        "drift": {"serial": d.serial, "drifted": bool(d.changes),
                  "changes": [c.to_dict() for c in d.changes], "reads": d.calls},
    }


def rules_doc(result: Any) -> list[Doc]:
    return [{"id": i, "family": r.family, "severity": r.severity, "title": r.title,
             "description": r.description, "source": r.source, "waiver": r.waiver}
            for i in result.rules_evaluated if (r := result.rules.get(i))]


def build(drifts: Sequence[TenantDrift], result: Any, now: datetime,
          usage: dict[str, Doc], volumes: dict[str, Doc],
          spend: Doc | None = None) -> Doc:
    """The whole report (pure): `usage` and `volumes` are compliance_evidence's reads by URN."""
    today = now.date()
    tenants = [tenant_report(d, result, today, usage, volumes) for d in drifts]
    return {
        "version": REPORT_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": now.isoformat(timespec="seconds"),  # the rules' "today" (--now)
        "summary": {
            "tenants": len(tenants),
            "compliant": sum(t["verdict"] == "compliant" for t in tenants),
            "with_violations": sum(t["verdict"] == "violations" for t in tenants),
            "waived_findings": sum(t["counts"]["waived"] for t in tenants),
            "drifted": sum(t["drift"]["drifted"] for t in tenants),
            "not_deployed": sum(not t["deployed"] for t in tenants),
            "verdict": "violations" if any(t["verdict"] == "violations" for t in tenants)
            else "compliant",
        },
        "rules": rules_doc(result),
        "tenants": tenants,
        "data_per_country": data_per_country(tenants),
        # {"from", "to", "eur": {deployed tenant: EUR excl. VAT}} (civicloud.ops.metering).
        "spend_per_member": spend,
    }


def collect(engine: Any, jobs: Sequence[Any], policy_dirs: Sequence[Path],
            now: datetime | None) -> Doc:
    """Reads state and backends for every tenant, runs the gate on the live tenants, builds."""
    from civicloud.ops import compliance_evidence as reads
    from civicloud.ops.detect import detect
    from civicloud.ops.policyview import evaluate_now

    when = (now or datetime.now(UTC)).astimezone(UTC)
    period = reads.spend_period(when)

    def read(job: Any) -> tuple[TenantDrift, dict[str, Doc], dict[str, Doc], float | None]:
        d = detect(engine, job)
        present = {urn for urn, found in d.live.found.items() if found is not None}
        eur = (reads.tenant_spend(job, d.records, period["period"])
               if d.serial is not None else None)
        return (d, reads.bucket_usage(d.records, present),
                reads.volume_encryption(d.records, d.live.found), eur)

    with ThreadPoolExecutor(max_workers=max(1, min(4, len(jobs)))) as pool:
        done = list(pool.map(read, jobs))
    drifts = [d for d, _, _, _ in done]
    usage = {k: v for _, u, _, _ in done for k, v in u.items()}
    volumes = {k: v for _, _, e, _ in done for k, v in e.items()}
    spend = {"from": period["from"], "to": period["to"],
             "eur": {d.job.name: eur for d, _, _, eur in done if eur is not None}}
    result = evaluate_now([d.live_input or d.job.policy_input for d in drifts], policy_dirs,
                          when)
    return build(drifts, result, when, usage, volumes, spend)
