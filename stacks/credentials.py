"""Credentials resolved at call time, from the ecosystem's standard files.

Providers hold no credentials: a resource's inputs name a clouds.yaml entry (OpenStack) or an
endpoint + AWS profile (S3), and each provider call resolves them here. Connections are cached
per thread (openstacksdk and boto3 clients are not thread-safe), never in provider instances or
state, so a pickled provider or a state file never carries a secret.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

_cache = threading.local()


def local_cloud_dir() -> Path:
    """The local cloud's directory (same rule as civicloud.localcloud.layout)."""
    from civicloud.paths import project_path

    root = os.environ.get("CIVICLOUD_LOCAL_DIR")
    return Path(root) if root else project_path(".local-cloud")


def apply_local_defaults() -> None:
    """Point openstacksdk and boto3 at the local cloud's files when the user set nothing else."""
    defaults = {
        "OS_CLIENT_CONFIG_FILE": local_cloud_dir() / "clouds.yaml",
        "AWS_SHARED_CREDENTIALS_FILE": local_cloud_dir() / "s3-credentials",
    }
    for variable, path in defaults.items():
        if not os.environ.get(variable) and path.is_file():
            os.environ[variable] = str(path)


def _connections() -> dict[tuple, Any]:
    if not hasattr(_cache, "connections"):
        _cache.connections = {}
    return _cache.connections


def openstack_admin(cloud: str) -> Any:
    """An openstacksdk Connection for a clouds.yaml entry (the operator's credentials)."""
    key = ("openstack", cloud)
    connections = _connections()
    if key not in connections:
        import openstack

        apply_local_defaults()
        # No automatic connection retries: keystoneauth would resend a POST whose connection
        # dropped after the server acted on it, and create a duplicate (seen with a volume).
        # A failed call fails the step; the next apply converges by adopting what exists.
        connections[key] = openstack.connect(cloud=cloud)
    return connections[key]


def openstack_in_project(cloud: str, project_id: str) -> Any:
    """The operator's connection re-scoped to a tenant project.

    Nova and Cinder create servers and volumes in the project of the token, so they must be
    created with a token scoped to the tenant's project (the Project provider gives the operator
    a role there for this reason).
    """
    key = ("openstack", cloud, project_id)
    connections = _connections()
    if key not in connections:
        # connect_as(project_id=...), not connect_as_project(id): the latter answers 401 when
        # clouds.yaml scopes by project_name (it keeps the name beside the new id).
        connections[key] = openstack_admin(cloud).connect_as(project_id=project_id)
    return connections[key]


def s3_client(endpoint: str, profile: str, region: str) -> Any:
    """A boto3 S3 client for an endpoint, with the keys of a shared-credentials profile."""
    key = ("s3", endpoint, profile, region)
    connections = _connections()
    if key not in connections:
        import boto3
        from botocore.config import Config

        apply_local_defaults()
        session = boto3.session.Session(profile_name=profile, region_name=region)
        connections[key] = session.client(
            "s3",
            endpoint_url=endpoint,
            config=Config(
                s3={"addressing_style": "path"},
                # S3 PUTs of configuration are idempotent; CreateBucket is adopted when repeated.
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )
    return connections[key]


def forget_connections() -> None:
    """Drop this thread's cached clients (e.g. after the local cloud restarted)."""
    _connections().clear()
