"""`civicloud validate`: schema, references and the policy gate, before anything is deployed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from civicloud.commands._gate import locator, run_gate
from civicloud.commands._options import spec_options
from civicloud.commands._tenants import load_checked
from civicloud.spec import bundle_policy_inputs

FORMATS = ("text", "json", "sarif")


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@spec_options
@click.option("-o", "--output", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for scripts, sarif for GitLab/GitHub code scanning.")
def command(paths: tuple[Path, ...], catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...],
            now: datetime | None, output: str) -> None:
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
    bundle = load_checked(paths, catalogues, output)
    sys.exit(run_gate(bundle_policy_inputs(bundle), locator(bundle), policy_dirs=policy_dirs,
                      now=now.replace(tzinfo=UTC) if now else None, output=output))
