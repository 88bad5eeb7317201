"""Sandboxes (pilots): expiry, spend so far, and what the reaper must do to each one.

Spend is an estimate, not a bill: for every server recorded in state, (vCPUs x vcpu_hour +
RAM GB x ram_gb_hour) x hours since it was created, plus for every volume GB x
volume_gb_month x months since it was created (a month = 730 h), at the compute backend's
catalogue prices. Object storage is not counted (`civicloud report metering` measures it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from civicloud.engine.state.model import Checkpoint, ResourceState
from civicloud.ops.live import kind_of
from civicloud.ops.metering import gb_month_eur, price, server_eur

SANDBOX_MARKER = "civicloud sandbox tenant"  # in the Project's description (stacks/program.py)


@dataclass(frozen=True)
class Flavor:
    vcpus: int
    ram_mb: int


@dataclass
class Sandbox:
    name: str
    file: str
    owner: str
    expires: date
    budget_eur: float
    deployed: bool = False
    spend_eur: float = 0.0
    servers: list[str] = field(default_factory=list)  # OpenStack ids of its servers

    def days_left(self, today: date) -> int:
        return (self.expires - today).days

    def over_budget(self) -> bool:
        return self.spend_eur > self.budget_eur

    def status(self, today: date, grace_days: int) -> str:
        if today > self.expires + timedelta(days=grace_days):
            return "expired: to reap"
        if today > self.expires:
            return f"expired: grace until {self.expires + timedelta(days=grace_days)}"
        return "over budget" if self.over_budget() else "active"

    def to_dict(self, today: date, grace_days: int) -> dict[str, Any]:
        return {"tenant": self.name, "file": self.file, "owner": self.owner,
                "expires": self.expires.isoformat(), "days_left": self.days_left(today),
                "budget_eur": self.budget_eur, "spend_eur": round(self.spend_eur, 2),
                "deployed": self.deployed, "status": self.status(today, grace_days)}


def _hours_since(created: str | None, now: datetime) -> float:
    if not created:
        return 0.0
    return max(0.0, (now - datetime.fromisoformat(created)).total_seconds() / 3600)


def estimate_spend(records: list[ResourceState], prices: dict[str, Any],
                   flavors: dict[str, Flavor], now: datetime) -> float:
    """Catalogue prices x recorded resources x time since each was created (see module doc),
    priced by metering's functions (one pricer for both)."""
    total = 0.0
    for r in records:
        hours = _hours_since(r.created, now)
        kind = kind_of(r.type)
        if kind == "Server" and (flavor := flavors.get(str(r.outputs.get("flavor")))):
            total += server_eur(flavor.vcpus, flavor.ram_mb, hours, prices)
        elif kind == "Volume":
            size = float(r.outputs.get("size_gb") or 0)
            total += gb_month_eur(size, hours, price(prices, "volume_gb_month"))
    return total


def recorded(cp: Checkpoint | None) -> list[ResourceState]:
    return [] if cp is None else [r for r in cp.resources if r.custom and not r.delete]


def state_says_sandbox(records: list[ResourceState]) -> bool:
    """The second check before reaping: state too must say sandbox (the Project's description
    records the tenant type at apply). A tenant without a project cannot prove it: False."""
    return any(kind_of(r.type) == "Project" and SANDBOX_MARKER in str(r.outputs.get("description"))
               for r in records)


def sandbox_of(job: Any) -> Sandbox | None:
    """The sandbox block of a tenant job, or None if the spec does not say sandbox."""
    tenant = job.tenant
    block = tenant.get("sandbox")
    if tenant.get("type") != "sandbox" or not block:
        return None
    return Sandbox(job.name, job.file, block["owner"], date.fromisoformat(block["expires"]),
                   float(block["budget_eur"]))


@dataclass(frozen=True)
class Action:
    """What the reaper does to one sandbox: destroy, stop servers, or nothing (with why)."""

    kind: str  # "destroy" | "stop-servers" | "skip"
    reason: str


def decide(sandbox: Sandbox, records: list[ResourceState], today: date,
           grace_days: int) -> Action:
    if not records:
        return Action("skip", "nothing deployed (already reaped or never applied)")
    if not state_says_sandbox(records):
        return Action("skip", "the spec says sandbox but the state does not: not touched")
    if today > sandbox.expires + timedelta(days=grace_days):
        return Action("destroy", f"expired on {sandbox.expires} (grace {grace_days} days)")
    if sandbox.over_budget() and sandbox.servers:
        return Action("stop-servers", f"spend {sandbox.spend_eur:.2f} EUR over the budget of "
                                      f"{sandbox.budget_eur:.2f} EUR")
    return Action("skip", sandbox.status(today, grace_days))
