"""`civicloud drift`: what changed on the backends outside civicloud, and whether the live
tenants still pass the policy gate. Reads only."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from civicloud import exitcodes
from civicloud.commands._options import (
    all_option,
    output_option,
    spec_options,
    state_option,
    tenant_paths,
)
from civicloud.commands._run import aware, engine_errors
from civicloud.commands._tenants import load_jobs
from civicloud.ops.detect import TenantDrift, detect

COLOURS = {"+": "green", "~": "yellow", "-": "red"}


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_text(d: TenantDrift) -> list[str]:
    lines = [click.style(f"Tenant {d.job.name}", bold=True)]
    if d.serial is None:
        return [*lines, "  not deployed: no state recorded (nothing to compare)"]
    lines.append("  reads: " + ", ".join(f"{k} ({v})" for k, v in sorted(d.calls.items())))
    if not d.changes:
        lines.append("  No drift: the backends hold what civicloud recorded.")
    for c in d.changes:
        what = {"+": "created outside civicloud", "~": "changed outside civicloud",
                "-": "deleted outside civicloud"}[c.op]
        lines.append(click.style(f"  {c.op} {c.kind} {c.name}", fg=COLOURS[c.op]) + f"  ({what})")
        if c.op == "~":  # a created one is described by its name; -o json has its fields
            lines += [f"        {key}: {_value(old)} -> {_value(new)}"
                      for key, (old, new) in c.fields.items()]
    counts = {op: sum(1 for c in d.changes if c.op == op) for op in "+~-"}
    lines.append(f"Drift: {counts['+']} created, {counts['~']} changed, {counts['-']} deleted "
                 "outside civicloud.")
    return lines


@click.command("drift")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="TENANT_FILE|DIR...")
@all_option("Check")
@spec_options
@state_option
@output_option
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 4 when there is drift or the live state violates a rule, 0 when "
                   "there is neither.")
def command(paths: tuple[Path, ...], all_dir: Path | None, catalogues: tuple[Path, ...],
            policy_dirs: tuple[Path, ...], now: datetime | None, state_url: str | None,
            output: str, detailed_exitcode: bool) -> None:
    """Show what changed on the backends outside civicloud, and re-check the policies.

    Reads every resource of each tenant from its backend, compares it with
    what civicloud recorded at the last apply, and shows

    \b
      +  created outside civicloud (e.g. a security-group rule added by hand)
      ~  changed outside civicloud, with the fields: recorded -> live
         (a bucket's encryption removed, a quota raised)
      -  deleted outside civicloud (e.g. a server deleted in Horizon)

    Then runs the policy gate on the *live* tenant with the *current*
    catalogue: a bucket left unencrypted, or a backend that moved country or
    lost a qualification since the apply, shows up as a violation.

    Read-only: drift never writes to the backends nor to the state. To
    restore the declared state, run `civicloud apply` on the tenant file.

    Reads one list call per resource type (servers, networks, volumes... of
    the tenant's project), not one per resource; quotas and each bucket's
    configuration are read per item (their APIs have no list form).

    \b
    Exit codes: 0 no drift and no violation (or any drift without
                --detailed-exitcode), 1 runtime failure (a backend
                unreachable), 2 invalid input, 3 the live state violates a
                rule (without --detailed-exitcode), 4 drift or violation
                (--detailed-exitcode).

    \b
    Examples:
      civicloud drift examples/vence-community.yaml
      civicloud drift --all tenants/ --detailed-exitcode    # cron: 4 = look
      civicloud drift tenants/vence.yaml -o json | jq '.tenants[].changes'
    """
    from civicloud.commands._gate import locator
    from civicloud.ops.policyview import evaluate_now
    from civicloud.policy import report as policy_report

    paths = tenant_paths(paths, all_dir)
    bundle, jobs = load_jobs(paths, catalogues, output)
    with engine_errors():
        import civicloud.stacks.resources  # noqa: F401  (providers, for the per-resource reads)
        from civicloud.engine.embedded import EmbeddedEngine
        from civicloud.engine.state.location import parse_state_url

        engine = EmbeddedEngine(parse_state_url(state_url).store())
        with ThreadPoolExecutor(max_workers=min(4, len(jobs))) as pool:
            drifts = list(pool.map(lambda job: detect(engine, job), jobs))
    inputs = [d.live_input for d in drifts if d.live_input is not None]
    result = evaluate_now(inputs, policy_dirs, aware(now)) if inputs else None
    locate = locator(bundle)
    drifted = any(d.changes for d in drifts)
    denied = bool(result and result.denied)
    if output == "json":
        click.echo(json.dumps({
            "tenants": [{"tenant": d.job.name, "file": d.job.file, "deployed": d.serial is not None,
                         "serial": d.serial, "reads": d.calls,
                         "changes": [c.to_dict() for c in d.changes]} for d in drifts],
            "drift": drifted,
            "policy": json.loads(policy_report.to_json(result, locate)) if result else None,
        }, indent=2, ensure_ascii=False, default=str))
    else:
        for d in drifts:
            click.echo("\n".join(render_text(d)) + "\n")
        if result is not None:
            click.echo(click.style("Policy gate on the live state:", bold=True))
            click.echo(policy_report.to_text(result, locate))
    if detailed_exitcode:
        sys.exit(exitcodes.CHANGES_PRESENT if drifted or denied else exitcodes.OK)
    sys.exit(exitcodes.POLICY_DENIED if denied else exitcodes.OK)
