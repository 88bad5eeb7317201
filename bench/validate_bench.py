"""Benchmark: validate and policy-check 1,000 generated tenants (target: under 10 s, one core).

Baseline, measured in the same run: the same files through schema + reference checks alone
(no policy gate). Prints tenants/s for both and the ratio of the full run to the baseline.

    .venv/bin/python bench/validate_bench.py [--tenants 1000] [--members 10]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from civicloud.paths import project_path
from civicloud.spec import bundle_policy_inputs, load

TEMPLATE = project_path("examples", "vence-community.yaml").read_text(encoding="utf-8")
SYNDICATE = """apiVersion: civicloud/v1
kind: Syndicate
metadata: {{name: {name}, authority: Syndicat {name}, contact: cloud@{name}.example}}
quotas: {{instances: 400, cores: 800, ram_mb: 1638400, volumes: 400, gigabytes: 20000,
         networks: 200, subnets: 200, routers: 100, ports: 2000, security_groups: 500,
         floating_ips: 0}}
"""


def generate(directory: Path, tenants: int, members: int) -> None:
    """`tenants` variants of the Vence example, `members` per syndicate."""
    for s in range(0, tenants, members):
        (directory / f"syndicate-{s // members:04d}.yaml").write_text(
            SYNDICATE.format(name=f"syn-{s // members:04d}"), encoding="utf-8")
    for i in range(tenants):
        text = (TEMPLATE.replace("name: vence ", f"name: t{i:04d} ")
                .replace("syndicate: sictiam", f"syndicate: syn-{i // members:04d}")
                .replace("10.20.0.0/24", f"10.{20 + i % 200}.0.0/24"))
        (directory / f"tenant-{i:04d}.yaml").write_text(text, encoding="utf-8")


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--members", type=int, default=10, help="tenants per syndicate")
    args = parser.parse_args()

    from civicloud.policy import evaluate

    catalogue = [project_path("catalogue")]
    with tempfile.TemporaryDirectory(prefix="civicloud-bench-") as tmp:
        directory = Path(tmp)
        generate(directory, args.tenants, args.members)

        bundle, baseline = timed(lambda: load([directory], catalogue))
        if not bundle.ok or len(bundle.tenants) != args.tenants:
            raise SystemExit(f"generated tenants do not load: {bundle.problems.items[:3]}")
        del bundle

        def full():
            loaded = load([directory], catalogue)
            return evaluate(bundle_policy_inputs(loaded))

        result, total = timed(full)

    n = args.tenants
    print(f"tenants: {n}, rules evaluated: {len(result.rules_evaluated)}, "
          f"findings: {len(result.findings)} ({sum(f.status == 'deny' for f in result.findings)}"
          " denied)")
    print(f"baseline  schema + references only: {baseline:6.2f} s  {n / baseline:8.0f} tenants/s")
    print(f"full      validate + policy gate:   {total:6.2f} s  {n / total:8.0f} tenants/s")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {rss_mb:.0f} MB   target: under 300 MB")
    print(f"ratio full / baseline: {total / baseline:.1f}x   target: full under 10 s for 1,000 "
          f"tenants -> {'met' if total * 1000 / n < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
