"""Metering logic: the period, pricing, clipping to the period, the syndicate sum, the renders
(no backend here: the reads are tested on the local cloud in tests/integration)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from civicloud.ops.metering import (
    GB,
    BucketSnapshot,
    Period,
    ServerHours,
    TenantUsage,
    VolumeLife,
    by_syndicate,
    price_buckets,
    price_servers,
    price_volumes,
    unpriced,
)
from civicloud.ops.metering_render import to_csv, to_html, to_json, to_table

PRICES = {"vcpu_hour": 0.012, "ram_gb_hour": 0.004, "volume_gb_month": 0.05,
          "object_gb_month": 0.01}
NOV = Period.of(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC),
                now=datetime(2026, 12, 6, tzinfo=UTC))


def test_the_period_stops_now_and_refuses_empty_or_future_periods():
    p = Period.of(datetime(2026, 12, 1), datetime(2027, 1, 1), now=datetime(2026, 12, 3, 12))
    assert p.end == datetime(2026, 12, 3, 12, tzinfo=UTC)  # naive means UTC
    assert p.requested_end == datetime(2027, 1, 1, tzinfo=UTC)
    assert p.hours == 2.5 * 24
    assert NOV.hours == 720
    with pytest.raises(ValueError, match="period is empty"):
        Period.of(datetime(2026, 11, 2), datetime(2026, 11, 1), now=datetime(2026, 12, 1))
    with pytest.raises(ValueError, match="in the future"):
        Period.of(datetime(2027, 1, 1), datetime(2027, 2, 1), now=datetime(2026, 12, 1))


def test_hours_within_clips_to_the_period():
    assert NOV.hours_within("2026-10-01T00:00:00") == 720  # older than the period: all of it
    assert NOV.hours_within("2026-11-30T12:00:00.000000") == 12  # Cinder's naive UTC
    assert NOV.hours_within("2026-11-30T12:00:00Z", "2026-11-30T18:00:00+00:00") == 6
    assert NOV.hours_within("2026-12-02T00:00:00") == 0  # created after
    assert NOV.hours_within(None) == 720


def test_servers_are_priced_per_flavor_from_nova_hours():
    usages = [ServerHours("a", "m1.small", 1, 2048, 10.0),
              ServerHours("b", "m1.small", 1, 2048, 5.0),
              ServerHours("c", "m1.medium", 2, 4096, 2.0, "terminated")]
    medium, small = price_servers(usages, "os", PRICES)
    assert (small.name, small.quantity, small.detail["servers"]) == ("m1.small", 15.0, ["a", "b"])
    assert small.unit_price_eur == pytest.approx(0.012 + 2 * 0.004)
    assert small.eur == pytest.approx(15 * (0.012 + 2 * 0.004))
    assert medium.eur == pytest.approx(2 * (2 * 0.012 + 4 * 0.004))
    assert medium.detail["vcpu_hours"] == 4 and medium.detail["ram_gb_hours"] == 8


def test_volumes_count_the_hours_they_existed_in_the_period():
    volumes = [VolumeLife("old", 10, "2026-01-01T00:00:00.000000"),
               VolumeLife("new", 20, "2026-11-16T00:00:00.000000"),
               VolumeLife("later", 5, "2026-12-02T00:00:00.000000")]
    new, old = price_volumes(volumes, "os", PRICES, NOV)
    assert old.quantity == pytest.approx(10 * 720 / 730)
    assert new.quantity == pytest.approx(20 * 360 / 730)
    assert new.eur == pytest.approx(20 * 360 / 730 * 0.05)  # "later" is not in November


def test_buckets_are_a_snapshot_times_the_part_of_the_period_they_existed():
    [line] = price_buckets([BucketSnapshot("b", "2026-11-21T00:00:00+00:00", 3 * GB, 7)],
                           "s3", PRICES, NOV)
    assert line.quantity == pytest.approx(3 * 240 / 730)
    assert line.eur == pytest.approx(3 * 240 / 730 * 0.01)
    assert (line.detail["bytes"], line.detail["objects"]) == (3 * GB, 7)


def test_a_missing_price_counts_zero_and_says_so():
    lines = price_buckets([BucketSnapshot("b", None, GB, 1)], "s3", {}, NOV)
    assert lines[0].eur == 0
    assert unpriced(lines, "s3", {}) == [
        "backend s3 has no object_gb_month price in the catalogue: counted 0 EUR"]
    assert unpriced(lines, "s3", PRICES) == []


def usage(name: str, syndicate: str | None, hours: float, gb: float) -> TenantUsage:
    u = TenantUsage(name, f"{name}.yaml", syndicate, NOV)
    u.lines = (price_servers([ServerHours("app", "m1.small", 1, 2048, hours)], "os", PRICES)
               + price_buckets([BucketSnapshot("data", None, int(gb * GB), 3)], "s3", PRICES,
                               NOV))
    return u


def test_a_syndicate_sums_its_members_and_only_them():
    tenants = [usage("grasse", "sictiam", 10, 1), usage("cagnes", "sictiam", 20, 2),
               usage("nice", None, 100, 5)]
    [s] = by_syndicate(tenants)
    assert [m.tenant for m in s.members] == ["cagnes", "grasse"]
    assert s.total_eur == pytest.approx(tenants[0].total_eur + tenants[1].total_eur)
    totals = s.totals()
    assert totals["server_hours"] == 30 and totals["bucket_objects"] == 6
    assert totals["bucket_bytes"] == 3 * GB
    doc = s.to_dict()
    assert doc["eur_by_member"]["grasse"] == pytest.approx(tenants[0].total_eur, abs=1e-6)


def test_renders_carry_the_same_figures():
    tenants = [usage("grasse", "sictiam", 10, 1), usage("nice", None, 100, 5)]
    syndicates = by_syndicate(tenants)
    doc = json.loads(to_json(tenants, syndicates, NOV))
    assert doc["total_eur"] == pytest.approx(sum(t.total_eur for t in tenants), abs=1e-5)
    assert doc["tenants"][0]["lines"][0]["quantity"] == 10
    assert doc["syndicates"][0]["members"] == ["grasse"]
    rows = list(csv.DictReader(io.StringIO(to_csv(tenants, NOV))))
    assert [(r["tenant"], r["kind"], r["syndicate"]) for r in rows] == [
        ("grasse", "server", "sictiam"), ("grasse", "bucket", "sictiam"),
        ("nice", "server", ""), ("nice", "bucket", "")]
    assert sum(float(r["eur"]) for r in rows) == pytest.approx(doc["total_eur"], abs=1e-5)
    table = to_table(tenants, syndicates, NOV)
    assert "Tenant grasse" in table and "Syndicate sictiam" in table and "m1.small" in table
    html = to_html(tenants, syndicates, NOV)
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "Syndicate sictiam" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no asset


def test_html_escapes_names():
    t = usage("x", "s<script>", 1, 1)
    assert "<script>" not in to_html([t], by_syndicate([t]), NOV)


def test_a_tenant_never_applied_is_not_deployed_and_costs_nothing():
    from types import SimpleNamespace

    from civicloud.ops.metering import meter_tenant

    job = SimpleNamespace(name="nice", file="nice.yaml", backends={},
                          tenant={"metadata": {"name": "nice", "syndicate": "sictiam"}})
    usage = meter_tenant(job, [], NOV)  # no state: nothing is read from any backend
    assert (usage.deployed, usage.lines, usage.total_eur, usage.syndicate) == (
        False, [], 0, "sictiam")
    assert "not deployed" in to_table([usage], by_syndicate([usage]), NOV)
