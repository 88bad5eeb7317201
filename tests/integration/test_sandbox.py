"""The sandbox life cycle on the real local cloud: list, the reaper (budget stop, expiry
destroy, idempotent, locked, never a community tenant), extend and promote."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from filelock import FileLock
from test_drift_support import LiveTenant

import civicloud.localcloud as localcloud

pytestmark = pytest.mark.integration
TODAY = date.today()


def on_backends(conn, t: LiveTenant) -> dict:
    """What the tenant has on the backends, read with openstacksdk/boto3."""
    project = t.project(conn)
    s3 = localcloud.s3_client("local-s3-fr")
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    servers = [] if project is None else list(
        conn.compute.servers(all_projects=True, project_id=project.id))
    return {"project": project is not None, "servers": {s.name: s.status for s in servers},
            "networks": 0 if project is None else len(list(
                conn.network.networks(project_id=project.id))),
            "bucket": f"{t.name}-data" in buckets,
            "keypair": conn.compute.find_keypair(f"{t.name}-admin") is not None}


@pytest.fixture
def tenants(local_cloud, tmp_path):
    directory, state = tmp_path / "tenants", tmp_path / "state"
    pilot = LiveTenant(directory, state, "sb", kind="sandbox",
                       expires=TODAY + timedelta(days=30), budget=0.5)
    community = LiveTenant(directory, state, "cm")
    pilot.up()
    community.up()
    yield pilot, community, directory, tmp_path / "audit.jsonl"
    for t in (pilot, community):
        t.destroy()


def test_the_reaper_stops_then_destroys_an_expired_sandbox_and_nothing_else(tenants, os_admin):
    pilot, community, directory, audit = tenants
    reap = ("sandbox", "reap", str(directory), "--audit-log", str(audit))

    listed = pilot.cli("sandbox", "list", str(directory), "-o", "json",
                       "--now", str(TODAY + timedelta(days=3)))
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)  # the community tenant is not a sandbox
    assert (row["tenant"], row["days_left"], row["deployed"]) == (pilot.name, 27, True)
    # m1.small (1 vCPU, 2 GB) at 0.012 + 2 x 0.004 EUR/h for 48 to 72 h (created today, now
    # is midnight in 3 days): 0.96 to 1.44 EUR, over the 0.5 EUR budget
    assert 0.95 < row["spend_eur"] < 1.45 and row["status"] == "over budget"

    # Over budget, not expired: its servers are stopped, nothing is deleted.
    result = pilot.cli(*reap, "--now", str(TODAY + timedelta(days=3)))
    assert result.returncode == 0, result.stderr
    assert on_backends(os_admin, pilot)["servers"] == {f"{pilot.name}-app": "SHUTOFF"}
    assert on_backends(os_admin, community)["servers"] == {f"{community.name}-app": "ACTIVE"}

    expired = str(TODAY + timedelta(days=40))  # expiry + 10 days > the 7 days of grace
    dry = pilot.cli(*reap, "--now", expired, "--dry-run")
    assert dry.returncode == 0 and f"{pilot.name}: would destroy" in dry.stdout
    assert on_backends(os_admin, pilot)["project"]

    with FileLock(str(audit.with_suffix(".lock"))):  # another reaper is running
        busy = pilot.cli(*reap, "--now", expired)
    assert busy.returncode == 1 and "another `civicloud sandbox reap` is running" in busy.stderr
    assert on_backends(os_admin, pilot)["project"]

    result = pilot.cli(*reap, "--now", expired)
    assert result.returncode == 0, result.stderr + result.stdout
    assert f"{pilot.name}: destroyed" in result.stdout
    assert on_backends(os_admin, pilot) == {"project": False, "servers": {}, "networks": 0,
                                            "bucket": False, "keypair": False}
    assert on_backends(os_admin, community) == {
        "project": True, "servers": {f"{community.name}-app": "ACTIVE"}, "networks": 1,
        "bucket": True, "keypair": True}

    again = pilot.cli(*reap, "--now", expired)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    entries = [json.loads(line) for line in audit.read_text().splitlines()]
    done = [(e["action"], e.get("tenant")) for e in entries
            if e["action"] not in ("reap-start", "reap-end") and not e.get("dry_run")]
    assert done == [("stop-servers", pilot.name), ("destroy", pilot.name)]


def test_extend_is_policy_checked_and_keeps_the_file(tmp_path):
    pilot = LiveTenant(tmp_path, tmp_path / "state", "ex", kind="sandbox",
                       expires=TODAY + timedelta(days=30))
    original = pilot.file.read_text()
    too_far = str(TODAY + timedelta(days=200))
    refused = pilot.cli("sandbox", "extend", str(pilot.file), "--until", too_far,
                        "--audit-log", str(tmp_path / "a.jsonl"), state=False)
    assert refused.returncode == 3 and "CIVIC-SBX-3" in refused.stderr
    assert pilot.file.read_text() == original
    later = str(TODAY + timedelta(days=60))
    ok = pilot.cli("sandbox", "extend", str(pilot.file), "--until", later,
                   "--audit-log", str(tmp_path / "a.jsonl"), state=False)
    assert ok.returncode == 0, ok.stderr
    assert pilot.file.read_text() == original.replace(
        str(TODAY + timedelta(days=30)), later)


# An authority's own production rule: a lasting tenant's buckets are versioned.
VERSIONED = """package civicloud.production
import rego.v1
metadata["PROD-1"] := {"title": "Lasting buckets are versioned", "severity": "error",
                       "source": "test", "waiver": "no"}
deny contains {"id": "PROD-1", "msg": concat("", ["bucket ", b.name, " is not versioned"]),
               "path": ["storage", "buckets", i, "versioning"]} if {
  input.tenant.type == "community"
  some i, b in input.tenant.storage.buckets
  not b.versioning == true
}
"""


def test_promote_replans_under_the_production_rules(local_cloud, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "production.rego").write_text(VERSIONED)
    pilot = LiveTenant(tmp_path / "t", tmp_path / "state", "pr", kind="sandbox",
                       expires=TODAY + timedelta(days=30))
    before = pilot.file.read_text()
    promote = ("sandbox", "promote", str(pilot.file), "--audit-log", str(tmp_path / "a.jsonl"))
    refused = pilot.cli(*promote, "--policy-dir", str(rules))
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "PROD-1" in refused.stdout + refused.stderr
    assert pilot.file.read_text() == before  # still a sandbox

    result = pilot.cli(*promote)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Plan:" in result.stdout and "is now a community tenant" in result.stdout
    text = pilot.file.read_text()
    assert "type: community" in text and "sandbox:" not in text
