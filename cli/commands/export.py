"""`civicloud export`: a tenant's spec, state, inventory, objects and volume data in open
formats (reversibility), or its buckets copied to another S3 backend; `--verify` re-checks an
export against its manifest."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from civicloud import exitcodes
from civicloud.commands._options import spec_options, state_option
from civicloud.commands._run import aware, engine_errors, fail
from civicloud.commands._tenants import TenantJob, load_jobs

EXIT_CODES = """\b
Exit codes: 0 done, 1 runtime failure (a backend error), 2 invalid input
            (a file, an option, a tenant never applied, an export that
            does not match its manifest), 3 --to a backend the policy
            refuses for this tenant (nothing copied)."""


def verify_export(directory: Path) -> None:
    from civicloud.ops import manifest as mf

    try:
        doc = mf.verify(directory)
    except mf.ManifestError as exc:
        fail(str(exc))
    click.echo(f"{directory}: {len(doc['files'])} file(s), {doc['total_bytes']} bytes: every "
               "SHA-256 matches the manifest.")


def checkpoint_of(job: TenantJob, state_url: str | None) -> Any:
    """The tenant's state, secrets masked; exit 2 when it was never applied."""
    from civicloud.engine.embedded import EmbeddedEngine
    from civicloud.engine.state.location import parse_state_url

    engine = EmbeddedEngine(parse_state_url(state_url).store())
    cp = engine.checkpoint(job.stack(), masked=True)
    if cp is None or not any(r.custom for r in cp.resources):
        fail(f"{job.file}: tenant {job.name} has no recorded state: nothing deployed to "
             "export (run `civicloud apply` first, or pass the --state it was applied with)")
    return cp


def to_directory(job: TenantJob, cp: Any, dest: Path, volume_data: bool = True) -> None:
    from civicloud.ops.export import ExportError, export_tenant
    from civicloud.ops.export_keys import KeyRefError
    from civicloud.ops.export_progress import transfer_progress

    with transfer_progress() as transfer, engine_errors():
        try:
            result = export_tenant(job, cp, dest, transfer, volume_data)
        except (ExportError, KeyRefError) as exc:
            fail(str(exc))
    for bucket, count in result.buckets.items():
        click.echo(f"bucket {bucket}: {count} object(s)")
    for volume, what in result.volumes.items():
        click.echo(f"volume {volume}: {what}")
    click.echo(f"export: {result.root} ({result.files} files, manifest.json with their SHA-256)")
    summary = transfer.summary("exported")
    if result.skipped_volumes:
        summary += (f"; the data of {result.skipped_volumes} volume(s) skipped "
                    "(--without-volume-data)")
    click.echo(summary)


def to_backend(job: TenantJob, target: str, bundle: Any, policy_dirs: tuple[Path, ...],
               now: datetime | None, state_url: str | None) -> None:
    """Gate first (nothing read or written if it refuses), then buckets, then objects."""
    from civicloud.commands._gate import locator, run_gate
    from civicloud.commands._progress import run_progress
    from civicloud.commands._run import EngineOptions
    from civicloud.engine.base import StackRef
    from civicloud.ops import export_copy as cp_ops
    from civicloud.ops.export import ExportError, deployed_buckets
    from civicloud.ops.export_keys import KeyRefError
    from civicloud.ops.export_progress import transfer_progress

    try:
        policy_input = cp_ops.retarget_input(job.policy_input, bundle.backends, target)
    except ExportError as exc:
        fail(str(exc))
    click.echo(click.style(f"Policy gate, {job.name} with its storage on {target}:", bold=True))
    code = run_gate([policy_input], locator(bundle), policy_dirs=policy_dirs, now=aware(now))
    if code:
        click.echo(f"Nothing copied: {target} is not allowed for this tenant's data.", err=True)
        sys.exit(code)
    with engine_errors():
        sources = deployed_buckets(job.tenant, checkpoint_of(job, state_url))
    backend = bundle.backends[target].model_dump(mode="json", exclude_none=True)
    stack = cp_ops.copy_stack_name(job.name, target)
    moved_tenant = cp_ops.retarget_tenant(job.tenant, target)
    with engine_errors():
        run = EngineOptions(state_url=state_url).open()
        click.echo(run.description)
        ref = StackRef("civicloud", stack)
        with run_progress() as progress:
            result = run.engine.up(ref, cp_ops.copy_program(job.tenant, target, backend),
                                   on_event=progress.tenant(stack, total=len(sources)))
    if not result.ok:
        from civicloud.commands._progress import report_failures

        report_failures(result)
        fail(f"the buckets could not be created on {target}", exitcodes.FAILURE)
    copy_cp = run.engine.checkpoint(ref, masked=True)
    targets = deployed_buckets(moved_tenant, copy_cp)
    with transfer_progress() as transfer, engine_errors():
        try:
            done = cp_ops.copy_buckets(sources, targets, transfer)
        except (ExportError, KeyRefError) as exc:
            fail(str(exc))
    for bucket, (copied, already) in done.items():
        click.echo(f"bucket {bucket} -> {target}: {copied} object(s) copied, {already} already "
                   "there")
    click.echo(f"copies recorded in stack {stack} (`civicloud state show {stack}`)")
    click.echo(transfer.summary("transferred (read + written)"))


@click.command("export", epilog=EXIT_CODES)
@click.argument("tenant_file", required=False, type=click.Path(path_type=Path),
                metavar="TENANT_FILE")
@click.option("--to", "to", metavar="DIR|BACKEND",
              help="A directory to write the export into (<DIR>/<tenant>/), or the name of an "
                   "S3 backend of the catalogue to copy the buckets to.")
@click.option("--verify", "verify_dir", type=click.Path(file_okay=False, path_type=Path),
              metavar="EXPORT_DIR", help="Re-hash an export and compare it with its manifest.")
@click.option("--without-volume-data", "without_volume_data", is_flag=True,
              help="--to DIR only: write everything but the volumes' data (listed in the "
                   "manifest with \"file\": null; an import creates them empty).")
@spec_options
@state_option
def command(tenant_file: Path | None, to: str | None, verify_dir: Path | None,
            without_volume_data: bool, catalogues: tuple[Path, ...],
            policy_dirs: tuple[Path, ...], now: datetime | None, state_url: str | None) -> None:
    """Export a deployed tenant in open formats, or copy its buckets elsewhere.

    --to DIR writes DIR/<tenant>/: the tenant file as written, the state
    (secrets masked), the Ansible inventory, every bucket's objects (current
    versions) with a metadata.json (settings; per object: key, size,
    SHA-256, ETag, content type, user metadata), the volumes' data, and
    manifest.json with the size and SHA-256 of every file. Nothing in it
    needs civicloud to be read: YAML, JSON, raw bytes.

    --to BACKEND (a name of the catalogue) copies every bucket to that S3
    backend, after the policy gate has checked the tenant as if its storage
    were there: a backend the rules refuse for its data (a commune's data
    outside France) stops the run with the rule's message, nothing copied.

    A name of the catalogue is a backend; anything else is a directory
    (write ./NAME for a directory named like a backend).

    --without-volume-data leaves the volumes' data out of a DIR export: for
    volumes of hundreds of GB, or backed up by other means. The manifest
    still lists each volume ("file": null, "skipped"); `civicloud import`
    of such an export creates them empty and says so, volume by volume.

    \b
    Examples:
      civicloud export examples/hybrid-antibes.yaml --to /srv/exports
      civicloud export --verify /srv/exports/antibes
      civicloud export examples/hybrid-antibes.yaml --to /srv/exports --without-volume-data
      civicloud export examples/hybrid-antibes.yaml --to local-s3-de   # exit 3
      civicloud import /srv/exports/antibes --backend local-s3-fr --name antibes2
    """
    if verify_dir is not None:
        if tenant_file or to or without_volume_data:
            raise click.UsageError("--verify takes an export directory only")
        verify_export(verify_dir)
        return
    if tenant_file is None or not to:
        raise click.UsageError("give TENANT_FILE and --to DIR|BACKEND (or --verify DIR)")
    bundle, jobs = load_jobs((tenant_file,), catalogues)
    if len(jobs) != 1:
        fail(f"{tenant_file}: expected one tenant, found {len(jobs)}")
    job = jobs[0]
    if to in bundle.backends:
        if without_volume_data:
            raise click.UsageError(f"--without-volume-data applies to --to DIR only: {to} is "
                                   "an S3 backend (a copy to it holds no volume)")
        to_backend(job, to, bundle, policy_dirs, now, state_url)
    else:
        with engine_errors():
            cp = checkpoint_of(job, state_url)
        to_directory(job, cp, Path(to), volume_data=not without_volume_data)
