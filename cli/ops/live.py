"""What the backends hold for one tenant, read with one list call per resource type.

`read_live(records)` answers, for every resource the state records, the fields the backend
reports now (None when it is gone), plus what the tenant's project holds that state does not.
OpenStack types are read with one list call each, filtered by the tenant's project, so the
number of calls grows with the resource *types*, not with the resources. Per resource, because
the APIs have no list form:
  - Quota: one GET per service of the project (a quota set exists per project, no list);
  - Bucket: one list_buckets per S3 endpoint, then the bucket's own configuration reads
    (encryption, versioning, object lock, lifecycle, tags, policy, location): S3 only answers
    those per bucket;
  - any other type (users' credentials, role assignments, attachments...): the provider's read.
Reads only: nothing here writes to a backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from civicloud.engine.state.model import ResourceState

Fields = dict[str, Any]
Lister = Callable[[Any, str], Iterable[tuple[str, Fields]]]


def kind_of(type_token: str) -> str:
    """`pulumi-python:dynamic/civicloud:Bucket` -> `Bucket`."""
    return type_token.rsplit(":", 1)[-1]


def _rule(r: Any) -> Fields:
    return {"direction": r.direction, "protocol": r.protocol, "port_min": r.port_range_min,
            "port_max": r.port_range_max, "remote": r.remote_ip_prefix,
            "remote_group_id": r.remote_group_id, "ethertype": r.ether_type,
            "security_group_id": r.security_group_id}


def _server(s: Any) -> Fields:
    return {"name": s.name, "flavor": (s.flavor or {}).get("original_name"), "status": s.status,
            "metadata": {k: v for k, v in (s.metadata or {}).items()
                         if not k.startswith("civicloud")}}


# One list call per type, filtered on the tenant's project by the API itself.
OPENSTACK_LISTS: dict[str, Lister] = {
    "Project": lambda c, p: ((x.id, {"name": x.name, "description": x.description})
                             for x in c.identity.projects()),
    "Network": lambda c, p: ((x.id, {"name": x.name}) for x in c.network.networks(project_id=p)),
    "Subnet": lambda c, p: ((x.id, {"name": x.name, "cidr": x.cidr, "dhcp": x.is_dhcp_enabled,
                                    "dns_nameservers": x.dns_nameservers,
                                    "gateway_ip": x.gateway_ip})
                            for x in c.network.subnets(project_id=p)),
    "Router": lambda c, p: ((x.id, {"name": x.name}) for x in c.network.routers(project_id=p)),
    "SecurityGroup": lambda c, p: ((x.id, {"name": x.name, "description": x.description})
                                   for x in c.network.security_groups(project_id=p)),
    "SecurityGroupRule": lambda c, p: ((x.id, _rule(x))
                                       for x in c.network.security_group_rules(project_id=p)),
    "Server": lambda c, p: ((x.id, _server(x))
                            for x in c.compute.servers(all_projects=True, project_id=p)),
    "Volume": lambda c, p: ((x.id, {"name": x.name, "size_gb": x.size,
                                    "volume_type": x.volume_type, "encrypted": x.is_encrypted})
                            for x in c.block_storage.volumes(all_projects=True, project_id=p)),
}


@dataclass
class Live:
    """The backends' answer: fields per state URN (None = gone), unrecorded resources by kind,
    and the calls made per type ("list" or "per-resource")."""

    found: dict[str, Fields | None] = field(default_factory=dict)
    unrecorded: dict[str, dict[str, Fields]] = field(default_factory=dict)
    calls: dict[str, str] = field(default_factory=dict)


def _project_of(records: list[ResourceState]) -> tuple[str | None, str | None]:
    for r in records:
        if kind_of(r.type) == "Project" and r.id:
            return r.outputs.get("cloud"), r.id
    return None, None


def read_live(records: list[ResourceState]) -> Live:
    from civicloud.engine.registry import provider_for

    live = Live()
    cloud, project_id = _project_of(records)
    by_kind: dict[str, list[ResourceState]] = {}
    for r in records:
        by_kind.setdefault(kind_of(r.type), []).append(r)
    for kind, group in sorted(by_kind.items()):
        if kind in OPENSTACK_LISTS and cloud and project_id:
            from civicloud.stacks.credentials import openstack_admin

            listed = dict(OPENSTACK_LISTS[kind](openstack_admin(cloud), project_id))
            live.calls[kind] = "list"
            for r in group:
                live.found[r.urn] = listed.pop(r.id or "", None)
            live.unrecorded[kind] = listed
        elif kind == "Bucket":
            _read_buckets(group, live)
        else:  # no list form (or no project): the provider's own read, one per resource
            live.calls[kind] = "per-resource"
            for r in group:
                result = provider_for(r.type, r.name).read(r.id or "", _plain(r.outputs))
                live.found[r.urn] = None if not result.id else dict(result.outs or {})
    return live


def _read_buckets(group: list[ResourceState], live: Live) -> None:
    from civicloud.stacks.credentials import s3_client
    from civicloud.stacks.providers.bucket import BucketProvider

    live.calls["Bucket"] = "list + per-bucket configuration"
    existing: dict[tuple[str, str], set[str]] = {}
    for r in group:
        o = r.outputs
        where = (o["endpoint"], o["profile"])
        if where not in existing:
            s3 = s3_client(o["endpoint"], o["profile"], o.get("region", ""))
            existing[where] = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        live.found[r.urn] = (BucketProvider()._read(r.id or "", _plain(o))
                             if r.id in existing[where] else None)


def _plain(outputs: Fields) -> Fields:
    """Outputs without secrets (masked state reads them '[secret]'): providers' reads of the
    listed kinds need names and ids only."""
    return {k: v for k, v in outputs.items() if v != "[secret]"}
