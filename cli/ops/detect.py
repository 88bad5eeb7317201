"""One tenant as the backends hold it now: its state records, the live reads, the drift, and
its policy document rewritten with the live values. Shared by `drift` and the compliance
report (reads only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from civicloud.engine.state.model import ResourceState
from civicloud.ops.drift import Change
from civicloud.ops.live import Live


@dataclass
class TenantDrift:
    job: Any  # civicloud.commands._tenants.TenantJob
    serial: int | None  # None: never applied (no state)
    changes: list[Change]
    calls: dict[str, str]
    live_input: dict[str, Any] | None
    records: list[ResourceState] = field(default_factory=list)
    live: Live = field(default_factory=Live)


def detect(engine: Any, job: Any) -> TenantDrift:
    """State (secrets masked) vs the backends for one tenant; nothing is written."""
    from civicloud.ops.drift import compare, live_policy_input
    from civicloud.ops.live import read_live

    cp = engine.checkpoint(job.stack(), masked=True)
    if cp is None:
        return TenantDrift(job, None, [], {}, None)
    records = [r for r in cp.resources if r.custom and not r.delete]
    live = read_live(records)
    return TenantDrift(job, cp.serial, compare(records, live), live.calls,
                       live_policy_input(job.policy_input, records, live), records, live)
