"""Inputs for the gate built from small YAML fixtures (plain yaml.safe_load, no spec loader)."""

from __future__ import annotations

import pytest
import yaml
from policy_fixtures import DATA


@pytest.fixture
def tenant() -> dict:
    return yaml.safe_load((DATA / "tenant.yaml").read_text())


@pytest.fixture
def backends() -> dict:
    return yaml.safe_load((DATA / "backends.yaml").read_text())
