"""The local cloud: a real OpenStack and two S3 servers on 127.0.0.1, for the demo and the tests.

Command line: `scripts/local-cloud up|down|status|logs SERVICE`, `civicloud local ...` or
`python -m civicloud.localcloud ...` (the same code).

Python API (what other code and the tests use):

- `paths()` -> Layout: every directory and file (`.root`, `.logs`, `.clouds_yaml`, ...), under
  `$CIVICLOUD_LOCAL_DIR` or `<repo>/.local-cloud`.
- `clouds_yaml_path()`: the generated clouds.yaml; its cloud `CLOUD_NAME` ("civicloud-local") is the
  admin of project admin, region `REGION` ("fr-local-1").
- `s3_credentials_path()`: AWS shared-credentials file, profiles `local-fr` and `local-de` (0600).
- `s3_endpoints()` -> {backend name: S3Endpoint(endpoint, profile, region)} for `local-s3-fr`
  (http://127.0.0.1:8333) and `local-s3-de` (http://127.0.0.1:8433).
- `openstack_connection()`: an openstacksdk Connection built from that clouds.yaml only.
- `s3_client(backend)`: a boto3 S3 client for one of the two servers (keys from that file).
- `up(console=None)`, `down(wipe=False)`, `status()`: the life cycle, as the command line runs it.
- `exclusive()`: a context manager holding the local cloud's lock: no `up`/`down` by another
  process meanwhile (re-entrant, so `up`/`down` may be called inside).

Shared resources created by `up`: flavors m1.tiny/m1.small/m1.medium, image `debian-12`, external
flat network `public` (203.0.113.0/24), volume type `encrypted` (LUKS, aes-xts-plain64, 256 bits).
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path

from civicloud.localcloud.layout import CLOUD_NAME, REGION, Layout, layout

__all__ = [
    "CLOUD_NAME",
    "REGION",
    "S3Endpoint",
    "clouds_yaml_path",
    "down",
    "exclusive",
    "openstack_connection",
    "paths",
    "s3_client",
    "s3_credentials_path",
    "s3_endpoints",
    "status",
    "up",
]


@dataclass(frozen=True)
class S3Endpoint:
    endpoint: str
    profile: str
    region: str  # a label: SeaweedFS neither reports nor enforces regions


def paths() -> Layout:
    return layout()


def clouds_yaml_path() -> Path:
    return layout().clouds_yaml


def s3_credentials_path() -> Path:
    return layout().s3_credentials


def s3_endpoints() -> dict[str, S3Endpoint]:
    from civicloud.localcloud.s3 import PROVIDERS

    return {p.service: S3Endpoint(p.endpoint, p.profile, p.region) for p in PROVIDERS}


def openstack_connection(cloud: str = CLOUD_NAME):  # -> openstack.connection.Connection
    from civicloud.localcloud.clients import connect

    return connect(clouds_yaml_path(), cloud)


def s3_client(backend: str, secret_key: str | None = None):  # -> botocore S3 client
    """A boto3 client for `backend` ("local-s3-fr" or "local-s3-de").

    `secret_key` overrides the profile's secret (the tests use it to check a wrong one fails).
    """
    import boto3
    from botocore.config import Config

    target = s3_endpoints()[backend]
    keys = configparser.ConfigParser()
    keys.read(s3_credentials_path())
    profile = keys[target.profile]
    return boto3.client(
        "s3",
        endpoint_url=target.endpoint,
        region_name=target.region,  # a label: SeaweedFS accepts any signing region
        aws_access_key_id=profile["aws_access_key_id"],
        aws_secret_access_key=secret_key or profile["aws_secret_access_key"],
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"mode": "standard"},
            read_timeout=120,
        ),
    )


def up(console=None):  # -> cloud.Timings
    from rich.console import Console

    from civicloud.localcloud import cloud

    return cloud.up(layout(), console or Console(stderr=True))


def down(wipe: bool = False) -> list[str]:
    from civicloud.localcloud import cloud

    return cloud.down(layout(), wipe=wipe)


def exclusive():  # -> context manager
    from civicloud.localcloud import cloud

    return cloud.exclusive(layout())


def status():  # -> list[cloud.ServiceStatus]
    from civicloud.localcloud import cloud

    return cloud.status(layout())
