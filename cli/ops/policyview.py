"""The policy gate run on tenants as they are now (drift's live state, sandbox extend), with
a broken policy directory reported as invalid input."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from civicloud import exitcodes


def evaluate_now(inputs: Sequence[dict[str, Any]], policy_dirs: Sequence[Path],
                 now: datetime | None) -> Any:
    """The gate's result (civicloud.policy.GateResult); exit 2 if the policies are broken."""
    from civicloud.policy import PolicyError, evaluate

    try:
        return evaluate(list(inputs), policy_dirs=policy_dirs, now=now, stage="spec")
    except PolicyError as exc:
        click.echo(f"policy error: {exc}", err=True)
        sys.exit(exitcodes.INVALID_INPUT)
