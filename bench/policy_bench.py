"""Benchmark of the policy gate: N generated tenants checked against all the rules.

Prints tenants per second in CPU time of this process (the machine may be shared: wall time is
printed too) and, as the baseline run beside it, the same inputs through an engine holding one
trivial rule only: what passing a tenant to rego-cpp costs before any real rule runs.

    .venv/bin/python bench/policy_bench.py [N]      # default 1000
"""

from __future__ import annotations

import copy
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from civicloud.paths import project_path
from civicloud.policy import evaluate
from civicloud.policy.engine import PolicyEngine
from civicloud.policy.policyset import PolicySet, RegoFile

TRIVIAL_RULE = """package civicloud.bench
import rego.v1
metadata["BENCH-1"] := {"title": "t", "severity": "warning", "source": "bench"}
deny contains {"id": "BENCH-1", "msg": "m", "path": []} if input.tenant.type == "none"
"""


def generated_inputs(count: int) -> list[dict]:
    tenant = yaml.safe_load(project_path("examples", "vence-community.yaml").read_text())
    catalogue = yaml.safe_load(project_path("catalogue", "local.yaml").read_text())
    backends = {b["name"]: b for b in catalogue["backends"]}
    inputs = []
    for index in range(count):
        doc = copy.deepcopy(tenant)
        doc["metadata"]["name"] = f"commune-{index:04d}"
        doc["storage"]["backend"] = "local-s3-de" if index % 10 == 0 else "local-s3-fr"
        used = {doc["compute"]["backend"], doc["storage"]["backend"]}
        inputs.append({
            "tenant": doc,
            "backends": {name: backends[name] for name in used},
            "syndicate": None,
            "members": [doc],
        })
    return inputs


def report(label: str, count: int, cpu: float, wall: float, detail: str) -> None:
    print(
        f"{label:<30} {count} tenants: {cpu:.2f} s CPU ({count / cpu:.0f} tenants/s), "
        f"{wall:.2f} s wall; {detail}"
    )


def gate(inputs: list[dict]) -> float:
    cpu, wall = time.process_time(), time.perf_counter()
    result = evaluate(inputs, now=datetime(2026, 11, 25, tzinfo=UTC))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    detail = f"{len(result.rules_evaluated)} rules, {len(result.findings)} findings"
    report("gate, all rules", len(inputs), cpu, wall, detail)
    return cpu


def baseline(inputs: list[dict]) -> float:
    cpu, wall = time.process_time(), time.perf_counter()
    trivial = RegoFile(Path("bench.rego"), "civicloud.bench", TRIVIAL_RULE)
    engine = PolicyEngine(PolicySet((trivial,), {}))
    for item in inputs:
        engine.evaluate({"stage": "spec", "now": "2026-11-25T00:00:00+00:00", **item})
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    report("baseline: one trivial rule", len(inputs), cpu, wall, "input conversion + one query")
    return cpu


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    inputs = generated_inputs(count)
    full, base = gate(inputs), baseline(inputs)
    print(f"all rules cost {full / base:.1f}x the baseline; target: 1,000 tenants in < 10 s")


if __name__ == "__main__":
    main()
