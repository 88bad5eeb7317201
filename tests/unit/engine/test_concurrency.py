"""Parallel registration (independent resources overlap, dependents wait) and the stack lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from engine_constants import PASSPHRASE, STACK
from engine_programs import chain

from civicloud.engine.errors import StateLocked

RUNNER = Path(__file__).with_name("run_stack.py")


def test_independent_resources_are_created_concurrently_and_dependents_wait(engine, cloud):
    result = engine.up(STACK, chain(str(cloud.path), width=10, delay=0.2))
    assert result.ok, result.errors
    creates = {c["name"]: c for c in cloud.calls() if c["call"] == "create"}
    roots = [creates[f"root{i}"] for i in range(10)]
    # With 8 parallel slots, 10 roots of 0.2 s each take well under their 2 s serial sum.
    span = max(c["end"] for c in roots) - min(c["start"] for c in roots)
    assert span < 1.0
    overlapping = max(sum(1 for o in roots if o["start"] < c["end"] and c["start"] < o["end"])
                      for c in roots)
    assert overlapping >= 4
    for i in range(10):  # a leaf's create starts only after its root's create ended
        assert creates[f"leaf{i}"]["start"] >= creates[f"root{i}"]["end"]


def test_second_up_on_a_locked_stack_waits_then_fails_clearly(engine, cloud, state_dir):
    env = {**os.environ, "CIVICLOUD_STATE_PASSPHRASE": PASSPHRASE}
    slow = subprocess.Popen(
        [sys.executable, str(RUNNER), str(state_dir), str(cloud.path), "chain", "width=2",
         "delay=1.5"], env=env, stdout=subprocess.PIPE, text=True)
    assert slow.stdout is not None
    assert slow.stdout.readline().startswith("step-start")  # it holds the lock now
    waits: list[str] = []
    engine.lock_timeout = 0.5
    with pytest.raises(StateLocked, match="still locked") as info:
        engine.up(STACK, chain(str(cloud.path), width=2), on_event=lambda e: waits.append(
            f"{e.kind}: {e.message}"))
    assert f"pid {slow.pid}" in str(info.value)  # names the run it waited for
    assert waits and waits[0].startswith("wait: stack dev is locked")
    slow.communicate(timeout=60)
    assert slow.returncode == 0

    # Once released, the next run goes through and finds nothing to do.
    cloud.clear_calls()
    engine.lock_timeout = 30
    assert engine.up(STACK, chain(str(cloud.path), width=2, delay=1.5)).ok
    assert cloud.mutations() == []


def test_a_waiting_up_proceeds_when_the_lock_is_released(engine, cloud, state_dir):
    env = {**os.environ, "CIVICLOUD_STATE_PASSPHRASE": PASSPHRASE}
    first = subprocess.Popen(
        [sys.executable, str(RUNNER), str(state_dir), str(cloud.path), "chain", "width=3",
         "delay=0.5"], env=env, stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None
    assert first.stdout.readline().startswith("step-start")
    started = time.monotonic()
    result = engine.up(STACK, chain(str(cloud.path), width=3, delay=0.5))
    assert result.ok and time.monotonic() - started > 0.3  # it waited for the first run
    first.communicate(timeout=60)
    creates = [c for c in cloud.calls() if c["call"] == "create"]
    assert len(creates) == 6  # the second run found everything created: no duplicates
    doc = json.loads((state_dir / "dev.json").read_text())
    assert "pending_operations" not in doc["deployment"]
