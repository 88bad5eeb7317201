"""Inventory generation from a tenant's deployed state (pure logic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicloud.configure.inventory import (
    DeployedBucket,
    DeployedServer,
    DeployedVolume,
    admins,
    backup_bucket,
    build_inventory,
    from_stack_outputs,
    host_vars,
    to_dynamic_json,
)
from civicloud.configure.testhosts import TestHost

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3nBmQ8v0Yc5Xq2g3R0kq7eN2Qw6jv1Zs0r9c4vS5Xy admin@x"

TENANT = {
    "metadata": {"name": "vence-nord"},
    "classification": "health",
    "compute": {
        "keypairs": [{"name": "admin", "public_key": KEY}],
        "servers": [
            {"name": "web-1", "keypair": "admin", "roles": ["baseline", "backup"],
             "volumes": [{"name": "data", "size_gb": 10, "encrypted": True}]},
            {"name": "app-1", "roles": ["baseline", "data_volume"]},
        ],
    },
    "storage": {"backend": "local-s3-fr"},
    "access": {
        "users": [{"name": "alice", "roles": ["member"]}, {"name": "bob", "roles": ["reader"]},
                  {"name": "carol", "roles": ["admin"]}],
        "groups": [{"name": "admins", "members": ["alice"], "roles": ["admin"]}],
    },
}
SERVERS = [
    DeployedServer("web-1", ["10.20.0.11"], ["baseline", "backup"], "admin",
                   [DeployedVolume("data", 10, True, "/dev/vdb")]),
    DeployedServer("app-1", ["10.20.0.12"], ["baseline", "data_volume"], None),
]
BUCKETS = [
    DeployedBucket("vence-nord-documents", "documents", "http://s3.example", "fr-par", "fr"),
    DeployedBucket("vence-nord-backups", "backups", "http://s3.example", "fr-par", "fr"),
]


def groups(inventory: dict) -> dict:
    return inventory["all"]["children"]


def test_one_group_per_tenant_and_per_role():
    inv = build_inventory(TENANT, SERVERS, BUCKETS)
    assert list(groups(inv)) == ["tenant_vence_nord", "backup", "baseline", "data_volume"]
    assert list(groups(inv)["tenant_vence_nord"]["hosts"]) == ["web-1", "app-1"]
    assert list(groups(inv)["backup"]["hosts"]) == ["web-1"]
    assert list(groups(inv)["data_volume"]["hosts"]) == ["app-1"]


def test_tenant_vars_carry_classification_and_backup_bucket():
    variables = groups(build_inventory(TENANT, SERVERS, BUCKETS))["tenant_vence_nord"]["vars"]
    assert variables["civicloud_tenant"] == "vence-nord"
    assert variables["civicloud_classification"] == "health"
    # a bucket whose name says backup wins over the first one
    assert variables["civicloud_backup_bucket"] == "vence-nord-backups"
    assert variables["civicloud_backup_endpoint"] == "http://s3.example"
    assert variables["civicloud_backup_region"] == "fr-par"
    assert variables["civicloud_backup_profile"] == "fr"


def test_admins_come_from_users_and_groups_with_the_admin_role():
    assert admins(TENANT) == ["alice", "carol"]


def test_host_vars_of_a_real_server():
    web = groups(build_inventory(TENANT, SERVERS, BUCKETS))["tenant_vence_nord"]["hosts"]["web-1"]
    assert web["ansible_host"] == "10.20.0.11"
    assert web["ansible_user"] == "debian" and web["ansible_become"] is True
    assert web["civicloud_admins"] == [{"name": "alice", "ssh_keys": [KEY]},
                                       {"name": "carol", "ssh_keys": [KEY]}]
    assert web["civicloud_volumes"] == [
        {"name": "data", "size_gb": 10, "encrypted": True, "device": "/dev/vdb"}]
    assert "civicloud_test_host" not in web


def test_server_without_keypair_gets_accounts_without_keys():
    app = groups(build_inventory(TENANT, SERVERS, BUCKETS))["tenant_vence_nord"]["hosts"]["app-1"]
    assert app["civicloud_admins"] == [{"name": "alice", "ssh_keys": []},
                                       {"name": "carol", "ssh_keys": []}]


def test_test_hosts_replace_the_connection():
    host = TestHost("it-web", 2299, Path("/k/id"), Path("/k/known"), Path("/r"))
    web = groups(build_inventory(TENANT, SERVERS, BUCKETS, {"web-1": host}))[
        "tenant_vence_nord"]["hosts"]["web-1"]
    assert (web["ansible_host"], web["ansible_port"], web["ansible_user"]) == (
        "127.0.0.1", 2299, "root")
    assert web["ansible_ssh_private_key_file"] == "/k/id"
    assert "UserKnownHostsFile=/k/known" in web["ansible_ssh_common_args"]
    assert web["civicloud_test_host"] is True


def test_backup_bucket_choice():
    assert backup_bucket(BUCKETS, "documents").name == "vence-nord-documents"
    assert backup_bucket(BUCKETS, "vence-nord-documents").spec_name == "documents"
    assert backup_bucket(BUCKETS[:1]).spec_name == "documents"
    with pytest.raises(ValueError, match=r"'nope' is not deployed .*documents, backups"):
        backup_bucket(BUCKETS, "nope")


def test_no_bucket_means_no_backup_vars():
    variables = groups(build_inventory(TENANT, SERVERS, []))["tenant_vence_nord"]["vars"]
    assert not any(k.startswith("civicloud_backup") for k in variables)


def test_no_secret_in_the_inventory():
    text = repr(build_inventory(TENANT, SERVERS, BUCKETS)).lower()
    for word in ("password", "secret", "aws_access_key", "private key"):
        assert word not in text


def test_dynamic_json_follows_the_ansible_inventory_contract():
    data = to_dynamic_json(build_inventory(TENANT, SERVERS, BUCKETS))
    assert set(data["all"]["children"]) == {"tenant_vence_nord", "backup", "baseline",
                                            "data_volume"}
    assert data["baseline"] == {"hosts": ["web-1", "app-1"]}
    assert data["tenant_vence_nord"]["vars"]["civicloud_tenant"] == "vence-nord"
    assert data["_meta"]["hostvars"]["app-1"]["ansible_host"] == "10.20.0.12"
    assert host_vars(build_inventory(TENANT, SERVERS, BUCKETS), "web-1")["ansible_host"] == (
        "10.20.0.11")
    assert host_vars(build_inventory(TENANT, SERVERS, BUCKETS), "nope") == {}


def test_stack_outputs_with_spec_fallback():
    outputs = {
        "servers": {"web-1": {"id": "s1", "address": "10.20.0.11"},
                    "app-1": {"addresses": ["10.20.0.12", "10.30.0.4"], "roles": ["baseline"],
                              "volumes": [{"name": "v", "size_gb": 5, "encrypted": False,
                                           "device": "/dev/vdc"}]}},
        "buckets": {"documents": {"name": "vence-nord-documents", "region": "fr-par",
                                  "endpoint": "http://s3.example"}},
    }
    servers, buckets = from_stack_outputs(outputs, TENANT, profile="local-fr")
    web, app = servers
    assert (web.addresses, web.roles, web.keypair) == (["10.20.0.11"], ["baseline", "backup"],
                                                       "admin")
    assert web.volumes == [DeployedVolume("data", 10, True, None)]
    assert (app.addresses, app.roles) == (["10.20.0.12", "10.30.0.4"], ["baseline"])
    assert app.volumes == [DeployedVolume("v", 5, False, "/dev/vdc")]
    assert buckets == [DeployedBucket("vence-nord-documents", "documents", "http://s3.example",
                                      "fr-par", "local-fr")]
