"""The policy gate as the commands run it: evaluate, print the report, give the exit code.

Gate 1 (stage "spec") reads the tenant documents; gate 2 (stage "plan") reads the same plus the
resources the engine planned, so a resolved value the spec did not show (a bucket's region, a
volume type) is checked before anything is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from civicloud import exitcodes
from civicloud.spec import Bundle

Locate = Callable[[Any], "tuple[str, int, int] | None"]


def locator(bundle: Bundle) -> Locate:
    """Maps a finding back to the tenant file's line and column (spec paths only)."""
    sources = {t.model.metadata.name: t.source for t in bundle.tenants}

    def locate(finding: Any) -> tuple[str, int, int] | None:
        source = sources.get(finding.tenant)
        if source is None or (finding.path and finding.path[0] == "resources"):
            return None
        return source.locate(tuple(finding.path))

    return locate


def run_gate(inputs: Sequence[dict[str, Any]], locate: Locate, *,
             policy_dirs: Sequence[Path] = (), now: datetime | None = None,
             stage: str = "spec", output: str = "text", quiet: bool = False,
             heading: bool = False) -> int:
    """Evaluates, prints the report (stdout; stderr when `quiet` and nothing is denied, so a
    JSON plan stays one document) and returns 0, 2 (policy files wrong) or 3 (denied)."""
    # Imported here: a run that stops at schema errors needs no Rego interpreter.
    from civicloud.policy import PolicyError, evaluate
    from civicloud.policy import report as policy_report

    try:
        result = evaluate(list(inputs), policy_dirs=policy_dirs, now=now, stage=stage)
    except PolicyError as exc:
        click.echo(click.style(f"policy error ({stage} stage): {exc}", fg="red"), err=True)
        return exitcodes.INVALID_INPUT
    render = {"text": policy_report.to_text, "json": policy_report.to_json,
              "sarif": policy_report.to_sarif}[output]
    err = quiet and not result.denied
    if heading and output == "text":
        click.echo(click.style(f"Policy gate, {stage} stage:", bold=True), err=err)
    click.echo(render(result, locate), err=err)
    return exitcodes.POLICY_DENIED if result.denied else exitcodes.OK
