"""Run a short-lived command (an install, a migration) with its output in a log file."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from civicloud.localcloud.errors import LocalCloudError


def run(
    step: str,
    argv: Sequence[str | os.PathLike[str]],
    log: Path,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    timeout: float = 900,
) -> str:
    """Runs `argv`, appends its output to `log`, returns it; LocalCloudError on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    try:
        done = subprocess.run(
            [str(arg) for arg in argv],
            input=input_text,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise LocalCloudError(step, f"command not found: {argv[0]}", log) from exc
    except subprocess.TimeoutExpired as exc:
        raise LocalCloudError(step, f"timed out after {timeout:.0f} s: {argv[0]}", log) from exc
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(str(a) for a in argv)}\n{done.stdout}{done.stderr}")
    if done.returncode != 0:
        raise LocalCloudError(step, f"{Path(str(argv[0])).name} exited with {done.returncode}", log)
    return done.stdout
