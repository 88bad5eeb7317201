"""Benchmark: validate and policy-check 1,000 generated tenants (target: under 10 s, one core).

Baseline, measured in the same run: the same files through schema + reference checks alone
(no policy gate). Prints, for both, the CPU time of this process (what one core spends: the
target's measure, steady on a shared machine) and the wall time; tenants/s; the ratio of the full
run to the baseline; the gate's stages; and the peak memory (RSS) of `civicloud validate` run on
the same directory (DESIGN §9: under 300 MB), with its exit code and wall time.

    taskset -c 0 .venv/bin/python bench/validate_bench.py [--tenants 1000] [--members 10]
                                                          [--envelope-exceeded] [--no-cli]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civicloud.paths import project_path
from civicloud.spec import bundle_policy_inputs, load

TEMPLATE = project_path("examples", "vence-community.yaml").read_text(encoding="utf-8")
SYNDICATE = """apiVersion: civicloud/v1
kind: Syndicate
metadata: {{name: {name}, authority: Syndicat {name}, contact: cloud@{name}.example}}
quotas: {{instances: {instances}, cores: 800, ram_mb: 1638400, volumes: 400, gigabytes: 20000,
         networks: 200, subnets: 200, routers: 100, ports: 2000, security_groups: 500,
         floating_ips: 0}}
"""


def generate(directory: Path, tenants: int, members: int, exceeded: bool = False) -> None:
    """`tenants` variants of the Vence example, `members` per syndicate (with `exceeded`, every
    other syndicate's envelope is too small for its members' instances: CIVIC-QUOTA-2 denies)."""
    for s in range(0, tenants, members):
        index = s // members
        instances = 4 * members - 1 if exceeded and index % 2 else 400
        (directory / f"syndicate-{index:04d}.yaml").write_text(
            SYNDICATE.format(name=f"syn-{index:04d}", instances=instances), encoding="utf-8")
    for i in range(tenants):
        text = (TEMPLATE.replace("name: vence ", f"name: t{i:04d} ")
                .replace("syndicate: sictiam", f"syndicate: syn-{i // members:04d}")
                .replace("10.20.0.0/24", f"10.{20 + i % 200}.0.0/24"))
        (directory / f"tenant-{i:04d}.yaml").write_text(text, encoding="utf-8")


class Clock:
    """CPU (this process) and wall seconds of each step."""

    def __init__(self) -> None:
        self.steps: dict[str, tuple[float, float]] = {}

    def run(self, label: str, function: Callable[[], Any]) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        value = function()
        self.steps[label] = (time.process_time() - cpu, time.perf_counter() - wall)
        return value

    def total(self, *labels: str) -> tuple[float, float]:
        return (sum(self.steps[x][0] for x in labels), sum(self.steps[x][1] for x in labels))


def gate_stages(inputs: list[dict]) -> Any:
    """The gate as `evaluate` runs it, step by step: compile, syndicate rules, tenant rules."""
    from datetime import UTC, datetime

    from civicloud.policy import gate
    from civicloud.policy.engine import PolicyEngine
    from civicloud.policy.policyset import load_policy_set

    clock, now = Clock(), datetime.now(UTC)
    engine = clock.run("compile the policies", lambda: PolicyEngine(load_policy_set(())))
    summaries = gate.Summaries()
    found = clock.run("syndicate rules, once per syndicate", lambda: gate._syndicate_findings(
        engine, inputs, summaries, now, "spec"))
    clock.run("tenant rules, once per tenant", lambda: [
        engine.evaluate(gate._rego_input(item, now, "spec", None), found[index])
        for index, item in enumerate(inputs)])
    return clock


def cli_run(directory: Path) -> tuple[int, float, float]:
    """`civicloud validate DIR`: exit code, wall seconds and peak RSS (MB) of the child."""
    command = [str(Path(sys.executable).with_name("civicloud")), "validate", str(directory),
               "--catalogue", str(project_path("catalogue"))]
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False)
    wall = time.perf_counter() - start
    return done.returncode, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--members", type=int, default=10, help="tenants per syndicate")
    parser.add_argument("--envelope-exceeded", action="store_true",
                        help="every other syndicate's envelope is exceeded (findings to report)")
    parser.add_argument("--no-cli", action="store_true",
                        help="skip the `civicloud validate` run (its memory and wall time)")
    args = parser.parse_args()

    from civicloud.policy import evaluate

    catalogue = [project_path("catalogue")]
    clock = Clock()
    with tempfile.TemporaryDirectory(prefix="civicloud-bench-") as tmp:
        directory = Path(tmp)
        generate(directory, args.tenants, args.members, args.envelope_exceeded)

        bundle = clock.run("baseline", lambda: load([directory], catalogue))
        if not bundle.ok or len(bundle.tenants) != args.tenants:
            raise SystemExit(f"generated tenants do not load: {bundle.problems.items[:3]}")
        del bundle

        loaded = clock.run("load", lambda: load([directory], catalogue))
        inputs = clock.run("inputs", lambda: bundle_policy_inputs(loaded))
        result = clock.run("gate", lambda: evaluate(inputs))
        stages = gate_stages(inputs)
        cli = None if args.no_cli else cli_run(directory)

    n = args.tenants
    denied = sum(f.status == "deny" for f in result.findings)
    print(f"tenants: {n} ({args.members} per syndicate), rules evaluated: "
          f"{len(result.rules_evaluated)}, findings: {len(result.findings)} ({denied} denied)")
    base_cpu, base_wall = clock.total("baseline")
    full_cpu, full_wall = clock.total("load", "inputs", "gate")
    print(f"{'':38}{'CPU':>8}{'wall':>9}{'tenants/s (CPU)':>17}")
    print(f"{'baseline  schema + references only':38}{base_cpu:7.2f}s{base_wall:8.2f}s"
          f"{n / base_cpu:17.0f}")
    print(f"{'full      validate + policy gate':38}{full_cpu:7.2f}s{full_wall:8.2f}s"
          f"{n / full_cpu:17.0f}")
    for label in ("load", "inputs", "gate"):
        cpu, wall = clock.steps[label]
        print(f"  {label:36}{cpu:7.2f}s{wall:8.2f}s")
    for label, (cpu, wall) in stages.steps.items():
        print(f"    {label:34}{cpu:7.2f}s{wall:8.2f}s   (measured again, apart)")
    print(f"ratio full / baseline: {full_cpu / base_cpu:.1f}x (CPU), "
          f"{full_wall / base_wall:.1f}x (wall)")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) of this benchmark: {rss_mb:.0f} MB")
    if cli:
        code, wall, cli_rss = cli
        print(f"civicloud validate on the directory: exit {code}, {wall:.2f} s wall, "
              f"peak RSS {cli_rss:.0f} MB   target: under 300 MB -> "
              f"{'met' if cli_rss < 300 else 'NOT met'}")
    per_1000 = full_cpu * 1000 / n
    print(f"target: 1,000 tenants validated + policy-checked in under 10 s on one core -> "
          f"{per_1000:.2f} s CPU per 1,000: {'met' if per_1000 < 10 else 'NOT met'}"
          f" (wall on this machine: {full_wall * 1000 / n:.2f} s)")


if __name__ == "__main__":
    main()
