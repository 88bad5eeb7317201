"""Project quotas of Nova (compute), Neutron (network) and Cinder (volume)."""

from __future__ import annotations

import contextlib
from typing import Any

from openstack import exceptions

from civicloud.stacks.credentials import openstack_admin
from civicloud.stacks.providers.base import CivicProvider

# Tenant spec key -> (service, openstacksdk attribute of that service's quota resource).
SPEC_TO_API: dict[str, tuple[str, str]] = {
    "instances": ("compute", "instances"),
    "cores": ("compute", "cores"),
    "ram_mb": ("compute", "ram"),
    "volumes": ("volume", "volumes"),
    "gigabytes": ("volume", "gigabytes"),
    "networks": ("network", "networks"),
    "subnets": ("network", "subnets"),
    "routers": ("network", "routers"),
    "ports": ("network", "ports"),
    "security_groups": ("network", "security_groups"),
    "security_group_rules": ("network", "security_group_rules"),
    "floating_ips": ("network", "floating_ips"),
}

SERVICES = ("compute", "network", "volume")


def limits_by_service(quotas: dict[str, int]) -> dict[str, dict[str, int]]:
    """Split the spec's flat quota map into one map of API attributes per service."""
    split: dict[str, dict[str, int]] = {service: {} for service in SERVICES}
    for key, value in quotas.items():
        service, attribute = SPEC_TO_API[key]
        split[service][attribute] = value
    return {service: limits for service, limits in split.items() if limits}


def _get(conn: Any, service: str, project_id: str) -> Any:
    if service == "compute":
        return conn.compute.get_quota_set(project_id)
    if service == "network":
        return conn.network.get_quota(project_id)
    return conn.block_storage.get_quota_set(project_id)


def _set(conn: Any, service: str, project_id: str, limits: dict[str, int]) -> None:
    if service == "compute":
        conn.compute.update_quota_set(project_id, **limits)
    elif service == "network":
        conn.network.update_quota(project_id, **limits)
    else:
        conn.block_storage.update_quota_set(project_id, **limits)


def _revert(conn: Any, service: str, project_id: str) -> None:
    if service == "compute":
        conn.compute.revert_quota_set(project_id)
    elif service == "network":
        conn.network.delete_quota(project_id, ignore_missing=True)
    else:
        conn.block_storage.revert_quota_set(project_id)


class QuotaProvider(CivicProvider):
    """The quotas of one service for the tenant's project; deleting reverts to the defaults.

    Verified after every write: each limit read back must equal the one set."""

    inputs = ("cloud", "project_id", "service", "limits")
    required = inputs
    replace_on = ("cloud", "project_id", "service")
    delete_before_replace = False  # quotas have no name to collide on

    def _lookup(self, props: dict[str, Any]) -> str | None:
        # A project always has quotas (the defaults): `find` reports them and the diff that
        # follows sets the declared limits.
        return f"{props['project_id']}/{props['service']}"

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        _set(conn, props["service"], props["project_id"], props["limits"])
        return f"{props['project_id']}/{props['service']}", {}

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        project_id, service = id_.split("/")
        conn = openstack_admin(props["cloud"])
        quota = _get(conn, service, project_id)
        return {"limits": {key: getattr(quota, key) for key in props.get("limits", {})}}

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        self._create(news)
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id, service = id_.split("/")
        # A project already gone took its quotas with it.
        with contextlib.suppress(exceptions.NotFoundException):
            _revert(openstack_admin(props["cloud"]), service, project_id)
