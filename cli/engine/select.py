"""`--engine auto|embedded|pulumi`: which engine runs, and why (every run says it)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass

from civicloud.engine.errors import EngineUnavailable

ENGINE_CHOICES = ("auto", "embedded", "pulumi")


@dataclass(frozen=True)
class EngineChoice:
    name: str  # embedded | pulumi
    reason: str

    def describe(self) -> str:
        return f"engine: {self.name} ({self.reason})"


def choose_engine(
    requested: str, which: Callable[[str], str | None] = shutil.which
) -> EngineChoice:
    """auto = the Pulumi CLI when `pulumi` is on PATH, else the embedded engine."""
    if requested not in ENGINE_CHOICES:
        raise EngineUnavailable(
            f"--engine: expected one of {', '.join(ENGINE_CHOICES)}, got {requested!r}"
        )
    if requested == "embedded":
        return EngineChoice("embedded", "requested with --engine embedded")
    cli = which("pulumi")
    if cli:
        return EngineChoice("pulumi", f"Pulumi CLI at {cli}")
    if requested == "pulumi":
        raise EngineUnavailable(
            "--engine pulumi: no `pulumi` command on PATH; install the Pulumi CLI "
            "or use --engine embedded"
        )
    return EngineChoice("embedded", "Pulumi CLI not found on PATH")
