"""Run the civicloud CLI in tests: in-process (fast, for most tests) or as the installed
console script (what a sysadmin runs). Both give exit code, stdout and stderr apart."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicloud.main import cli
from civicloud.paths import PROJECT_ROOT

CIVICLOUD = Path(sys.executable).with_name("civicloud")


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_in_process(*args: str) -> Run:
    result = CliRunner().invoke(cli, list(args), prog_name="civicloud", catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback would reach the user: fail loudly
    return Run(result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, cwd: Path = PROJECT_ROOT, timeout: float = 120) -> Run:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160"}
    done = subprocess.run([str(CIVICLOUD), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def civicloud():
    """civicloud("validate", "x.yaml") -> Run, in-process."""
    return run_in_process


@pytest.fixture
def civicloud_process():
    """The installed `civicloud` console script, in a subprocess, from the project root."""
    return run_process
