"""Fixtures for the engine conformance tests: a fake cloud, a state directory, an engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_constants import PASSPHRASE
from fakecloud import FakeCloud

from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.state.local import LocalStateStore


@pytest.fixture
def cloud(tmp_path: Path) -> FakeCloud:
    return FakeCloud(tmp_path / "cloud.json")


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def engine(state_dir: Path) -> EmbeddedEngine:
    return EmbeddedEngine(LocalStateStore(state_dir), passphrase=PASSPHRASE, lock_timeout=5)
