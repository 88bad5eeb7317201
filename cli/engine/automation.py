"""The `pulumi` engine: the same program run by the Pulumi CLI, through the Automation API.

Used where a `pulumi` binary is on PATH. State goes to the CLI's own DIY backend at the same
location (file:// or s3://), secrets use the CLI's passphrase provider with the same
passphrase. The CLI locks the stack itself and stores its own (pickled-provider) checkpoint,
so a stack stays with the engine that created it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from civicloud.engine.base import (
    Event,
    OnEvent,
    Op,
    Plan,
    Program,
    Result,
    StackRef,
    Step,
    ignore_event,
)
from civicloud.engine.errors import EngineError, ForeignState, StateLocked
from civicloud.engine.secrets import PASSPHRASE_ENV
from civicloud.engine.state.location import StateLocation
from civicloud.engine.state.model import STACK_TYPE
from civicloud.engine.values import SECRET_MASK

# Pulumi's step ops -> ours; the halves of a replacement are folded into one "replace".
_OPS: dict[str, Op] = {
    "create": "create", "update": "update", "delete": "delete", "same": "same",
    "replace": "replace",
}


def step_from_event(md: auto.StepEventMetadata) -> Step | None:
    op = _OPS.get(md.op.value)
    if op is None or md.type == STACK_TYPE:
        return None
    new_inputs = (md.new.inputs if md.new else None) or {}
    old_inputs = (md.old.inputs if md.old else None) or {}
    return Step(
        op=op, urn=md.urn, type=md.type, name=md.urn.rsplit("::", 1)[-1],
        changed=sorted(md.diffs or []), replace_fields=sorted(md.keys or []) if op == "replace"
        else [], inputs={k: v for k, v in new_inputs.items() if k != "__provider"},
        old_inputs={k: v for k, v in old_inputs.items() if k != "__provider"},
    )


class PulumiCliEngine:
    name = "pulumi"

    def __init__(
        self,
        location: StateLocation,
        *,
        work_dir: Path,
        passphrase: str | None = None,
        parallel: int = 8,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.location = location
        self.work_dir = Path(work_dir)
        self._passphrase = passphrase if passphrase is not None else os.environ.get(PASSPHRASE_ENV)
        self.parallel = parallel
        self._env = dict(env or {})

    # -- what the CLI is given (unit-tested; running it needs the binary) ------------------------

    def env_vars(self) -> dict[str, str]:
        if not self._passphrase:
            raise EngineError(f"--engine pulumi: set {PASSPHRASE_ENV} (the passphrase that "
                              "encrypts the stack's secrets)")
        env = {
            "PULUMI_BACKEND_URL": self.location.pulumi_backend_url(),
            "PULUMI_CONFIG_PASSPHRASE": self._passphrase,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
        }
        shared = os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
        if self.location.kind == "s3" and shared:
            env["AWS_SHARED_CREDENTIALS_FILE"] = shared
        return {**env, **self._env}

    def workspace_options(self, stack: StackRef) -> auto.LocalWorkspaceOptions:
        return auto.LocalWorkspaceOptions(
            work_dir=str(self.work_dir),
            project_settings=auto.ProjectSettings(
                name=stack.project, runtime="python",
                backend=auto.ProjectBackend(url=self.location.pulumi_backend_url()),
            ),
            secrets_provider="passphrase",
            env_vars=self.env_vars(),
        )

    def _stack(self, stack: StackRef, program: Program | None) -> auto.Stack:
        self._refuse_embedded_state(stack)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        s = auto.create_or_select_stack(stack.name, stack.project, program or (lambda: None),
                                        opts=self.workspace_options(stack))
        if stack.config:
            s.set_all_config({k: auto.ConfigValue(v, secret=k in stack.secret_config)
                              for k, v in stack.config.items()})
        return s

    def _refuse_embedded_state(self, stack: StackRef) -> None:
        if self.location.store().read(stack.name) is not None:
            raise ForeignState(f"stack {stack.name} was deployed by the embedded engine; "
                               "run it with --engine embedded")

    # -- operations ----------------------------------------------------------------------------

    def preview(self, stack: StackRef, program: Program, refresh: bool = False) -> Plan:
        steps: list[Step] = []
        collector = _Collector(steps, ignore_event)
        try:
            self._stack(stack, program).preview(on_event=collector, parallel=self.parallel,
                                                refresh=refresh)
        except auto.CommandError as exc:
            raise EngineError(collector.error_text() or _short(exc)) from None
        return Plan(stack.name, self.name, steps, {}, 0)

    def up(self, stack: StackRef, program: Program, on_event: OnEvent = ignore_event,
           refresh: bool = False) -> Result:
        steps: list[Step] = []
        collector = _Collector(steps, on_event)
        s = self._stack(stack, program)
        try:
            result = s.up(on_event=collector, parallel=self.parallel, show_secrets=False,
                          refresh=refresh)
        except auto.ConcurrentUpdateError as exc:
            raise StateLocked(f"stack {stack.name} is locked by another update: {_short(exc)}") \
                from None
        except auto.CommandError as exc:
            return Result(stack.name, self.name, False, steps, {},
                          collector.errors or [_short(exc)])
        return Result(stack.name, self.name, True, steps, _outputs(result.outputs, False), [])

    def preview_destroy(self, stack: StackRef) -> Plan:
        steps: list[Step] = []
        collector = _Collector(steps, ignore_event)
        try:
            self._stack(stack, None).preview_destroy(on_event=collector, show_secrets=False)
        except auto.CommandError as exc:
            raise EngineError(collector.error_text() or _short(exc)) from None
        return Plan(stack.name, self.name, steps, {}, 0)

    def destroy(self, stack: StackRef, on_event: OnEvent = ignore_event) -> Result:
        steps: list[Step] = []
        collector = _Collector(steps, on_event)
        try:
            self._stack(stack, None).destroy(on_event=collector, parallel=self.parallel)
        except auto.CommandError as exc:
            return Result(stack.name, self.name, False, steps, {},
                          collector.errors or [_short(exc)])
        return Result(stack.name, self.name, True, steps, {}, [])

    def outputs(self, stack: StackRef, reveal: bool = False) -> dict[str, Any]:
        return _outputs(self._stack(stack, None).outputs(), reveal)


def _outputs(outputs: Mapping[str, auto.OutputValue], reveal: bool) -> dict[str, Any]:
    return {k: v.value if reveal or not v.secret else SECRET_MASK for k, v in outputs.items()}


def _short(exc: Exception) -> str:
    # CommandError carries the whole CLI output; its last non-empty line is the reason.
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


class _Collector:
    """Turns the CLI's engine events into our Steps and Events."""

    def __init__(self, steps: list[Step], on_event: OnEvent) -> None:
        self.steps = steps
        self.errors: list[str] = []
        self._on_event = on_event
        self._by_urn: dict[str, Step] = {}

    def error_text(self) -> str:
        return "\n".join(self.errors)

    def __call__(self, event: auto.EngineEvent) -> None:
        if event.resource_pre_event is not None:
            step = step_from_event(event.resource_pre_event.metadata)
            if step is not None:
                self.steps.append(step)
                self._by_urn[step.urn] = step
                if step.op != "same":
                    self._on_event(Event("step-start", f"{step.symbol} {step.op} {step.name}",
                                         step))
        elif event.res_outputs_event is not None:
            step = self._by_urn.get(event.res_outputs_event.metadata.urn)
            if step is not None and step.status == "planned":
                step.status = "done"
                if step.op != "same":
                    self._on_event(Event("step-done", f"{step.symbol} {step.op} {step.name}: "
                                                      "done", step))
        elif event.res_op_failed_event is not None:
            step = self._by_urn.get(event.res_op_failed_event.metadata.urn)
            if step is not None:
                step.status = "failed"
                self._on_event(Event("step-failed", f"{step.op} {step.name} failed", step))
        elif event.diagnostic_event is not None:
            d = event.diagnostic_event
            if d.severity == "error":
                self.errors.append(d.message.strip())
            self._on_event(Event("log", d.message.strip()))
