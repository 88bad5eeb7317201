"""`civicloud template list|show|check`: the syndicate's catalogue of pre-approved tenants."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from civicloud import exitcodes
from civicloud.commands._options import spec_options
from civicloud.paths import project_path
from civicloud.templates.library import Library, Template
from civicloud.templates.options import lang_option, library_or_exit, templates_option
from civicloud.templates.values import display

output_option = click.option("-o", "--output", type=click.Choice(["text", "json"]),
                             default="text", show_default=True,
                             help="text for people, json for scripts.")


@click.group("template")
def command() -> None:
    """Pre-approved tenant templates: the syndicate's catalogue.

    A template is a tenant spec with a few parameters (name, sizes, a choice of
    backends...), checked against the policy gate for every combination of its
    choices before it is published. `civicloud init` makes a tenant from one.

    \b
    Examples:
      civicloud template list
      civicloud template show ccas-health
      civicloud template check --templates /srv/sictiam/templates
    """


def _summary(template: Template, library: Library, lang: str) -> dict:
    manifest = template.manifest
    return {"name": manifest.name, "version": manifest.version,
            "title": manifest.title.get(lang), "description": manifest.description.get(lang),
            "classifications": manifest.classifications, "backends": manifest.backends,
            "directory": str(template.directory), "allowed": library.is_allowed(manifest.name)}


@command.command("list")
@templates_option
@lang_option
@output_option
def list_templates(template_dirs: tuple[Path, ...], lang: str, output: str) -> None:
    """List the templates members may use.

    Templates that a policy.yaml of the templates directories does not allow are
    not listed (their count is).
    """
    library = library_or_exit(template_dirs)
    usable = library.usable
    if output == "json":
        click.echo(json.dumps([_summary(t, library, lang) for t in usable], indent=2,
                              ensure_ascii=False))
        return
    rows = [("NAME", "CLASSIFICATION", "TITLE")] + [
        (t.name, ", ".join(t.manifest.classifications), t.manifest.title.get(lang))
        for t in usable]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, classification, title in rows:
        click.echo(f"{name:<{widths[0]}}  {classification:<{widths[1]}}  {title}")
    hidden = len(library.templates) - len(usable)
    if hidden:
        click.echo(f"{hidden} more not allowed by "
                   f"{', '.join(str(p) for p in library.policy_files)}")


@command.command("show")
@click.argument("name")
@templates_option
@lang_option
@output_option
def show(name: str, template_dirs: tuple[Path, ...], lang: str, output: str) -> None:
    """Show a template: what it is for and its parameters."""
    library = library_or_exit(template_dirs)
    template = library.templates.get(name)
    if template is None:
        click.echo(f"error: {library.refusal(name)}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    manifest = template.manifest
    if output == "json":
        data = {**_summary(template, library, lang),
                "parameters": [p.model_dump(mode="json") for p in manifest.parameters]}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(click.style(f"{manifest.name} (version {manifest.version}): "
                           f"{manifest.title.get(lang)}", bold=True))
    click.echo(manifest.description.get(lang))
    click.echo(f"classification: {', '.join(manifest.classifications)}")
    click.echo(f"backends:       {', '.join(manifest.backends)}")
    click.echo(f"files:          {template.directory}/")
    if not library.is_allowed(name):
        click.echo(click.style(f"not allowed: {library.refusal(name)}", fg="yellow"))
    click.echo("\nparameters (civicloud init --set NAME=VALUE):")
    for param in manifest.parameters:
        rules = []
        if param.choices:
            rules.append("one of " + ", ".join(map(display, param.choices)))
        if param.min is not None:
            rules.append(f"min {display(param.min)}")
        if param.max is not None:
            rules.append(f"max {display(param.max)}")
        if param.pattern:
            rules.append(f"matching {param.pattern}")
        default = "required" if param.required else f"default {display(param.default)}"
        click.echo(f"  {click.style(param.name, bold=True)} ({param.type}, {default}"
                   f"{'; ' + '; '.join(rules) if rules else ''})")
        click.echo(f"      {param.help.get(lang)}")


@command.command("check")
@click.argument("names", nargs=-1)
@templates_option
@spec_options
@output_option
def check(names: tuple[str, ...], template_dirs: tuple[Path, ...], catalogues: tuple[Path, ...],
          policy_dirs: tuple[Path, ...], now: datetime | None, output: str) -> None:
    """Check templates before publishing them (default: all of them).

    Each template is rendered with every combination of its enumerated
    parameters (enum and bool; defaults or examples for the others), and each
    rendered tenant goes through the checks of `civicloud validate`: schema,
    references, policy gate. So a tenant made from a published template passes
    the gate by construction. Dates such as today+60 count from --now.

    \b
    Exit codes: 0 every combination passes, 2 a template is invalid (bad
                manifest, render or tenant), 3 a combination is denied by a rule.
    """
    from civicloud.templates.check import check_templates

    library = library_or_exit(template_dirs)
    unknown = [n for n in names if n not in library.templates]
    if unknown:
        click.echo(f"error: {library.refusal(unknown[0])}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    chosen = [library.templates[n] for n in names] or list(library.templates.values())
    when = (now or datetime.now(UTC)).replace(tzinfo=UTC)
    outcomes = check_templates(chosen, catalogues or (project_path("catalogue"),), policy_dirs,
                               when)
    invalid = any(o.errors for o in outcomes)
    denied = any(o.denials for o in outcomes)
    if output == "json":
        click.echo(json.dumps({"ok": not (invalid or denied),
                               "combinations": [o.to_dict() for o in outcomes]}, indent=2))
    else:
        for outcome in outcomes:
            for text in outcome.errors:
                click.echo(click.style(f"{outcome.label}: error: {text}", fg="red"))
            for text in outcome.denials:
                click.echo(click.style(f"{outcome.label}: {text}", fg="red"))
            for text in outcome.warnings:
                click.echo(click.style(f"{outcome.label}: warning: {text}", fg="yellow"))
        for template in chosen:
            mine = [o for o in outcomes if o.template == template.name]
            bad = sum(bool(o.errors or o.denials) for o in mine)
            verdict = click.style("refused", fg="red") if bad else click.style("ok", fg="green")
            click.echo(f"{template.name}: {len(mine)} combination{'s' * (len(mine) != 1)} "
                       f"checked, {bad} refused: {verdict}")
    if invalid:
        sys.exit(exitcodes.INVALID_INPUT)
    if denied:
        sys.exit(exitcodes.POLICY_DENIED)
