"""`civicloud report metering` on the real local cloud: two tenants of one syndicate are
applied, the test puts objects of known sizes in a bucket and deletes one server by hand, then
the report's server-hours, volume GB-months, bucket bytes and object counts are checked against
what the test created and read back with openstacksdk/boto3, and its euros against the
catalogue's prices x those quantities."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from test_drift_support import LiveTenant, tenant_doc

import civicloud.localcloud as localcloud
from civicloud.ops.metering import Period
from civicloud.ops.metering_reads import server_hours
from civicloud.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration
OBJECTS = {"a.txt": 1000, "docs/b.pdf": 2500, "docs/c.bin": 4096}  # key -> size in bytes
SLACK_H = 5 / 3600  # seconds of clock and rounding between Nova, Cinder, S3 and the test
SYNDICATE = "sy-metering"


def catalogue_prices() -> dict[str, dict]:
    doc = yaml.safe_load((PROJECT_ROOT / "catalogue" / "local.yaml").read_text())
    return {b["name"]: b.get("prices", {}) for b in doc["backends"]}


def hours(since: datetime, until: datetime) -> float:
    return (until - since).total_seconds() / 3600


def utc(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def member(directory, state, prefix: str, volume_gb: int | None) -> LiveTenant:
    t = LiveTenant(directory, state, prefix)
    doc = tenant_doc(t.name)
    doc["metadata"]["syndicate"] = SYNDICATE
    if volume_gb:  # and a second server, of another flavor
        app = doc["compute"]["servers"][0]
        app["volumes"] = [{"name": "disk", "size_gb": volume_gb}]
        doc["compute"]["servers"].append({**app, "name": "web", "flavor": "m1.tiny",
                                          "volumes": []})
    t.file.write_text(yaml.safe_dump(doc, sort_keys=False))
    return t


@pytest.fixture
def members(local_cloud, tmp_path, delete_bucket):
    directory, state = tmp_path / "tenants", tmp_path / "state"
    directory.mkdir()
    (directory / "syndicate.yaml").write_text(yaml.safe_dump({
        "apiVersion": "civicloud/v1", "kind": "Syndicate",
        "metadata": {"name": SYNDICATE, "authority": "Syndicat de test",
                     "contact": "cloud@test.example"},
        "quotas": {"instances": 10, "cores": 20, "ram_mb": 40960, "volumes": 5,
                   "gigabytes": 100}}))
    full, small = member(directory, state, "mf", 2), member(directory, state, "ms", None)
    applied = []
    try:
        for t in (full, small):
            t.up()
            applied.append(t)
        yield full, small, directory
    finally:
        s3 = localcloud.s3_client("local-s3-fr")
        for t in applied:
            delete_bucket(s3, f"{t.name}-data")  # civicloud never deletes data: the test does
            t.destroy()


def test_metering_matches_the_usage_the_test_created(members, os_admin):
    full, small, directory = members
    prices = catalogue_prices()
    os_prices, s3_prices = prices["local-openstack"], prices["local-s3-fr"]
    s3 = localcloud.s3_client("local-s3-fr")
    bucket = f"{full.name}-data"
    for key, size in OBJECTS.items():
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * size)
    created = {b["Name"]: b["CreationDate"] for b in s3.list_buckets()["Buckets"]}

    flavors = {f: os_admin.compute.find_flavor(f) for f in ("m1.small", "m1.tiny")}
    project = full.project(os_admin)
    servers = {s.flavor["original_name"]: s
               for s in os_admin.compute.servers(all_projects=True, project_id=project.id)}
    assert sorted(servers) == ["m1.small", "m1.tiny"]
    [volume] = os_admin.block_storage.volumes(all_projects=True, project_id=project.id)
    # The small tenant's server is deleted outside civicloud: Nova still meters its life.
    [gone] = os_admin.compute.servers(all_projects=True, project_id=small.project(os_admin).id)
    gone = os_admin.compute.get_server(gone.id)
    deleting = datetime.now(UTC)
    os_admin.compute.delete_server(gone)
    os_admin.compute.wait_for_delete(gone, wait=120)
    deleted = datetime.now(UTC)

    period = ("--from", str(date.today() - timedelta(days=1)),
              "--to", str(date.today() + timedelta(days=1)))  # ends now
    before = datetime.now(UTC)
    result = full.cli("report", "metering", str(directory), *period, "-o", "json")
    after = datetime.now(UTC)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert before - timedelta(seconds=5) <= utc(doc["period"]["to"]) <= after
    usage = {t["tenant"]: t for t in doc["tenants"]}
    lines = {(line["kind"], line["name"]): line for line in usage[full.name]["lines"]}
    assert set(lines) == {("server", "m1.small"), ("server", "m1.tiny"),
                          ("volume", f"{full.name}-app-disk"), ("bucket", bucket)}

    # Servers, by flavor: hours since Nova launched each, at its flavor's size and price.
    for name, flavor in flavors.items():
        srv, server = lines[("server", name)], servers[name]
        launched = utc(server.launched_at)
        assert (hours(launched, before) - SLACK_H <= srv["quantity"]
                <= hours(launched, after) + SLACK_H)
        assert srv["quantity"] > 0
        assert (srv["vcpus"], srv["ram_mb"], srv["servers"]) == (flavor.vcpus, flavor.ram,
                                                                 [server.name])
        hourly = (flavor.vcpus * os_prices["vcpu_hour"]
                  + flavor.ram / 1024 * os_prices["ram_gb_hour"])
        assert srv["eur"] == pytest.approx(srv["quantity"] * hourly, rel=1e-4)
    servers_eur = sum(lines[("server", f)]["eur"] for f in flavors)
    server_hours_full = sum(lines[("server", f)]["quantity"] for f in flavors)

    # The deleted server counts from its launch to its deletion, not up to now.
    [small_srv] = [line for line in usage[small.name]["lines"] if line["kind"] == "server"]
    started = utc(gone.launched_at)
    assert (hours(started, deleting) - SLACK_H <= small_srv["quantity"]
            <= hours(started, deleted) + SLACK_H)

    # Nova pages the instances: read one per page, the same instances come back.
    window = Period.of(before - timedelta(days=1), after)
    paged = server_hours("civicloud-local", project.id, window, page_size=1)
    assert sorted(u.name for u in paged) == sorted(s.name for s in servers.values())

    # Volume: its size (Cinder) x hours since it was created / 730.
    vol = lines[("volume", f"{full.name}-app-disk")]
    since = utc(volume.created_at)
    assert vol["size_gb"] == volume.size == 2
    assert (2 * hours(since, before) / 730 - 1e-6 <= vol["quantity"]
            <= 2 * hours(since, after) / 730 + 1e-6)
    assert vol["eur"] == pytest.approx(vol["quantity"] * os_prices["volume_gb_month"], rel=1e-4)

    # Bucket: the bytes and objects the test put, x hours since the bucket was created.
    bkt = lines[("bucket", bucket)]
    assert (bkt["bytes"], bkt["objects"]) == (sum(OBJECTS.values()), len(OBJECTS))
    gb = sum(OBJECTS.values()) / 1024**3
    born = created[bucket]
    assert (gb * hours(born, before) / 730 * (1 - 1e-6) <= bkt["quantity"]
            <= gb * hours(born, after) / 730 * (1 + 1e-6))
    assert bkt["eur"] == pytest.approx(bkt["quantity"] * s3_prices["object_gb_month"], rel=1e-4)
    [empty] = [line for line in usage[small.name]["lines"] if line["kind"] == "bucket"]
    assert (empty["bytes"], empty["objects"], empty["eur"]) == (0, 0, 0)

    # Totals: the tenant's lines, the syndicate's members, the whole report.
    total = servers_eur + vol["eur"] + bkt["eur"]
    assert usage[full.name]["total_eur"] == pytest.approx(total, abs=1e-5)
    [syndicate] = doc["syndicates"]
    assert syndicate["syndicate"] == SYNDICATE
    assert sorted(syndicate["members"]) == sorted([full.name, small.name])
    assert syndicate["total_eur"] == pytest.approx(
        usage[full.name]["total_eur"] + usage[small.name]["total_eur"], abs=1e-5)
    assert syndicate["server_hours"] == pytest.approx(server_hours_full + small_srv["quantity"],
                                                      abs=1e-5)
    assert syndicate["bucket_objects"] == len(OBJECTS)
    assert doc["total_eur"] == pytest.approx(syndicate["total_eur"], abs=1e-5)

    # The same figures as CSV (one row per priced line) and as one HTML page.
    rows = list(csv.DictReader(io.StringIO(
        full.cli("report", "metering", str(directory), *period, "-o", "csv").stdout)))
    [row] = [r for r in rows if r["kind"] == "bucket" and r["tenant"] == full.name]
    assert (int(row["bytes"]), int(row["objects"]), row["syndicate"]) == (
        sum(OBJECTS.values()), len(OBJECTS), SYNDICATE)
    page = directory.parent / "metering.html"
    html = full.cli("report", "metering", str(directory), *period, "-o", "html",
                    "--output-file", str(page))
    assert html.returncode == 0, html.stderr
    text = page.read_text()
    assert f"Tenant {full.name}" in text and f"Syndicate {SYNDICATE}" in text and "<svg" in text
    table = full.cli("report", "metering", str(directory), *period)
    assert table.returncode == 0 and "m1.small" in table.stdout and bucket in table.stdout

    # A period that ends before it starts is invalid input (exit 2), nothing read.
    bad = full.cli("report", "metering", str(directory), "--from", "2026-11-02",
                   "--to", "2026-11-01")
    assert bad.returncode == 2 and "period is empty" in bad.stderr
