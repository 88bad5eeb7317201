"""The state a run works on: resource records and pending operations, checkpointed after every
change (atomic writes by the store), under one lock.

Crash safety: `begin` records a pending operation (and checkpoints) before a provider call that
changes the cloud; `end`/`forget` remove it once the result is recorded. A run killed in between
leaves the pending operation for the next run to settle (recovery.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from civicloud.engine.graph import creation_order
from civicloud.engine.state.model import Checkpoint, PendingOperation, ResourceState

SaveCheckpoint = Callable[[Checkpoint], None]


class Ledger:
    def __init__(self, checkpoint: Checkpoint, save: SaveCheckpoint | None) -> None:
        self._cp = checkpoint
        self._save = save  # None in previews: nothing is ever written
        self.lock = threading.RLock()  # hold it to make several changes one checkpoint

    @property
    def serial(self) -> int:
        return self._cp.serial

    def records(self) -> list[ResourceState]:
        with self.lock:
            return list(self._cp.resources)

    def live(self) -> dict[str, ResourceState]:
        """Records by URN, without replaced copies waiting for deletion."""
        with self.lock:
            return self._cp.live()

    def pending(self) -> list[PendingOperation]:
        with self.lock:
            return list(self._cp.pending)

    def checkpoint(self) -> None:
        if self._save is None:
            return
        with self.lock:
            self._cp.serial += 1
            self._cp.resources = creation_order(self._cp.resources)
            self._save(self._cp)

    def put(self, record: ResourceState, replacing: ResourceState | None = None) -> None:
        """Add a record, or replace `replacing` (default: the live record of the same URN)."""
        with self.lock:
            res = self._cp.resources
            target = replacing or next(
                (r for r in res if r.urn == record.urn and not r.delete), None)
            if target is not None and target in res:
                res[res.index(target)] = record
            else:
                res.append(record)

    def add(self, record: ResourceState) -> None:
        with self.lock:
            self._cp.resources.append(record)

    def drop(self, record: ResourceState) -> None:
        with self.lock:
            self._cp.resources = [r for r in self._cp.resources if r is not record]

    def present(self, record: ResourceState) -> bool:
        with self.lock:
            return any(r is record for r in self._cp.resources)

    def begin(self, kind: str, resource: ResourceState) -> PendingOperation:
        op = PendingOperation(kind, resource)
        with self.lock:
            self._cp.pending.append(op)
            self.checkpoint()
        return op

    def forget(self, op: PendingOperation) -> None:
        with self.lock:
            self._cp.pending = [p for p in self._cp.pending if p is not op]

    def end(self, op: PendingOperation) -> None:
        with self.lock:
            self.forget(op)
            self.checkpoint()

    def clear_pending(self) -> None:
        with self.lock:
            self._cp.pending = []
            self.checkpoint()
