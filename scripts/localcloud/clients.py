"""Client files of the local cloud (clouds.yaml) and connections built from them, never from CWD."""

from __future__ import annotations

from pathlib import Path

import yaml

from civicloud.localcloud.configs import KEYSTONE_URL
from civicloud.localcloud.credentials import Credentials, write_private
from civicloud.localcloud.layout import CLOUD_NAME, REGION, Layout


def write_clouds_yaml(layout: Layout, creds: Credentials) -> None:
    cloud = {
        "auth": {
            "auth_url": f"{KEYSTONE_URL}/v3",
            "username": "admin",
            "password": creds.admin_password,
            "project_name": "admin",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        "region_name": REGION,
        "identity_api_version": 3,
        "interface": "public",
    }
    write_private(layout.clouds_yaml, yaml.safe_dump({"clouds": {CLOUD_NAME: cloud}}))


def connect(clouds_yaml: Path, cloud: str = CLOUD_NAME):  # -> openstack.connection.Connection
    """An openstacksdk connection from this clouds.yaml only (no CWD file, no OS_* variables)."""
    import openstack.config
    import openstack.connection

    config = openstack.config.OpenStackConfig(
        config_files=[str(clouds_yaml)], vendor_files=[], load_envvars=False
    )
    return openstack.connection.Connection(config=config.get_one(cloud=cloud))
