"""S3 buckets on the backend named by endpoint + credentials profile, verified after writing.

Backend gaps handled here (SeaweedFS, the local backend, see shared/notes/s3-local.md):
- it accepts any LocationConstraint and reports none: civicloud records the region in the
  `civicloud:region` tag and verifies that tag (and the location, when the backend reports one);
- it answers 501 to public-access-block: recorded as `public_access_block: unsupported` in the
  outputs instead of failing (the policy gate forbids public buckets for sensitive data anyway).
SSE-C has no bucket default in S3: a bucket policy denies any PutObject without SSE-C headers.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError
from pulumi.dynamic import CheckFailure, CheckResult, DiffResult

from civicloud.stacks.credentials import s3_client
from civicloud.stacks.providers.base import CivicProvider, user_inputs
from civicloud.stacks.providers.errors import NotOurs, ProviderError

ENCRYPTIONS = ("sse-s3", "sse-kms", "sse-c")
TAG_TENANT, TAG_REGION = "civicloud:tenant", "civicloud:region"
SSEC_HEADER = "s3:x-amz-server-side-encryption-customer-algorithm"
SSEC_SID = "civicloud-require-sse-c"
ACCESS_SID = "civicloud-tenant-only"
UNSUPPORTED = "unsupported"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _unsupported(error: ClientError) -> bool:
    return _status(error) == 501 or _code(error) == "NotImplemented"


def _ignore_missing(call: Any, **kwargs: Any) -> None:
    """Delete a bucket sub-resource that may not exist (S3 answers 404 then)."""
    try:
        call(**kwargs)
    except ClientError as error:
        if _status(error) != 404:
            raise


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """S3's form of a civicloud lifecycle rule {id, prefix, expire_days, noncurrent_expire_days}."""
    s3_rule: dict[str, Any] = {
        "ID": rule["id"],
        "Filter": {"Prefix": rule.get("prefix", "")},
        "Status": "Enabled",
    }
    if rule.get("expire_days"):
        s3_rule["Expiration"] = {"Days": rule["expire_days"]}
    if rule.get("noncurrent_expire_days"):
        s3_rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule["noncurrent_expire_days"]}
    return s3_rule


def _client(props: dict[str, Any]) -> Any:
    return s3_client(props["endpoint"], props["profile"], props["region"])


def bucket_policy(props: dict[str, Any]) -> dict[str, Any] | None:
    """The bucket policy civicloud wants for these inputs (None: no policy)."""
    bucket = props["name"]
    resources = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    statements: list[dict[str, Any]] = []
    if props.get("principals"):
        # Deny everyone but the named identities. `NotPrincipal` would say it directly but
        # SeaweedFS refuses it; the `aws:username` condition works on SeaweedFS and AWS alike.
        # The list must include the operator's own identity, or civicloud locks itself out.
        statements.append(
            {
                "Sid": ACCESS_SID,
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": resources,
                "Condition": {"StringNotEquals": {"aws:username": list(props["principals"])}},
            }
        )
    if props.get("encryption") == "sse-c":
        statements.append(
            {
                "Sid": SSEC_SID,
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": resources[1],
                "Condition": {"Null": {SSEC_HEADER: "true"}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


class BucketProvider(CivicProvider):
    """One bucket: region (LocationConstraint + tag), default encryption, versioning, object
    lock, lifecycle, public access block, tags and a policy limited to the tenant's identities.

    Verified after every write: default encryption, versioning, object lock, region tag,
    lifecycle and tags are read back and must match."""

    inputs = (
        "endpoint", "profile", "region", "tenant", "name", "encryption", "kms_key",
        "versioning", "object_lock", "lifecycle", "public_access", "tags", "principals",
    )  # fmt: skip
    required = ("endpoint", "profile", "region", "tenant", "name", "encryption")
    replace_on = ("endpoint", "region", "tenant", "name")

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        props = user_inputs(news)
        if "encryption" in props and props["encryption"] not in ENCRYPTIONS:
            result.failures.append(
                CheckFailure("encryption", f"expected one of {', '.join(ENCRYPTIONS)}")
            )
        if props.get("encryption") == "sse-kms" and not props.get("kms_key"):
            result.failures.append(CheckFailure("kms_key", "required with sse-kms"))
        if props.get("object_lock") and props.get("versioning") is False:
            result.failures.append(CheckFailure("versioning", "object lock needs versioning"))
        return result

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        # Object lock can only be switched on when the bucket is created.
        if bool(olds.get("object_lock")) != bool(news.get("object_lock")):
            result.replaces = [*(result.replaces or []), "object_lock"]
        return result

    # -- create / update -------------------------------------------------------------------------
    def _lookup(self, props: dict[str, Any]) -> str | None:
        s3, bucket = _client(props), props["name"]
        if not self._exists(s3, bucket):
            return None
        tags = self._tags(s3, bucket)
        # S3 cannot tag a bucket as it creates it: an interrupted create leaves it untagged.
        # An untagged *empty* bucket holds nobody's data, so it is adopted.
        untagged_and_empty = not tags and not self._holds_objects(s3, bucket)
        if tags.get(TAG_TENANT) != props["tenant"] and not untagged_and_empty:
            raise NotOurs(
                f"bucket {bucket!r} already exists at {props['endpoint']} and is not tagged "
                f"as civicloud's for tenant {props['tenant']!r}"
            )
        return bucket

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        try:
            _client(props).get_public_access_block(Bucket=id_)
            block = "enabled"
        except ClientError as error:
            if _status(error) != 404 and not _unsupported(error):
                raise
            block = UNSUPPORTED if _unsupported(error) else "disabled"
        return {"bucket": id_, "public_access_block": block}

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        s3, bucket = _client(props), props["name"]
        if self._lookup(props) is None:
            s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": props["region"]},
                ObjectLockEnabledForBucket=bool(props.get("object_lock")),
            )
        return bucket, self._configure(s3, props)

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return self._configure(_client(news), news)

    def _configure(self, s3: Any, props: dict[str, Any]) -> dict[str, Any]:
        """Apply every setting (idempotent: the same calls for create, adopt and update)."""
        bucket = props["name"]
        # Tags first: they carry the ownership marker adoption relies on.
        tags = {
            **props.get("tags", {}),
            "civicloud": "true",
            TAG_TENANT: props["tenant"],
            TAG_REGION: props["region"],
        }
        s3.put_bucket_tagging(
            Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )
        self._put_encryption(s3, props)
        versioning = props.get("versioning", False) or bool(props.get("object_lock"))
        if versioning or self._read_versioning(s3, bucket) is not None:
            status = "Enabled" if versioning else "Suspended"
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
        if lock := props.get("object_lock"):
            s3.put_object_lock_configuration(
                Bucket=bucket,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": lock["mode"], "Days": lock["days"]}},
                },
            )
        self._put_lifecycle(s3, bucket, props.get("lifecycle", []))
        policy = bucket_policy(props)
        if policy:
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        else:
            _ignore_missing(s3.delete_bucket_policy, Bucket=bucket)
        return {
            "bucket": bucket,
            "public_access_block": self._put_public_access_block(
                s3, bucket, block=not props.get("public_access", False)
            ),
        }

    @staticmethod
    def _put_encryption(s3: Any, props: dict[str, Any]) -> None:
        encryption = props["encryption"]
        if encryption == "sse-c":
            # No bucket default exists for SSE-C (the client holds the key): the policy
            # refuses unencrypted writes instead, and any server-side default is removed.
            _ignore_missing(s3.delete_bucket_encryption, Bucket=props["name"])
            return
        rule: dict[str, Any] = {"SSEAlgorithm": "AES256"}
        if encryption == "sse-kms":
            rule = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": props["kms_key"]}
        s3.put_bucket_encryption(
            Bucket=props["name"],
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": rule}]
            },
        )

    @staticmethod
    def _put_lifecycle(s3: Any, bucket: str, rules: list[dict[str, Any]]) -> None:
        if not rules:
            s3.delete_bucket_lifecycle(Bucket=bucket)
            return
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in rules]}
        )

    @staticmethod
    def _put_public_access_block(s3: Any, bucket: str, block: bool) -> str:
        """'enabled' / 'disabled', or 'unsupported' when the backend has no such feature."""
        try:
            if block:
                s3.put_public_access_block(
                    Bucket=bucket,
                    PublicAccessBlockConfiguration={
                        "BlockPublicAcls": True,
                        "IgnorePublicAcls": True,
                        "BlockPublicPolicy": True,
                        "RestrictPublicBuckets": True,
                    },
                )
            else:
                s3.delete_public_access_block(Bucket=bucket)
        except ClientError as error:
            if _unsupported(error):
                return UNSUPPORTED
            raise
        return "enabled" if block else "disabled"

    # -- read ------------------------------------------------------------------------------------
    @staticmethod
    def _exists(s3: Any, bucket: str) -> bool:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as error:
            if _status(error) == 404:
                return False
            if _status(error) == 403:
                raise NotOurs(
                    f"bucket {bucket!r} exists and belongs to another account: choose another "
                    "tenant or bucket name"
                ) from None
            raise
        return True

    @staticmethod
    def _holds_objects(s3: Any, bucket: str) -> bool:
        listing = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
        return bool(listing.get("Versions") or listing.get("DeleteMarkers"))

    @staticmethod
    def _tags(s3: Any, bucket: str) -> dict[str, str]:
        try:
            tag_set = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
        except ClientError as error:
            if _code(error) in ("NoSuchTagSet", "NoSuchTagSetError") or _status(error) == 404:
                return {}
            raise
        return {tag["Key"]: tag["Value"] for tag in tag_set}

    @staticmethod
    def _read_versioning(s3: Any, bucket: str) -> str | None:
        return s3.get_bucket_versioning(Bucket=bucket).get("Status")

    @staticmethod
    def _read_encryption(s3: Any, bucket: str) -> dict[str, Any] | None:
        try:
            config = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        except ClientError as error:
            if _status(error) == 404 or "NotFound" in _code(error):
                return None
            raise
        rules = config.get("Rules") or [{}]
        return rules[0].get("ApplyServerSideEncryptionByDefault")

    @staticmethod
    def _read_object_lock(s3: Any, bucket: str) -> dict[str, Any] | None:
        try:
            config = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
        except ClientError as error:
            if _status(error) == 404 or "NotFound" in _code(error):
                return None
            raise
        retention = config.get("Rule", {}).get("DefaultRetention")
        if config.get("ObjectLockEnabled") != "Enabled" or not retention:
            return None
        return {"mode": retention.get("Mode"), "days": retention.get("Days")}

    @staticmethod
    def _read_lifecycle(s3: Any, bucket: str) -> list[dict[str, Any]]:
        try:
            rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        except ClientError as error:
            if _status(error) == 404 or "NoSuchLifecycle" in _code(error):
                return []
            raise
        found = []
        for rule in rules:
            entry = {
                "id": rule["ID"],
                "prefix": rule.get("Filter", {}).get("Prefix", rule.get("Prefix", "")),
                "expire_days": rule.get("Expiration", {}).get("Days"),
                "noncurrent_expire_days": rule.get("NoncurrentVersionExpiration", {}).get(
                    "NoncurrentDays"
                ),
            }
            found.append({k: v for k, v in entry.items() if v is not None})
        return found

    @staticmethod
    def _read_policy(s3: Any, bucket: str) -> dict[str, Any] | None:
        try:
            return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        except ClientError as error:
            if _status(error) == 404 or "NoSuchBucketPolicy" in _code(error):
                return None
            raise

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        s3 = _client(props)
        if not self._exists(s3, id_):
            return None
        tags = self._tags(s3, id_)
        policy = self._read_policy(s3, id_) or {}
        sids = {statement.get("Sid") for statement in policy.get("Statement", [])}
        default = self._read_encryption(s3, id_)
        encryption, kms_key = None, None
        if default and default.get("SSEAlgorithm") == "AES256":
            encryption = "sse-s3"
        elif default and default.get("SSEAlgorithm") == "aws:kms":
            encryption, kms_key = "sse-kms", default.get("KMSMasterKeyID")
        elif SSEC_SID in sids:
            encryption = "sse-c"
        location = s3.get_bucket_location(Bucket=id_).get("LocationConstraint")
        found: dict[str, Any] = {
            "name": id_,
            # A backend that reports a location is believed; otherwise civicloud's own tag.
            "region": location or tags.get(TAG_REGION),
            "tenant": tags.get(TAG_TENANT),
            "encryption": encryption,
            "versioning": self._read_versioning(s3, id_) == "Enabled",
            "object_lock": self._read_object_lock(s3, id_),
            "lifecycle": self._read_lifecycle(s3, id_),
            "tags": {k: v for k, v in tags.items() if k != "civicloud" and ":" not in k},
        }
        if kms_key is not None or "kms_key" in props:
            found["kms_key"] = kms_key
        if "principals" in props:
            found["principals"] = props["principals"] if ACCESS_SID in sids else []
        return found

    def verify(self, id_: str, props: dict[str, Any]) -> None:
        props = user_inputs(props)
        expected = {
            **props,
            "versioning": props.get("versioning", False) or bool(props.get("object_lock")),
            "object_lock": props.get("object_lock"),
            "lifecycle": props.get("lifecycle", []),
            "tags": props.get("tags", {}),
        }
        super().verify(id_, expected)

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        s3 = _client(props)
        if not self._exists(s3, id_):
            return
        # Checked here, not left to the backend: SeaweedFS deletes a bucket with its objects.
        if self._holds_objects(s3, id_):
            raise ProviderError(
                f"bucket {id_!r} at {props['endpoint']} still holds objects: civicloud never "
                "deletes data. Export or empty it (all versions), then run again."
            )
        s3.delete_bucket(Bucket=id_)
