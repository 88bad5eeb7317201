"""What every engine offers (embedded or Pulumi CLI), and the values it hands back.

A program is a Pulumi inline program: a function that declares resources. Engines differ in
how they run it, never in what a caller sees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Program = Callable[[], None]
Op = Literal["create", "update", "replace", "delete", "same"]
Status = Literal["planned", "done", "failed", "skipped"]

# The symbols of Terraform/Pulumi plans, for the CLI.
OP_SYMBOLS: dict[str, str] = {
    "create": "+", "update": "~", "replace": "-/+", "delete": "-", "same": " ",
}


@dataclass(frozen=True)
class StackRef:
    """One stack of one project; `config` is Pulumi config (`project:key` -> value)."""

    project: str
    name: str
    config: Mapping[str, str] = field(default_factory=dict)
    secret_config: frozenset[str] = frozenset()


@dataclass
class Step:
    """One resource's planned or performed change. `inputs` are printable: secrets masked,
    unknown values shown as '(known after apply)'."""

    op: Op
    urn: str
    type: str
    name: str
    changed: list[str] = field(default_factory=list)  # input fields that differ
    replace_fields: list[str] = field(default_factory=list)  # the ones that force a replace
    delete_before_replace: bool = False
    inputs: dict[str, Any] = field(default_factory=dict)
    old_inputs: dict[str, Any] = field(default_factory=dict)
    status: Status = "planned"
    error: str | None = None

    @property
    def symbol(self) -> str:
        return OP_SYMBOLS[self.op]


@dataclass
class Plan:
    stack: str
    engine: str
    steps: list[Step]
    outputs: dict[str, Any]  # stack outputs, printable
    serial: int  # the state serial the plan was computed against
    notes: list[str] = field(default_factory=list)  # e.g. interrupted operations to settle

    @property
    def changes(self) -> list[Step]:
        return [s for s in self.steps if s.op != "same"]

    def summary(self) -> dict[str, int]:
        counts = {op: 0 for op in OP_SYMBOLS}
        for s in self.steps:
            counts[s.op] += 1
        return counts


@dataclass
class Result:
    stack: str
    engine: str
    ok: bool
    steps: list[Step]
    outputs: dict[str, Any]
    errors: list[str]
    invalid: bool = False  # failed on the program's input (exit 2), not on a backend (exit 1)

    def failed(self) -> list[Step]:
        return [s for s in self.steps if s.status == "failed"]


@dataclass(frozen=True)
class Event:
    """Progress of a run. kind: step-start | step-done | step-failed | log | wait | info."""

    kind: str
    message: str
    step: Step | None = None


OnEvent = Callable[[Event], None]


def ignore_event(_event: Event) -> None:
    return None


class Engine(Protocol):
    name: str

    # refresh: read every resource back from its backend first, so the plan restores drift.
    def preview(self, stack: StackRef, program: Program, refresh: bool = False) -> Plan: ...

    def up(self, stack: StackRef, program: Program, on_event: OnEvent = ignore_event,
           refresh: bool = False) -> Result: ...

    def preview_destroy(self, stack: StackRef) -> Plan: ...

    def destroy(self, stack: StackRef, on_event: OnEvent = ignore_event) -> Result: ...

    def outputs(self, stack: StackRef, reveal: bool = False) -> dict[str, Any]: ...
