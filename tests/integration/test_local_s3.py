"""The two local S3 servers (SeaweedFS), each used directly with boto3 (not through civicloud)."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from botocore.exceptions import ClientError

import civicloud.localcloud as localcloud
from civicloud.localcloud.s3 import KMS_KEY_ALIAS

pytestmark = pytest.mark.integration


@pytest.fixture
def s3(s3_backend):
    return localcloud.s3_client(s3_backend)


@pytest.fixture
def bucket(s3, unique, delete_bucket):
    name = f"{unique}-bucket"
    s3.create_bucket(Bucket=name)
    yield name
    delete_bucket(s3, name)


def _error_code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


def test_a_wrong_secret_is_refused(s3_backend):
    s3 = localcloud.s3_client(s3_backend, secret_key="not-the-secret-" + os.urandom(4).hex())
    with pytest.raises(ClientError) as refused:
        s3.list_buckets()
    assert _error_code(refused.value) in {
        "SignatureDoesNotMatch",
        "AccessDenied",
        "InvalidAccessKeyId",
    }


def test_default_encryption_sse_s3_encrypts_new_objects(s3, bucket):
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    s3.put_object(Bucket=bucket, Key="deliberation.pdf", Body=b"conseil municipal")
    assert s3.head_object(Bucket=bucket, Key="deliberation.pdf")["ServerSideEncryption"] == "AES256"
    assert (
        s3.get_object(Bucket=bucket, Key="deliberation.pdf")["Body"].read() == b"conseil municipal"
    )


def test_default_encryption_sse_kms_uses_the_local_kms(s3, bucket):
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": KMS_KEY_ALIAS,
                    }
                }
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"kms")
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "aws:kms"


def test_sse_c_object_cannot_be_read_without_its_key(s3, bucket):
    key = os.urandom(32)
    sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
    s3.put_object(Bucket=bucket, Key="secret", Body=b"etat civil", **sse_c)

    with pytest.raises(ClientError) as refused:
        s3.get_object(Bucket=bucket, Key="secret")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] in {400, 403}
    with pytest.raises(ClientError):
        s3.get_object(
            Bucket=bucket,
            Key="secret",
            SSECustomerAlgorithm="AES256",
            SSECustomerKey=os.urandom(32),
        )
    got = s3.get_object(Bucket=bucket, Key="secret", **sse_c)
    assert got["Body"].read() == b"etat civil"


def test_object_lock_refuses_a_delete_inside_retention(s3, unique, delete_bucket):
    name = f"{unique}-locked"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    retain_seconds = 4
    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=retain_seconds)
    try:
        put = s3.put_object(
            Bucket=name,
            Key="registre",
            Body=b"archive publique",
            ObjectLockMode="COMPLIANCE",
            ObjectLockRetainUntilDate=until,
        )
        version = put["VersionId"]
        retention = s3.get_object_retention(Bucket=name, Key="registre", VersionId=version)
        assert retention["Retention"]["Mode"] == "COMPLIANCE"

        with pytest.raises(ClientError) as refused:
            s3.delete_object(Bucket=name, Key="registre", VersionId=version)
        assert _error_code(refused.value) == "AccessDenied"
        assert s3.get_object(Bucket=name, Key="registre", VersionId=version)["Body"].read()
    finally:
        # COMPLIANCE cannot be bypassed: wait for the (short) retention to end, then clean up
        time.sleep(max(0.0, (until - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
        delete_bucket(s3, name)


def test_the_two_servers_do_not_see_each_other(unique, delete_bucket):
    fr, de = localcloud.s3_client("local-s3-fr"), localcloud.s3_client("local-s3-de")
    fr_only, de_only = f"{unique}-fr-only", f"{unique}-de-only"
    fr.create_bucket(Bucket=fr_only)
    de.create_bucket(Bucket=de_only)
    try:
        fr_names = {b["Name"] for b in fr.list_buckets()["Buckets"]}
        de_names = {b["Name"] for b in de.list_buckets()["Buckets"]}
        assert fr_only in fr_names and fr_only not in de_names
        assert de_only in de_names and de_only not in fr_names
        with pytest.raises(ClientError) as missing:
            de.head_bucket(Bucket=fr_only)
        assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    finally:
        delete_bucket(fr, fr_only)
        delete_bucket(de, de_only)
