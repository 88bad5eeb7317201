"""Pure logic of the providers: input checks, diffs and replace rules, policies, defaults."""

from __future__ import annotations

import os

import pytest

from civicloud.stacks import credentials
from civicloud.stacks.providers.bucket import BucketProvider, bucket_policy
from civicloud.stacks.providers.compute import ServerProvider
from civicloud.stacks.providers.network import SecurityGroupRuleProvider
from civicloud.stacks.providers.quota import limits_by_service
from civicloud.stacks.providers.volume import VolumeProvider

SERVER = {
    "cloud": "c", "tenant": "t", "project_id": "p", "name": "t-web", "flavor": "m1.small",
    "image": "debian-12", "network_id": "n", "__provider": "blob",
}  # fmt: skip


def test_check_names_missing_and_unknown_inputs():
    result = ServerProvider().check({}, {"cloud": "c", "colour": "blue", "__provider": "x"})
    failed = {f.property: f.reason for f in result.failures}
    assert failed["tenant"] == "required"
    assert failed["colour"].startswith("unknown input")
    assert "__provider" not in failed


def test_diff_separates_in_place_changes_from_replacements():
    provider = ServerProvider()
    assert not provider.diff("id", {**SERVER, "server_id": "id"}, SERVER).changes
    renamed = provider.diff("id", SERVER, {**SERVER, "metadata": {"roles": "x"}})
    assert renamed.changes and not renamed.replaces
    resized = provider.diff("id", SERVER, {**SERVER, "flavor": "m1.medium"})
    assert resized.replaces == ["flavor"] and resized.delete_before_replace


def test_rules_are_replaced_create_first_and_volumes_only_grow_in_place():
    rule = {"cloud": "c", "project_id": "p", "security_group_id": "g", "direction": "ingress"}
    diff = SecurityGroupRuleProvider().diff("id", rule, {**rule, "direction": "egress"})
    assert diff.replaces == ["direction"] and diff.delete_before_replace is False
    volume = {"cloud": "c", "tenant": "t", "project_id": "p", "name": "v", "size_gb": 10,
              "volume_type": "encrypted"}  # fmt: skip
    assert not VolumeProvider().diff("id", volume, {**volume, "size_gb": 20}).replaces
    assert VolumeProvider().diff("id", volume, {**volume, "size_gb": 5}).replaces == ["size_gb"]


BUCKET = {"endpoint": "e", "profile": "p", "region": "r", "tenant": "t", "name": "t-docs"}


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"encryption": "none"}, "encryption"),
        ({"encryption": "sse-kms"}, "kms_key"),
        (
            {
                "encryption": "sse-s3",
                "object_lock": {"mode": "GOVERNANCE", "days": 1},
                "versioning": False,
            },
            "versioning",
        ),
    ],
)
def test_bucket_check_refuses_settings_it_cannot_honour(change, failing):
    result = BucketProvider().check({}, {**BUCKET, **change})
    assert failing in [f.property for f in result.failures]


def test_bucket_object_lock_can_only_be_set_at_creation():
    old = {**BUCKET, "encryption": "sse-s3", "versioning": True}
    locked = {**old, "object_lock": {"mode": "GOVERNANCE", "days": 30}}
    assert "object_lock" in BucketProvider().diff("b", old, locked).replaces
    longer = {**old, "object_lock": {"mode": "GOVERNANCE", "days": 60}}
    assert not BucketProvider().diff("b", locked, longer).replaces


def test_bucket_policy_denies_other_identities_and_unencrypted_sse_c_writes():
    assert bucket_policy({**BUCKET, "encryption": "sse-s3"}) is None
    policy = bucket_policy({**BUCKET, "encryption": "sse-c", "principals": ["admin", "app"]})
    access, ssec = policy["Statement"]
    assert access["Effect"] == "Deny"
    assert access["Condition"] == {"StringNotEquals": {"aws:username": ["admin", "app"]}}
    assert access["Resource"] == ["arn:aws:s3:::t-docs", "arn:aws:s3:::t-docs/*"]
    assert ssec["Action"] == "s3:PutObject"
    assert ssec["Condition"]["Null"] == {
        "s3:x-amz-server-side-encryption-customer-algorithm": "true"
    }


def test_quotas_are_split_by_service_with_api_names():
    assert limits_by_service({"ram_mb": 1024, "floating_ips": 0, "volumes": 2}) == {
        "compute": {"ram": 1024},
        "network": {"floating_ips": 0},
        "volume": {"volumes": 2},
    }


def test_local_defaults_apply_only_when_unset_and_present(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICLOUD_LOCAL_DIR", str(tmp_path))
    # setenv first so that monkeypatch restores it even though the code under test sets it.
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", "")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/etc/mine")
    credentials.apply_local_defaults()
    assert not os.environ["OS_CLIENT_CONFIG_FILE"]  # no file there: nothing to point at
    (tmp_path / "clouds.yaml").write_text("clouds: {}\n")
    (tmp_path / "s3-credentials").write_text("")
    credentials.apply_local_defaults()
    assert os.environ["OS_CLIENT_CONFIG_FILE"] == str(tmp_path / "clouds.yaml")
    assert os.environ["AWS_SHARED_CREDENTIALS_FILE"] == "/etc/mine"  # the user's choice wins
