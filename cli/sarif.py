"""SARIF 2.1.0 pieces shared by the spec report and the policy gate's report."""

from __future__ import annotations

from typing import Any

from civicloud import __version__


def sarif_log(rules: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    """One run of civicloud with its rules and results."""
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "civicloud", "version": __version__, "rules": rules}},
            "results": results,
        }],
    }


def physical_location(uri: str, line: int, column: int) -> dict[str, Any]:
    return {"artifactLocation": {"uri": uri}, "region": {"startLine": line, "startColumn": column}}
