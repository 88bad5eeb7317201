"""What the compliance report reads from the backends beyond drift's reads: how much data each
bucket holds, and whether each volume is really encrypted (the volume's own flag, from drift's
reads, and its volume type's Cinder encryption spec). Reads only; one call per bucket and per
volume type, never per object."""

from __future__ import annotations

from typing import Any

from civicloud.engine.state.model import ResourceState
from civicloud.ops.live import kind_of

Fields = dict[str, Any]


def bucket_usage(records: list[ResourceState], present: set[str]) -> dict[str, Fields]:
    """Per bucket URN: object versions and bytes stored (every version counts: old versions
    are data too). Only the buckets in `present` (the others are gone)."""
    from civicloud.ops.metering_reads import bucket_contents
    from civicloud.stacks.credentials import s3_client

    usage: dict[str, Fields] = {}
    for r in records:
        if kind_of(r.type) != "Bucket" or r.urn not in present:
            continue
        o = r.outputs
        s3 = s3_client(o["endpoint"], o["profile"], o.get("region", ""))
        size, versions, _ = bucket_contents(s3, r.id or "")
        usage[r.urn] = {"objects": versions, "bytes": size}
    return usage


def _type_encryption(conn: Any, name: str | None) -> Fields | None:
    """The volume type's encryption spec, or None when the type has none (a plain volume)."""
    from openstack import exceptions

    if not name:
        return None
    volume_type = conn.block_storage.find_type(name, ignore_missing=True)
    if volume_type is None:
        return None
    try:
        spec = conn.block_storage.get_type_encryption(volume_type.id)
    except exceptions.NotFoundException:
        return None
    if not spec.provider:  # Cinder answers an empty body for a type without encryption
        return None
    return {"provider": spec.provider, "cipher": spec.cipher, "key_size": spec.key_size,
            "control_location": spec.control_location}


def volume_encryption(records: list[ResourceState],
                      found: dict[str, Fields | None]) -> dict[str, Fields]:
    """Per volume URN still present: `encrypted` as Cinder reports the volume (drift's volume
    list read it), and its type's encryption spec (one read per type)."""
    from civicloud.stacks.credentials import openstack_admin

    specs: dict[tuple[str, str | None], Fields | None] = {}
    out: dict[str, Fields] = {}
    for r in records:
        live = found.get(r.urn)
        if kind_of(r.type) != "Volume" or live is None:
            continue
        cloud, type_name = r.outputs["cloud"], live.get("volume_type")
        if (cloud, type_name) not in specs:
            specs[cloud, type_name] = _type_encryption(openstack_admin(cloud), type_name)
        out[r.urn] = {"encrypted": bool(live.get("encrypted")),
                      "type_encryption": specs[cloud, type_name]}
    return out


SPEND_DAYS = 30  # the spend chart covers the 30 days before the report's date


def spend_period(now: Any) -> Fields:
    """The spend chart's period: the SPEND_DAYS before the report's date."""
    from datetime import timedelta

    from civicloud.ops.metering import Period

    period = Period.of(now - timedelta(days=SPEND_DAYS), now, now)
    return {"period": period, "from": period.start.isoformat(timespec="seconds"),
            "to": period.end.isoformat(timespec="seconds")}


def tenant_spend(job: Any, records: list[ResourceState], period: Any) -> float:
    """EUR (excl. VAT) the tenant used over the period, priced by civicloud.ops.metering."""
    from civicloud.ops.metering import meter_tenant

    return round(meter_tenant(job, records, period).total_eur, 6)
