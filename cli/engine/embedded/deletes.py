"""Deleting resources: one (with its pending operation), or many, dependents first."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from civicloud.engine.base import Step
from civicloud.engine.embedded.ledger import Ledger
from civicloud.engine.embedded.progress import Progress, label
from civicloud.engine.graph import deletion_order, deletion_waves
from civicloud.engine.registry import provider_for
from civicloud.engine.state.model import STACK_TYPE, ResourceState
from civicloud.engine.values import display, reveal


def delete_resource(ledger: Ledger, record: ResourceState) -> None:
    """The provider's delete (components have none), then the record goes. Raises on failure,
    the record stays."""
    if record.custom:
        provider = provider_for(record.type, label(record.type, record.name))
        pending = ledger.begin("deleting", record)
        try:
            provider.delete(record.id or "", reveal(record.outputs))
        except Exception:
            ledger.end(pending)
            raise
        ledger.forget(pending)
    with ledger.lock:
        ledger.drop(record)
        ledger.checkpoint()


def plan_deletes(progress: Progress, records: list[ResourceState]) -> None:
    for r in deletion_order(records):
        if r.type != STACK_TYPE:
            progress.add_step(Step("delete", r.urn, r.type, r.name, old_inputs=display(r.inputs)))


def delete_all(ledger: Ledger, progress: Progress, records: list[ResourceState],
               parallel: int) -> None:
    """Dependents first; independent deletes in parallel; stop after a wave with a failure."""

    def one(record: ResourceState) -> None:
        if record.type == STACK_TYPE:  # the root stack: nothing to call, just forget it
            with ledger.lock:
                ledger.drop(record)
                ledger.checkpoint()
            return
        name = label(record.type, record.name)
        step = progress.add_step(Step("delete", record.urn, record.type, record.name,
                                      old_inputs=display(record.inputs)))
        progress.emit("step-start", f"- delete {name}", step)
        try:
            delete_resource(ledger, record)
        except Exception as exc:
            progress.fail(step, f"delete of {name} failed: {exc}", record.inputs, record.outputs)
            return
        step.status = "done"
        progress.emit("step-done", f"- delete {name}: done", step)

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for wave in deletion_waves(records):
            list(pool.map(one, wave))
            if progress.failed:
                return
