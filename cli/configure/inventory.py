"""Ansible inventory of a tenant, built from what was *deployed* (not from the spec).

Input contract (the engine's stack outputs are adapted to it by `from_stack_outputs`):
the tenant document (for classification, admins and their keys), the deployed servers
(addresses, roles, volumes) and buckets (real name, endpoint, region, credentials profile).
Output: a standard YAML inventory — one group per tenant (`tenant_<name>`) holding the host
vars, one group per server role (`baseline`, `backup`, `data_volume`...). No secret goes in:
the backup credentials and the restic password reach the run as environment variables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from civicloud.configure.testhosts import TestHost

# Debian cloud images' default account; test hosts take root.
DEFAULT_SSH_USER = "debian"
BACKUP_BUCKET_HINT = "backup"


@dataclass(frozen=True)
class DeployedVolume:
    name: str
    size_gb: int
    encrypted: bool
    device: str | None = None  # e.g. /dev/vdb once attached; None when the backend attached none


@dataclass(frozen=True)
class DeployedServer:
    name: str
    addresses: list[str]
    roles: list[str]
    keypair: str | None = None
    volumes: list[DeployedVolume] = field(default_factory=list)


@dataclass(frozen=True)
class DeployedBucket:
    name: str  # the real bucket name at the provider (e.g. vence-documents)
    spec_name: str  # its name in the tenant file (documents)
    endpoint: str
    region: str
    profile: str  # S3 credentials profile (AWS shared-credentials format)


def group_name(text: str) -> str:
    """Ansible group names are identifiers: vence-nord -> vence_nord."""
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def tenant_group(tenant_name: str) -> str:
    return f"tenant_{group_name(tenant_name)}"


def admins(tenant: dict[str, Any]) -> list[str]:
    """Users holding the admin role, directly or through a group, in spec order."""
    access = tenant.get("access") or {}
    users = access.get("users") or []
    via_groups = {
        member
        for group in access.get("groups") or []
        if "admin" in (group.get("roles") or [])
        for member in group.get("members") or []
    }
    return [
        u["name"] for u in users
        if "admin" in (u.get("roles") or []) or u["name"] in via_groups
    ]


def _keypair_keys(tenant: dict[str, Any]) -> dict[str, str]:
    keypairs = (tenant.get("compute") or {}).get("keypairs") or []
    return {k["name"]: k["public_key"].strip() for k in keypairs if k.get("public_key")}


def admin_accounts(tenant: dict[str, Any], server: DeployedServer) -> list[dict[str, Any]]:
    """Each admin's Unix account, authorised with the public key of the keypair the server was
    deployed with (the tenant's admin key: the spec has no per-user SSH keys)."""
    key = _keypair_keys(tenant).get(server.keypair or "")
    return [{"name": name, "ssh_keys": [key] if key else []} for name in admins(tenant)]


def backup_bucket(buckets: list[DeployedBucket], preferred: str | None = None) -> DeployedBucket:
    """The bucket backups go to: the one asked for, else one whose name says backup, else the
    first. Raises ValueError with the choices when `preferred` names no bucket."""
    if preferred:
        for bucket in buckets:
            if preferred in (bucket.spec_name, bucket.name):
                return bucket
        names = ", ".join(b.spec_name for b in buckets) or "none"
        raise ValueError(f"backup bucket {preferred!r} is not deployed (buckets: {names})")
    for bucket in buckets:
        if BACKUP_BUCKET_HINT in bucket.spec_name:
            return bucket
    return buckets[0]


def _server_vars(
    tenant: dict[str, Any], server: DeployedServer, test_host: TestHost | None
) -> dict[str, Any]:
    host_vars: dict[str, Any] = {
        "civicloud_addresses": list(server.addresses),
        "civicloud_admins": admin_accounts(tenant, server),
        "civicloud_volumes": [
            {"name": v.name, "size_gb": v.size_gb, "encrypted": v.encrypted, "device": v.device}
            for v in server.volumes
        ],
    }
    if test_host:
        host_vars.update({
            "ansible_host": test_host.address,
            "ansible_port": test_host.port,
            "ansible_user": "root",
            "ansible_ssh_private_key_file": str(test_host.ssh_key),
            "ansible_ssh_common_args": f"-o UserKnownHostsFile={test_host.known_hosts}",
            # A container: no clock, no kernel audit, no block devices (the roles skip those).
            "civicloud_test_host": True,
        })
    else:
        host_vars.update({
            "ansible_host": server.addresses[0] if server.addresses else server.name,
            "ansible_user": DEFAULT_SSH_USER,
            "ansible_become": True,
        })
    return host_vars


def build_inventory(
    tenant: dict[str, Any],
    servers: list[DeployedServer],
    buckets: list[DeployedBucket],
    host_map: dict[str, TestHost] | None = None,
    backup_bucket_name: str | None = None,
) -> dict[str, Any]:
    """The YAML inventory (as a dict) of one tenant's deployed servers."""
    name = tenant["metadata"]["name"]
    host_map = host_map or {}
    tenant_vars: dict[str, Any] = {
        "civicloud_tenant": name,
        "civicloud_classification": tenant.get("classification", "internal"),
        # Debian 12's own interpreter: no discovery warning, no surprise after an upgrade.
        "ansible_python_interpreter": "/usr/bin/python3",
    }
    if buckets:
        bucket = backup_bucket(buckets, backup_bucket_name)
        tenant_vars.update({
            "civicloud_backup_bucket": bucket.name,
            "civicloud_backup_endpoint": bucket.endpoint,
            "civicloud_backup_region": bucket.region,
            "civicloud_backup_profile": bucket.profile,
        })
    hosts = {s.name: _server_vars(tenant, s, host_map.get(s.name)) for s in servers}
    children: dict[str, Any] = {tenant_group(name): {"hosts": hosts, "vars": tenant_vars}}
    for role in sorted({r for s in servers for r in s.roles}):
        members = {s.name: None for s in servers if role in s.roles}
        children[group_name(role)] = {"hosts": members}
    return {"all": {"children": children}}


def from_stack_outputs(
    outputs: dict[str, Any], tenant: dict[str, Any], profile: str = ""
) -> tuple[list[DeployedServer], list[DeployedBucket]]:
    """Reads the tenant program's exports:

    servers: {NAME: {addresses: [IP...] (or address: IP), roles, keypair,
                     volumes: [{name, size_gb, encrypted, device}]}}
    buckets: {SPEC_NAME: {name, endpoint, region, profile}}

    Roles, keypair and volumes missing from the exports are taken from the tenant's spec for
    the same server; a bucket without `profile` gets `profile` (the storage backend's).
    """
    spec_servers = {s["name"]: s for s in (tenant.get("compute") or {}).get("servers") or []}
    servers = []
    for name, data in (outputs.get("servers") or {}).items():
        spec = spec_servers.get(name, {})
        addresses = data.get("addresses") or ([data["address"]] if data.get("address") else [])
        volumes = data.get("volumes", spec.get("volumes")) or []
        servers.append(DeployedServer(
            name=name,
            addresses=list(addresses),
            roles=list(data.get("roles", spec.get("roles")) or []),
            keypair=data.get("keypair", spec.get("keypair")),
            volumes=[
                DeployedVolume(v["name"], int(v.get("size_gb", 0)), bool(v.get("encrypted")),
                               v.get("device"))
                for v in volumes
            ],
        ))
    buckets = [
        DeployedBucket(
            name=data["name"], spec_name=spec_name, endpoint=data["endpoint"],
            region=data.get("region", ""), profile=data.get("profile") or profile,
        )
        for spec_name, data in (outputs.get("buckets") or {}).items()
    ]
    return servers, buckets


def to_dynamic_json(inventory: dict[str, Any]) -> dict[str, Any]:
    """The `--list` JSON that ansible-inventory's script plugin expects (hostvars in _meta)."""
    groups: dict[str, Any] = {"all": {"children": [], "hosts": []}}
    hostvars: dict[str, dict[str, Any]] = {}
    for group, body in inventory["all"]["children"].items():
        hosts = body.get("hosts") or {}
        groups["all"]["children"].append(group)
        groups[group] = {"hosts": list(hosts)}
        if body.get("vars"):
            groups[group]["vars"] = body["vars"]
        for host, host_vars in hosts.items():
            hostvars.setdefault(host, {}).update(host_vars or {})
    groups["_meta"] = {"hostvars": hostvars}
    return groups


def host_vars(inventory: dict[str, Any], host: str) -> dict[str, Any]:
    """`--host H`: the host's own vars (group vars come with --list)."""
    return to_dynamic_json(inventory)["_meta"]["hostvars"].get(host, {})
