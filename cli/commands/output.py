"""`civicloud output`: what a tenant's apply exported (ids, addresses, bucket names...)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from civicloud import exitcodes
from civicloud.commands._options import engine_options, output_option
from civicloud.commands._run import EngineOptions, engine_errors
from civicloud.commands._tenants import stack_ref, tenant_named


def _select(outputs: dict[str, Any], name: str) -> Any:
    """NAME is an output, or a dotted path into one (servers.web-1.address)."""
    value: Any = outputs
    walked = []
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            where = ".".join(walked) or "the tenant's outputs"
            known = ", ".join(sorted(value)) if isinstance(value, dict) else "none (a value)"
            click.echo(f"error: no output {name!r}: {where} has no {part!r} "
                       f"(known: {known})", err=True)
            sys.exit(exitcodes.INVALID_INPUT)
        value = value[part]
        walked.append(part)
    return value


@click.command("output")
@click.argument("tenant", metavar="TENANT_FILE|NAME")
@click.argument("name", required=False)
@click.option("--show-secrets", is_flag=True,
              help="Print secret outputs in clear (needs CIVICLOUD_STATE_PASSPHRASE).")
@engine_options
@output_option
def command(tenant: str, name: str | None, show_secrets: bool, engine_name: str,
            state_url: str | None, lock_timeout: float, output: str) -> None:
    """Show the outputs of a tenant's last apply, or one of them.

    Secrets (the automation credential) read [secret] unless --show-secrets.
    NAME may be a dotted path; a single text value is printed bare, for
    scripts.

    \b
    Examples:
      civicloud output vence
      civicloud output vence project_id
      civicloud output vence servers.web-1.address
      civicloud output examples/vence-community.yaml -o json
      civicloud output vence automation_credential_secret --show-secrets

    \b
    Exit codes: 0 ok, 1 state unreachable, 2 no such tenant, output or passphrase.
    """
    tenant_name, _ = tenant_named(tenant)
    with engine_errors():
        run = EngineOptions(engine_name, state_url, lock_timeout).open()
        outputs = run.engine.outputs(stack_ref(tenant_name), reveal=show_secrets)
    if not outputs:
        click.echo(f"error: no outputs for tenant {tenant_name}: it was never applied with this "
                   "--state (see `civicloud state list`)", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    value = _select(outputs, name) if name else outputs
    if output == "json":
        click.echo(json.dumps(value, indent=2, ensure_ascii=False))
    elif isinstance(value, str):
        click.echo(value)
    elif name:
        click.echo(json.dumps(value, indent=2, ensure_ascii=False))
    else:
        for key in sorted(value):
            click.echo(f"{key} = {json.dumps(value[key], ensure_ascii=False)}")
