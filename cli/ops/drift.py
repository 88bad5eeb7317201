"""Drift: what changed on the backends outside civicloud, by comparing state with live reads.

Pure logic (the reads are in civicloud.ops.live): a resource gone is `-`, a field that differs
is `~` (recorded -> live), a resource in the tenant's project that state does not know is `+`.
`live_policy_input` rewrites a tenant's policy document with what the backends hold, so the
policy gate judges the live tenant (a bucket whose encryption was removed, a quota raised).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from civicloud.engine.state.model import ResourceState
from civicloud.ops.live import Fields, Live, kind_of

# The fields drift compares, per kind: what a sysadmin or a rule cares about. A field is
# compared only when state recorded it; secrets ("[secret]") never are.
COMPARED: dict[str, tuple[str, ...]] = {
    "Project": ("name", "description"),
    "Network": ("name",),
    "Subnet": ("name", "cidr", "dhcp", "dns_nameservers", "gateway_ip"),
    "Router": ("name",),
    "SecurityGroup": ("name", "description"),
    "SecurityGroupRule": ("direction", "protocol", "port_min", "port_max", "remote",
                          "remote_group_id"),
    "Server": ("name", "flavor", "status", "metadata"),
    "Volume": ("name", "size_gb", "volume_type"),
    "Quota": ("limits",),
    "Bucket": ("encryption", "kms_key", "versioning", "object_lock", "lifecycle", "tags",
               "region", "principals"),
}
# Kinds whose unrecorded members in the tenant's project are reported as `+`.
UNRECORDED = ("Network", "Subnet", "Router", "SecurityGroup", "SecurityGroupRule", "Server",
              "Volume")
SECRET = "[secret]"


@dataclass
class Change:
    op: str  # "+" created, "~" changed, "-" deleted outside civicloud
    kind: str
    name: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (state, live)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "kind": self.kind, "name": self.name,
                "fields": {k: {"state": old, "live": new}
                           for k, (old, new) in self.fields.items()}}


def field_diffs(recorded: Fields, found: Fields, keys: tuple[str, ...]) -> dict[str, tuple]:
    """Fields that differ; dicts are compared key by key (`limits.cores: 2 -> 10`)."""
    diffs: dict[str, tuple] = {}
    for key in keys:
        if key not in recorded or recorded[key] == SECRET:
            continue
        old, new = recorded[key], found.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            for sub in sorted(set(old) | set(new)):
                if old.get(sub) != new.get(sub):
                    diffs[f"{key}.{sub}"] = (old.get(sub), new.get(sub))
        elif old != new:
            diffs[key] = (old, new)
    return diffs


def _is_neutron_default(kind: str, fields: Fields, recorded_groups: set[str]) -> bool:
    """What Neutron makes by itself: the project's `default` group and the allow-all egress
    rules of every new group. A rule in a group civicloud does not manage is not ours either."""
    if kind == "SecurityGroup":
        return fields.get("name") == "default"
    if kind == "SecurityGroupRule":
        if fields.get("security_group_id") not in recorded_groups:
            return True
        return fields.get("direction") == "egress" and not any(
            fields.get(k) for k in ("protocol", "port_min", "port_max", "remote",
                                    "remote_group_id"))
    return False


def _describe(kind: str, fields: Fields, group_names: dict[str, str]) -> str:
    if kind == "SecurityGroupRule":
        ports = fields.get("port_min")
        if ports and fields.get("port_max") not in (None, ports):
            ports = f"{ports}-{fields['port_max']}"
        remote = fields.get("remote") or fields.get("remote_group_id") or "any"
        group = group_names.get(fields.get("security_group_id", ""), "?")
        return (f"{group}: {fields.get('direction')} {fields.get('protocol') or 'any'} "
                f"{ports or 'all'} from {remote}")
    return str(fields.get("name") or "(unnamed)")


def compare(records: list[ResourceState], live: Live) -> list[Change]:
    """State vs live: `-` gone, `~` changed fields, `+` unrecorded (sorted for stable output)."""
    changes: list[Change] = []
    for r in records:
        kind = kind_of(r.type)
        if r.urn not in live.found:
            continue
        found = live.found[r.urn]
        if found is None:
            changes.append(Change("-", kind, r.name))
        elif diffs := field_diffs(r.outputs, found, COMPARED.get(kind, ())):
            changes.append(Change("~", kind, r.name, diffs))
    groups = {r.id: str(r.outputs.get("name", r.name)) for r in records
              if kind_of(r.type) == "SecurityGroup" and r.id}
    for kind in UNRECORDED:
        for fields in live.unrecorded.get(kind, {}).values():
            if not _is_neutron_default(kind, fields, set(groups)):
                changes.append(Change("+", kind, _describe(kind, fields, groups),
                                      {k: (None, v) for k, v in fields.items()
                                       if v not in (None, {}, [])}))
    order = {"-": 0, "~": 1, "+": 2}
    return sorted(changes, key=lambda c: (order[c.op], c.kind, c.name))


def live_policy_input(policy_input: dict[str, Any], records: list[ResourceState],
                      live: Live) -> dict[str, Any]:
    """The tenant's policy document with the live bucket encryption and quotas in place of
    the declared ones (the backends from the *current* catalogue are already in it)."""
    from civicloud.stacks.providers.quota import SPEC_TO_API

    doc = copy.deepcopy(policy_input)
    tenant = doc["tenant"]
    name = tenant["metadata"]["name"]
    found = {r.name: live.found.get(r.urn) for r in records if r.urn in live.found}
    for bucket in (tenant.get("storage") or {}).get("buckets") or []:
        fields = found.get(f"{name}-{bucket['name']}")
        if fields is not None:
            bucket["encryption"] = fields.get("encryption") or "none"
    quotas = (tenant.get("compute") or {}).get("quotas")
    if quotas is not None:
        for key, (service, attribute) in SPEC_TO_API.items():
            fields = found.get(f"{name}-quota-{service}")
            value = ((fields or {}).get("limits") or {}).get(attribute)
            if value is not None:
                quotas[key] = value
    return doc
