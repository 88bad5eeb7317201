"""`civicloud init`: a tenant file made from a pre-approved template, then validated."""

from __future__ import annotations

import difflib
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from civicloud import exitcodes
from civicloud.commands._options import spec_options
from civicloud.commands._run import fail
from civicloud.templates.library import Library, Template
from civicloud.templates.options import lang_option, library_or_exit, templates_option
from civicloud.templates.values import ValueProblem, parse_value


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        fail(f"{path} exists: give --force to overwrite it, or another --output")


def _interactive(no_input: bool) -> bool:
    return not no_input and sys.stdin.isatty() and sys.stdout.isatty()


def _choose(library: Library, name: str | None, interactive: bool, lang: str) -> Template:
    if name is None:
        if not library.usable:
            fail("no template is available (see civicloud template list)")
        if not interactive:
            fail("no terminal to ask in: give --template NAME (civicloud template list)")
        from civicloud.templates.prompts import pick_template
        return pick_template(library.usable, lang)
    if name not in library.templates:
        fail(library.refusal(name))
    if not library.is_allowed(name):
        fail(library.refusal(name), exitcodes.POLICY_DENIED)
    return library.templates[name]


def _given(template: Template, settings: tuple[str, ...], today: date) -> dict[str, Any]:
    """The --set values, typed and checked."""
    manifest = template.manifest
    values: dict[str, Any] = {}
    for setting in settings:
        key, sep, raw = setting.partition("=")
        key = key.strip()
        param = manifest.parameter(key)
        if not sep:
            fail(f"--set {setting}: expected NAME=VALUE")
        if param is None:
            names = [p.name for p in manifest.parameters]
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            fail(f"--set {setting}: template {template.name!r} has no parameter {key!r}{hint}; "
                  f"its parameters: {', '.join(names)}")
        try:
            values[key] = parse_value(param, raw, today)
        except ValueProblem as problem:
            fail(f"--set {setting}: {key}: {problem}")
    return values


def _answers(template: Template, given: dict[str, Any], interactive: bool, lang: str,
             today: date) -> dict[str, Any]:
    """Every parameter's value: given with --set, else asked (in a terminal), else its default."""
    if interactive:
        from civicloud.templates.prompts import ask
    params = template.manifest.parameters
    missing = [p for p in params if p.required and p.name not in given and not interactive]
    if missing:
        lines = "\n".join(f"  {p.name} ({p.type}): {p.help.get(lang)}" for p in missing)
        fail(f"missing value{'s' * (len(missing) > 1)} for template {template.name!r} "
              f"(give them with --set NAME=VALUE):\n{lines}")
    values = {}
    for param in params:
        if param.name in given:
            values[param.name] = given[param.name]
        elif interactive:
            values[param.name] = ask(param, lang, today)
        else:
            values[param.name] = parse_value(param, param.default, today)
    return values


def _target(text: str, output: Path | None) -> Path:
    if output is not None:
        return output
    from civicloud.spec.yamlsource import parse_text
    documents, _ = parse_text(text, "<rendered>")
    data = documents[0].data if documents else None
    name = data.get("metadata", {}).get("name") if isinstance(data, dict) else None
    return Path("tenants") / f"{name or 'tenant'}.yaml"


@click.command("init")
@click.option("-t", "--template", "template_name", metavar="NAME",
              help="The template to start from (civicloud template list). Asked if omitted.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="A parameter's value (repeatable); the others are asked in a terminal, "
                   "or take their default.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Tenant file to write. Default: tenants/<tenant name>.yaml.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option("--no-input", is_flag=True,
              help="Never ask, even in a terminal: missing required values are an error.")
@templates_option
@lang_option
@spec_options
@click.option("--format", "report_format", type=click.Choice(["text", "json", "sarif"]),
              default="text", show_default=True, help="Format of the validation report.")
@click.pass_context
def command(ctx: click.Context, template_name: str | None, settings: tuple[str, ...],
            output: Path | None, force: bool, no_input: bool, template_dirs: tuple[Path, ...],
            lang: str, catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...],
            now: datetime | None, report_format: str) -> None:
    """Make a tenant file from a pre-approved template, then validate it.

    In a terminal, civicloud asks for the template and each parameter (defaults
    pre-filled, values checked as you type). In scripts, give them with
    --template and --set: a required value missing is an error (exit 2).
    The file written has comments explaining each value; it is then checked
    exactly as by `civicloud validate` (same report, same exit codes).

    \b
    Examples:
      civicloud init
      civicloud init --template communal-website --set tenant_name=vence-web \\
          --set authority="Commune de Vence" --set siren=210601522 \\
          --set contact=dsi@ville-vence.example \\
          --set admin_ssh_key="$(cat ~/.ssh/id_ed25519.pub)" --output tenants/vence-web.yaml
      civicloud init --templates /srv/sictiam/templates

    \b
    Exit codes: 0 written, valid and compliant; 1 interrupted (nothing written);
                2 invalid input; 3 denied by a policy rule or template not allowed.
    """
    from civicloud.templates.render import RenderError, header, render

    today = now.date() if now else date.today()
    interactive = _interactive(no_input)
    library = library_or_exit(template_dirs)
    if output is not None:
        _refuse_overwrite(output, force)  # before the questions, not after
    try:
        template = _choose(library, template_name, interactive, lang)
        if interactive:
            click.echo(template.manifest.description.get(lang), err=True)
        values = _answers(template, _given(template, settings, today), interactive, lang, today)
        try:
            text = render(template, values)
        except RenderError as exc:
            fail(f"the template is broken, tell its publisher: {exc}")
        target = _target(text, output)
        _refuse_overwrite(target, force)
        if interactive:
            from civicloud.templates.prompts import confirm
            if not confirm(f"Write {target}?"):
                click.echo("Nothing written.", err=True)
                sys.exit(exitcodes.FAILURE)
    except KeyboardInterrupt:
        click.echo("\nInterrupted: nothing written.", err=True)
        sys.exit(exitcodes.FAILURE)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header(template, values) + text, encoding="utf-8")
    click.echo(f"Wrote {target} from template {template.name!r}; validating it:", err=True)
    from civicloud.commands.validate import command as validate
    try:
        ctx.invoke(validate, paths=(target,), catalogues=catalogues, policy_dirs=policy_dirs,
                   output=report_format, now=now)
    except SystemExit as done:
        if done.code == exitcodes.OK:
            click.echo(f"Next: civicloud plan {target}, then civicloud apply {target}", err=True)
        raise
