"""One run of one stack: decides each resource's step, calls its provider, checkpoints.

Called concurrently from the monitor's gRPC threads (the SDK registers independent resources in
parallel): the state is guarded by one lock, provider calls run outside it, at most `parallel`
at a time. Ordering between dependent resources comes from the SDK itself: a dependent is only
registered once its dependencies' registrations have returned.

Crash safety: before a provider call that changes the cloud, a pending operation is written to
the checkpoint; after it, the result replaces the pending operation. A run killed in between
leaves the pending operation for the next run to settle (`settle_pending`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from civicloud.engine.base import Event, OnEvent, Op, StackRef, Step
from civicloud.engine.errors import (
    EngineError,
    InvalidResourceInputs,
    PendingOperations,
)
from civicloud.engine.graph import (
    creation_order,
    deletion_order,
    deletion_waves,
    dependents_of,
)
from civicloud.engine.registry import can_find, provider_for
from civicloud.engine.state.model import (
    STACK_TYPE,
    Checkpoint,
    PendingOperation,
    ResourceState,
    now,
)
from civicloud.engine.values import (
    Props,
    changed_keys,
    display,
    drop_unknowns,
    mark_secret,
    redact,
    reveal,
    secret_keys,
)
from pulumi.dynamic import ResourceProvider

SaveCheckpoint = Callable[[Checkpoint], None]


class StepFailed(EngineError):
    """A provider call failed; the message names the resource and the operation."""


class StepSkipped(EngineError):
    """Not started because an earlier step failed (not an error of its own)."""


@dataclass
class Registration:
    """What the program declared for one resource (from a RegisterResourceRequest)."""

    type: str
    name: str
    custom: bool
    parent: str | None
    inputs: Props
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    delete_before_replace: bool = False
    additional_secret_outputs: list[str] = field(default_factory=list)


def make_urn(stack: StackRef, type_: str, name: str, parent: str | None) -> str:
    """Pulumi's URN: the parent's qualified type is prefixed, except for the root stack."""
    qualified = type_
    if parent:
        parent_type = parent.split("::")[2]
        if parent_type != STACK_TYPE:
            qualified = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack.name}::{stack.project}::{qualified}::{name}"


def _label(type_: str, name: str) -> str:
    return f"{type_.rsplit(':', 1)[-1]} '{name}'"


def _secret_output_keys(provider: ResourceProvider, inputs: Props, extra: list[str]) -> set[str]:
    # An output is secret if the input of that name was, if the program asked for it
    # (additional_secret_outputs) or if the provider declares it (`secret_outputs`).
    return secret_keys(inputs) | set(extra) | set(getattr(provider, "secret_outputs", ()))


class Deployment:
    def __init__(
        self,
        stack: StackRef,
        checkpoint: Checkpoint,
        *,
        preview: bool,
        save: SaveCheckpoint | None,
        on_event: OnEvent,
        parallel: int,
    ) -> None:
        self.stack = stack
        self.preview = preview
        self._cp = checkpoint
        self._save = save
        self._on_event = on_event
        self._event_lock = threading.Lock()
        self._lock = threading.RLock()
        self._parallel = max(1, parallel)
        self._slots = threading.BoundedSemaphore(self._parallel)
        self._old = checkpoint.live()  # the state this run started from
        self._registered: set[str] = set()
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self._doomed: set[str] = set()  # deleted early, with a dependency replaced delete-first
        self.steps: list[Step] = []
        self.errors: list[str] = []
        self.program_errors: list[str] = []
        self.failed = False
        self.invalid = False  # a failure due to the program's input, not to a backend
        self.root_urn: str | None = None
        self.stack_outputs: Props = dict(checkpoint.stack_outputs())

    # -- bookkeeping ---------------------------------------------------------------------------

    @property
    def serial(self) -> int:
        return self._cp.serial

    def emit(self, kind: str, message: str, step: Step | None = None) -> None:
        with self._event_lock:
            self._on_event(Event(kind, message, step))

    def _checkpoint(self) -> None:
        if self._save is None:
            return
        with self._lock:
            self._cp.serial += 1
            self._cp.resources = creation_order(self._cp.resources)
            self._save(self._cp)

    def _put(self, record: ResourceState, replacing: ResourceState | None = None) -> None:
        with self._lock:
            res = self._cp.resources
            target = replacing or next(
                (r for r in res if r.urn == record.urn and not r.delete), None
            )
            if target is not None and target in res:
                res[res.index(target)] = record
            else:
                res.append(record)

    def _drop(self, record: ResourceState) -> None:
        with self._lock:
            self._cp.resources = [r for r in self._cp.resources if r is not record]

    def _present(self, record: ResourceState) -> bool:
        with self._lock:
            return any(r is record for r in self._cp.resources)

    def _begin(self, kind: str, resource: ResourceState) -> PendingOperation:
        op = PendingOperation(kind, resource)
        with self._lock:
            self._cp.pending.append(op)
            self._checkpoint()
        return op

    def _forget(self, op: PendingOperation) -> None:
        with self._lock:
            self._cp.pending = [p for p in self._cp.pending if p is not op]

    def _end(self, op: PendingOperation) -> None:
        with self._lock:
            self._forget(op)
            self._checkpoint()

    def _add_step(self, step: Step) -> Step:
        with self._lock:
            self.steps.append(step)
        return step

    def note_error(self, message: str, invalid: bool = False) -> None:
        """A registration refused: the program will fail, so no further step may start."""
        with self._lock:
            self.failed = True
            self.invalid = self.invalid or invalid
            if message not in self.errors:
                self.errors.append(message)

    def note_program_error(self, message: str) -> None:
        with self._lock:
            self.program_errors.append(message.strip())

    def _fail(self, step: Step, message: str, *secrets_from: Props) -> StepFailed:
        message = redact(message, *secrets_from)
        with self._lock:
            self.failed = True
            step.status = "failed"
            step.error = message
            self.errors.append(message)
        self.emit("step-failed", message, step)
        return StepFailed(message)

    # -- registration (called by the monitor) --------------------------------------------------

    def register(self, reg: Registration) -> tuple[str, str, Props]:
        """Returns (urn, id, outputs) for the SDK; raises StepFailed/EngineError to fail it."""
        urn = make_urn(self.stack, reg.type, reg.name, reg.parent)
        with self._lock:
            if self.failed:
                raise StepSkipped(
                    f"{_label(reg.type, reg.name)}: not started, an earlier step failed")
            if urn in self._registered:
                raise EngineError(f"two resources of type {reg.type} are named '{reg.name}'")
            self._registered.add(urn)
            self._in_flight += 1
        try:
            if reg.type == STACK_TYPE:
                return self._register_root(urn, reg)
            if not reg.custom:
                return self._register_component(urn, reg)
            with self._slots:
                return self._register_custom(urn, reg)
        finally:
            with self._lock:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self) -> None:
        """Block until no registration is in progress: a failed program returns early, while
        steps it started may still be creating resources that must reach the checkpoint."""
        with self._lock:
            self._idle.wait_for(lambda: self._in_flight == 0)

    def register_outputs(self, urn: str, outputs: Props) -> None:
        with self._lock:
            if urn == self.root_urn:
                self.stack_outputs = outputs
            record = next((r for r in self._cp.resources if r.urn == urn and not r.delete), None)
            if record is None or self.preview or record.outputs == outputs:
                return
            self._put(record.replace(outputs=outputs))
            self._checkpoint()

    def _record_for(self, urn: str, reg: Registration, **fields: Any) -> ResourceState:
        return ResourceState(
            urn=urn, type=reg.type, custom=reg.custom, parent=reg.parent,
            dependencies=reg.dependencies, property_dependencies=reg.property_dependencies,
            additional_secret_outputs=reg.additional_secret_outputs, **fields,
        )

    def _register_root(self, urn: str, reg: Registration) -> tuple[str, str, Props]:
        self.root_urn = urn
        if not self.preview and urn not in self._old:
            self._put(self._record_for(urn, reg, created=now()))
        return urn, "", {}

    def _register_component(self, urn: str, reg: Registration) -> tuple[str, str, Props]:
        old = self._old.get(urn)
        step = self._add_step(Step("same" if old else "create", urn, reg.type, reg.name))
        if not self.preview:
            record = self._record_for(urn, reg, outputs=old.outputs if old else {},
                                      created=old.created if old else now(),
                                      modified=old.modified if old else now())
            if record != old:  # only a real change moves the serial
                self._put(record)
                self._checkpoint()
            step.status = "done"
        return urn, "", {}

    def _register_custom(self, urn: str, reg: Registration) -> tuple[str, str, Props]:
        label = _label(reg.type, reg.name)
        provider = provider_for(reg.type, label)
        old = self._old.get(urn)
        if old is not None and not self._present(old):
            old = None  # already deleted this run (its dependency was replaced delete-first)
        checked = self._check(provider, old.inputs if old else {}, reg.inputs, label)
        op: Op = "create"
        replaces: list[str] = []
        dbr = False
        stables: list[str] = []
        if urn in self._doomed or (old is None and urn in self._old):
            op, replaces, dbr = "replace", ["(a dependency is replaced first)"], True
        elif old is not None:
            diff = provider.diff(old.id or "", reveal(old.outputs), reveal(checked))
            changes = diff.changes if diff.changes is not None else bool(
                changed_keys(old.inputs, checked))
            replaces = list(diff.replaces or []) if changes else []
            op = "replace" if replaces else "update" if changes else "same"
            dbr = reg.delete_before_replace or bool(diff.delete_before_replace)
            stables = list(diff.stables or [])
        step = Step(
            op, urn, reg.type, reg.name,
            changed=changed_keys(old.inputs, checked) if old else sorted(checked),
            replace_fields=replaces, delete_before_replace=dbr and op == "replace",
            inputs=display(checked), old_inputs=display(old.inputs) if old else {},
        )
        self._add_step(step)
        if self.preview:
            if op == "replace" and dbr:
                with self._lock:
                    live = [r for r in self._cp.resources if not r.delete]
                self._doomed.update(r.urn for r in dependents_of(urn, live))
            return self._preview_answer(urn, op, old, checked, stables)
        secret_outs = _secret_output_keys(provider, checked, reg.additional_secret_outputs)
        if op != "same":
            self.emit("step-start", f"{step.symbol} {op} {label}", step)
        try:
            if op == "replace" and dbr and old is not None:
                self._delete_dependents_first(urn, label)
            record = self._apply(op, provider, urn, reg, old, checked, secret_outs, dbr)
        except Exception as exc:  # a provider error: report it, the resource keeps its old record
            raise self._fail(step, f"{op} of {label} failed: {exc}", checked,
                             old.outputs if old else {}) from exc
        step.status = "done"
        if op != "same":
            self.emit("step-done", f"{step.symbol} {op} {label}: done", step)
        return urn, record.id or "", record.outputs

    def _check(self, provider: ResourceProvider, olds: Props, news: Props, label: str) -> Props:
        result = provider.check(reveal(olds), reveal(news))
        if result.failures:
            reasons = "; ".join(f"{f.property}: {f.reason}" for f in result.failures)
            raise InvalidResourceInputs(f"{label}: invalid inputs: {reasons}")
        return mark_secret(dict(result.inputs), secret_keys(news))

    def _preview_answer(
        self, urn: str, op: Op, old: ResourceState | None, checked: Props, stables: list[str]
    ) -> tuple[str, str, Props]:
        # What the provider would compute stays unknown: the SDK resolves absent keys as unknown.
        if op == "same" and old is not None:
            return urn, old.id or "", old.outputs
        if op == "update" and old is not None:
            kept = {k: v for k, v in old.outputs.items() if k in stables}
            return urn, old.id or "", {**kept, **drop_unknowns(checked)}
        return urn, "", drop_unknowns(checked)

    # -- steps that touch the cloud ------------------------------------------------------------

    def _apply(
        self, op: Op, provider: ResourceProvider, urn: str, reg: Registration,
        old: ResourceState | None, checked: Props, secret_outs: set[str], dbr: bool,
    ) -> ResourceState:
        if op == "same" and old is not None:
            record = self._record_for(urn, reg, id=old.id, inputs=checked, outputs=old.outputs,
                                      created=old.created, modified=old.modified)
            if record != old:
                self._put(record, replacing=old)
                self._checkpoint()
            return record
        if op == "update" and old is not None:
            pending = self._begin("updating", old.replace(inputs=checked))
            try:
                result = provider.update(old.id or "", reveal(old.outputs), reveal(checked))
            except Exception:
                self._end(pending)
                raise
            outs = result.outs if result.outs is not None else reveal(old.outputs)
            record = self._record_for(urn, reg, id=old.id, inputs=checked,
                                      outputs=mark_secret(outs, secret_outs),
                                      created=old.created, modified=now())
            with self._lock:
                self._forget(pending)
                self._put(record, replacing=old)
                self._checkpoint()
            return record
        if op == "replace" and dbr and old is not None and self._present(old):
            self._delete(old)
        return self._create(provider, urn, reg, checked, secret_outs,
                            replacing=old if op == "replace" and not dbr else None)

    def _create(
        self, provider: ResourceProvider, urn: str, reg: Registration, checked: Props,
        secret_outs: set[str], replacing: ResourceState | None,
    ) -> ResourceState:
        pending = self._begin("creating", self._record_for(urn, reg, inputs=checked))
        try:
            result = provider.create(reveal(checked))
        except Exception:
            self._end(pending)  # a failed create is transactional: nothing exists
            raise
        record = self._record_for(urn, reg, id=str(result.id), inputs=checked,
                                  outputs=mark_secret(result.outs or {}, secret_outs),
                                  created=now(), modified=now())
        with self._lock:
            self._forget(pending)
            if replacing is not None:  # create-before-delete: the old copy waits for the end
                self._put(replacing.replace(delete=True), replacing=replacing)
            self._put(record)
            self._checkpoint()
        return record

    def _delete(self, record: ResourceState) -> None:
        if record.custom:
            provider = provider_for(record.type, _label(record.type, record.name))
            pending = self._begin("deleting", record)
            try:
                provider.delete(record.id or "", reveal(record.outputs))
            except Exception:
                self._end(pending)
                raise
            self._forget(pending)
        with self._lock:
            self._drop(record)
            self._checkpoint()

    def _delete_dependents_first(self, urn: str, label: str) -> None:
        with self._lock:
            live = [r for r in self._cp.resources if not r.delete]
        for dependent in dependents_of(urn, live):
            self.emit("info", f"- delete {_label(dependent.type, dependent.name)} "
                              f"before replacing {label}")
            self._doomed.add(dependent.urn)
            self._delete(dependent)

    # -- after the program ---------------------------------------------------------------------

    def leftovers(self) -> list[ResourceState]:
        """Resources to delete after a successful program: replaced copies and resources the
        program no longer declares."""
        with self._lock:
            return [r for r in self._cp.resources
                    if r.delete or (r.urn not in self._registered and r.type != STACK_TYPE)]

    def pending_notes(self) -> list[str]:
        """What a preview should say about operations a killed run left half-done."""
        return [f"a previous run was interrupted while {op.type} "
                f"{_label(op.resource.type, op.resource.name)}; apply settles it first"
                for op in self._cp.pending]

    def plan_deletes(self) -> None:
        self._plan_deletes_of(self.leftovers())

    def plan_destroy(self) -> None:
        with self._lock:
            self._plan_deletes_of(self._cp.resources)

    def _plan_deletes_of(self, records: list[ResourceState]) -> None:
        for r in deletion_order(records):
            if r.type != STACK_TYPE:
                self._add_step(Step("delete", r.urn, r.type, r.name,
                                    old_inputs=display(r.inputs)))

    def delete_leftovers(self) -> None:
        self._delete_all(self.leftovers())

    def destroy_all(self) -> None:
        with self._lock:
            everything = list(self._cp.resources)
        self._delete_all(everything)

    def _delete_all(self, records: list[ResourceState]) -> None:
        """Dependents first; independent deletes in parallel; stop after a failed wave."""
        with ThreadPoolExecutor(max_workers=self._parallel) as pool:
            for wave in deletion_waves(records):
                list(pool.map(self._delete_step, wave))
                if self.failed:
                    return

    def _delete_step(self, record: ResourceState) -> None:
        if record.type == STACK_TYPE:  # the root stack: nothing to call, just forget it
            self._drop(record)
            self._checkpoint()
            return
        label = _label(record.type, record.name)
        step = self._add_step(Step("delete", record.urn, record.type, record.name,
                                   old_inputs=display(record.inputs)))
        self.emit("step-start", f"- delete {label}", step)
        try:
            self._delete(record)
        except Exception as exc:
            self._fail(step, f"delete of {label} failed: {exc}", record.inputs, record.outputs)
            return
        step.status = "done"
        self.emit("step-done", f"- delete {label}: done", step)

    # -- refresh -------------------------------------------------------------------------------

    def refresh_all(self) -> None:
        """Read every resource back from its backend (`provider.read`): a resource gone from the
        backend becomes a delete step, changed outputs an update step. Written unless preview."""
        with self._lock:
            live = [r for r in self._cp.resources if r.custom and not r.delete]
        with ThreadPoolExecutor(max_workers=self._parallel) as pool:
            list(pool.map(self._refresh_step, live))

    def _refresh_step(self, record: ResourceState) -> None:
        label = _label(record.type, record.name)
        step = self._add_step(Step("same", record.urn, record.type, record.name,
                                   old_inputs=display(record.inputs)))
        try:
            provider = provider_for(record.type, label)
            result = provider.read(record.id or "", reveal(record.outputs))
        except Exception as exc:
            self._fail(step, f"read of {label} failed: {exc}", record.inputs, record.outputs)
            return
        if not result.id:
            step.op = "delete"
            updated = None
        else:
            keys = _secret_output_keys(provider, record.outputs, record.additional_secret_outputs)
            outputs = mark_secret(result.outs or {}, keys | secret_keys(record.outputs))
            read_inputs = getattr(result, "inputs", None)  # ReadResult.inputs: SDK >= 3.150-ish
            inputs = record.inputs if read_inputs is None else mark_secret(
                read_inputs, secret_keys(record.inputs))
            step.changed = changed_keys(record.outputs, outputs)
            step.inputs = display(inputs)
            if not step.changed and inputs == record.inputs:
                step.status = "done"
                return
            step.op = "update"
            updated = record.replace(id=str(result.id), inputs=inputs, outputs=outputs,
                                     modified=now())
        if not self.preview:
            with self._lock:
                if updated is None:
                    self._drop(record)
                else:
                    self._put(updated, replacing=record)
                self._checkpoint()
            self.emit("step-done", f"{step.symbol} refresh {label}: "
                                   f"{'gone from the backend' if updated is None else 'changed'}",
                      step)
        step.status = "done"

    # -- recovery ------------------------------------------------------------------------------

    def settle_pending(self) -> None:
        """Settle the operations a killed run left half-done, before anything else runs.

        creating: the provider's `find` tells whether the resource exists (adopted) or not;
            without `find` the engine cannot know and stops, naming the resources.
        updating: the record still holds the old inputs, so this run's diff redoes the update.
        deleting: the provider's `read` tells whether the resource is gone; if it still exists
            it stays in state and is deleted again if the program no longer declares it.
        """
        with self._lock:
            pending = list(self._cp.pending)
        if not pending:
            return
        unknown = [op.resource for op in pending
                   if op.type == "creating" and not can_find(op.resource.type)]
        if unknown:
            names = ", ".join(_label(r.type, r.name) for r in unknown)
            raise PendingOperations(
                f"stack {self.stack.name}: a previous run was interrupted while creating {names}; "
                "their providers cannot look them up, so civicloud cannot tell whether they exist. "
                "Check the backend, delete any half-created resource, then clear the interrupted "
                "operations (`civicloud state clear-pending`)."
            )
        for op in pending:
            r = op.resource
            label = _label(r.type, r.name)
            if op.type == "creating":
                provider = provider_for(r.type, label)
                found = provider.find(reveal(r.inputs))  # type: ignore[attr-defined]
                if found is not None and found.id:
                    keys = _secret_output_keys(provider, r.inputs, r.additional_secret_outputs)
                    live = self._cp.live().get(r.urn)
                    if live is not None:  # a create-before-delete replace: the old copy goes last
                        self._put(live.replace(delete=True), replacing=live)
                    self._cp.resources.append(
                        r.replace(id=str(found.id), outputs=mark_secret(found.outs or {}, keys),
                                  created=now(), modified=now()))
                    self.emit("info", f"{label}: interrupted create had succeeded; adopted")
                else:
                    self.emit("info", f"{label}: interrupted create had not happened")
            elif op.type == "deleting" and r.id:
                provider = provider_for(r.type, label)
                if not provider.read(r.id, reveal(r.outputs)).id:
                    for x in [x for x in self._cp.resources if (x.urn, x.id) == (r.urn, r.id)]:
                        self._drop(x)
                    self.emit("info", f"{label}: interrupted delete had succeeded")
            else:
                self.emit("info", f"{label}: interrupted {op.type} will be retried")
        with self._lock:
            self._cp.pending = []
            self._old = self._cp.live()
            self._checkpoint()
