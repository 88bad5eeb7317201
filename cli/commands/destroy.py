"""`civicloud destroy`: delete everything a tenant has, dependents first."""

from __future__ import annotations

import sys

import click

from civicloud import exitcodes
from civicloud.commands._options import EXIT_CODES, engine_options, yes_option
from civicloud.commands._run import EngineOptions, engine_errors
from civicloud.commands._tenants import stack_ref, tenant_named


@click.command("destroy", epilog=EXIT_CODES)
@click.argument("tenant", metavar="TENANT_FILE|NAME")
@engine_options
@yes_option
@click.option("--force", is_flag=True,
              help="Destroy a tenant that is not a sandbox (production data!).")
def command(tenant: str, engine_name: str, state_url: str | None, lock_timeout: float,
            yes: bool, force: bool) -> None:
    """Delete every resource of a tenant: servers, volumes, buckets, project...

    Shows the deletions, asks for confirmation, then deletes in reverse
    dependency order (attachments before volumes and servers, the project
    last). Only what civicloud recorded in the tenant's state is deleted.

    Only sandboxes can be destroyed without --force: a community or hybrid
    tenant holds an authority's data (public archives). Given a NAME instead
    of the tenant file, civicloud cannot tell it is a sandbox: --force is
    needed then too. Buckets must be empty (data is never deleted silently).

    \b
    Examples:
      civicloud destroy examples/sandbox-pilot.yaml
      civicloud destroy nca-opendata-pilot --force --yes
      civicloud destroy tenants/vence.yaml --force      # not a sandbox
    """
    from civicloud.commands.apply import confirm

    name, kind = tenant_named(tenant)
    if kind != "sandbox" and not force:
        why = (f"{name} is a {kind} tenant, not a sandbox" if kind else
               f"{tenant} is a tenant name, not its file: civicloud cannot check it is a sandbox")
        click.echo(f"error: refusing to destroy: {why}. Destroying deletes the authority's "
                   "servers, volumes and buckets; pass --force if that is what you want.",
                   err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    from civicloud.commands._progress import report_failures, run_progress
    from civicloud.engine.planview import render_text

    with engine_errors():
        run = EngineOptions(engine_name, state_url, lock_timeout).open()
        click.echo(run.description)
        plan = run.engine.preview_destroy(stack_ref(name))
    if not plan.changes:
        click.echo(f"{name}: nothing to destroy (no resource recorded in its state).")
        return
    click.echo("\n" + render_text(plan).replace("Plan:", "Destroy plan:"))
    confirm(f"\nDestroy these {len(plan.changes)} resources of {name}? There is no undo.", yes)
    with run_progress() as progress, engine_errors():
        result = run.engine.destroy(stack_ref(name), on_event=progress.tenant(
            name, total=len(plan.changes)))
    if not result.ok:
        report_failures(result)
        click.echo(f"{name}: destroy incomplete; what was deleted is recorded. Fix the cause "
                   "and run destroy again.", err=True)
        sys.exit(exitcodes.FAILURE)
    deleted = sum(1 for s in result.steps if s.op == "delete" and s.status == "done")
    click.echo(f"{name}: Destroy complete. {deleted} resources destroyed.")
