"""Benchmark: `civicloud drift`'s reads (one list call per resource type) vs a per-resource GET
baseline, on the real local cloud, at two tenant sizes.

Each size is a real tenant (networks with a subnet each, one security group with many rules,
one bucket, plus the project, quotas and automation identity every tenant has) applied with
the embedded engine. Measured on it, three times each (median):
  - drift: civicloud.ops.live.read_live, what `civicloud drift` runs;
  - baseline, run beside it: the engine's refresh in preview mode, which reads every resource
    with its provider's own GET (8 in parallel), what a per-resource refresh costs.
API calls are the HTTP requests sent (urllib3, under both openstacksdk and boto3), Keystone
token requests left out. Drift's calls must stay nearly flat from one size to the other;
the baseline's grow with the resources.

    .venv/bin/python bench/drift_bench.py [--small 5] [--large 22]   (sizes in networks)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import urllib3.connectionpool
import yaml

PASSPHRASE = "drift bench"
CALLS = {"count": 0}
_lock = threading.Lock()


@contextmanager
def counted() -> Iterator[dict[str, int]]:
    """Counts the HTTP requests sent while inside (token requests excluded)."""
    original = urllib3.connectionpool.HTTPConnectionPool.urlopen

    def urlopen(self, method, url, *args, **kwargs):
        if "/auth/tokens" not in url:
            with _lock:
                CALLS["count"] += 1
        return original(self, method, url, *args, **kwargs)

    CALLS["count"] = 0
    urllib3.connectionpool.HTTPConnectionPool.urlopen = urlopen
    try:
        yield CALLS
    finally:
        urllib3.connectionpool.HTTPConnectionPool.urlopen = original


def tenant_doc(name: str, networks: int) -> dict:
    rules = [{"direction": "ingress", "protocol": "tcp", "port": 8000 + i,
              "remote": "10.0.0.0/8"} for i in range(networks)]
    return {
        "apiVersion": "civicloud/v1", "kind": "Tenant",
        "metadata": {"name": name, "authority": "Commune de Bench", "authority_type": "commune",
                     "siren": "200030195", "contact": "dsi@bench.example"},
        "type": "community", "classification": "internal",
        "compute": {
            "backend": "local-openstack",
            "quotas": {"networks": networks + 5, "subnets": networks + 5},
            "networks": [{"name": f"n{i}", "subnets": [{"name": f"n{i}-v4",
                                                        "cidr": f"10.{i}.0.0/24"}]}
                         for i in range(networks)],
            "security_groups": [{"name": "web", "rules": rules}],
        },
        "storage": {"backend": "local-s3-fr", "buckets": [{"name": "data",
                                                           "encryption": "sse-s3"}]},
    }


def measure(run: Callable[[], object]) -> tuple[int, float]:
    """(API calls, median seconds) of three runs, after one warm-up run."""
    run()
    times, calls = [], []
    for _ in range(3):
        with counted() as c:
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        calls.append(c["count"])
    return int(statistics.median(calls)), statistics.median(times)


def bench_size(workdir: Path, networks: int) -> dict:
    import civicloud.stacks.resources  # noqa: F401
    from civicloud.commands._tenants import load_jobs
    from civicloud.engine.embedded import EmbeddedEngine
    from civicloud.engine.state.local import LocalStateStore
    from civicloud.ops.live import read_live

    name = f"bench{uuid.uuid4().hex[:6]}"
    file = workdir / f"{name}.yaml"
    file.write_text(yaml.safe_dump(tenant_doc(name, networks), sort_keys=False))
    job = load_jobs((file,), ())[1][0]
    engine = EmbeddedEngine(LocalStateStore(workdir / "state"), passphrase=PASSPHRASE)
    try:
        result = engine.up(job.stack(), job.program())
        if not result.ok:
            raise SystemExit(f"apply failed: {result.errors}")
        cp = engine.checkpoint(job.stack())
        records = [r for r in cp.resources if r.custom and not r.delete]
        drift_calls, drift_s = measure(lambda: read_live(records))
        base_calls, base_s = measure(lambda: engine.refresh(job.stack(), preview=True))
        return {"resources": len(records), "types": len({r.type for r in records}),
                "drift_calls": drift_calls, "drift_s": drift_s,
                "base_calls": base_calls, "base_s": base_s}
    finally:
        engine.destroy(job.stack())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=5, help="networks of the small tenant")
    parser.add_argument("--large", type=int, default=22, help="networks of the large tenant")
    args = parser.parse_args()
    os.environ.setdefault("CIVICLOUD_STATE_PASSPHRASE", PASSPHRASE)
    rows = []
    with tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp:
        for networks in (args.small, args.large):
            rows.append(bench_size(Path(tmp), networks))
    print(f"{'resources':>9} {'types':>5} | {'drift calls':>11} {'drift s':>8} | "
          f"{'GET calls':>9} {'GET s':>7} | {'calls ratio':>11} {'time ratio':>10}")
    for r in rows:
        print(f"{r['resources']:>9} {r['types']:>5} | {r['drift_calls']:>11} "
              f"{r['drift_s']:>8.2f} | {r['base_calls']:>9} {r['base_s']:>7.2f} | "
              f"{r['base_calls'] / r['drift_calls']:>10.1f}x {r['base_s'] / r['drift_s']:>9.1f}x")
    small, large = rows
    print(f"resources x{large['resources'] / small['resources']:.1f}: drift calls "
          f"{small['drift_calls']} -> {large['drift_calls']}, per-resource GET calls "
          f"{small['base_calls']} -> {large['base_calls']}")


if __name__ == "__main__":
    main()
