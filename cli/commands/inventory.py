"""`civicloud inventory`: a tenant's Ansible inventory, as a file or as a dynamic inventory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from civicloud import exitcodes
from civicloud.commands._options import engine_options
from civicloud.commands._run import EngineOptions
from civicloud.commands.configure import deployed_inventory
from civicloud.configure import prepare
from civicloud.configure.inventory import host_vars, to_dynamic_json
from civicloud.configure.testhosts import TestHostError


@click.command("inventory")
@click.argument("tenant_file", type=click.Path(path_type=Path), metavar="TENANT")
@click.option("--outputs", "outputs_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Read the deployed resources from this JSON (civicloud output TENANT -o json) "
                   "instead of the tenant's state.")
@engine_options
@click.option("--test-hosts", is_flag=True,
              help="Map each server to a local test host (the local cloud runs no real VM).")
@click.option("--backup-bucket", metavar="NAME", help="Bucket of the tenant receiving backups.")
@click.option("--list", "list_all", is_flag=True,
              help="Print the dynamic-inventory JSON (all groups and host vars) to stdout.")
@click.option("--host", "host", metavar="HOST", help="Print one host's vars as JSON.")
@click.option("-o", "--output", "output_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Where to write the YAML inventory. Default: inventories/<tenant>.yml.")
def command(tenant_file: Path, outputs_file: Path | None, engine_name: str,
            state_url: str | None, lock_timeout: float, test_hosts: bool,
            backup_bucket: str | None, list_all: bool, host: str | None,
            output_file: Path | None) -> None:
    """Generate the Ansible inventory of a tenant's deployed servers.

    One group per tenant (tenant_<name>, with its classification and backup
    bucket), one group per server role (baseline, backup, data_volume...),
    each host with its addresses, admins and volumes. No secret is written.

    \b
    Examples:
      civicloud inventory examples/vence-community.yaml
      ansible-playbook -i inventories/vence.yml playbooks/site.yml
      civicloud inventory examples/vence-community.yaml --list
      civicloud inventory examples/vence-community.yaml --host web-1

    \b
    Exit codes: 0 ok, 1 a test host could not start, 2 invalid input.
    """
    try:
        tenant, inventory = deployed_inventory(
            tenant_file, outputs_file, EngineOptions(engine_name, state_url, lock_timeout),
            test_hosts=test_hosts, backup_bucket=backup_bucket)
    except prepare.InputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    except TestHostError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exitcodes.FAILURE)
    if list_all:
        click.echo(json.dumps(to_dynamic_json(inventory), indent=2))
    elif host:
        click.echo(json.dumps(host_vars(inventory, host), indent=2))
    else:
        path = prepare.write_inventory(
            inventory, output_file or prepare.inventory_path(tenant["metadata"]["name"]))
        click.echo(f"inventory: {path}")
