"""Settling the operations a killed run left half-done, before anything else runs.

creating: the provider's `find` tells whether the resource exists (adopted into state) or not;
    without `find` the engine cannot know, and stops naming the resources.
updating: the record still holds the old inputs, so the run's diff simply redoes the update.
deleting: the provider's `read` tells whether the resource is gone; if it still exists it stays
    in state and is deleted again if the program no longer declares it.
"""

from __future__ import annotations

from civicloud.engine.base import StackRef
from civicloud.engine.embedded.ledger import Ledger
from civicloud.engine.embedded.progress import Progress, label
from civicloud.engine.errors import PendingOperations
from civicloud.engine.registry import can_find, provider_for, secret_output_keys
from civicloud.engine.state.model import PendingOperation, now
from civicloud.engine.values import mark_secret, reveal


def settle_pending(stack: StackRef, ledger: Ledger, progress: Progress) -> None:
    pending = ledger.pending()
    if not pending:
        return
    unknown = [op.resource for op in pending
               if op.type == "creating" and not can_find(op.resource.type)]
    if unknown:
        names = ", ".join(label(r.type, r.name) for r in unknown)
        raise PendingOperations(
            f"stack {stack.name}: a previous run was interrupted while creating {names}; "
            "their providers cannot look them up, so civicloud cannot tell whether they exist. "
            "Check the backend, delete any half-created resource, then clear the interrupted "
            "operations (`civicloud state clear-pending`)."
        )
    with ledger.lock:
        for op in pending:
            _settle(op, ledger, progress)
        ledger.clear_pending()


def _settle(op: PendingOperation, ledger: Ledger, progress: Progress) -> None:
    r = op.resource
    name = label(r.type, r.name)
    if op.type == "creating":
        provider = provider_for(r.type, name)
        found = provider.find(reveal(r.inputs))  # type: ignore[attr-defined]
        if found is None or not found.id:
            progress.emit("info", f"{name}: interrupted create had not happened")
            return
        keys = secret_output_keys(provider, r.inputs, r.additional_secret_outputs)
        live = ledger.live().get(r.urn)
        if live is not None:  # a create-before-delete replace: the old copy goes last
            ledger.put(live.replace(delete=True), replacing=live)
        ledger.add(r.replace(id=str(found.id), outputs=mark_secret(found.outs or {}, keys),
                             created=now(), modified=now()))
        progress.emit("info", f"{name}: interrupted create had succeeded; adopted")
    elif op.type == "deleting" and r.id:
        if not provider_for(r.type, name).read(r.id, reveal(r.outputs)).id:
            for x in ledger.records():
                if (x.urn, x.id) == (r.urn, r.id):
                    ledger.drop(x)
            progress.emit("info", f"{name}: interrupted delete had succeeded")
    else:
        progress.emit("info", f"{name}: interrupted {op.type} will be retried")
