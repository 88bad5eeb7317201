"""`civicloud sandbox list|reap|extend|promote`: the life cycle of pilots."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from civicloud import exitcodes
from civicloud.commands._options import engine_options, output_option, spec_options, state_option
from civicloud.commands._run import EngineOptions, aware, engine_errors
from civicloud.commands._tenants import TenantJob, load_jobs
from civicloud.ops.audit import DEFAULT_DIR
from civicloud.ops.sandbox import Sandbox

DEFAULT_GRACE = 7
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path),
                                metavar="TENANT_FILE|DIR...")
grace_option = click.option("--grace-days", type=click.IntRange(min=0), default=DEFAULT_GRACE,
                            show_default=True, metavar="N",
                            help="Days after its expiry before a sandbox is destroyed.")
audit_option = click.option("--audit-log", type=click.Path(dir_okay=False, path_type=Path),
                            default=DEFAULT_DIR / "sandbox-audit.jsonl", show_default=True,
                            metavar="FILE", help="Where every action is appended (JSON lines).")


def _now(now: datetime | None) -> datetime:
    return aware(now) or datetime.now(UTC)


def _tenant_paths(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    from civicloud.paths import project_path

    if paths:
        return paths
    if project_path("tenants").is_dir():
        return (project_path("tenants"),)
    raise click.UsageError("give tenant files or directories (no tenants/ directory here)")


def _state_engine(state_url: str | None) -> Any:
    import civicloud.stacks.resources  # noqa: F401  (providers, for destroy)
    from civicloud.engine.embedded import EmbeddedEngine
    from civicloud.engine.state.location import parse_state_url

    return EmbeddedEngine(parse_state_url(state_url).store())


def _flavors(cloud: str) -> dict[str, Any]:
    """Flavor sizes by name: one list call per cloud."""
    from civicloud.ops.sandbox import Flavor
    from civicloud.stacks.credentials import openstack_admin

    return {f.name: Flavor(f.vcpus, f.ram) for f in openstack_admin(cloud).compute.flavors()}


def survey(jobs: list[TenantJob], engine: Any, now: datetime) -> list[tuple[Sandbox, list]]:
    """Each sandbox (by its spec) with its recorded resources, spend estimated."""
    from civicloud.ops.live import kind_of
    from civicloud.ops.sandbox import estimate_spend, recorded, sandbox_of

    found, flavors = [], {}
    for job in jobs:
        sandbox = sandbox_of(job)
        if sandbox is None:
            continue  # not a sandbox: never read, never touched
        records = recorded(engine.checkpoint(job.stack(), masked=True))
        sandbox.deployed = bool(records)
        sandbox.servers = [r.id for r in records if kind_of(r.type) == "Server" and r.id]
        compute = job.tenant.get("compute")
        if compute and records:
            backend = job.backends[compute["backend"]]
            if sandbox.servers and backend["cloud"] not in flavors:
                flavors[backend["cloud"]] = _flavors(backend["cloud"])
            sandbox.spend_eur = estimate_spend(records, backend.get("prices") or {},
                                               flavors.get(backend["cloud"], {}), now)
        found.append((sandbox, records))
    return found


@click.group("sandbox")
def command() -> None:
    """Pilots with an expiry date and a budget: list, reap, extend, promote.

    \b
    Examples:
      civicloud sandbox list tenants/
      civicloud sandbox reap tenants/ --dry-run
      civicloud sandbox reap tenants/ --grace-days 7      # from cron
      civicloud sandbox extend tenants/pilot.yaml --until 2027-03-31
      civicloud sandbox promote tenants/pilot.yaml
    """


@command.command("list")
@paths_argument
@spec_options
@state_option
@grace_option
@output_option
def list_sandboxes(paths: tuple[Path, ...], catalogues: tuple[Path, ...],
                   policy_dirs: tuple[Path, ...], now: datetime | None, state_url: str | None,
                   grace_days: int, output: str) -> None:
    """List sandboxes: owner, expiry, days left, budget, spend so far, status.

    Spend is an estimate, not a bill: for each server recorded in state,
    (vCPUs x vcpu_hour + RAM GB x ram_gb_hour) x hours since it was created,
    plus each volume's GB x volume_gb_month x months since it was created,
    at the compute backend's catalogue prices. Object storage is not counted
    (see `civicloud report metering`). Reads state and the flavor list.
    """
    when = _now(now)
    _, jobs = load_jobs(_tenant_paths(paths), catalogues, output)
    with engine_errors():
        rows = [s.to_dict(when.date(), grace_days)
                for s, _ in survey(jobs, _state_engine(state_url), when)]
    if output == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"sandboxes on {when.date()}")
    for column in ("tenant", "owner", "expires", "days left", "budget EUR", "spend EUR",
                   "status"):
        table.add_column(column, overflow="fold",
                         justify="right" if "EUR" in column or "days" in column else "left")
    for r in rows:
        table.add_row(r["tenant"], r["owner"], r["expires"], str(r["days_left"]),
                      f"{r['budget_eur']:.2f}", f"{r['spend_eur']:.2f}",
                      r["status"] if r["deployed"] else f"{r['status']} (not deployed)")
    Console().print(table)
    if not rows:
        click.echo("No sandbox among these tenants.")


def _stop_servers(cloud: str, server_ids: list[str]) -> list[str]:
    """Stops the servers still running; returns those it stopped (none twice: idempotent)."""
    from civicloud.stacks.credentials import openstack_admin

    conn, stopped = openstack_admin(cloud), []
    for server_id in server_ids:
        server = conn.compute.find_server(server_id, all_projects=True)
        if server is not None and server.status == "ACTIVE":
            conn.compute.stop_server(server)
            conn.compute.wait_for_server(server, status="SHUTOFF", wait=120)
            stopped.append(server_id)
    return stopped


@command.command("reap")
@paths_argument
@spec_options
@state_option
@grace_option
@audit_option
@click.option("--dry-run", is_flag=True, help="Say what would be done; do nothing.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              metavar="SECONDS", help="How long to wait for another reaper to finish.")
def reap(paths: tuple[Path, ...], catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...],
         now: datetime | None, state_url: str | None, grace_days: int, audit_log: Path,
         dry_run: bool, wait: float) -> None:
    """Destroy expired sandboxes; stop the servers of those over budget.

    A sandbox is destroyed once its expiry date plus --grace-days has passed;
    one over its budget (see `sandbox list`) gets its servers stopped first.
    Only tenants that are sandboxes both in their file (type: sandbox) and in
    the state (recorded at apply) are touched: a community or hybrid tenant
    never is. Buckets that still hold objects stop the destroy (civicloud
    never deletes data): export or empty them.

    Safe from cron: one reaper at a time (a second one waits --wait seconds,
    then exits 1 saying so), idempotent (a second run finds nothing to do),
    never prompts, and every action is appended to the audit log (JSON lines).

    \b
    Exit codes: 0 done (or nothing to do), 1 an action failed or another
                reaper is running, 2 invalid input.
    """
    from civicloud.ops.audit import AuditLog, Busy, exclusive
    from civicloud.ops.sandbox import decide

    when = _now(now)
    _, jobs = load_jobs(_tenant_paths(paths), catalogues)
    log, failed = AuditLog(audit_log), 0
    try:
        with exclusive(audit_log.with_suffix(".lock"), wait), engine_errors():
            engine = _state_engine(state_url)
            log.write("reap-start", dry_run=dry_run, grace_days=grace_days,
                      now=when.isoformat(timespec="seconds"))
            for sandbox, records in survey(jobs, engine, when):
                action = decide(sandbox, records, when.date(), grace_days)
                if action.kind == "skip":
                    click.echo(f"{sandbox.name}: nothing to do ({action.reason})")
                    continue
                if dry_run:
                    click.echo(f"{sandbox.name}: would {action.kind} ({action.reason})")
                    log.write(action.kind, tenant=sandbox.name, reason=action.reason,
                              dry_run=True)
                    continue
                try:
                    failed += not _act(engine, sandbox, action, records, log)
                except Exception as exc:  # a backend error on one sandbox: go on with the others
                    failed += 1
                    log.write(action.kind, tenant=sandbox.name, ok=False,
                              error=f"{type(exc).__name__}: {exc}")
                    click.echo(f"{sandbox.name}: {action.kind} failed: {exc}", err=True)
            log.write("reap-end", dry_run=dry_run, failed=failed)
    except Busy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exitcodes.FAILURE)
    sys.exit(exitcodes.FAILURE if failed else exitcodes.OK)


def _act(engine: Any, sandbox: Sandbox, action: Any, records: list, log: Any) -> bool:
    """Performs one reaper action, logs it, says it; False if it failed."""
    from civicloud.commands._tenants import stack_ref

    if action.kind == "stop-servers":
        cloud = next(r.outputs["cloud"] for r in records if "cloud" in r.outputs)
        stopped = _stop_servers(cloud, sandbox.servers)
        if stopped:
            log.write("stop-servers", tenant=sandbox.name, reason=action.reason, servers=stopped)
            click.echo(f"{sandbox.name}: stopped {len(stopped)} server(s) ({action.reason})")
        else:
            click.echo(f"{sandbox.name}: servers already stopped ({action.reason})")
        return True
    click.echo(f"{sandbox.name}: destroying ({action.reason})...")
    result = engine.destroy(stack_ref(sandbox.name))
    deleted = sum(1 for s in result.steps if s.op == "delete" and s.status == "done")
    log.write("destroy", tenant=sandbox.name, reason=action.reason, ok=result.ok,
              deleted=deleted, errors=result.errors)
    if result.ok:
        click.echo(f"{sandbox.name}: destroyed ({deleted} resources)")
    else:
        click.echo(f"{sandbox.name}: destroy incomplete ({deleted} resources deleted): "
                   + "; ".join(result.errors), err=True)
    return result.ok


def _one_sandbox(tenant_file: Path, catalogues: tuple[Path, ...]) -> TenantJob:
    _, jobs = load_jobs((tenant_file,), catalogues)
    if len(jobs) != 1 or jobs[0].tenant.get("type") != "sandbox":
        what = f"{len(jobs)} tenants" if len(jobs) != 1 else f"a {jobs[0].tenant['type']} tenant"
        click.echo(f"error: {tenant_file}: expected one sandbox tenant, found {what}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    return jobs[0]


tenant_file_argument = click.argument(
    "tenant_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="TENANT_FILE")


@command.command("extend")
@tenant_file_argument
@click.option("--until", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              metavar="DATE", help="The new expiry date (YYYY-MM-DD).")
@spec_options
@audit_option
def extend(tenant_file: Path, until: datetime, catalogues: tuple[Path, ...],
           policy_dirs: tuple[Path, ...], now: datetime | None, audit_log: Path) -> None:
    """Move a sandbox's expiry date, within what the policy allows.

    Writes the new `sandbox.expires` into TENANT_FILE (only that value
    changes: comments and layout are kept), after checking it with the
    policy gate: a date beyond the maximum length of a pilot
    (policies/data/sandbox.yaml) or in the past is refused (exit 3) and the
    file is left unchanged.
    """
    from civicloud.commands._gate import locator
    from civicloud.ops.audit import AuditLog
    from civicloud.ops.policyview import evaluate_now
    from civicloud.ops.specedit import set_expiry, tentatively
    from civicloud.policy import report as policy_report

    job = _one_sandbox(tenant_file, catalogues)
    old = job.tenant["sandbox"]["expires"]
    new_text = set_expiry(tenant_file.read_text(encoding="utf-8"), until.date())
    with tentatively(tenant_file, new_text):
        bundle, jobs = load_jobs((tenant_file,), catalogues)
        result = evaluate_now([jobs[0].policy_input], policy_dirs, aware(now))
        if result.denied:
            click.echo(policy_report.to_text(result, locator(bundle)), err=True)
            click.echo(f"{tenant_file} left unchanged: the policy refuses this date.", err=True)
            sys.exit(exitcodes.POLICY_DENIED)
    AuditLog(audit_log).write("extend", tenant=job.name, file=str(tenant_file), old=old,
                              new=until.date().isoformat())
    click.echo(f"{job.name}: expiry moved from {old} to {until.date()} in {tenant_file}.")


@command.command("promote")
@tenant_file_argument
@spec_options
@engine_options
@audit_option
def promote(tenant_file: Path, catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...],
            now: datetime | None, engine_name: str, state_url: str | None,
            lock_timeout: float, audit_log: Path) -> None:
    """Turn a sandbox into a community tenant, checked under the production rules.

    Rewrites TENANT_FILE (type: community, the sandbox: block removed,
    comments kept), then plans it like `civicloud plan`: both policy gates
    with the rules of a lasting tenant, and the changes apply would make.
    If a rule refuses (exit 3) or the file cannot be planned, the file is
    put back as it was. Nothing is applied: run `civicloud apply` next.
    """
    from civicloud.commands._run import plan_tenants
    from civicloud.engine.planview import render_text
    from civicloud.ops.audit import AuditLog
    from civicloud.ops.specedit import tentatively, to_community

    job = _one_sandbox(tenant_file, catalogues)
    new_text = to_community(tenant_file.read_text(encoding="utf-8"))
    try:
        with tentatively(tenant_file, new_text):
            _, _, plans = plan_tenants((tenant_file,), catalogues, policy_dirs, now, "text",
                                       EngineOptions(engine_name, state_url, lock_timeout))
    except SystemExit as exc:
        if exc.code:
            click.echo(f"{tenant_file} left unchanged: {job.name} stays a sandbox.", err=True)
        raise
    for plan in plans:
        click.echo("\n" + render_text(plan))
    AuditLog(audit_log).write("promote", tenant=job.name, file=str(tenant_file))
    click.echo(f"\n{job.name} is now a community tenant in {tenant_file}. Review the plan, "
               f"then run `civicloud apply {tenant_file}`.")
