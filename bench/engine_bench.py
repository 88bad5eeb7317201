"""Benchmark: the embedded engine's own cost, on an in-process "cloud" with a fixed API latency.

A tenant-shaped program (`--roots` independent resources, each with `--children` dependents)
is applied, re-applied unchanged, previewed and destroyed. Baseline, measured in the same run:
the same provider calls made directly in dependency order with the same parallelism (what a
hand-written script would do), so the ratio is the engine's overhead (SDK, gRPC, checkpoint
after every step). Also prints the no-op re-apply vs first apply, and its write calls (must be 0).

    .venv/bin/python bench/engine_bench.py [--roots 10] [--children 3] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ResourceProvider

from civicloud.engine.base import StackRef
from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.registry import register_provider, type_token
from civicloud.engine.state.local import LocalStateStore

LATENCY = {"seconds": 0.05}
WRITES = {"count": 0}
_lock = threading.Lock()


@register_provider(type_token("bench", "Item"))
class ItemProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        time.sleep(LATENCY["seconds"])  # one API round trip
        with _lock:
            WRITES["count"] += 1
        return CreateResult(uuid.uuid4().hex, {**props, "item_id": uuid.uuid4().hex})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        time.sleep(LATENCY["seconds"])
        with _lock:
            WRITES["count"] += 1


class Item(pulumi.dynamic.Resource, module="bench", name="Item"):
    def __init__(self, name: str, parent_id: Any = None) -> None:
        super().__init__(ItemProvider(), name, {"name": name, "parent_id": parent_id,
                                                "item_id": None})


def program(roots: int, children: int):
    def run() -> None:
        for r in range(roots):
            root = Item(f"root{r}")
            for c in range(children):
                Item(f"child{r}-{c}", root.item_id)

    return run


def direct(roots: int, children: int, parallel: int) -> float:
    """The baseline: the same creates, dependency-ordered, same parallelism, no engine."""
    provider = ItemProvider()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        ids = list(pool.map(lambda r: provider.create({"name": f"root{r}"}).id, range(roots)))
        list(pool.map(lambda rc: provider.create({"name": f"child{rc[0]}-{rc[1]}",
                                                  "parent_id": ids[rc[0]]}),
                      [(r, c) for r in range(roots) for c in range(children)]))
    return time.perf_counter() - start


def timed(fn) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roots", type=int, default=10)
    parser.add_argument("--children", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    LATENCY["seconds"] = args.latency
    total = args.roots * (1 + args.children)
    stack = StackRef("bench", "bench")
    prog = program(args.roots, args.children)
    with tempfile.TemporaryDirectory() as state:
        engine = EmbeddedEngine(LocalStateStore(state), passphrase="bench",
                                parallel=args.parallel)
        baseline = direct(args.roots, args.children, args.parallel)
        first, result = timed(lambda: engine.up(stack, prog))
        assert result.ok, result.errors
        WRITES["count"] = 0
        noop, result = timed(lambda: engine.up(stack, prog))
        noop_writes = WRITES["count"]
        preview, _ = timed(lambda: engine.preview(stack, prog))
        destroy, result = timed(lambda: engine.destroy(stack))
        assert result.ok, result.errors
    print(f"{total} resources, API latency {args.latency * 1000:.0f} ms, parallel {args.parallel}")
    print(f"  direct provider calls (baseline): {baseline:6.2f} s")
    print(f"  embedded engine, first apply:     {first:6.2f} s   "
          f"(x{first / baseline:.2f} the baseline; {1000 * (first - baseline) / total:.1f} ms "
          "overhead per resource)")
    print(f"  no-op re-apply:                   {noop:6.2f} s   "
          f"({first / noop:.1f}x faster than the first apply; {noop_writes} write calls)")
    print(f"  preview:                          {preview:6.2f} s")
    print(f"  destroy:                          {destroy:6.2f} s")


if __name__ == "__main__":
    main()
