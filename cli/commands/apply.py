"""`civicloud apply`: plan, confirm, provision, verify; or run a plan saved by `plan --out`."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click

from civicloud import exitcodes
from civicloud.commands._options import (
    EXIT_CODES,
    all_option,
    engine_options,
    refresh_option,
    spec_options,
    tenant_paths,
    yes_option,
)
from civicloud.commands._run import EngineOptions, EngineRun, engine_errors, plan_tenants
from civicloud.commands._tenants import TenantJob

# Kinds whose providers read the resource back after writing it and fail on a dropped setting.
VERIFIED = {
    "Bucket": "location, default encryption, versioning, object lock",
    "Volume": "encrypted volume type",
    "Quota": "every limit",
}


def confirm(question: str, yes: bool) -> None:
    """Ask, unless --yes; with no terminal to ask on, refuse (a script must say --yes)."""
    if yes:
        return
    if not sys.stdin.isatty():
        click.echo("error: no terminal to confirm on: pass --yes to apply without asking",
                   err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    if not click.confirm(question, default=False):
        click.echo("Nothing was changed.")
        sys.exit(exitcodes.OK)


def load_saved_plan(path: Path, engine_opts: EngineOptions):
    """A plan file from `plan --out`: its tenants, and a refusal if any state moved since."""
    from civicloud.commands.plan import PLAN_FORMAT

    try:
        doc = json.loads(path.read_text())
        if doc.get("format") != PLAN_FORMAT:
            raise ValueError(f"not a civicloud plan (format {doc.get('format')!r})")
        entries = doc["tenants"]
        jobs = [TenantJob(e["name"], e["file"], e["tenant"], e["backends"], {}) for e in entries]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        click.echo(f"error: {path}: cannot read the saved plan: {exc}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    planned_state = doc.get("state")
    if engine_opts.state_url and planned_state and engine_opts.state_url != planned_state:
        click.echo(f"error: {path} was computed against --state {planned_state}, not "
                   f"{engine_opts.state_url}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    # the plan was computed on what the backends held (refresh) or on state alone: apply alike
    engine_opts = replace(engine_opts, state_url=engine_opts.state_url or planned_state,
                          refresh=bool(doc.get("refresh", False)))
    with engine_errors():
        run = engine_opts.open()
        if doc.get("engine") != run.engine.name:
            click.echo(f"error: {path} was computed by the {doc.get('engine')} engine, this run "
                       f"uses {run.engine.name}: plan again", err=True)
            sys.exit(exitcodes.INVALID_INPUT)
        moved = []
        for job, entry in zip(jobs, entries, strict=True):
            serial = run.engine.preview_destroy(job.stack()).serial
            if serial != entry["plan"]["serial"]:
                moved.append(f"  {job.name}: planned at state serial {entry['plan']['serial']}, "
                             f"state is now at serial {serial}")
    if moved:
        click.echo(f"error: the state changed since {path} was saved (another apply ran?):\n"
                   + "\n".join(moved) + f"\nRun `civicloud plan ... --out {path}` again and "
                   "review the new plan.", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    click.echo(run.description)
    for entry in entries:
        s = entry["plan"]["summary"]
        click.echo(f"{entry['name']}: Plan: {s['add']} to add, {s['change']} to change, "
                   f"{s['replace']} to replace, {s['destroy']} to destroy.")
    changes = {e["name"]: len(e["plan"]["changes"]) for e in entries
               if e["plan"]["changes"] or e["plan"]["notes"]}
    return run, jobs, changes, engine_opts.refresh


def apply_jobs(run: EngineRun, jobs: list[TenantJob], changes: dict[str, int],
               parallel: int, refresh: bool) -> list:
    """engine.up for each tenant, `parallel` at a time (the engine locks each stack)."""
    from civicloud.commands._progress import run_progress

    with run_progress() as progress:
        def one(job: TenantJob):
            on_event = progress.tenant(job.name, total=changes[job.name])
            return run.engine.up(job.stack(), job.program(), on_event=on_event,
                                 refresh=refresh)

        with engine_errors(), ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            return list(pool.map(one, jobs))


def report(results: list) -> int:
    from civicloud.commands._progress import report_failures
    from civicloud.engine.planview import kind

    code = exitcodes.OK
    for result in results:
        written = [s for s in result.steps
                   if s.status == "done" and s.op in ("create", "update", "replace")]
        counts = {op: sum(1 for s in result.steps if s.status == "done" and s.op == op)
                  for op in ("create", "update", "replace", "delete")}
        if result.ok:
            click.echo(f"{result.stack}: Apply complete. {counts['create']} added, "
                       f"{counts['update']} changed, {counts['replace']} replaced, "
                       f"{counts['delete']} destroyed.")
            checked = sorted({kind(s) for s in written if kind(s) in VERIFIED})
            if checked:
                click.echo(f"{result.stack}: verified on the backends after writing: " + "; ".join(
                    f"{k} ({VERIFIED[k]})" for k in checked))
            continue
        report_failures(result)
        failed = len(result.failed())
        click.echo(f"{result.stack}: Apply failed: {failed} resource(s) failed, "
                   f"{len(written) + counts['delete']} change(s) done and recorded in state. "
                   "Fix the cause and apply again: it resumes from there.", err=True)
        code = max(code, exitcodes.INVALID_INPUT if result.invalid else exitcodes.FAILURE)
    return code


def configure_tenants(ctx: click.Context, run: EngineRun, jobs: list[TenantJob],
                      test_hosts: bool) -> None:
    """Chains `civicloud configure` for each applied tenant, with its stack outputs."""
    import tempfile

    from civicloud.commands.configure import command as configure

    for job in jobs:
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix=f"{job.name}-") as f:
            json.dump(run.engine.outputs(job.stack()), f)
            f.flush()
            ctx.invoke(configure, tenant_file=Path(job.file), outputs_file=Path(f.name),
                       test_hosts=test_hosts)


@click.command("apply", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path),
                metavar="TENANT_FILE|DIR...|PLAN.json")
@all_option("Apply, several at a time,")
@click.option("--parallel", type=click.IntRange(min=1), default=4, show_default=True,
              metavar="N", help="How many tenants to apply at the same time.")
@spec_options
@engine_options
@refresh_option
@yes_option
@click.option("--configure", "then_configure", is_flag=True,
              help="After a successful apply, configure the servers (civicloud configure).")
@click.option("--test-hosts", is_flag=True,
              help="With --configure: use the local test hosts (the local cloud boots no VM).")
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], all_dir: Path | None, parallel: int,
            catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...], now: datetime | None,
            engine_name: str, state_url: str | None, lock_timeout: float, refresh: bool,
            yes: bool,
            then_configure: bool, test_hosts: bool) -> None:
    """Provision tenants on their backends: plan, confirm, apply, verify.

    Runs what `civicloud plan` shows (both policy gates first: nothing is
    touched if one refuses), asks for confirmation, then creates, updates
    and deletes resources, several at a time, printing each one as it
    finishes. State is written after every step (its secrets encrypted
    with CIVICLOUD_STATE_PASSPHRASE): if the run is interrupted or a
    backend fails, fix the cause and apply again; it converges.

    Before planning, every resource is read back from its backend
    (--no-refresh to skip): what was changed or deleted outside civicloud
    (see `civicloud drift`) is restored to what the tenant file declares.

    Every bucket, volume and quota is read back after it is written; a
    backend that silently dropped a setting (encryption, location, object
    lock, a limit) fails the apply with the resource named.

    Given a plan saved by `civicloud plan --out FILE`, applies exactly that
    plan, and refuses if the state changed since it was computed.

    \b
    Examples:
      civicloud apply examples/vence-community.yaml
      civicloud apply tenants/vence.yaml --yes            # CI, no prompt
      civicloud plan tenants/vence.yaml --out plan.json && civicloud apply plan.json
      civicloud apply --all tenants/ --parallel 4 --yes
      civicloud apply tenants/vence.yaml --yes --configure
    """
    paths = tenant_paths(paths, all_dir, "tenant files, a directory, --all DIR or a saved plan")
    engine_opts = EngineOptions(engine_name, state_url, lock_timeout, parallel, refresh)
    if len(paths) == 1 and paths[0].suffix == ".json":
        run, jobs, changes, refresh = load_saved_plan(paths[0], engine_opts)
    else:
        from civicloud.engine.planview import render_text

        run, jobs, plans = plan_tenants(paths, catalogues, policy_dirs, now, "text", engine_opts)
        for plan in plans:
            click.echo("\n" + render_text(plan, creates=False))
        changes = {p.stack: len(p.changes) for p in plans if p.changes or p.notes}
    if not changes:
        click.echo("\nNo changes: nothing to apply.")
    else:
        confirm(f"\nApply these changes to {len(changes)} tenant(s)?", yes)
        to_apply = [j for j in jobs if j.name in changes]
        code = report(apply_jobs(run, to_apply, changes, parallel, refresh))
        if code:
            sys.exit(code)
    if then_configure:
        configure_tenants(ctx, run, jobs, test_hosts)
