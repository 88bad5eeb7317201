"""Options shared by plan, apply and destroy, spelled and documented once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from civicloud.commands.state import _state_option as state_option

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

# Exit codes as every --help ends.
EXIT_CODES = """\b
Exit codes: 0 ok, 1 runtime failure (a backend error: see the failed
            resources), 2 invalid input (nothing touched), 3 denied by a
            policy rule (nothing touched), 4 changes present
            (--detailed-exitcode)."""


def _stack(*decorators: Decorator) -> Decorator:
    def apply(f: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return apply


spec_options = _stack(
    click.option("--catalogue", "catalogues", multiple=True, type=click.Path(path_type=Path),
                 metavar="FILE|DIR",
                 help="Backend catalogue (repeatable). Default: the project's catalogue/ "
                      "directory."),
    click.option("--policy-dir", "policy_dirs", multiple=True,
                 type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="DIR",
                 help="Your own Rego rules, evaluated beside civicloud's (repeatable)."),
    click.option("--now", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
                 metavar="DATE", help="Evaluate as if today were DATE (YYYY-MM-DD): reproducible "
                                      "runs of the date rules (sandbox expiry, waivers)."),
)

engine_options = _stack(
    click.option("--engine", "engine_name", type=click.Choice(["auto", "embedded", "pulumi"]),
                 default="auto", show_default=True, envvar="CIVICLOUD_ENGINE",
                 help="auto: the Pulumi CLI when `pulumi` is on PATH, else the embedded "
                      "engine."),
    state_option,
    click.option("--lock-timeout", type=click.FloatRange(min=0), default=120.0,
                 show_default=True, metavar="SECONDS",
                 help="How long to wait for another run on the same tenant to finish."),
)

refresh_option = click.option(
    "--refresh/--no-refresh", default=True, show_default=True,
    help="Read every resource back from its backend before planning, so the plan restores "
         "what was changed outside civicloud (drift). --no-refresh plans from state alone: "
         "faster, but blind to drift.")

output_option = click.option("-o", "--output", type=click.Choice(["text", "json"]),
                             default="text", show_default=True,
                             help="text for people, json for scripts.")

def all_option(verb: str) -> Decorator:
    """`--all DIR`: every tenant of a directory (the same as giving DIR as an argument)."""
    return click.option("--all", "all_dir", metavar="DIR", help=f"{verb} every tenant of DIR.",
                        type=click.Path(exists=True, file_okay=False, path_type=Path))


def tenant_paths(paths: tuple[Path, ...], all_dir: Path | None,
                 expected: str = "tenant files, a directory or --all DIR") -> tuple[Path, ...]:
    """The arguments plus --all; a usage error (exit 2) when there is neither."""
    paths = paths + ((all_dir,) if all_dir else ())
    if not paths:
        raise click.UsageError(f"give {expected}")
    return paths


yes_option = click.option("--yes", "-y", is_flag=True,
                          help="Do not ask for confirmation (scripts, CI).")
