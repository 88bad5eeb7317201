"""The reads metering needs: Nova's usage API, Cinder's volumes, S3 bucket contents.

Read-only, with the operator's credentials (clouds.yaml entry, S3 profile) as drift does.
Calls: one usage GET per 1,000 instances and one volume list per project; one list_buckets
per S3 endpoint, then one paginated list_object_versions per bucket (S3 has no size call).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from civicloud.engine.state.model import ResourceState
from civicloud.ops.metering import BucketSnapshot, Period, ServerHours, VolumeLife

PAGE = 1000  # instances per usage request (Nova's default max_limit)


def _nova_time(when: datetime) -> datetime:
    """Nova parses start/end without a zone (UTC) and without microseconds only."""
    return when.replace(tzinfo=None, microsecond=0)


def server_hours(cloud: str, project_id: str, period: Period,
                 page_size: int = PAGE) -> list[ServerHours]:
    """Every instance of the project that existed in the period, deleted ones included.
    Nova pages the instances (limit/marker, microversion >= 2.40): every page is read."""
    from civicloud.stacks.credentials import openstack_admin

    compute = openstack_admin(cloud).compute
    found: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": page_size}
    while True:
        usage = compute.get_usage(project_id, start=_nova_time(period.start),
                                  end=_nova_time(period.end), **query)
        page = [_plain(x) for x in usage.server_usages or []]
        found += page
        if len(page) < page_size:
            break
        query["marker"] = page[-1]["instance_id"]
    return [ServerHours(name=s["name"] or s["instance_id"], flavor=s["flavor"] or "?",
                        vcpus=int(s["vcpus"] or 0), ram_mb=int(s["memory_mb"] or 0),
                        hours=float(s["hours"] or 0), state=s["state"] or "")
            for s in found]


def _plain(item: Any) -> dict[str, Any]:
    return item if isinstance(item, dict) else item.to_dict()


def volumes(cloud: str, project_id: str) -> list[VolumeLife]:
    from civicloud.stacks.credentials import openstack_admin

    conn = openstack_admin(cloud)
    return [VolumeLife(v.name or v.id, float(v.size or 0), v.created_at)
            for v in conn.block_storage.volumes(all_projects=True, project_id=project_id)]


def buckets(records: list[ResourceState]) -> tuple[list[BucketSnapshot], list[str]]:
    """What each recorded bucket holds now; and the recorded buckets that are gone."""
    from civicloud.stacks.credentials import s3_client

    found: list[BucketSnapshot] = []
    missing: list[str] = []
    created: dict[tuple[str, str], dict[str, datetime]] = {}
    for r in records:
        o = r.outputs
        s3 = s3_client(o["endpoint"], o["profile"], o.get("region", ""))
        where = (o["endpoint"], o["profile"])
        if where not in created:
            created[where] = {b["Name"]: b["CreationDate"]
                              for b in s3.list_buckets().get("Buckets", [])}
        name = r.id or ""
        if name not in created[where]:
            missing.append(name)
            continue
        size, _, objects = bucket_contents(s3, name)
        found.append(BucketSnapshot(name, created[where][name].isoformat(), size, objects))
    return found, missing


def bucket_contents(s3: Any, bucket: str) -> tuple[int, int, int]:
    """Bytes of every version stored (what the provider keeps), the versions, and the current
    objects: one paginated listing (S3 has no size call)."""
    size = versions = current = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            size += int(version.get("Size") or 0)
            versions += 1
            current += 1 if version.get("IsLatest") else 0
    return size, versions, current
