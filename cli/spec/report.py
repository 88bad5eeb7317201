"""Spec problems as text (gcc style, with the offending line), JSON or SARIF 2.1.0."""

from __future__ import annotations

import json
from functools import lru_cache

import click

from civicloud.sarif import physical_location, sarif_log
from civicloud.spec.errors import SpecError

SPEC_RULE = "CIVIC-SPEC"


@lru_cache(maxsize=64)
def _lines(file: str) -> list[str]:
    try:
        with open(file, encoding="utf-8") as handle:
            return handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _excerpt(problem: SpecError) -> str:
    lines = _lines(problem.file)
    if problem.sensitive or not 1 <= problem.line <= len(lines):
        return ""
    gutter = f"{problem.line:>5} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * (problem.column - 1) + "^"
    return f"{gutter}{lines[problem.line - 1]}\n{click.style(caret, fg='green')}"


def to_text(problems: list[SpecError], files: int,
            advice: str = "fix them and run validate again (the policy gate did not run)",
            summary: bool = True) -> str:
    out = []
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        where = f"{problem.file}:{problem.line}:{problem.column}:"
        label = "" if problem.severity == "error" else "warning: "
        out.append(click.style(where, bold=True) + " " + click.style(label + problem.detail,
                                                                     fg=colour))
        excerpt = _excerpt(problem)
        if excerpt:
            out.append(excerpt)
    if not summary:
        return "\n".join(out)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    line = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} " \
           f"in {files} file{'s' * (files != 1)} checked"
    if errors and advice:
        line += f": {advice}"
    out.append(click.style(line, bold=True))
    return "\n".join(out)


def to_json(problems: list[SpecError], files: int) -> str:
    return json.dumps({
        "valid": not any(p.severity == "error" for p in problems),
        "files": files,
        "errors": [p.to_dict() for p in problems if p.severity == "error"],
        "warnings": [p.to_dict() for p in problems if p.severity == "warning"],
    }, indent=2)


def to_sarif(problems: list[SpecError]) -> str:
    results = [{
        "ruleId": SPEC_RULE,
        "level": p.severity,
        "message": {"text": p.detail},
        "locations": [{"physicalLocation": physical_location(p.file, p.line, p.column)}],
    } for p in problems]
    rule = {
        "id": SPEC_RULE,
        "name": "InvalidSpec",
        "shortDescription": {"text": "The file is not a valid civicloud document"},
        "help": {"text": "Fix the field named in the message; see `civicloud "
                         "validate --help` and examples/."},
    }
    return json.dumps(sarif_log([rule], results), indent=2)
