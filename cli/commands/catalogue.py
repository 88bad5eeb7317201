"""`civicloud catalogue list|show`: the backends a tenant can use, and what is known of them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from civicloud import exitcodes
from civicloud.paths import project_path
from civicloud.spec import Backend, load
from civicloud.spec import report as spec_report

_catalogue_option = click.option(
    "--catalogue", "catalogues", multiple=True, type=click.Path(path_type=Path),
    metavar="FILE|DIR", help="Catalogue file or directory (repeatable). Default: catalogue/.")
_output_option = click.option("-o", "--output", type=click.Choice(["text", "json"]),
                              default="text", show_default=True)


def _backends(catalogues: tuple[Path, ...]) -> dict[str, Backend]:
    bundle = load((), catalogues or (project_path("catalogue"),))
    if not bundle.ok:
        click.echo(spec_report.to_text(bundle.problems.items, len(bundle.files),
                                       advice="fix the catalogue"))
        sys.exit(exitcodes.INVALID_INPUT)
    return bundle.backends


def _qualifications(backend: Backend) -> str:
    return "; ".join(f"{service}: {', '.join(q) or '-'}"
                     for service, q in backend.qualifications.items()) or "-"


@click.group("catalogue")
def command() -> None:
    """The backend catalogue: where each backend is and what it is qualified for.

    A tenant names its backends (compute.backend, storage.backend); the policy
    gate reads their country, jurisdiction and qualifications from here.
    Facts not checked against a source are marked unverified.

    \b
    Examples:
      civicloud catalogue list
      civicloud catalogue list --catalogue catalogue/providers-eu.yaml -o json
      civicloud catalogue show local-s3-fr
    """


@command.command("list")
@_catalogue_option
@_output_option
def list_backends(catalogues: tuple[Path, ...], output: str) -> None:
    """List the backends with provider, region, country, jurisdiction and qualifications."""
    backends = _backends(catalogues)
    if output == "json":
        click.echo(json.dumps([b.model_dump(mode="json") for b in backends.values()], indent=2))
        return
    table = Table(show_lines=False)
    for column in ("name", "kind", "provider", "region", "country", "jurisdiction",
                   "qualifications", "status", "verified"):
        table.add_column(column, overflow="fold", no_wrap=column == "name")
    for b in backends.values():
        table.add_row(b.name, b.kind, b.provider, b.region, b.country, b.jurisdiction,
                      _qualifications(b), b.status, "yes" if b.verified else "no")
    Console(width=max(Console().width, 140)).print(table)


@command.command("show")
@click.argument("name")
@_catalogue_option
@_output_option
def show_backend(name: str, catalogues: tuple[Path, ...], output: str) -> None:
    """Show everything the catalogue knows of backend NAME."""
    backends = _backends(catalogues)
    backend = backends.get(name)
    if backend is None:
        raise click.BadParameter(f"no backend {name!r} in the catalogue "
                                 f"(known: {', '.join(sorted(backends))})", param_hint="NAME")
    data = backend.model_dump(mode="json")
    if output == "json":
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                              for k, v in value.items() if v not in (None, [])) or "-"
        elif isinstance(value, list):
            value = ", ".join(value) or "-"
        elif value is None or value == "":
            value = "-"
        click.echo(f"{click.style(f'{key:<15}', bold=True)}{value}")
