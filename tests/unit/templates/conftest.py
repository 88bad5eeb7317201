"""Template tests: copies of the project's templates in a temporary folder, to break them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from civicloud.paths import project_path


@pytest.fixture
def templates_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "syndicate-templates"
    directory.mkdir()
    return directory


@pytest.fixture
def copy_template(templates_dir: Path):
    """copy_template("ccas-health") -> a copy of that project template in templates_dir."""
    def copy(name: str) -> Path:
        target = templates_dir / name
        shutil.copytree(project_path("templates", name), target)
        return target
    return copy
