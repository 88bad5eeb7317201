"""`civicloud plan`: what apply would change, checked by both policy gates; nothing is written."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from civicloud import exitcodes
from civicloud.commands._options import (
    EXIT_CODES,
    engine_options,
    output_option,
    refresh_option,
    spec_options,
)
from civicloud.commands._run import EngineOptions, plan_tenants
from civicloud.commands._tenants import TenantJob

PLAN_FORMAT = "civicloud-plan/1"


def saved_plan(jobs: list[TenantJob], plans: list, engine: str, state_url: str | None,
               refresh: bool) -> dict:
    """A saved plan: the documents the program ran with and the state serial it was computed
    against, so apply can run exactly this and refuse once state has moved."""
    from civicloud.engine.planview import plan_dict

    return {
        "format": PLAN_FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "state": state_url,
        "refresh": refresh,  # apply reads the backends back as the plan did
        "tenants": [{**job.to_dict(), "plan": plan_dict(plan)}
                    for job, plan in zip(jobs, plans, strict=True)],
    }


@click.command("plan", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="TENANT_FILE|DIR...")
@spec_options
@engine_options
@refresh_option
@output_option
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Save the plan (JSON) for `civicloud apply FILE`.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 4 when the plan has changes, 0 when it has none.")
def command(paths: tuple[Path, ...], catalogues: tuple[Path, ...],
            policy_dirs: tuple[Path, ...], now: datetime | None, engine_name: str,
            state_url: str | None, lock_timeout: float, refresh: bool, output: str,
            out_file: Path | None,
            detailed_exitcode: bool) -> None:
    """Show what `civicloud apply` would change, without changing anything.

    Checks the tenant files (schema, references, policy gate on the spec),
    previews each tenant's stack against its state, then runs the policy
    gate on the planned resources. Each change is shown as

    \b
      +    create        ~  update in place
      -    destroy       -/+ replace (delete, then create)

    with the fields that change. Secrets read [secret]; values the
    backend assigns read (known after apply).

    Each resource is first read back from its backend (--no-refresh to
    skip): what was changed or deleted outside civicloud is listed as a
    note, and the plan restores it.

    \b
    Examples:
      civicloud plan examples/vence-community.yaml
      civicloud plan tenants/ --out plan.json && civicloud apply plan.json
      civicloud plan tenants/vence.yaml --detailed-exitcode   # 4 = changes
      civicloud plan tenants/ -o json | jq '.tenants[].plan.summary'
    """
    run, jobs, plans = plan_tenants(paths, catalogues, policy_dirs, now, output,
                                    EngineOptions(engine_name, state_url, lock_timeout, 4,
                                                  refresh))
    from civicloud.engine.planview import render_text

    document = saved_plan(jobs, plans, run.engine.name, state_url, refresh)
    if output == "json":
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for plan in plans:
            click.echo("\n" + render_text(plan))
    if out_file:
        out_file.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        click.echo(f"Plan saved to {out_file}: run `civicloud apply {out_file}`.",
                   err=output == "json")
    changed = any(plan.changes for plan in plans)
    sys.exit(exitcodes.CHANGES_PRESENT if detailed_exitcode and changed else exitcodes.OK)
