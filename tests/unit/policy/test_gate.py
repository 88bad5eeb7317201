"""The gate end to end on real regopy: families, waivers, user policies, errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from policy_fixtures import NOW, gate_input

from civicloud.policy import PolicyError, evaluate


def run(*inputs, **kwargs):
    return evaluate(list(inputs), now=NOW, **kwargs)


def test_compliant_tenant_passes_every_rule(tenant, backends):
    result = run(gate_input(tenant, backends))
    assert result.findings == []
    assert not result.denied
    assert result.tenants == ["vence"]
    families = {result.rules[r].family for r in result.rules_evaluated}
    assert families >= {"location", "qualification", "encryption", "quotas", "sandbox", "naming",
                        "exposure"}


def _on_german_storage(t):
    t["storage"]["backend"] = "s3-de"
    t["residency"]["countries"] = ["FR", "DE"]


def _health_on_german_storage(t):
    t["storage"]["backend"] = "s3-de"
    t["classification"] = "health"
    t["residency"]["countries"] = ["FR", "DE"]
    t["metadata"]["authority_type"] = "other"


def _expired_sandbox(t):
    t["type"] = "sandbox"
    t["sandbox"] = {"expires": date(2026, 11, 1), "budget_eur": 100, "owner": "alice"}


REFUSALS = {
    "CIVIC-LOC-4": _on_german_storage,
    "CIVIC-QUAL-1": _health_on_german_storage,
    "CIVIC-ENC-1": lambda t: t["compute"]["servers"][0]["volumes"][0].update(encrypted=False),
    "CIVIC-QUOTA-1": lambda t: t["compute"]["quotas"].update(instances=0),
    "CIVIC-SBX-2": _expired_sandbox,
    "CIVIC-NAME-2": lambda t: t["compute"]["servers"][0].update(name="Web_1"),
    "CIVIC-EXP-1": lambda t: t["storage"]["buckets"][0].update(public_access=True),
}


@pytest.mark.parametrize("rule_id", REFUSALS)
def test_each_family_refuses_its_bad_tenant(tenant, backends, rule_id):
    REFUSALS[rule_id](tenant)
    result = run(gate_input(tenant, backends))
    assert {f.rule_id for f in result.findings} == {rule_id}
    finding = result.findings[0]
    assert result.denied and finding.status == "deny" and finding.tenant == "vence"
    assert finding.family == rule_id.split("-")[1].lower().replace("loc", "location").replace(
        "qual", "qualification").replace("enc", "encryption").replace("sbx", "sandbox").replace(
        "name", "naming").replace("exp", "exposure").replace("quota", "quotas")


def test_finding_path_points_at_the_offending_value(tenant, backends):
    tenant["storage"]["buckets"][1]["encryption"] = None
    (finding,) = run(gate_input(tenant, backends)).findings
    assert finding.rule_id == "CIVIC-ENC-2"
    assert finding.path == ("storage", "buckets", 1, "encryption")
    assert "archives" in finding.message and "GDPR art. 32" in finding.message


def test_valid_waiver_records_the_exception(tenant, backends):
    _on_german_storage(tenant)
    tenant["waivers"] = [{"rule": "CIVIC-LOC-4", "reason": "pilot with the archives service",
                          "approver": "AD06 director", "until": date(2026, 12, 31)}]
    result = run(gate_input(tenant, backends))
    (finding,) = result.findings
    assert finding.status == "waived" and not result.denied
    assert finding.waiver.approver == "AD06 director" and finding.waiver.until == date(2026, 12, 31)


def test_expired_waiver_is_a_deny_that_says_so(tenant, backends):
    _on_german_storage(tenant)
    tenant["waivers"] = [{"rule": "CIVIC-LOC-4", "reason": "r", "approver": "AD06",
                          "until": "2026-11-01"}]
    result = run(gate_input(tenant, backends))
    (finding,) = result.findings
    assert finding.status == "deny" and result.denied
    assert "expired on 2026-11-01" in finding.message


def test_waiver_for_an_unknown_rule_is_reported(tenant, backends):
    tenant["waivers"] = [{"rule": "CIVIC-LOC-99", "reason": "r", "approver": "a",
                          "until": "2027-01-01"}]
    (finding,) = run(gate_input(tenant, backends)).findings
    assert finding.rule_id == "CIVIC-WAIVER-1" and finding.status == "warn"
    assert finding.path == ("waivers", 0, "rule") and "CIVIC-LOC-99" in finding.message


def test_syndicate_envelope_counts_all_members(tenant, backends):
    nice = {"metadata": {"name": "nice"}, "compute": {"quotas": {"instances": 8}}}
    syndicate = {"apiVersion": "civicloud/v1", "kind": "Syndicate", "metadata": {"name": "sictiam"},
                 "quotas": {"instances": 10}}
    result = run(gate_input(tenant, backends, syndicate, [tenant, nice]))
    (finding,) = result.findings
    assert finding.rule_id == "CIVIC-QUOTA-2"
    assert finding.path == ("compute", "quotas", "instances")
    assert "add up to 12" in finding.message and "nice 8" in finding.message


def test_many_tenants_in_one_batch(tenant, backends):
    inputs = []
    for index in range(20):
        tenant["metadata"]["name"] = f"commune-{index}"
        tenant["storage"]["buckets"][0]["encryption"] = None if index % 2 else "sse-s3"
        inputs.append(gate_input(tenant, backends))
    result = run(*inputs)
    assert len(result.tenants) == 20
    denied = sorted(f.tenant for f in result.findings)
    assert denied == sorted(f"commune-{i}" for i in range(1, 20, 2))


def test_quotes_and_accents_in_values_survive(tenant, backends):
    tenant["metadata"]["authority"] = 'Commune d\'Èze "village"'
    tenant["storage"]["backend"] = "s3-de"
    result = run(gate_input(tenant, backends))
    assert {f.rule_id for f in result.findings} == {"CIVIC-LOC-1", "CIVIC-LOC-4"}
    loc4 = next(f for f in result.findings if f.rule_id == "CIVIC-LOC-4")
    assert "Commune d'Èze \"village\" is a local authority" in loc4.message


# An authority's own rule, and one of its parameters overriding the project's.
USER_RULE = """package civicloud.nice_backup
import rego.v1
metadata["NICE-BKP-1"] := {
  "title": "Archives are versioned", "severity": "warning",
  "source": "Nice backup policy", "waiver": "IT director",
}
deny contains {"id": "NICE-BKP-1", "msg": concat("", ["bucket ", b.name, " is not versioned"]),
               "path": ["storage", "buckets", i, "versioning"]} if {
  some i, b in input.tenant.storage.buckets
  not b.versioning == true
}
"""


def test_user_policy_dir_adds_rules_and_overrides_parameters(tenant, backends, tmp_path: Path):
    (tmp_path / "backup.rego").write_text(USER_RULE)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "naming.yaml").write_text("resource_pattern: '^[a-z]{1,3}$'\n")
    result = run(gate_input(tenant, backends), policy_dirs=[tmp_path])
    by_rule = {}
    for f in result.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    assert {f.family for f in by_rule["NICE-BKP-1"]} == {"nice_backup"}
    assert {f.status for f in by_rule["NICE-BKP-1"]} == {"warn"}
    assert not any(f.rule_id == "NICE-BKP-1" and f.status == "deny" for f in result.findings)
    assert "CIVIC-NAME-2" in by_rule  # "backend" no longer matches the stricter pattern
    assert "NICE-BKP-1" in result.rules_evaluated


def test_syntax_error_in_a_user_policy_names_file_and_line(tmp_path: Path, tenant, backends):
    bad = tmp_path / "bad.rego"
    bad.write_text("package civicloud.bad\nimport rego.v1\n\ndeny contains x if {\n")
    with pytest.raises(PolicyError) as error:
        run(gate_input(tenant, backends), policy_dirs=[tmp_path])
    assert f"{bad}:" in str(error.value)


@pytest.mark.parametrize("content, expected", [
    (None, "no .rego file"),
    ("package other\nx := 1\n", "outside civicloud"),
])
def test_unusable_user_folder_is_an_error(tmp_path: Path, tenant, backends, content, expected):
    if content:
        (tmp_path / "rule.rego").write_text(content)
    with pytest.raises(PolicyError, match=expected):
        run(gate_input(tenant, backends), policy_dirs=[tmp_path])


def test_mis_pathed_policy_dir_is_an_error(tenant, backends, tmp_path: Path):
    with pytest.raises(PolicyError, match="not found"):
        run(gate_input(tenant, backends), policy_dirs=[tmp_path / "missing"])


def test_zero_rules_evaluated_is_an_error(tenant, backends, tmp_path: Path, monkeypatch):
    (tmp_path / "lib.rego").write_text("package civicloud.lib\nx := 1\n")
    monkeypatch.setattr("civicloud.policy.policyset.builtin_policy_dir", lambda: tmp_path)
    with pytest.raises(PolicyError, match="zero rules"):
        run(gate_input(tenant, backends))


def test_no_tenant_is_an_error():
    with pytest.raises(PolicyError, match="no tenant"):
        evaluate([], now=NOW)


def test_malformed_deny_entry_is_an_error(tenant, backends, tmp_path: Path):
    (tmp_path / "odd.rego").write_text(
        'package civicloud.odd\nimport rego.v1\n'
        'metadata["ODD-1"] := {"title": "t", "severity": "error", "source": "s"}\n'
        'deny contains "just a string" if true\n'
    )
    with pytest.raises(PolicyError, match="deny entry must be an object"):
        run(gate_input(tenant, backends), policy_dirs=[tmp_path])


def test_plan_stage_reads_deny_plan_and_passes_resources(tenant, backends, tmp_path: Path):
    (tmp_path / "plan.rego").write_text(
        'package civicloud.planned\nimport rego.v1\n'
        'metadata["PLAN-1"] := {"title": "t", "severity": "error", "source": "s", '
        '"stage": "plan"}\n'
        'deny_plan contains {"id": "PLAN-1", "msg": r.name, "path": ["resources", i]} if {\n'
        ' some i, r in input.resources\n r.op == "create"\n}\n'
    )
    item = {**gate_input(tenant, backends), "resources": [{"name": "vence-web-1", "op": "create"}]}
    result = evaluate([item], now=NOW, stage="plan", policy_dirs=[tmp_path])
    assert [(f.rule_id, f.path) for f in result.findings] == [("PLAN-1", ("resources", 0))]
    # Gate 2 runs (and counts) the plan-stage rules only; the spec rules ran at gate 1.
    assert {"PLAN-1", "CIVIC-PLAN-1", "CIVIC-PLAN-2"} <= set(result.rules_evaluated)
    assert "CIVIC-LOC-1" not in result.rules_evaluated
    spec = evaluate([gate_input(tenant, backends)], now=NOW, policy_dirs=[tmp_path])
    assert "CIVIC-LOC-1" in spec.rules_evaluated and "PLAN-1" not in spec.rules_evaluated
