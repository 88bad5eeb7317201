"""BucketProvider on the real local S3 servers (SeaweedFS), checked with boto3 directly."""

from __future__ import annotations

import contextlib
import os
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from civicloud.stacks.credentials import apply_local_defaults
from civicloud.stacks.providers.bucket import BucketProvider
from civicloud.stacks.providers.errors import NotOurs, ProviderError, VerificationError

pytestmark = pytest.mark.integration

FR = {"endpoint": "http://127.0.0.1:8333", "profile": "local-fr", "region": "fr-par-local"}


@pytest.fixture
def s3():
    apply_local_defaults()
    return boto3.session.Session(profile_name="local-fr").client(
        "s3", endpoint_url=FR["endpoint"], config=Config(s3={"addressing_style": "path"})
    )


@pytest.fixture
def bucket_name(s3, delete_bucket):
    name = f"t-{uuid.uuid4().hex[:10]}-docs"
    yield name
    # Clean up whatever the test left, all versions included (policy first: it may deny).
    with contextlib.suppress(ClientError):
        s3.delete_bucket_policy(Bucket=name)
    with contextlib.suppress(ClientError):
        delete_bucket(s3, name)


def props(name: str, **extra) -> dict:
    return {
        **FR,
        "tenant": "testtenant",
        "name": name,
        "encryption": "sse-s3",
        "versioning": True,
        "lifecycle": [{"id": "expire-tmp", "prefix": "tmp/", "expire_days": 30}],
        "tags": {"owner": "dsi"},
        **extra,
    }


def test_create_sets_everything_and_records_the_region(s3, bucket_name):
    provider = BucketProvider()
    result = provider.create(props(bucket_name))

    assert result.id == bucket_name
    enc = s3.get_bucket_encryption(Bucket=bucket_name)["ServerSideEncryptionConfiguration"]
    assert enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_versioning(Bucket=bucket_name)["Status"] == "Enabled"
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket_name)["TagSet"]}
    assert tags["civicloud:region"] == "fr-par-local"
    assert tags["civicloud:tenant"] == "testtenant"
    assert tags["owner"] == "dsi"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket_name)["Rules"]
    assert rules[0]["ID"] == "expire-tmp" and rules[0]["Expiration"]["Days"] == 30
    # SeaweedFS answers 501 to public-access-block: recorded, not failed.
    assert result.outs["public_access_block"] == "unsupported"
    # An object written without encryption headers is encrypted by the bucket default.
    s3.put_object(Bucket=bucket_name, Key="a.txt", Body=b"hello")
    assert s3.head_object(Bucket=bucket_name, Key="a.txt")["ServerSideEncryption"] == "AES256"


def test_read_diff_update_delete(s3, bucket_name):
    provider = BucketProvider()
    created = provider.create(props(bucket_name))
    olds = created.outs

    read = provider.read(bucket_name, olds)
    assert read.outs["encryption"] == "sse-s3" and read.outs["region"] == "fr-par-local"
    assert not provider.diff(bucket_name, olds, props(bucket_name)).changes

    kms = props(bucket_name, encryption="sse-kms", kms_key="alias/seaweedfs-default")
    diff = provider.diff(bucket_name, olds, kms)
    assert diff.changes and not diff.replaces
    provider.update(bucket_name, olds, kms)
    rule = s3.get_bucket_encryption(Bucket=bucket_name)["ServerSideEncryptionConfiguration"][
        "Rules"
    ][0]["ApplyServerSideEncryptionByDefault"]
    assert rule == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/seaweedfs-default"}

    # Switching object lock on cannot be done in place; neither can moving region.
    locked = props(bucket_name, object_lock={"mode": "GOVERNANCE", "days": 1})
    assert "object_lock" in provider.diff(bucket_name, olds, locked).replaces
    assert "region" in provider.diff(bucket_name, olds, {**olds, "region": "x"}).replaces

    provider.delete(bucket_name, olds)
    assert bucket_name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    provider.delete(bucket_name, olds)  # idempotent
    assert provider.read(bucket_name, olds).id is None


def test_object_lock_is_set_at_creation_and_verified(s3, bucket_name):
    BucketProvider().create(props(bucket_name, object_lock={"mode": "GOVERNANCE", "days": 365}))
    config = s3.get_object_lock_configuration(Bucket=bucket_name)["ObjectLockConfiguration"]
    assert config["ObjectLockEnabled"] == "Enabled"
    assert config["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 365}


def test_verification_fails_when_encryption_was_removed_behind_our_back(s3, bucket_name):
    provider = BucketProvider()
    outs = provider.create(props(bucket_name)).outs
    s3.delete_bucket_encryption(Bucket=bucket_name)

    assert provider.read(bucket_name, outs).outs["encryption"] is None
    with pytest.raises(VerificationError, match="encryption"):
        provider.verify(bucket_name, outs)


def test_create_adopts_its_own_bucket_and_refuses_a_foreign_one(s3, bucket_name):
    provider = BucketProvider()
    provider.create(props(bucket_name))
    adopted = provider.create(props(bucket_name))  # an interrupted apply re-runs the create
    assert adopted.id == bucket_name

    foreign = f"{bucket_name}-x"
    s3.create_bucket(Bucket=foreign)
    s3.put_object(Bucket=foreign, Key="someone-elses.txt", Body=b"x")
    try:
        with pytest.raises(NotOurs):
            provider.create(props(foreign))
    finally:
        s3.delete_object(Bucket=foreign, Key="someone-elses.txt")
        s3.delete_bucket(Bucket=foreign)


def test_find_answers_whether_an_interrupted_create_happened(s3, bucket_name):
    provider = BucketProvider()
    assert provider.find(props(bucket_name)) is None
    # A create killed right after CreateBucket leaves an empty, untagged bucket.
    s3.create_bucket(Bucket=bucket_name)
    found = provider.find(props(bucket_name))
    assert found.id == bucket_name
    assert found.outs["public_access_block"] == "unsupported"
    assert found.outs["encryption"] is None  # not configured yet: the next diff will show it
    assert provider.diff(bucket_name, found.outs, props(bucket_name)).changes
    provider.update(bucket_name, found.outs, props(bucket_name))
    assert s3.get_bucket_versioning(Bucket=bucket_name)["Status"] == "Enabled"


def test_sse_c_bucket_refuses_unencrypted_writes(s3, bucket_name):
    BucketProvider().create(props(bucket_name, encryption="sse-c", versioning=False))
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.put_object(Bucket=bucket_name, Key="plain", Body=b"x")
    s3.put_object(
        Bucket=bucket_name,
        Key="sealed",
        Body=b"x",
        SSECustomerAlgorithm="AES256",
        SSECustomerKey=os.urandom(32),
    )


def test_policy_limits_access_to_the_named_identities(s3, bucket_name):
    provider = BucketProvider()
    outs = provider.create(props(bucket_name, principals=["admin", "vence-app"])).outs
    s3.put_object(Bucket=bucket_name, Key="ok", Body=b"x")  # admin is in the list
    assert provider.read(bucket_name, outs).outs["principals"] == ["admin", "vence-app"]
    policy = s3.get_bucket_policy(Bucket=bucket_name)["Policy"]
    assert '"aws:username"' in policy and "vence-app" in policy


def test_deleting_a_bucket_with_data_is_refused(s3, bucket_name):
    provider = BucketProvider()
    outs = provider.create(props(bucket_name, versioning=False)).outs
    s3.put_object(Bucket=bucket_name, Key="keep", Body=b"x")
    with pytest.raises(ProviderError, match="never deletes data"):
        provider.delete(bucket_name, outs)
