"""Syndicate-wide rules (a family's `deny_syndicate`) run once per syndicate, not once per member.

The quota envelope of a syndicate adds up every member's quotas: checked member by member, the
same sum would be redone for each of them (a syndicate of n members costs n²). Instead, tenants
checked together that share a syndicate document and the same members share one evaluation on
{syndicate, members}, whose findings each name the member they concern.

A tenant counts among its syndicate's members even when its input's `members` leaves it out;
tenants whose members lists differ get separate evaluations, so the result is what each tenant's
own members list gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_NO_MEMBERS: tuple[dict[str, Any], ...] = ()


@dataclass
class SyndicateGroup:
    """Tenants (indexes into the gate's inputs) evaluated together against one syndicate."""

    syndicate: dict[str, Any]
    members: list[dict[str, Any]]  # member summaries, each member once
    tenants: list[int] = field(default_factory=list)


def member_summary(member: dict[str, Any]) -> dict[str, Any]:
    """What syndicate rules read of a member: its name and compute quotas."""
    quotas = (member.get("compute") or {}).get("quotas") or {}
    return {"metadata": {"name": member["metadata"]["name"]}, "compute": {"quotas": quotas}}


class Summaries:
    """Member summaries of each members list, made once per list object (inputs share them)."""

    def __init__(self) -> None:
        # id(list) -> (the list, kept so that its id stays its own; its summaries; the same by
        # canonical text)
        self._cache: dict[int, tuple[Any, list[dict[str, Any]], dict[str, dict[str, Any]]]] = {}

    def listed(self, members: Any) -> list[dict[str, Any]]:
        return self._entry(members)[1]

    def by_text(self, members: Any) -> dict[str, dict[str, Any]]:
        return self._entry(members)[2]

    def _entry(self, members: Any) -> tuple[Any, list[dict[str, Any]], dict[str, dict[str, Any]]]:
        cached = self._cache.get(id(members))
        if cached is None:
            summaries = [member_summary(m) for m in members]
            by_text = {_canonical(s): s for s in summaries}
            cached = self._cache[id(members)] = (members, summaries, by_text)
        return cached


def syndicate_groups(inputs: list[dict[str, Any]], summaries: Summaries) -> list[SyndicateGroup]:
    """Groups the inputs that have a syndicate by (syndicate, members with the tenant itself)."""
    groups: dict[tuple[str, frozenset[str]], SyndicateGroup] = {}
    syndicate_keys: dict[int, str] = {}
    for index, item in enumerate(inputs):
        syndicate = item.get("syndicate")
        if not syndicate:
            continue
        listed = summaries.by_text(item.get("members") or _NO_MEMBERS)
        own = member_summary(item["tenant"])
        own_key = _canonical(own)
        if id(syndicate) not in syndicate_keys:
            syndicate_keys[id(syndicate)] = _canonical(syndicate)
        key = (syndicate_keys[id(syndicate)], frozenset(listed).union((own_key,)))
        group = groups.get(key)
        if group is None:
            members = {**listed, own_key: listed.get(own_key, own)}
            group = groups[key] = SyndicateGroup(syndicate, list(members.values()))
        group.tenants.append(index)
    return list(groups.values())


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
