"""Waivers: a tenant's recorded exceptions to a rule (rule, reason, approver, until).

A waiver valid today turns the rule's findings into status "waived"; an expired one leaves them
denied and says so; a waiver naming a rule no policy defines is reported (CIVIC-WAIVER-1).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

UNKNOWN_RULE = "CIVIC-WAIVER-1"


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    approver: str
    until: date

    def valid_on(self, day: date) -> bool:
        return day <= self.until


def parse_waivers(tenant: dict[str, Any]) -> list[tuple[int, Waiver]]:
    """The tenant's waivers with their index in `waivers` (entries without a rule are skipped)."""
    parsed = []
    for index, raw in enumerate(tenant.get("waivers") or []):
        if not isinstance(raw, dict) or not raw.get("rule"):
            continue
        parsed.append((index, Waiver(
            rule=str(raw["rule"]),
            reason=str(raw.get("reason") or ""),
            approver=str(raw.get("approver") or ""),
            until=_as_date(raw.get("until")),
        )))
    return parsed


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return date.min  # an unreadable date never makes a waiver valid


def best_waiver(waivers: list[Waiver], rule_id: str, today: date) -> Waiver | None:
    """The waiver that applies to rule_id: a valid one if any, else the latest expired one."""
    matching = sorted((w for w in waivers if w.rule == rule_id), key=lambda w: w.until)
    valid = [w for w in matching if w.valid_on(today)]
    return (valid or matching or [None])[-1]


def apply_waiver(finding: Any, waiver: Waiver | None, today: date) -> Any:
    """The finding as the waiver leaves it (Finding is any frozen dataclass with status/message)."""
    if waiver is None:
        return finding
    if waiver.valid_on(today):
        return replace(finding, status="waived", waiver=waiver)
    expired = (
        f" (the waiver approved by {waiver.approver or 'nobody'} expired on "
        f"{waiver.until.isoformat()}: renew it or fix the tenant)"
    )
    return replace(finding, message=finding.message + expired, waiver=waiver)
