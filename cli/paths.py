"""Where civicloud finds the project's own files (policies, catalogue, playbooks)."""

from __future__ import annotations

import os
from pathlib import Path

# The package lives in cli/ of a checkout; the project root is its parent.
PROJECT_ROOT = Path(os.environ.get("CIVICLOUD_HOME", Path(__file__).resolve().parent.parent))


def project_path(*parts: str) -> Path:
    return PROJECT_ROOT.joinpath(*parts)
