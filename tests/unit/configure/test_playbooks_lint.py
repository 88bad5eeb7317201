"""The playbooks pass ansible-lint's production profile (the CI gate of issue 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from civicloud.paths import project_path

BIN = Path(sys.executable).parent


def test_playbooks_pass_ansible_lint_production_profile():
    result = subprocess.run(
        [str(BIN / "ansible-lint"), "--profile", "production", "--offline", "playbooks/"],
        cwd=project_path(), capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "NO_COLOR": "1"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Profile 'production' was required, and it passed" in output
    assert "0 failure(s), 0 warning(s)" in output
