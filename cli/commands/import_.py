"""`civicloud import`: re-create a tenant from an export on another backend (reversibility)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from civicloud import exitcodes
from civicloud.commands._options import engine_options, spec_options, yes_option
from civicloud.commands._run import EngineOptions, engine_errors, fail, plan_tenants

EXIT_CODES = """\b
Exit codes: 0 done, 1 runtime failure (a backend error: run again, it
            converges), 2 invalid input (an export that does not match its
            manifest, a file, an option: nothing touched), 3 the policy
            refuses the target for this tenant (nothing touched)."""


def write_spec(path: Path, text: str) -> None:
    """The re-targeted tenant file; an existing file is only replaced by the same text (a
    re-run), never overwritten with something else."""
    if path.exists() and path.read_text(encoding="utf-8") != text:
        fail(f"{path} exists with other content: choose another --spec-out, or remove it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@click.command("import", epilog=EXIT_CODES)
@click.argument("export_dir", type=click.Path(file_okay=False, path_type=Path),
                metavar="EXPORT_DIR")
@click.option("--backend", required=True, metavar="S3_BACKEND",
              help="S3 backend of the catalogue that receives the buckets.")
@click.option("--openstack", metavar="BACKEND",
              help="OpenStack backend of the catalogue for the compute part (default: the "
                   "exported tenant's own).")
@click.option("--name", metavar="NEW",
              help="Re-create the tenant under another name (default: the exported name).")
@click.option("--spec-out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Where to write the re-created tenant's file. Default: ./<name>.yaml.")
@spec_options
@engine_options
@yes_option
def command(export_dir: Path, backend: str, openstack: str | None, name: str | None,
            spec_out: Path | None, catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...],
            now: datetime | None, engine_name: str, state_url: str | None,
            lock_timeout: float, yes: bool) -> None:
    """Re-create a tenant from an export, on another backend.

    \b
    1. Checks every file of EXPORT_DIR against its manifest (SHA-256): an
       altered or incomplete export stops here (exit 2).
    2. Writes the tenant file with its storage on --backend (and compute on
       --openstack, named --name), every other line as exported.
    3. Plans and applies it as `civicloud apply` does: both policy gates
       first (a backend the rules refuse for the tenant's data: exit 3,
       nothing touched), then the plan, a confirmation, the apply.
    4. Puts every object back with its content type and user metadata, and
       each volume's data into the re-created volume (a volume exported
       --without-volume-data is created empty, and the import says so).

    Run it again after a failure: it converges (objects already there with
    the same bytes and metadata are skipped).

    \b
    Examples:
      civicloud import /srv/exports/antibes --backend local-s3-fr --name antibes2
      civicloud import /srv/exports/antibes --backend ovh-gra-s3 \\
          --openstack ovh-gra-openstack --spec-out tenants/antibes.yaml --yes
    """
    from civicloud.ops import manifest as mf
    from civicloud.ops.export import ExportError
    from civicloud.ops.export_import import exported_spec, retarget_spec

    try:
        doc = mf.verify(export_dir)
        text = retarget_spec(exported_spec(export_dir, doc), backend, openstack, name)
    except (mf.ManifestError, ExportError) as exc:
        fail(str(exc))
    click.echo(f"{export_dir}: {len(doc['files'])} file(s) match the manifest.")
    new_name = name or doc["tenant"]
    spec_path = spec_out or Path(f"{new_name}.yaml")
    write_spec(spec_path, text)
    click.echo(f"tenant file: {spec_path} (storage on {backend})")
    apply_and_restore(export_dir, doc, spec_path, catalogues, policy_dirs, now,
                      EngineOptions(engine_name, state_url, lock_timeout), yes)


def apply_and_restore(export_dir: Path, doc: dict, spec_path: Path,
                      catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...],
                      now: datetime | None, engine: EngineOptions, yes: bool) -> None:
    """Plan (both gates), confirm, apply, then the data. With volume data to restore the apply
    runs in two phases around the volumes' creation (see ops/export_import.py)."""
    from dataclasses import replace

    from civicloud.commands.apply import apply_jobs, confirm, report
    from civicloud.engine.planview import render_text
    from civicloud.ops import export_import as ops
    from civicloud.ops.export import ExportError
    from civicloud.ops.export_keys import KeyRefError
    from civicloud.ops.export_progress import Transfer, transfer_progress

    run, jobs, plans = plan_tenants((spec_path,), catalogues, policy_dirs, now, "text", engine)
    job, plan = jobs[0], plans[0]
    click.echo("\n" + render_text(plan, creates=False))
    result = ops.ImportResult()

    def apply(this_job) -> None:
        code = report(apply_jobs(run, [this_job], {job.name: max(len(plan.changes), 1)}, 1,
                                 refresh=engine.refresh))
        if code:
            sys.exit(code)

    with engine_errors():
        cp = run.engine.checkpoint(job.stack(), masked=True)
    pending = ops.pending_volumes(doc, job.name, cp)
    result.volumes.update(ops.volumes_without_data(doc, job.name))
    if plan.changes or plan.notes or pending:
        confirm(f"\nRe-create tenant {job.name} from {export_dir}?", yes)
    transfer = Transfer()
    if pending:  # everything but those volumes, then the volumes from their data
        apply(replace(job, tenant=ops.without_volumes(job.tenant, pending)))
        with transfer_progress(transfer), engine_errors():
            try:
                ops.create_volumes(export_dir, doc, job,
                                   run.engine.checkpoint(job.stack(), masked=True),
                                   pending, transfer, result)
            except ExportError as exc:
                fail(str(exc), exitcodes.FAILURE)
    if plan.changes or plan.notes or pending:
        apply(job)
    with transfer_progress(transfer), engine_errors():
        cp = run.engine.checkpoint(job.stack(), masked=True)
        try:
            ops.upload_buckets(export_dir, doc, job.tenant, cp, transfer, result)
        except (ExportError, KeyRefError, ValueError) as exc:
            fail(str(exc))
    click.echo(f"objects: {result.uploaded} uploaded, {result.skipped} already there")
    for volume, what in result.volumes.items():
        click.echo(f"volume {volume}: {what}")
    click.echo(transfer.summary("imported"))
    sys.exit(exitcodes.OK)
