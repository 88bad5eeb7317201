"""One run of a program against one stack: each registration becomes a step.

Called concurrently from the monitor's gRPC threads (the SDK registers independent resources in
parallel): provider calls run outside any lock, at most `parallel` at a time, and every change
goes through the ledger (checkpointed, with a pending operation around each provider call).
Ordering between dependent resources comes from the SDK: a dependent is registered only once
its dependencies' registrations have returned.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import ResourceProvider

from civicloud.engine.base import Op, StackRef, Step
from civicloud.engine.embedded.deletes import delete_resource
from civicloud.engine.embedded.ledger import Ledger
from civicloud.engine.embedded.progress import Progress, label
from civicloud.engine.errors import EngineError, InvalidResourceInputs
from civicloud.engine.graph import dependents_of
from civicloud.engine.registry import can_find, provider_for, secret_output_keys
from civicloud.engine.state.model import STACK_TYPE, ResourceState, now
from civicloud.engine.values import (
    Props,
    changed_keys,
    display,
    drop_unknowns,
    mark_secret,
    reveal,
    secret_keys,
)


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


class Deployment:
    def __init__(self, stack: StackRef, ledger: Ledger, progress: Progress, *, preview: bool,
                 parallel: int) -> None:
        self.stack = stack
        self.ledger = ledger
        self.progress = progress
        self.preview = preview
        self._slots = threading.BoundedSemaphore(max(1, parallel))
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0
        self._old = ledger.live()  # the state this run started from
        self._registered: set[str] = set()
        self._doomed: set[str] = set()  # deleted early: a dependency is replaced delete-first
        self.root_urn: str | None = None
        self.stack_outputs: Props = dict(next(
            (r.outputs for r in self._old.values() if r.type == STACK_TYPE), {}))

    # -- called by the monitor -----------------------------------------------------------------

    def register(self, reg: Registration) -> tuple[str, str, Props]:
        """Returns (urn, id, outputs) for the SDK; raises EngineError to fail the registration."""
        urn = make_urn(self.stack, reg.type, reg.name, reg.parent)
        with self._lock:
            if self.progress.failed:
                raise StepSkipped(f"{label(reg.type, reg.name)}: not started, "
                                  "an earlier step failed")
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
        if urn == self.root_urn:
            self.stack_outputs = outputs
        record = self.ledger.live().get(urn)
        if record is None or self.preview or record.outputs == outputs:
            return
        with self.ledger.lock:
            self.ledger.put(record.replace(outputs=outputs))
            self.ledger.checkpoint()

    def leftovers(self) -> list[ResourceState]:
        """What to delete after a successful program: replaced copies and resources the program
        no longer declares."""
        return [r for r in self.ledger.records()
                if r.delete or (r.urn not in self._registered and r.type != STACK_TYPE)]

    # -- registrations -------------------------------------------------------------------------

    def _record_for(self, urn: str, reg: Registration, **fields: Any) -> ResourceState:
        return ResourceState(
            urn=urn, type=reg.type, custom=reg.custom, parent=reg.parent,
            dependencies=reg.dependencies, property_dependencies=reg.property_dependencies,
            additional_secret_outputs=reg.additional_secret_outputs, **fields,
        )

    def _register_root(self, urn: str, reg: Registration) -> tuple[str, str, Props]:
        self.root_urn = urn
        if not self.preview and urn not in self._old:
            self.ledger.put(self._record_for(urn, reg, created=now()))
        return urn, "", {}

    def _register_component(self, urn: str, reg: Registration) -> tuple[str, str, Props]:
        old = self._old.get(urn)
        step = self.progress.add_step(Step("same" if old else "create", urn, reg.type, reg.name))
        if not self.preview:
            record = self._record_for(urn, reg, outputs=old.outputs if old else {},
                                      created=old.created if old else now(),
                                      modified=old.modified if old else now())
            if record != old:  # only a real change moves the serial
                with self.ledger.lock:
                    self.ledger.put(record)
                    self.ledger.checkpoint()
            step.status = "done"
        return urn, "", {}

    def _register_custom(self, urn: str, reg: Registration) -> tuple[str, str, Props]:
        name = label(reg.type, reg.name)
        provider = provider_for(reg.type, name)
        old = self._old.get(urn)
        if old is not None and not self.ledger.present(old):
            old = None  # already deleted this run (a dependency was replaced delete-first)
        checked = self._check(provider, old.inputs if old else {}, reg.inputs, name)
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
        step = self.progress.add_step(Step(
            op, urn, reg.type, reg.name,
            changed=changed_keys(old.inputs, checked) if old else sorted(checked),
            replace_fields=replaces, delete_before_replace=dbr and op == "replace",
            inputs=display(checked), old_inputs=display(old.inputs) if old else {},
        ))
        if self.preview:
            if op == "replace" and dbr:
                self._doomed.update(r.urn for r in dependents_of(urn, self.ledger.live().values()))
            return self._preview_answer(urn, op, old, checked, stables)
        secret_outs = secret_output_keys(provider, checked, reg.additional_secret_outputs)
        if op != "same":
            self.progress.emit("step-start", f"{step.symbol} {op} {name}", step)
        try:
            if op == "replace" and dbr and old is not None:
                self._delete_dependents_first(urn, name)
            record = self._apply(op, provider, urn, reg, old, checked, secret_outs, dbr)
        except Exception as exc:  # a provider error: report it, the resource keeps its old record
            raise self.progress.fail(step, f"{op} of {name} failed: {exc}", checked,
                                     old.outputs if old else {}) from exc
        step.status = "done"
        if op != "same":
            self.progress.emit("step-done", f"{step.symbol} {op} {name}: done", step)
        return urn, record.id or "", record.outputs

    def _check(self, provider: ResourceProvider, olds: Props, news: Props, name: str) -> Props:
        result = provider.check(reveal(olds), reveal(news))
        if result.failures:
            reasons = "; ".join(f"{f.property}: {f.reason}" for f in result.failures)
            raise InvalidResourceInputs(f"{name}: invalid inputs: {reasons}")
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
                with self.ledger.lock:
                    self.ledger.put(record, replacing=old)
                    self.ledger.checkpoint()
            return record
        if op == "update" and old is not None:
            pending = self.ledger.begin("updating", old.replace(inputs=checked))
            try:
                result = provider.update(old.id or "", reveal(old.outputs), reveal(checked))
            except Exception:
                self.ledger.end(pending)
                raise
            outs = result.outs if result.outs is not None else reveal(old.outputs)
            record = self._record_for(urn, reg, id=old.id, inputs=checked,
                                      outputs=mark_secret(outs, secret_outs),
                                      created=old.created, modified=now())
            with self.ledger.lock:
                self.ledger.forget(pending)
                self.ledger.put(record, replacing=old)
                self.ledger.checkpoint()
            return record
        if op == "replace" and dbr and old is not None and self.ledger.present(old):
            delete_resource(self.ledger, old)
        return self._create(provider, urn, reg, checked, secret_outs,
                            replacing=old if op == "replace" and not dbr else None)

    def _create(
        self, provider: ResourceProvider, urn: str, reg: Registration, checked: Props,
        secret_outs: set[str], replacing: ResourceState | None,
    ) -> ResourceState:
        pending = self.ledger.begin("creating", self._record_for(urn, reg, inputs=checked))
        try:
            result = provider.create(reveal(checked))
        except Exception:
            # A provider may fail after its resource came to exist (a failed verification, a
            # server in ERROR): where it can look the resource up, the pending create stays so
            # the next run's recovery adopts it instead of leaking it. Not while an old copy of
            # the same name still exists (create-before-delete): `find` can't tell them apart.
            if replacing is not None or not can_find(reg.type):
                self.ledger.end(pending)
            raise
        record = self._record_for(urn, reg, id=str(result.id), inputs=checked,
                                  outputs=mark_secret(result.outs or {}, secret_outs),
                                  created=now(), modified=now())
        with self.ledger.lock:
            self.ledger.forget(pending)
            if replacing is not None:  # create-before-delete: the old copy waits for the end
                self.ledger.put(replacing.replace(delete=True), replacing=replacing)
            self.ledger.put(record)
            self.ledger.checkpoint()
        return record

    def _delete_dependents_first(self, urn: str, name: str) -> None:
        for dependent in dependents_of(urn, self.ledger.live().values()):
            self.progress.emit("info", f"- delete {label(dependent.type, dependent.name)} "
                                       f"before replacing {name}")
            self._doomed.add(dependent.urn)
            delete_resource(self.ledger, dependent)
