"""`civicloud configure` for real: the example tenant's servers (web-1, app-1) are test hosts,
the backup bucket is on the local S3 server; assertions read the hosts and the bucket."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import civicloud.localcloud as localcloud
from civicloud.configure import prepare, testhosts
from civicloud.configure.inventory import (
    DeployedBucket,
    DeployedServer,
    DeployedVolume,
    build_inventory,
)
from civicloud.configure.run import run_site
from civicloud.configure.secrets import s3_keys
from civicloud.paths import project_path

pytestmark = pytest.mark.integration

EXAMPLE = project_path("examples", "vence-community.yaml")
S3_BACKEND = "local-s3-fr"
# Test hosts standing for the example's servers (names of their own: never a host someone
# else started for the demo).
HOSTS = {"web-1": "cfgtest-web-1", "app-1": "cfgtest-app-1"}
CIVICLOUD = str(Path(sys.executable).parent / "civicloud")


def ssh(host: testhosts.TestHost, command: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ssh", "-i", str(host.ssh_key), "-p", str(host.port), "-o", "BatchMode=yes",
         "-o", f"UserKnownHostsFile={host.known_hosts}", *options, "root@127.0.0.1", command],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def tenant() -> dict:
    return prepare.load_tenant(EXAMPLE)[0]


@pytest.fixture(scope="module")
def marker() -> str:
    """A plaintext that the backup must carry, and the bucket must never show in clear."""
    return f"civicloud-plaintext-marker-{secrets.token_hex(8)}"


@pytest.fixture(scope="module")
def hosts(marker):
    testhosts.remove(list(HOSTS.values()))  # fresh copies: a first run really starts from zero
    started = testhosts.up(list(HOSTS.values()))
    mapped = dict(zip(HOSTS, started, strict=True))
    (mapped["web-1"].root / "etc/civicloud-marker.txt").write_text(marker + "\n")
    yield mapped
    testhosts.remove(list(HOSTS.values()))


@pytest.fixture(scope="module")
def bucket(delete_bucket):
    s3 = localcloud.s3_client(S3_BACKEND)
    name = f"cfgtest-{secrets.token_hex(4)}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    yield name
    delete_bucket(s3, name)


@pytest.fixture(scope="module")
def inventory_file(tenant, hosts, bucket, tmp_path_factory) -> Path:
    """What the engine's state will give: the servers as deployed, the tenant's bucket."""
    servers = [
        DeployedServer(s["name"], [f"10.20.0.{10 + i}"], s["roles"], s.get("keypair"),
                       [DeployedVolume(v["name"], v["size_gb"], v["encrypted"])
                        for v in s.get("volumes", [])])
        for i, s in enumerate(tenant["compute"]["servers"])
    ]
    target = localcloud.s3_endpoints()[S3_BACKEND]
    buckets = [DeployedBucket(bucket, "documents", target.endpoint, target.region,
                              target.profile)]
    inventory = build_inventory(tenant, servers, buckets, host_map=hosts)
    return prepare.write_inventory(inventory, tmp_path_factory.mktemp("inv") / "vence.yml")


@pytest.fixture(scope="module")
def run_env() -> dict[str, str]:
    return {**os.environ, "CIVICLOUD_BACKUP_PASSWORD": secrets.token_urlsafe(24),
            "AWS_SHARED_CREDENTIALS_FILE": str(localcloud.s3_credentials_path())}


def configure(inventory_file: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([CIVICLOUD, "configure", "--inventory", str(inventory_file)],
                          capture_output=True, text=True, env=env, timeout=900, check=False)


@pytest.fixture(scope="module")
def first_run(inventory_file, run_env) -> subprocess.CompletedProcess:
    leftovers = set(Path("/tmp").glob("civicloud-ansible-*"))
    result = configure(inventory_file, run_env)
    assert set(Path("/tmp").glob("civicloud-ansible-*")) <= leftovers, "runner dir left behind"
    return result


def test_first_run_configures_every_host(first_run):
    assert first_run.returncode == 0, first_run.stdout[-3000:] + first_run.stderr
    assert "configure summary" in first_run.stdout
    for server in HOSTS:
        assert f"│ {server} " in first_run.stdout


def test_sshd_is_hardened_and_reloaded(first_run, hosts):
    config = (hosts["web-1"].root / "etc/ssh/sshd_config").read_text()
    for line in ("PasswordAuthentication no", "KbdInteractiveAuthentication no",
                 "X11Forwarding no", "AllowTcpForwarding no", "MaxAuthTries 3",
                 "PermitRootLogin prohibit-password", "Banner /etc/issue.net"):
        assert line in config.splitlines()
    # The running sshd (reloaded in place) now offers public keys only.
    refused = ssh(hosts["app-1"], "true", "-o", "PubkeyAuthentication=no")
    assert refused.returncode == 255
    assert "Permission denied (publickey)." in refused.stderr


def test_admins_and_their_keys(first_run, hosts, tenant):
    key = tenant["compute"]["keypairs"][0]["public_key"]
    for host in hosts.values():
        passwd = (host.root / "etc/passwd").read_text()
        assert "\nalice:" in passwd and "\nbob:" not in passwd  # only the tenant's admins
        group = ssh(host, "getent group civicloud-admins").stdout
        assert group.strip().endswith(":alice")
        keys = (host.root / "home/alice/.ssh/authorized_keys").read_text()
        assert keys == key + "\n"
        assert oct((host.root / "home/alice/.ssh/authorized_keys").stat().st_mode)[-3:] == "600"
        sudoers = (host.root / "etc/sudoers.d/civicloud-admins").read_text()
        assert "%civicloud-admins ALL=(ALL:ALL) NOPASSWD: ALL" in sudoers
        assert "Defaults logfile=/var/log/sudo.log" in sudoers


def test_baseline_files(first_run, hosts):
    root = hosts["app-1"].root
    sysctl = (root / "etc/sysctl.d/90-civicloud-hardening.conf").read_text()
    assert "kernel.kptr_restrict = 2" in sysctl and "net.ipv4.ip_forward = 0" in sysctl
    assert 'Unattended-Upgrade "1"' in (root / "etc/apt/apt.conf.d/20auto-upgrades").read_text()
    assert "MaxRetentionSec=1year" in (
        root / "etc/systemd/journald.conf.d/civicloud.conf").read_text()
    assert "Authorised access only" in (root / "etc/issue.net").read_text()
    assert ssh(hosts["app-1"], "pgrep -x chronyd && pgrep -x cron").returncode == 0


def test_a_volume_without_block_device_is_skipped_cleanly(first_run, hosts):
    # The fake hypervisor attached nothing: the role reports it and formats or mounts nothing.
    assert "app-1        Report volumes that have no block device on this server" in (
        first_run.stdout)
    assert not (hosts["app-1"].root / "srv/data/archive").exists()
    assert "archive" not in (hosts["app-1"].root / "etc/fstab").read_text()


def test_backup_job_is_scheduled_where_the_role_is(first_run, hosts):
    cron = (hosts["web-1"].root / "etc/cron.d/civicloud-backup").read_text()
    assert "/usr/local/sbin/civicloud-backup" in cron and "30 2 * * *" in cron
    env_file = hosts["web-1"].root / "etc/civicloud/backup.env"
    assert oct(env_file.stat().st_mode)[-3:] == "600"
    assert not (hosts["app-1"].root / "etc/cron.d/civicloud-backup").exists()  # no backup role


def test_backup_landed_encrypted_in_the_tenant_bucket(first_run, bucket, marker):
    s3 = localcloud.s3_client(S3_BACKEND)
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="restic/web-1/") for o in page.get("Contents", [])]
    kinds = {k.split("/")[2] for k in keys}
    assert {"config", "keys", "snapshots", "index", "data"} <= kinds, keys
    for key in keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert marker.encode() not in body, f"{key} holds the plaintext"
        assert b"civicloud" not in body  # not even the snapshot's tag is readable
    with pytest.raises(ValueError):
        json.loads(s3.get_object(Bucket=bucket, Key="restic/web-1/config")["Body"].read())


def test_restic_reads_the_backup_back(first_run, hosts, marker):
    result = ssh(hosts["web-1"], ". /etc/civicloud/backup.env && restic snapshots --json "
                                 "&& restic check >&2 && "
                                 "restic dump latest /etc/civicloud-marker.txt")
    assert result.returncode == 0, result.stderr
    snapshots_json, restored = result.stdout.split("\n", 1)
    snapshots = json.loads(snapshots_json)
    assert len(snapshots) == 1 and "/etc" in snapshots[0]["paths"]
    assert restored.strip() == marker
    assert "no errors were found" in result.stderr


def test_no_secret_in_output_or_inventory(first_run, inventory_file, run_env):
    secret_key = s3_keys(localcloud.s3_endpoints()[S3_BACKEND].profile)[1]
    for secret in (run_env["CIVICLOUD_BACKUP_PASSWORD"], secret_key):
        assert secret not in first_run.stdout + first_run.stderr
        assert secret not in inventory_file.read_text()


def test_second_run_changes_nothing(first_run, inventory_file, run_env):
    assert first_run.returncode == 0
    env = {k: run_env[k] for k in ("CIVICLOUD_BACKUP_PASSWORD",)}
    env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = s3_keys(
        localcloud.s3_endpoints()[S3_BACKEND].profile)
    result = run_site(inventory_file, env)
    assert result.ok, result.hosts
    assert {h: s.changed for h, s in result.hosts.items()} == {"web-1": 0, "app-1": 0}


def test_an_unreachable_host_is_reported_and_the_others_complete(first_run, inventory_file,
                                                                  run_env, hosts):
    testhosts.down([HOSTS["app-1"]])  # its sshd stops: the server is unreachable
    try:
        result = configure(inventory_file, run_env)
    finally:
        testhosts.up([HOSTS["app-1"]])
    assert result.returncode == 1
    summary = {line.split("│")[1].strip(): line.split("│")[-2].strip()
               for line in result.stdout.splitlines() if line.startswith("│")}
    assert summary == {"app-1": "unreachable", "web-1": "ok"}
    assert "app-1 not configured" in result.stderr
    assert "app-1:" in result.stderr  # the reason (ssh's own message) follows
