"""Integration tests run against the real local cloud, started once per session (idempotent:
already up costs a few seconds). Clients come from the generated files, passed explicitly:
never a clouds.yaml found in the current directory, never OS_* variables.
"""

from __future__ import annotations

import uuid

import pytest
from rich.console import Console

import civicloud.localcloud as localcloud
from civicloud.localcloud.errors import LocalCloudError, tail

S3_BACKENDS = sorted(localcloud.s3_endpoints())


@pytest.fixture(scope="session", autouse=True)
def local_cloud():
    """Brings the local cloud up (the code of `scripts/local-cloud up`); fails with its log tail."""
    try:
        localcloud.up(Console(stderr=True, soft_wrap=True))
    except LocalCloudError as error:
        log = tail(error.log) if error.log else ""
        pytest.fail(f"local cloud did not come up: {error}\n{log}", pytrace=False)
    return localcloud.paths()


@pytest.fixture(scope="session")
def os_admin(local_cloud):
    """openstacksdk as the local cloud's admin (clouds.yaml passed by path)."""
    conn = localcloud.openstack_connection()
    yield conn
    conn.close()


@pytest.fixture
def unique() -> str:
    """A name prefix no other run uses, so re-runs never collide with leftovers."""
    return f"it-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=S3_BACKENDS)
def s3_backend(request, local_cloud) -> str:
    return request.param


@pytest.fixture(scope="session")
def delete_bucket():
    """A function that deletes a bucket with every version and delete marker in it."""
    return _empty_and_delete_bucket


def _empty_and_delete_bucket(s3, name: str) -> None:
    from botocore.exceptions import ClientError

    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
                s3.delete_object(Bucket=name, Key=version["Key"], VersionId=version["VersionId"])
        s3.delete_bucket(Bucket=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchBucket":
            raise
