"""`civicloud policy list|test`: the rules of the policy gate, and their Rego unit tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from civicloud import exitcodes
from civicloud.policy import PolicyError, load_rules
from civicloud.policy.testing import run_rego_tests

_policy_dirs = click.option(
    "--policy-dir", "policy_dirs", multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="An authority's own policy folder (.rego files, data/ parameters); repeatable.",
)


@click.group(name="policy")
def command() -> None:
    """The rules of the policy gate (data location, qualifications, encryption...)."""


@command.command("list")
@click.option(
    "-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_policy_dirs
def list_rules(output: str, policy_dirs: tuple[Path, ...]) -> None:
    """List every rule: ID, family, severity, what it checks and its source.

    \b
    Examples:
      civicloud policy list
      civicloud policy list -o json --policy-dir /etc/civicloud/policies
    """
    rules = _or_exit(lambda: load_rules(policy_dirs))
    if output == "json":
        listed = [{
            "id": r.id, "family": r.family, "severity": r.severity, "title": r.title,
            "description": r.description, "source": r.source, "waiver": r.waiver,
            "file": str(r.file),
        } for r in rules.values()]
        click.echo(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    table = Table(show_lines=True)
    for column in ("ID", "Family", "Severity", "Checks", "Source", "How to waive"):
        table.add_column(column)
    for r in rules.values():
        table.add_row(r.id, r.family, r.severity, r.description or r.title, r.source, r.waiver)
    Console(width=None if sys.stdout.isatty() else 160).print(table)


@command.command("test")
@click.option("-v", "--verbose", is_flag=True, help="Show passing tests too.")
@_policy_dirs
def test_rules(verbose: bool, policy_dirs: tuple[Path, ...]) -> None:
    """Run the Rego unit tests (test_* rules of *_test.rego files), like `opa test`.

    Exit code 0 when every test passes, 1 otherwise.

    \b
    Examples:
      civicloud policy test
      civicloud policy test -v --policy-dir ./my-policies
    """
    outcomes = _or_exit(lambda: run_rego_tests(policy_dirs))
    for o in outcomes:
        if verbose or o.status != "pass":
            click.echo(f"{o.file}: {o.status.upper()}: {o.id}{': ' + o.detail if o.detail else ''}")
    failed = sum(o.status != "pass" for o in outcomes)
    click.echo(f"{len(outcomes)} tests, {len(outcomes) - failed} passed, {failed} failed")
    sys.exit(exitcodes.FAILURE if failed or not outcomes else exitcodes.OK)


def _or_exit(action):
    try:
        return action()
    except PolicyError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
