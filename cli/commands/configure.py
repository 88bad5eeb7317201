"""`civicloud configure`: run the Ansible playbooks on a tenant's deployed servers."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from civicloud import exitcodes
from civicloud.commands._options import engine_options
from civicloud.commands._run import EngineOptions, engine_errors, fail
from civicloud.commands._tenants import stack_ref
from civicloud.configure import prepare
from civicloud.configure.run import RunResult, run_site
from civicloud.configure.secrets import SecretError, run_environment
from civicloud.configure.testhosts import TestHostError

STYLES = {"ok": "green", "changed": "yellow", "failed": "red", "unreachable": "red",
          "skipped": "cyan", "ignored": "cyan"}


def _print_progress(status: str, host: str, task: str, message: str) -> None:
    label = click.style(f"{status:<11}", fg=STYLES.get(status), bold=status in ("failed",
                                                                                  "unreachable"))
    line = f"  {label} {host:<12} {task}"
    click.echo(line + (f" — {message}" if message else ""))


def _print_summary(result: RunResult) -> None:
    table = Table(title="configure summary", title_justify="left")
    for column in ("host", "ok", "changed", "failed", "unreachable", "skipped", "status"):
        table.add_column(column, justify="left" if column in ("host", "status") else "right")
    for host, s in sorted(result.hosts.items()):
        style = STYLES.get(s.status, "")
        table.add_row(host, str(s.ok), str(s.changed), str(s.failed), str(s.unreachable),
                      str(s.skipped), f"[{style}]{s.status}[/{style}]")
    Console().print(table)
    for host in result.failed_hosts:
        for error in result.hosts[host].errors[:3]:
            click.echo(f"{host}: {error}", err=True)


def deployed_inventory(tenant_file: Path, outputs_file: Path | None, options: EngineOptions,
                       *, test_hosts: bool, backup_bucket: str | None) -> tuple[dict, dict]:
    """(tenant, inventory) of what was deployed for a tenant: its stack outputs come from
    --outputs FILE, else from its state as its last apply recorded them (no secret revealed)."""
    tenant, backends = prepare.load_tenant(tenant_file)
    if outputs_file:
        outputs = prepare.read_outputs(outputs_file)
    else:
        with engine_errors():
            outputs = options.open().engine.outputs(stack_ref(tenant["metadata"]["name"]))
    servers, buckets = prepare.deployed(tenant, backends, outputs)
    inventory = prepare.generate(tenant, servers, buckets, use_test_hosts=test_hosts,
                                 backup_bucket=backup_bucket)
    return tenant, inventory


@click.command("configure")
@click.argument("tenant_file", required=False, type=click.Path(path_type=Path), metavar="TENANT")
@click.option("--outputs", "outputs_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Read the deployed resources from this JSON (civicloud output TENANT -o json) "
                   "instead of the tenant's state.")
@engine_options
@click.option("--inventory", "inventory_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Use this inventory instead of generating one (TENANT may then be omitted).")
@click.option("--test-hosts", is_flag=True,
              help="Map each server to a local test host (the local cloud runs no real VM).")
@click.option("--backup-bucket", metavar="NAME",
              help="Bucket of the tenant receiving backups. Default: one named *backup*, "
                   "else the first.")
@click.option("--limit", metavar="PATTERN", help="Only these hosts or groups (Ansible pattern).")
@click.option("--tags", metavar="TAGS",
              help="Only these roles' tasks: baseline, backup, data_volume (comma-separated).")
@click.option("--check", is_flag=True, help="Dry run: report what would change, change nothing.")
def command(tenant_file: Path | None, outputs_file: Path | None, engine_name: str,
            state_url: str | None, lock_timeout: float, inventory_file: Path | None,
            test_hosts: bool, backup_bucket: str | None, limit: str | None, tags: str | None,
            check: bool) -> None:
    """Configure a tenant's servers with Ansible (playbooks/site.yml).

    Generates inventories/<tenant>.yml from what was deployed (addresses, roles,
    volumes, the backup bucket), then runs the roles each server asks for:
    baseline (ANSSI hardening, admins and keys), data_volume, backup (restic,
    encrypted, to the tenant's own bucket). Secrets (the S3 keys, the backup
    password) reach Ansible as environment variables, never in the inventory.
    The backup password is $CIVICLOUD_BACKUP_PASSWORD, else it is generated
    once into .civicloud/secrets/<tenant>/backup-password: keep a copy in your
    password vault, the backups cannot be read without it.

    \b
    Examples:
      civicloud configure examples/vence-community.yaml --test-hosts   # local cloud
      civicloud configure tenants/vence.yaml --limit web-1 --check
      civicloud configure tenants/vence.yaml --tags backup
      civicloud configure --inventory inventories/vence.yml

    \b
    Exit codes: 0 every host configured, 1 a host failed or was unreachable
                (the others are still configured), 2 invalid input.
    """
    try:
        if inventory_file:
            inventory = prepare.read_inventory(inventory_file)
            path = inventory_file
        elif tenant_file:
            tenant, inventory = deployed_inventory(
                tenant_file, outputs_file, EngineOptions(engine_name, state_url, lock_timeout),
                test_hosts=test_hosts, backup_bucket=backup_bucket)
            path = prepare.write_inventory(inventory,
                                           prepare.inventory_path(tenant["metadata"]["name"]))
            click.echo(f"inventory: {path}")
        else:
            raise prepare.InputError("give a TENANT file, or an inventory with --inventory FILE")
        variables = prepare.tenant_vars(inventory)
        env = run_environment(variables["civicloud_tenant"],
                              variables.get("civicloud_backup_profile"))
    except prepare.InputError as exc:
        fail(str(exc), exitcodes.INVALID_INPUT)
    except (SecretError, TestHostError) as exc:
        fail(str(exc), exitcodes.FAILURE)

    mode = " (check mode: nothing is changed)" if check else ""
    click.echo(f"configuring tenant {variables['civicloud_tenant']}{mode}")
    result = run_site(path, env, limit=limit, tags=tags, check=check, progress=_print_progress)
    if not result.hosts:
        click.echo(result.output_tail, err=True)
        fail(f"no host was configured (ansible-runner status: {result.runner_status})",
             exitcodes.FAILURE)
    _print_summary(result)
    if not result.ok:
        failed = ", ".join(result.failed_hosts) or "the run"
        fail(f"{failed} not configured (ansible-runner status: {result.runner_status})",
             exitcodes.FAILURE)
