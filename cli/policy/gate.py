"""The policy gate: every tenant checked against every rule, in one interpreter, with waivers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from civicloud.policy.engine import PolicyEngine, Rule
from civicloud.policy.errors import PolicyError
from civicloud.policy.policyset import load_policy_set
from civicloud.policy.syndicates import Summaries, syndicate_groups
from civicloud.policy.waivers import UNKNOWN_RULE, Waiver, apply_waiver, best_waiver, parse_waivers

__all__ = ["Finding", "GateResult", "PolicyError", "Waiver", "evaluate", "load_rules"]

# The gate's own check, listed with the Rego rules.
WAIVER_RULE = Rule(
    id=UNKNOWN_RULE,
    family="waivers",
    severity="warning",
    title="Waivers name a known rule",
    description="Every waiver's rule is the ID of a rule of the loaded policies.",
    source="civicloud: a waiver with a mistyped rule ID waives nothing.",
    waiver="Not waivable: correct the rule ID (civicloud policy list shows them).",
    file=Path(__file__),
)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    family: str
    severity: str  # "error" | "warning"
    message: str
    path: tuple[str | int, ...]  # into the tenant document; () = the tenant root
    tenant: str
    status: str  # "deny" | "waived" | "warn"
    waiver: Waiver | None


@dataclass
class GateResult:
    findings: list[Finding]
    rules_evaluated: list[str]
    tenants: list[str]
    rules: dict[str, Rule] = field(default_factory=dict)  # metadata of rules_evaluated, for reports

    @property
    def denied(self) -> bool:
        return any(f.status == "deny" for f in self.findings)


def load_rules(policy_dirs: Sequence[Path] = ()) -> dict[str, Rule]:
    """Every rule of the project's policies and policy_dirs, by ID (for `civicloud policy list`)."""
    rules = PolicyEngine(load_policy_set(policy_dirs)).rules
    _require_rules(rules)
    return {**rules, WAIVER_RULE.id: WAIVER_RULE}


def evaluate(
    inputs: list[dict],
    *,
    policy_dirs: Sequence[Path] = (),
    now: datetime | None = None,
    stage: str = "spec",
) -> GateResult:
    """Checks each input ({tenant, backends, syndicate, members}) against every rule."""
    if not inputs:
        raise PolicyError("no tenant to check: the policy gate needs at least one tenant")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    engine = PolicyEngine(load_policy_set(policy_dirs), stage)
    # Only the rules of this stage run (gate 1 reads the spec, gate 2 the planned resources).
    _require_rules({i: r for i, r in engine.rules.items() if r.stage == stage})
    rules = {**engine.rules, WAIVER_RULE.id: WAIVER_RULE}
    evaluated = sorted(i for i, r in rules.items() if r.stage == stage or r is WAIVER_RULE)
    summaries = Summaries()
    by_syndicate = _syndicate_findings(engine, inputs, summaries, now, stage)
    findings: list[Finding] = []
    tenants: list[str] = []
    for index, item in enumerate(inputs):
        tenant = item["tenant"]
        name = str(tenant["metadata"]["name"])
        tenants.append(name)
        members = (summaries.listed(item.get("members") or ())
                   if engine.tenant_rules_read_members else None)
        found = engine.evaluate(_rego_input(item, now, stage, members), by_syndicate[index])
        raw = [_finding(r, name, rules) for r in found]
        findings.extend(_with_waivers(tenant, name, raw, rules, now.date()))
    return GateResult(findings, evaluated, tenants, rules)


def _syndicate_findings(
    engine: PolicyEngine, inputs: list[dict], summaries: Summaries, now: datetime, stage: str
) -> defaultdict[int, list[tuple[str, dict[str, Any]]]]:
    """The syndicate rules' findings, once per syndicate, by index of the tenant they name."""
    found: defaultdict[int, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    if not engine.has_syndicate_rules:
        return found
    for group in syndicate_groups(inputs, summaries):
        pairs = engine.evaluate_syndicate({
            "stage": stage,
            "now": now.isoformat(timespec="seconds"),
            "syndicate": group.syndicate,
            "members": group.members,
        })
        for index in group.tenants:
            name = str(inputs[index]["tenant"]["metadata"]["name"])
            found[index] += [(package, f) for package, f in pairs if f["tenant"] == name]
    return found


def _require_rules(rules: dict[str, Rule]) -> None:
    # A run that evaluated nothing must not pass (a mis-pathed or empty policy folder).
    if not rules:
        raise PolicyError("no policy rule was found: zero rules would be evaluated")


def _rego_input(
    item: dict[str, Any], now: datetime, stage: str, members: list[dict] | None
) -> dict[str, Any]:
    rego_input = {
        **item,  # the plan stage adds "resources"
        "stage": stage,
        "now": now.isoformat(timespec="seconds"),
        "backends": item.get("backends") or {},
        "syndicate": item.get("syndicate"),
    }
    # The members are read by syndicate rules, once per syndicate: repeated in every member's
    # input they would cost a syndicate of n members n times their size. An authority's tenant
    # rule that reads them still gets them (each member's name and quotas).
    rego_input.pop("members", None)
    if members is not None:
        rego_input["members"] = members
    return rego_input


def _finding(raw: dict[str, Any], tenant: str, rules: dict[str, Rule]) -> Finding:
    rule = rules[raw["id"]]
    return Finding(
        rule_id=rule.id,
        family=rule.family,
        severity=rule.severity,
        message=raw["msg"],
        path=tuple(raw["path"]),
        tenant=str(raw.get("tenant") or tenant),
        status="deny" if rule.severity == "error" else "warn",
        waiver=None,
    )


def _with_waivers(
    tenant: dict[str, Any], name: str, findings: list[Finding], rules: dict[str, Rule], today: date
) -> list[Finding]:
    indexed = parse_waivers(tenant)
    waivers = [w for _, w in indexed]
    result = [apply_waiver(f, best_waiver(waivers, f.rule_id, today), today) for f in findings]
    for index, waiver in indexed:
        if waiver.rule not in rules:
            result.append(Finding(
                rule_id=WAIVER_RULE.id,
                family=WAIVER_RULE.family,
                severity=WAIVER_RULE.severity,
                message=(
                    f"waiver for {waiver.rule} names no known rule, so it waives nothing: "
                    f"check the ID with `civicloud policy list`"
                ),
                path=("waivers", index, "rule"),
                tenant=name,
                status="warn",
                waiver=None,
            ))
    return result
