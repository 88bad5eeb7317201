"""Plans for people and scripts: Terraform-like `+ ~ - -/+` lines, a summary line, JSON.

Step inputs arrive already printable (secrets masked, unknowns spelled out by the engine), so
nothing here can leak a secret.
"""

from __future__ import annotations

import json
from typing import Any

import click

from civicloud.engine.base import Plan, Step
from civicloud.engine.values import SECRET_MASK, UNKNOWN_DISPLAY

COLOURS = {"create": "green", "update": "yellow", "replace": "magenta", "delete": "red"}
VERBS = {"create": "created", "update": "updated in place", "replace": "replaced",
         "delete": "destroyed"}


def kind(step: Step) -> str:
    """`pulumi-python:dynamic/civicloud:Bucket` -> `Bucket`."""
    return step.type.rsplit(":", 1)[-1]


def ordered(steps: list[Step]) -> list[Step]:
    # Registration order depends on thread timing: sort so two plans of one spec read the same.
    return sorted(steps, key=lambda s: (s.name, kind(s)))


def _value(value: Any) -> str:
    """JSON, except the two markers, which read better bare."""
    if value in (SECRET_MASK, UNKNOWN_DISPLAY):
        return value
    return json.dumps(value, ensure_ascii=False)


def field_lines(step: Step, creates: bool = True) -> list[str]:
    """The fields a sysadmin must read: new ones on create (`creates`), old -> new on
    update/replace. A field repeating the resource's name says nothing: left out."""
    if step.op == "create":
        return [f"{k} = {_value(v)}" for k, v in sorted(step.inputs.items())
                if creates and v != step.name]
    if step.op in ("update", "replace"):
        lines = []
        for k in step.changed:
            old, new = step.old_inputs.get(k), step.inputs.get(k)
            note = "  # forces replacement" if k in step.replace_fields else ""
            lines.append(f"{k}: {_value(old)} -> {_value(new)}{note}")
        return lines
    return []


def summary_line(plan: Plan) -> str:
    c = plan.summary()
    return (f"Plan: {c['create']} to add, {c['update']} to change, {c['replace']} to replace, "
            f"{c['delete']} to destroy.")


def render_text(plan: Plan, *, creates: bool = True) -> str:
    """The plan of one tenant; `creates=False` lists created resources without their fields."""
    lines = [click.style(f"Tenant {plan.stack}", bold=True)]
    lines += [f"  note: {note}" for note in plan.notes]
    if not plan.changes:
        lines.append("  No changes. The backends match the tenant file.")
    for step in ordered(plan.changes):
        head = f"  {step.symbol:>3} {kind(step)} {step.name}"
        lines.append(click.style(head, fg=COLOURS.get(step.op)))
        lines += [f"        {line}" for line in field_lines(step, creates)]
    lines.append(summary_line(plan))
    return "\n".join(lines)


def step_dict(step: Step) -> dict[str, Any]:
    return {"op": step.op, "symbol": step.symbol, "type": step.type, "kind": kind(step),
            "name": step.name, "urn": step.urn, "changed": step.changed,
            "replace_fields": step.replace_fields, "inputs": step.inputs,
            "old_inputs": step.old_inputs, "status": step.status, "error": step.error}


def plan_dict(plan: Plan) -> dict[str, Any]:
    counts = plan.summary()
    return {"tenant": plan.stack, "engine": plan.engine, "serial": plan.serial,
            "summary": {"add": counts["create"], "change": counts["update"],
                        "replace": counts["replace"], "destroy": counts["delete"],
                        "unchanged": counts["same"]},
            "notes": plan.notes, "changes": [step_dict(s) for s in ordered(plan.changes)],
            "outputs": plan.outputs}


def planned_resources(plan: Plan) -> list[dict[str, Any]]:
    """What policy gate 2 reads: every planned resource (unchanged ones too) with its inputs."""
    return [{"urn": s.urn, "type": s.type, "name": s.name, "op": s.op, "inputs": s.inputs}
            for s in plan.steps]
