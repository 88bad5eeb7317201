"""The embedded engine: Pulumi's protocol served in-process, state in a civicloud store."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import grpc
from pulumi.runtime.proto import engine_pb2_grpc, resource_pb2_grpc

from civicloud.engine.base import (
    Event,
    OnEvent,
    Plan,
    Program,
    Result,
    StackRef,
    ignore_event,
)
from civicloud.engine.embedded.deletes import delete_all, plan_deletes
from civicloud.engine.embedded.deployment import Deployment
from civicloud.engine.embedded.ledger import Ledger
from civicloud.engine.embedded.monitor import EngineLog, Monitor
from civicloud.engine.embedded.program import run_program
from civicloud.engine.embedded.progress import Progress, label
from civicloud.engine.embedded.recovery import settle_pending
from civicloud.engine.embedded.refresh import refresh_all
from civicloud.engine.errors import EngineError, ForeignState, InvalidProgram
from civicloud.engine.secrets import PASSPHRASE_ENV, PassphraseCrypter
from civicloud.engine.state.local import LocalStateStore
from civicloud.engine.state.model import ENGINE_NAME, Checkpoint, from_json, to_json
from civicloud.engine.state.store import StateStore, check_stack_name
from civicloud.engine.values import Props, display
from civicloud.engine.values import reveal as reveal_values

_GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", 400 * 1024 * 1024),
    ("grpc.max_send_message_length", 400 * 1024 * 1024),
]


class EmbeddedEngine:
    name = ENGINE_NAME

    def __init__(
        self,
        store: StateStore | None = None,
        *,
        passphrase: str | None = None,
        parallel: int = 8,
        lock_timeout: float = 120.0,
    ) -> None:
        self.store = store or LocalStateStore()
        self._passphrase = passphrase if passphrase is not None else os.environ.get(PASSPHRASE_ENV)
        self.parallel = parallel
        self.lock_timeout = lock_timeout

    # -- state ---------------------------------------------------------------------------------

    def checkpoint(self, stack: StackRef, masked: bool = True) -> Checkpoint | None:
        """The stack's recorded state, or None if it was never deployed. Masked (the default),
        secrets read '[secret]' and no passphrase is needed."""
        doc = self.store.read(check_stack_name(stack.name))
        return None if doc is None else self._parse(stack, doc, masked)[0]

    def _parse(
        self, stack: StackRef, doc: Any, masked: bool = False
    ) -> tuple[Checkpoint, PassphraseCrypter]:
        cp, crypter = from_json(doc, self._passphrase, self.store.location(stack.name),
                                masked=masked)
        if cp.engine != ENGINE_NAME:
            raise ForeignState(
                f"stack {stack.name} was deployed by the {cp.engine} engine; "
                f"run it with --engine {cp.engine}"
            )
        return cp, crypter

    def _load(self, stack: StackRef) -> tuple[Checkpoint, PassphraseCrypter]:
        doc = self.store.read(check_stack_name(stack.name))
        if doc is None:
            return Checkpoint(stack=stack.name), PassphraseCrypter(self._passphrase)
        return self._parse(stack, doc)

    def _ledger(self, stack: StackRef, *, preview: bool) -> Ledger:
        cp, crypter = self._load(stack)

        def save(checkpoint: Checkpoint) -> None:
            self.store.write(stack.name, to_json(checkpoint, crypter))

        return Ledger(cp, None if preview else save)

    # -- operations ----------------------------------------------------------------------------

    def preview(self, stack: StackRef, program: Program, refresh: bool = False) -> Plan:
        ledger, progress = self._ledger(stack, preview=True), Progress(ignore_event)
        drifted = self._read_back(ledger, preview=True) if refresh else []
        d = Deployment(stack, ledger, progress, preview=True, parallel=self.parallel)
        self._run(d, program)
        if progress.errors:
            raise (InvalidProgram if progress.invalid else EngineError)(
                "\n".join(progress.errors))
        plan_deletes(progress, d.leftovers())
        return self._plan(stack, ledger, progress, d.stack_outputs, drifted)

    def up(self, stack: StackRef, program: Program, on_event: OnEvent = ignore_event,
           refresh: bool = False) -> Result:
        with self._locked(stack, "up", on_event):
            ledger, progress = self._ledger(stack, preview=False), Progress(on_event)
            settle_pending(stack, ledger, progress)
            if refresh:
                self._read_back(ledger, preview=False)
            d = Deployment(stack, ledger, progress, preview=False, parallel=self.parallel)
            self._run(d, program)
            if not progress.errors:  # never delete after a failure: the program was incomplete
                delete_all(ledger, progress, d.leftovers(), self.parallel)
            return self._result(stack, progress, d.stack_outputs)

    def preview_destroy(self, stack: StackRef) -> Plan:
        """What destroy would delete, dependents first. Reads state only."""
        ledger, progress = self._ledger(stack, preview=True), Progress(ignore_event)
        plan_deletes(progress, ledger.records())
        return self._plan(stack, ledger, progress, {}, [])

    def destroy(self, stack: StackRef, on_event: OnEvent = ignore_event) -> Result:
        with self._locked(stack, "destroy", on_event):
            ledger, progress = self._ledger(stack, preview=False), Progress(on_event)
            settle_pending(stack, ledger, progress)
            delete_all(ledger, progress, ledger.records(), self.parallel)
            return self._result(stack, progress, {})

    def refresh(self, stack: StackRef, on_event: OnEvent = ignore_event,
                preview: bool = False) -> Result:
        """Read every resource back from its backend and record what changed there (drift).
        With preview, only report it: nothing is written and no lock is taken."""
        with nullcontext() if preview else self._locked(stack, "refresh", on_event):
            ledger, progress = self._ledger(stack, preview=preview), Progress(on_event)
            if not preview:
                settle_pending(stack, ledger, progress)
            refresh_all(ledger, progress, preview=preview, parallel=self.parallel)
            return self._result(stack, progress, {})

    def outputs(self, stack: StackRef, reveal: bool = False) -> dict[str, Any]:
        cp = self.checkpoint(stack, masked=not reveal)
        outputs = cp.stack_outputs() if cp else {}
        return reveal_values(outputs) if reveal else display(outputs)

    def clear_pending(self, stack: StackRef, on_event: OnEvent = ignore_event) -> int:
        """Forget interrupted operations after a human checked the backend; returns how many."""
        with self._locked(stack, "clear-pending", on_event):
            ledger = self._ledger(stack, preview=False)
            count = len(ledger.pending())
            if count:
                ledger.clear_pending()
            return count

    # -- plumbing ------------------------------------------------------------------------------

    def _locked(
        self, stack: StackRef, operation: str, on_event: OnEvent
    ) -> AbstractContextManager[None]:
        return self.store.lock(check_stack_name(stack.name), operation, self.lock_timeout,
                               lambda message: on_event(Event("wait", message)))

    def _read_back(self, ledger: Ledger, *, preview: bool) -> list[str]:
        """Refresh before planning, as Terraform does: the plan then restores what changed
        outside civicloud. Returns one note per drifted resource; the refresh's own steps stay
        out of the plan and the result (they describe the backends, not this run's changes)."""
        progress = Progress(ignore_event)
        refresh_all(ledger, progress, preview=preview, parallel=self.parallel)
        if progress.errors:
            raise EngineError("reading the resources back before planning failed (use "
                              "--no-refresh to plan from state alone):\n"
                              + "\n".join(progress.errors))
        notes = []
        for s in progress.steps:
            declared = [k for k in s.changed if k in s.old_inputs]  # not a server's status
            if s.op == "delete":
                notes.append(f"{label(s.type, s.name)} deleted outside civicloud")
            elif s.op == "update" and declared:
                notes.append(f"{label(s.type, s.name)} changed outside civicloud "
                             f"({', '.join(declared)})")
        return notes

    def _plan(self, stack: StackRef, ledger: Ledger, progress: Progress, outputs: Props,
              drifted: list[str]) -> Plan:
        notes = drifted + [f"a previous run was interrupted while {op.type} "
                           f"{label(op.resource.type, op.resource.name)}; apply settles it first"
                           for op in ledger.pending()]
        return Plan(stack.name, self.name, progress.steps, display(outputs), ledger.serial, notes)

    def _result(self, stack: StackRef, progress: Progress, outputs: Props) -> Result:
        errors = progress.all_errors()
        return Result(stack.name, self.name, not errors, progress.steps, display(outputs),
                      errors, invalid=progress.invalid)

    def _run(self, d: Deployment, program: Program) -> None:
        server = grpc.server(ThreadPoolExecutor(max_workers=self.parallel * 4 + 8),
                             options=_GRPC_OPTIONS)
        config = dict(d.stack.config)
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(
            Monitor(d, config, self.parallel), server)
        engine_pb2_grpc.add_EngineServicer_to_server(EngineLog(d), server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        try:
            error = run_program(
                program, project=d.stack.project, stack=d.stack.name,
                address=f"127.0.0.1:{port}", preview=d.preview, parallel=self.parallel,
                config=config, secret_keys=sorted(d.stack.secret_config),
            )
        finally:
            d.wait_idle()
            server.stop(grace=None)
        progress = d.progress
        if error is not None and not progress.errors:
            # The program itself failed (not one of our steps): its own words, no traceback.
            progress.note_error(progress.program_errors[0] if progress.program_errors else
                                f"the program failed: {type(error).__name__}: {error}")
