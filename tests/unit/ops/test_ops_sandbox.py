"""Sandbox logic: spend estimate, status, and what the reaper decides (no backend here)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from civicloud.engine.state.model import ResourceState
from civicloud.ops.sandbox import Flavor, Sandbox, decide, estimate_spend

T = "pulumi-python:dynamic/civicloud:"
CREATED = "2027-01-01T00:00:00+00:00"
PRICES = {"vcpu_hour": 0.012, "ram_gb_hour": 0.004, "volume_gb_month": 0.05}


def record(kind: str, created: str = CREATED, **outputs) -> ResourceState:
    return ResourceState(urn=f"urn:x::{kind}", type=f"{T}{kind}", custom=True, id="i",
                         outputs=outputs, created=created)


PROJECT = record("Project", description="Ville (SIREN 1), civicloud sandbox tenant, data public")


def sandbox(budget: float = 100.0, spend: float = 0.0) -> Sandbox:
    return Sandbox("pilot", "pilot.yaml", "o@x.fr", date(2027, 1, 31), budget,
                   deployed=True, spend_eur=spend, servers=["s1"])


def test_spend_is_prices_times_resources_times_hours_since_creation():
    records = [PROJECT, record("Server", flavor="m1.small"),
               record("Volume", size_gb=10)]
    now = datetime(2027, 1, 2, tzinfo=UTC)  # 24 h after creation
    spend = estimate_spend(records, PRICES, {"m1.small": Flavor(vcpus=2, ram_mb=2048)}, now)
    server = (2 * 0.012 + 2 * 0.004) * 24
    volume = 10 * 0.05 * 24 / 730
    assert abs(spend - (server + volume)) < 1e-9


def test_status_counts_the_grace_period():
    s = sandbox()
    assert s.status(date(2027, 1, 31), 7) == "active"
    assert s.status(date(2027, 2, 5), 7) == "expired: grace until 2027-02-07"
    assert s.status(date(2027, 2, 8), 7) == "expired: to reap"
    assert s.days_left(date(2027, 1, 21)) == 10


def test_reaper_destroys_only_after_the_grace_period():
    assert decide(sandbox(), [PROJECT], date(2027, 2, 7), 7).kind == "skip"
    assert decide(sandbox(), [PROJECT], date(2027, 2, 8), 7).kind == "destroy"


def test_reaper_stops_the_servers_of_a_sandbox_over_budget():
    assert decide(sandbox(budget=1, spend=2), [PROJECT], date(2027, 1, 10), 7).kind == \
        "stop-servers"


def test_reaper_never_touches_what_state_does_not_call_a_sandbox():
    community = record("Project", description="Ville, civicloud community tenant, data public")
    action = decide(sandbox(), [community], date(2028, 1, 1), 7)
    assert action.kind == "skip" and "state does not" in action.reason
    assert decide(sandbox(), [], date(2028, 1, 1), 7).kind == "skip"  # already reaped
