"""`civicloud validate`: schema, references and the policy gate, before anything is deployed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from civicloud import exitcodes
from civicloud.paths import project_path
from civicloud.spec import Bundle, SpecError, bundle_policy_inputs, load
from civicloud.spec import report as spec_report

FORMATS = ("text", "json", "sarif")


def _print_problems(bundle: Bundle, output: str) -> None:
    problems = bundle.problems.items
    files = len(bundle.files)
    if output == "json":
        click.echo(spec_report.to_json(problems, files))
    elif output == "sarif":
        click.echo(spec_report.to_sarif(problems))
    else:
        click.echo(spec_report.to_text(problems, files))


def _warn(bundle: Bundle, output: str) -> None:
    """Warnings go along the report in text, to stderr otherwise (stdout stays one document)."""
    warnings = bundle.problems.warnings
    if warnings:
        click.echo(spec_report.to_text(warnings, len(bundle.files), summary=False),
                   err=output != "text")


def run_gate(bundle: Bundle, policy_dirs: tuple[Path, ...], now: datetime | None,
             output: str) -> int:
    # Imported here: a run that stops at schema errors needs no Rego interpreter.
    from civicloud.policy import PolicyError, evaluate
    from civicloud.policy import report as policy_report

    sources = {t.model.metadata.name: t.source for t in bundle.tenants}

    def locate(finding) -> tuple[str, int, int] | None:
        source = sources.get(finding.tenant)
        return source.locate(tuple(finding.path)) if source else None

    try:
        result = evaluate(bundle_policy_inputs(bundle), policy_dirs=policy_dirs, now=now)
    except PolicyError as exc:
        click.echo(click.style(f"policy error: {exc}", fg="red"), err=True)
        return exitcodes.INVALID_INPUT
    render = {"text": policy_report.to_text, "json": policy_report.to_json,
              "sarif": policy_report.to_sarif}[output]
    click.echo(render(result, locate))
    return exitcodes.POLICY_DENIED if result.denied else exitcodes.OK


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--catalogue", "catalogues", multiple=True, type=click.Path(path_type=Path),
              metavar="FILE|DIR",
              help="Backend catalogue (repeatable). Default: the project's catalogue/ directory.")
@click.option("--policy-dir", "policy_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              metavar="DIR", help="Your own Rego rules, evaluated beside civicloud's (repeatable).")
@click.option("-o", "--output", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for scripts, sarif for GitLab/GitHub code scanning.")
@click.option("--now", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              metavar="DATE", help="Evaluate as if today were DATE (YYYY-MM-DD): reproducible "
                                   "runs of the date rules (sandbox expiry, waivers).")
def command(paths: tuple[Path, ...], catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...],
            output: str, now: datetime | None) -> None:
    """Check tenant files before anything is deployed.

    PATHS are tenant, syndicate or catalogue files, or directories searched for *.yaml and
    *.yml (each document says what it is with `kind:`). Three checks, in order:

    \b
      1. schema: every field known, of the right type and value;
      2. references: networks, subnets, security groups, keypairs, users and
         backends named exist; names are unique; subnets do not overlap;
      3. policy gate: data location, qualifications, encryption, quotas,
         sandbox, naming and exposure rules (`civicloud policy list`).

    Problems are reported all at once as FILE:LINE:COLUMN: FIELD: MESSAGE.
    The policy gate runs once every file is valid.

    \b
    Examples:
      civicloud validate examples/vence-community.yaml
      civicloud validate tenants/ --catalogue catalogue/
      civicloud validate tenants/ --policy-dir ~/our-rules -o sarif > civicloud.sarif
      civicloud validate examples/sandbox-pilot.yaml --now 2026-11-25

    \b
    Exit codes: 0 valid and compliant, 2 invalid input (nothing was evaluated),
                3 denied by a policy rule.
    """
    bundle = load(paths, catalogues or (project_path("catalogue"),))
    if bundle.ok and not bundle.tenants:
        where = ", ".join(str(p) for p in paths)
        bundle.problems.add(SpecError(where, 1, 1, (), "no tenant found (no document with "
                                                        "`kind: Tenant`)"))
    if not bundle.ok:
        _print_problems(bundle, output)
        sys.exit(exitcodes.INVALID_INPUT)
    _warn(bundle, output)
    when = now.replace(tzinfo=UTC) if now else None
    sys.exit(run_gate(bundle, policy_dirs, when, output))

