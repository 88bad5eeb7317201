"""Helpers shared by the policy tests: inputs for the gate built from small YAML fixtures
(plain yaml.safe_load, no spec loader). Not in conftest.py: `conftest` is not importable by name
when several test directories each have one."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

DATA = Path(__file__).parent / "data"
# The official SARIF 2.1.0 schema, shared with the e2e tests (tests/data/README.md).
SARIF_SCHEMA = Path(__file__).parents[2] / "data" / "sarif-schema-2.1.0.json"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def gate_input(tenant: dict, backends: dict, syndicate=None, members=None) -> dict:
    used = {tenant["compute"]["backend"], tenant["storage"]["backend"]}
    return {
        "tenant": copy.deepcopy(tenant),
        "backends": {name: backends[name] for name in used},
        "syndicate": syndicate,
        "members": members if members is not None else [tenant],
    }
