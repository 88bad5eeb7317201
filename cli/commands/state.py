"""`civicloud state list|show|clear-pending`: what the embedded engine recorded, per stack."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from civicloud import exitcodes
from civicloud.engine.errors import EngineError, InvalidOption, SecretsError

if TYPE_CHECKING:
    from civicloud.engine.embedded import EmbeddedEngine
    from civicloud.engine.state.model import Checkpoint

# The engine (pulumi, grpc) is imported by the subcommands only: `civicloud --help` stays fast.
STACK_TYPE = "pulumi:pulumi:Stack"

_state_option = click.option(
    "--state", "state_url", envvar="CIVICLOUD_STATE", metavar="URL",
    help="Where state lives: a directory, file://PATH or s3://BUCKET/PREFIX?endpoint=URL"
         "&profile=NAME (env CIVICLOUD_STATE). Default: .civicloud/state.")
_output_option = click.option("-o", "--output", type=click.Choice(["text", "json"]),
                              default="text", show_default=True)


@contextmanager
def _errors() -> Iterator[None]:
    """Engine errors as one line and the right exit code, never a traceback."""
    try:
        yield
    except (InvalidOption, SecretsError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    except EngineError as exc:  # locked, unreachable, corrupt state
        click.echo(f"error: {exc}", err=True)
        sys.exit(exitcodes.FAILURE)


def _engine(state_url: str | None) -> EmbeddedEngine:
    from civicloud.engine.embedded import EmbeddedEngine
    from civicloud.engine.state.location import parse_state_url

    return EmbeddedEngine(parse_state_url(state_url).store())


def _stack(name: str):
    from civicloud.engine.base import StackRef

    return StackRef("civicloud", name)


def _checkpoint(engine: EmbeddedEngine, stack: str) -> Checkpoint:
    cp = engine.checkpoint(_stack(stack))
    if cp is None:
        click.echo(f"error: no state for stack {stack} in {engine.store.location(stack)}",
                   err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    return cp


@click.group("state")
def command() -> None:
    """The state the embedded engine keeps per stack (one stack per tenant).

    State is a Pulumi deployment-v3 checkpoint, written after every step,
    with secrets encrypted (CIVICLOUD_STATE_PASSPHRASE). These commands only
    read it (secrets shown as [secret]), except clear-pending.

    \b
    Examples:
      civicloud state list
      civicloud state show vence -o json
      civicloud state clear-pending vence --yes
      civicloud state list --state 's3://civicloud-state/syndicat?endpoint=http://127.0.0.1:8333&profile=local-fr'
    """


@command.command("list")
@_state_option
@_output_option
def list_stacks(state_url: str | None, output: str) -> None:
    """List the stacks with their resource count, serial and interrupted operations."""
    with _errors():
        engine = _engine(state_url)
        rows = []
        for stack in engine.store.stacks():
            cp = _checkpoint(engine, stack)
            rows.append({"stack": stack, "engine": cp.engine, "serial": cp.serial,
                         "resources": sum(1 for r in cp.resources if r.type != STACK_TYPE),
                         "pending": len(cp.pending)})
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table()
    for column in ("stack", "resources", "serial", "pending", "engine"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in ("stack", "resources", "serial", "pending",
                                               "engine")))
    Console().print(table)


@command.command("show")
@click.argument("stack")
@_state_option
@_output_option
def show_stack(stack: str, state_url: str | None, output: str) -> None:
    """Show STACK's resources (type, name, id) and any interrupted operation."""
    with _errors():
        cp = _checkpoint(_engine(state_url), stack)
    from civicloud.engine.values import display

    resources = [r for r in cp.resources if r.type != STACK_TYPE]
    if output == "json":
        click.echo(json.dumps({
            "stack": stack, "serial": cp.serial, "outputs": display(cp.stack_outputs()),
            "resources": [{"urn": r.urn, "type": r.type, "id": r.id, "parent": r.parent,
                           "replaced": r.delete, "inputs": display(r.inputs),
                           "outputs": display(r.outputs)} for r in resources],
            "pending_operations": [{"type": p.type, "urn": p.resource.urn} for p in cp.pending],
        }, indent=2))
        return
    table = Table(title=f"stack {stack} (serial {cp.serial})")
    for column in ("type", "name", "id", "note"):
        table.add_column(column, overflow="fold")
    for r in resources:
        table.add_row(r.type.rsplit(":", 1)[-1], r.name, r.id or "-",
                      "replaced, to delete" if r.delete else "")
    Console().print(table)
    for p in cp.pending:
        click.echo(f"interrupted: {p.type} {p.resource.type.rsplit(':', 1)[-1]} "
                   f"'{p.resource.name}' (settled on the next apply, or see clear-pending)")


@command.command("clear-pending")
@click.argument("stack")
@_state_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def clear_pending(stack: str, state_url: str | None, yes: bool) -> None:
    """Forget STACK's interrupted operations, after you checked the backend by hand.

    Use it when apply stops because a create was interrupted and its provider
    cannot look the resource up: delete any half-created resource on the
    backend first, then clear, then apply again.
    """
    with _errors():
        engine = _engine(state_url)
        cp = _checkpoint(engine, stack)
        if not cp.pending:
            click.echo(f"stack {stack}: no interrupted operation")
            return
        for p in cp.pending:
            click.echo(f"interrupted: {p.type} {p.resource.urn}")
        if not yes:
            click.confirm("Forget these operations?", abort=True)
        count = engine.clear_pending(_stack(stack),
                                     on_event=lambda e: click.echo(e.message, err=True))
    click.echo(f"stack {stack}: {count} interrupted operation(s) cleared")
