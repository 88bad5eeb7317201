"""Metering: what each tenant used over a period, priced with the catalogue's prices.

How each figure is measured (a report, not a bill; euros excluding VAT):
  - servers: Nova's usage API (os-simple-tenant-usage) for the tenant's project: hours each
    instance existed inside the period, from launch to deletion, running or stopped (a stopped
    server still holds its resources), servers deleted during the period included. Priced per
    server-hour at vCPUs x vcpu_hour + RAM GB x ram_gb_hour of the compute backend. Root disks
    are not priced (the catalogue has no price for them).
  - volumes: Cinder has no usage API: each volume the project holds now, size x the hours it
    existed inside the period (from its created_at) / 730, at volume_gb_month. A volume deleted
    before the report is not counted; a resize counts at the current size.
  - buckets: S3 keeps no history: the bytes stored now (every version) x the part of the period
    the bucket existed (from its CreationDate), at object_gb_month of the storage backend. A
    snapshot estimate: it is exact only for a bucket whose content did not change.
A month is 730 hours, a GB is 2^30 bytes (as Cinder counts). All times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from civicloud.engine.state.model import ResourceState
from civicloud.ops.live import kind_of

HOURS_PER_MONTH = 730.0
GB = 1024**3  # bytes in a (Cinder) GB


# ---- period ------------------------------------------------------------------------------

def utc(value: datetime | str) -> datetime:
    """An aware UTC datetime from a datetime or an ISO string (naive means UTC, as the
    OpenStack APIs write it)."""
    when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) \
        else value
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """[start, end): what is metered. `requested_end` is the end asked for; `end` stops at
    the time of the report (nothing is used in the future)."""

    start: datetime
    end: datetime
    requested_end: datetime

    @classmethod
    def of(cls, start: datetime, end: datetime, now: datetime | None = None) -> Period:
        start, end, now = utc(start), utc(end), utc(now or datetime.now(UTC))
        if start >= now:
            raise ValueError(f"--from {start:%Y-%m-%d %H:%M} is in the future (now is "
                             f"{now:%Y-%m-%d %H:%M} UTC): nothing to meter yet")
        if start >= end:
            raise ValueError(f"the period is empty: --from {start:%Y-%m-%d %H:%M} is not "
                             f"before --to {end:%Y-%m-%d %H:%M}")
        return cls(start, min(end, now), end)

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def hours_within(self, since: datetime | str | None,
                     until: datetime | str | None = None) -> float:
        """Hours of [since, until) inside the period (since None: from the start)."""
        begin = max(self.start, utc(since)) if since else self.start
        finish = min(self.end, utc(until)) if until else self.end
        return max(0.0, (finish - begin).total_seconds() / 3600)

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "requested_to": self.requested_end.isoformat(), "hours": round(self.hours, 4)}


# ---- pricing (also used by `sandbox list`'s estimate) ------------------------------------

def price(prices: dict[str, Any], key: str) -> float:
    return float(prices.get(key) or 0)


def server_hour_eur(vcpus: float, ram_mb: float, prices: dict[str, Any]) -> float:
    """What one server-hour of this size costs: vCPUs x vcpu_hour + RAM GB x ram_gb_hour."""
    return vcpus * price(prices, "vcpu_hour") + ram_mb / 1024 * price(prices, "ram_gb_hour")


def server_eur(vcpus: float, ram_mb: float, hours: float, prices: dict[str, Any]) -> float:
    return server_hour_eur(vcpus, ram_mb, prices) * hours


def gb_months(gb: float, hours: float) -> float:
    return gb * hours / HOURS_PER_MONTH


def figure(value: float) -> float:
    """12 significant digits: float noise (0.30000000000000004) gone, tiny usage kept."""
    return float(f"{value:.12g}")


def gb_month_eur(gb: float, hours: float, unit_price: float) -> float:
    """GB stored for `hours`, at a price per GB-month (730 h)."""
    return gb_months(gb, hours) * unit_price


# ---- what the backends report (filled by metering_reads) ---------------------------------

@dataclass(frozen=True)
class ServerHours:
    """One instance's usage in the period, as Nova reports it."""

    name: str
    flavor: str
    vcpus: int
    ram_mb: int
    hours: float
    state: str = ""


@dataclass(frozen=True)
class VolumeLife:
    name: str
    size_gb: float
    created: str  # ISO, UTC


@dataclass(frozen=True)
class BucketSnapshot:
    name: str
    created: str | None  # ISO, UTC (the bucket's CreationDate)
    bytes: int  # every version stored now
    objects: int  # current objects (latest versions that are not delete markers)


# ---- priced lines ------------------------------------------------------------------------

@dataclass
class Line:
    """One priced line of a tenant: a flavor's server-hours, a volume, a bucket."""

    kind: str  # "server" | "volume" | "bucket"
    name: str  # the flavor (servers), the volume's or bucket's name
    backend: str
    quantity: float
    unit: str  # "server-hours" | "GB-months"
    unit_price_eur: float
    eur: float
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "backend": self.backend,
                "quantity": figure(self.quantity), "unit": self.unit,
                "unit_price_eur": figure(self.unit_price_eur), "eur": figure(self.eur),
                **self.detail}


@dataclass
class TenantUsage:
    tenant: str
    file: str
    syndicate: str | None
    period: Period
    deployed: bool = True
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # unpriced resources, what was not found

    @property
    def total_eur(self) -> float:
        return sum(line.eur for line in self.lines)

    def eur_by_kind(self) -> dict[str, float]:
        totals = {"server": 0.0, "volume": 0.0, "bucket": 0.0}
        for line in self.lines:
            totals[line.kind] += line.eur
        return totals

    def to_dict(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "file": self.file, "syndicate": self.syndicate,
                "deployed": self.deployed, "period": self.period.to_dict(),
                "lines": [line.to_dict() for line in self.lines],
                "eur_by_kind": {k: figure(v) for k, v in self.eur_by_kind().items()},
                "total_eur": figure(self.total_eur), "notes": self.notes}


@dataclass
class SyndicateUsage:
    """A syndicate's view: its member tenants' usage, summed."""

    name: str
    members: list[TenantUsage]

    @property
    def total_eur(self) -> float:
        return sum(m.total_eur for m in self.members)

    def totals(self) -> dict[str, float]:
        """Quantities summed over the members, per kind."""
        return quantities(self.members)

    def to_dict(self) -> dict[str, Any]:
        eur = {"server": 0.0, "volume": 0.0, "bucket": 0.0}
        for m in self.members:
            for kind, value in m.eur_by_kind().items():
                eur[kind] += value
        return {"syndicate": self.name, "members": [m.tenant for m in self.members],
                "eur_by_member": {m.tenant: figure(m.total_eur) for m in self.members},
                "eur_by_kind": {k: figure(v) for k, v in eur.items()},
                **{k: figure(v) for k, v in self.totals().items()},
                "total_eur": figure(self.total_eur)}


def quantities(usages: list[TenantUsage]) -> dict[str, float]:
    """Server-hours, vCPU-hours, GB-months, bytes and objects summed over tenants."""
    sums = {"server_hours": 0.0, "vcpu_hours": 0.0, "volume_gb_months": 0.0,
            "bucket_gb_months": 0.0, "bucket_bytes": 0.0, "bucket_objects": 0.0}
    for u in usages:
        for line in u.lines:
            if line.kind == "server":
                sums["server_hours"] += line.quantity
                sums["vcpu_hours"] += line.detail["vcpu_hours"]
            elif line.kind == "volume":
                sums["volume_gb_months"] += line.quantity
            else:
                sums["bucket_gb_months"] += line.quantity
                sums["bucket_bytes"] += line.detail["bytes"]
                sums["bucket_objects"] += line.detail["objects"]
    return sums


def price_servers(usages: list[ServerHours], backend: str,
                  prices: dict[str, Any]) -> list[Line]:
    """Server-hours by flavor: one line per flavor, its servers named in the detail."""
    by_flavor: dict[str, list[ServerHours]] = {}
    for u in usages:
        by_flavor.setdefault(u.flavor, []).append(u)
    lines = []
    for flavor, group in sorted(by_flavor.items()):
        hours = sum(u.hours for u in group)
        eur = sum(server_eur(u.vcpus, u.ram_mb, u.hours, prices) for u in group)
        first = group[0]
        lines.append(Line(
            "server", flavor, backend, hours, "server-hours",
            server_hour_eur(first.vcpus, first.ram_mb, prices), eur,
            {"servers": sorted({u.name for u in group}), "vcpus": first.vcpus,
             "ram_mb": first.ram_mb, "vcpu_hours": sum(u.vcpus * u.hours for u in group),
             "ram_gb_hours": sum(u.ram_mb / 1024 * u.hours for u in group)}))
    return lines


def price_volumes(volumes: list[VolumeLife], backend: str, prices: dict[str, Any],
                  period: Period) -> list[Line]:
    unit = price(prices, "volume_gb_month")
    lines = []
    for v in sorted(volumes, key=lambda v: v.name):
        hours = period.hours_within(v.created)
        if hours <= 0:
            continue  # created after the period
        lines.append(Line("volume", v.name, backend, gb_months(v.size_gb, hours), "GB-months",
                          unit, gb_month_eur(v.size_gb, hours, unit),
                          {"size_gb": v.size_gb, "hours": hours, "created": v.created}))
    return lines


def price_buckets(buckets: list[BucketSnapshot], backend: str, prices: dict[str, Any],
                  period: Period) -> list[Line]:
    unit = price(prices, "object_gb_month")
    lines = []
    for b in sorted(buckets, key=lambda b: b.name):
        hours = period.hours_within(b.created)
        if hours <= 0:
            continue
        gb = b.bytes / GB
        lines.append(Line("bucket", b.name, backend, gb_months(gb, hours), "GB-months", unit,
                          gb_month_eur(gb, hours, unit),
                          {"bytes": b.bytes, "objects": b.objects, "hours": hours,
                           "created": b.created, "estimate": "snapshot"}))
    return lines


def unpriced(lines: list[Line], backend: str, prices: dict[str, Any]) -> list[str]:
    """Notes for lines whose backend has no price for them in the catalogue (counted 0 EUR)."""
    need = {"server": ("vcpu_hour", "ram_gb_hour"), "volume": ("volume_gb_month",),
            "bucket": ("object_gb_month",)}
    missing = sorted({key for line in lines for key in need[line.kind]
                      if prices.get(key) is None})
    return [f"backend {backend} has no {key} price in the catalogue: counted 0 EUR"
            for key in missing]


def by_syndicate(usages: list[TenantUsage]) -> list[SyndicateUsage]:
    """Tenants that name a syndicate (metadata.syndicate), grouped by it, in name order."""
    groups: dict[str, list[TenantUsage]] = {}
    for u in usages:
        if u.syndicate:
            groups.setdefault(u.syndicate, []).append(u)
    return [SyndicateUsage(name, sorted(members, key=lambda m: m.tenant))
            for name, members in sorted(groups.items())]


# ---- one tenant: state -> reads -> priced lines ------------------------------------------

def _project(records: list[ResourceState]) -> tuple[str | None, str | None]:
    for r in records:
        if kind_of(r.type) == "Project" and r.id:
            return r.outputs.get("cloud"), r.id
    return None, None


def meter_tenant(job: Any, records: list[ResourceState], period: Period) -> TenantUsage:
    """What one tenant (a TenantJob: name, file, tenant, backends) used in the period, from
    the resources its state records (custom, not pending delete). Reads only."""
    from civicloud.ops import metering_reads as reads

    usage = TenantUsage(job.name, job.file, job.tenant["metadata"].get("syndicate"), period,
                        deployed=bool(records))
    if not records:
        return usage
    compute, storage = job.tenant.get("compute"), job.tenant.get("storage")
    cloud, project_id = _project(records)
    if compute and cloud and project_id:
        name = compute["backend"]
        prices = job.backends[name].get("prices") or {}
        servers = price_servers(reads.server_hours(cloud, project_id, period), name, prices)
        volumes = price_volumes(reads.volumes(cloud, project_id), name, prices, period)
        usage.lines += servers + volumes
        usage.notes += unpriced(servers + volumes, name, prices)
    buckets = [r for r in records if kind_of(r.type) == "Bucket" and r.id]
    if storage and buckets:
        name = storage["backend"]
        prices = job.backends[name].get("prices") or {}
        snapshots, missing = reads.buckets(buckets)
        lines = price_buckets(snapshots, name, prices, period)
        usage.lines += lines
        usage.notes += unpriced(lines, name, prices)
        usage.notes += [f"bucket {b} is recorded in state but no longer exists: not counted"
                        for b in missing]
    return usage


def meter_stack(engine: Any, job: Any, period: Period) -> TenantUsage:
    """`meter_tenant` on the resources the tenant's state records (masked: no passphrase)."""
    cp = engine.checkpoint(job.stack(), masked=True)
    records = [] if cp is None else [r for r in cp.resources if r.custom and not r.delete]
    return meter_tenant(job, records, period)
