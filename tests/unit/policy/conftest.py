"""Inputs for the gate built from small YAML fixtures (plain yaml.safe_load, no spec loader)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def tenant() -> dict:
    return yaml.safe_load((DATA / "tenant.yaml").read_text())


@pytest.fixture
def backends() -> dict:
    return yaml.safe_load((DATA / "backends.yaml").read_text())


def gate_input(tenant: dict, backends: dict, syndicate=None, members=None) -> dict:
    used = {tenant["compute"]["backend"], tenant["storage"]["backend"]}
    return {
        "tenant": copy.deepcopy(tenant),
        "backends": {name: backends[name] for name in used},
        "syndicate": syndicate,
        "members": members if members is not None else [tenant],
    }
