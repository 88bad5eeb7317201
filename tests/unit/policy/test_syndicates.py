"""Syndicate rules run once per syndicate: same findings as each tenant checked on its own."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
from policy_fixtures import NOW, gate_input

from civicloud.policy import PolicyError, evaluate
from civicloud.policy.syndicates import Summaries, syndicate_groups

SYNDICATE = {"apiVersion": "civicloud/v1", "kind": "Syndicate", "metadata": {"name": "sictiam"},
             "quotas": {"instances": 10, "volumes": 100}}


def members(tenant: dict, quotas: dict[str, int]) -> list[dict]:
    """Copies of tenant named after quotas' keys, each with that many instances."""
    result = []
    for name, instances in quotas.items():
        member = copy.deepcopy(tenant)
        member["metadata"]["name"] = name
        member["compute"]["quotas"]["instances"] = instances
        result.append(member)
    return result


def syndicate_inputs(tenant: dict, backends: dict, quotas: dict[str, int]) -> list[dict]:
    """The gate's inputs for a syndicate's members, sharing one members list (as the loader)."""
    group = members(tenant, quotas)
    return [gate_input(m, backends, SYNDICATE, group) for m in group]


def facts(result) -> list[tuple]:
    return [(f.tenant, f.rule_id, f.path, f.message, f.status) for f in result.findings]


def test_every_member_with_a_share_is_denied_once(tenant, backends):
    inputs = syndicate_inputs(tenant, backends, {"vence": 4, "nice": 4, "grasse": 4, "eze": 0})
    result = evaluate(inputs, now=NOW)
    quota2 = [f for f in result.findings if f.rule_id == "CIVIC-QUOTA-2"]
    assert sorted(f.tenant for f in quota2) == ["grasse", "nice", "vence"]
    assert {f.path for f in quota2} == {("compute", "quotas", "instances")}
    assert {f.message for f in quota2} == {
        "syndicate sictiam: its members' instances quotas add up to 12 (eze 0, grasse 4, nice 4, "
        "vence 4) but the envelope is 10: lower this tenant's quota or raise the syndicate's "
        "envelope"}
    assert result.denied and {f.status for f in quota2} == {"deny"}


def test_batch_gives_what_each_tenant_gets_on_its_own(tenant, backends):
    inputs = syndicate_inputs(tenant, backends, {"vence": 4, "nice": 4, "grasse": 3})
    inputs[1]["tenant"]["compute"]["quotas"]["volumes"] = 0  # also a QUOTA-1 for nice
    inputs[2]["tenant"]["storage"]["buckets"][0]["encryption"] = None  # an ENC-2 for grasse
    one_by_one = [fact for item in inputs for fact in facts(evaluate([item], now=NOW))]
    batched = facts(evaluate(inputs, now=NOW))
    assert batched == one_by_one
    assert {rule for _, rule, *_ in batched} == {"CIVIC-QUOTA-1", "CIVIC-QUOTA-2", "CIVIC-ENC-2"}
    # A tenant's findings keep the family's rule order: QUOTA-1 before QUOTA-2.
    nice = [rule for name, rule, *_ in batched if name == "nice"]
    assert nice == ["CIVIC-QUOTA-1", "CIVIC-QUOTA-2"]


def test_a_waiver_covers_its_own_tenant_only(tenant, backends):
    inputs = syndicate_inputs(tenant, backends, {"vence": 6, "nice": 6})
    inputs[0]["tenant"]["waivers"] = [{"rule": "CIVIC-QUOTA-2", "reason": "shared until March",
                                       "approver": "SICTIAM director", "until": date(2026, 12, 31)}]
    status = {f.tenant: f.status for f in evaluate(inputs, now=NOW).findings}
    assert status == {"vence": "waived", "nice": "deny"}


def test_tenant_left_out_of_its_members_still_counts(tenant, backends):
    nice = members(tenant, {"nice": 4, "grasse": 4})
    tenant["compute"]["quotas"]["instances"] = 4
    result = evaluate([gate_input(tenant, backends, SYNDICATE, nice)], now=NOW)
    (finding,) = result.findings
    assert (finding.tenant, finding.rule_id) == ("vence", "CIVIC-QUOTA-2")
    assert "add up to 12" in finding.message


def test_tenants_with_other_members_lists_are_checked_apart(tenant, backends):
    big, small = members(tenant, {"vence": 8, "nice": 8}), members(tenant, {"vence": 8})
    inputs = [gate_input(big[0], backends, SYNDICATE, big),
              gate_input(big[1], backends, SYNDICATE, big),
              gate_input(small[0], backends, SYNDICATE, small)]
    groups = syndicate_groups(inputs, Summaries())
    assert sorted(g.tenants for g in groups) == [[0, 1], [2]]
    findings = evaluate(inputs, now=NOW).findings
    assert sorted(f.tenant for f in findings) == ["nice", "vence"]  # the third fits: 8 <= 10


def test_one_evaluation_per_syndicate(tenant, backends):
    inputs = syndicate_inputs(tenant, backends, {f"c{i}": 1 for i in range(10)})
    other = {**SYNDICATE, "metadata": {"name": "other"}}
    inputs += [gate_input(m, backends, other, [m]) for m in members(tenant, {"d0": 1, "d1": 1})]
    inputs.append(gate_input(tenant, backends))  # no syndicate: no group
    groups = syndicate_groups(inputs, Summaries())
    assert [len(g.tenants) for g in groups] == [10, 1, 1]
    assert [len(g.members) for g in groups] == [10, 1, 1]


def test_deny_syndicate_entry_must_name_its_member(tenant, backends, tmp_path: Path):
    (tmp_path / "odd.rego").write_text(
        'package civicloud.odd\nimport rego.v1\n'
        'metadata["ODD-1"] := {"title": "t", "severity": "error", "source": "s"}\n'
        'deny_syndicate contains {"id": "ODD-1", "msg": "m", "path": []} if true\n'
    )
    item = gate_input(tenant, backends, SYNDICATE, [tenant])
    with pytest.raises(PolicyError, match="must name the member"):
        evaluate([item], now=NOW, policy_dirs=[tmp_path])


def test_user_syndicate_rule_reaches_the_member_it_names(tenant, backends, tmp_path: Path):
    (tmp_path / "size.rego").write_text(
        'package civicloud.sictiam\nimport rego.v1\n'
        'metadata["SIC-1"] := {"title": "t", "severity": "warning", "source": "s"}\n'
        'deny_syndicate contains {"id": "SIC-1", "msg": "too big", "path": ["metadata", "name"],\n'
        '                         "tenant": m.metadata.name} if {\n'
        ' some m in input.members\n m.compute.quotas.instances > 5\n}\n'
    )
    inputs = syndicate_inputs(tenant, backends, {"vence": 2, "nice": 6})
    findings = evaluate(inputs, now=NOW, policy_dirs=[tmp_path]).findings
    assert [(f.tenant, f.rule_id, f.status) for f in findings] == [("nice", "SIC-1", "warn")]


def test_user_tenant_rule_reading_members_still_gets_them(tenant, backends, tmp_path: Path):
    (tmp_path / "count.rego").write_text(
        'package civicloud.sictiam\nimport rego.v1\n'
        'metadata["SIC-2"] := {"title": "t", "severity": "warning", "source": "s"}\n'
        'deny contains {"id": "SIC-2", "msg": concat(" ", [m.metadata.name | some m in '
        'input.members]), "path": []} if count(input.members) > 1\n'
    )
    inputs = syndicate_inputs(tenant, backends, {"vence": 2, "nice": 6})
    findings = evaluate(inputs, now=NOW, policy_dirs=[tmp_path]).findings
    assert [(f.tenant, f.message) for f in findings] == [("vence", "vence nice"),
                                                          ("nice", "vence nice")]
