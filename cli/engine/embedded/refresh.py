"""Reading every resource back from its backend (`provider.read`): drift.

A resource gone from the backend becomes a delete step, changed outputs an update step. The
ledger takes the values read either way; a preview's ledger is never saved, so a preview refresh
only informs the plan computed after it. The next up then repairs the drift.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from civicloud.engine.base import Step
from civicloud.engine.embedded.ledger import Ledger
from civicloud.engine.embedded.progress import Progress, label
from civicloud.engine.registry import provider_for, secret_output_keys
from civicloud.engine.state.model import ResourceState, now
from civicloud.engine.values import changed_keys, display, mark_secret, reveal, secret_keys


def refresh_all(ledger: Ledger, progress: Progress, *, preview: bool, parallel: int) -> None:
    live = [r for r in ledger.records() if r.custom and not r.delete]
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        list(pool.map(lambda r: _refresh(ledger, progress, r, preview), live))


def _refresh(ledger: Ledger, progress: Progress, record: ResourceState, preview: bool) -> None:
    name = label(record.type, record.name)
    step = progress.add_step(Step("same", record.urn, record.type, record.name,
                                  old_inputs=display(record.inputs)))
    try:
        provider = provider_for(record.type, name)
        result = provider.read(record.id or "", reveal(record.outputs))
    except Exception as exc:
        progress.fail(step, f"read of {name} failed: {exc}", record.inputs, record.outputs)
        return
    updated: ResourceState | None = None
    if result.id:
        keys = secret_output_keys(provider, record.outputs, record.additional_secret_outputs)
        outputs = mark_secret(result.outs or {}, keys)
        read_inputs = getattr(result, "inputs", None)  # ReadResult.inputs: recent SDKs only
        inputs = record.inputs if read_inputs is None else mark_secret(
            read_inputs, secret_keys(record.inputs))
        step.changed = changed_keys(record.outputs, outputs)
        step.inputs = display(inputs)
        if not step.changed and inputs == record.inputs:
            step.status = "done"
            return
        updated = record.replace(id=str(result.id), inputs=inputs, outputs=outputs,
                                 modified=now())
    step.op = "update" if updated is not None else "delete"
    with ledger.lock:
        if updated is None:
            ledger.drop(record)
        else:
            ledger.put(updated, replacing=record)
        ledger.checkpoint()  # a no-op on a preview's ledger
    if not preview:
        what = "changed" if updated is not None else "gone from the backend"
        progress.emit("step-done", f"{step.symbol} refresh {name}: {what}", step)
    step.status = "done"
