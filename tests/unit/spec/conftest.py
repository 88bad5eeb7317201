"""Fixtures of the spec tests: load a tenant text from a temporary file."""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_cases import CATALOGUE

from civicloud.spec import Bundle, load


@pytest.fixture
def load_text(tmp_path: Path):
    def _load(text: str, name: str = "t.yaml") -> tuple[Bundle, list[str]]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        bundle = load([path], [CATALOGUE])
        prefix = str(tmp_path) + "/"
        return bundle, [str(p).replace(prefix, "") for p in bundle.problems.items]

    return _load
