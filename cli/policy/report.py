"""The gate's result as text (for people), JSON (stable field names) and SARIF 2.1.0 (for CI).

`locate(finding) -> (file, line, column) | None` maps a finding's tenant and path back to the
tenant file; the spec loader supplies it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civicloud.policy.gate import Finding, GateResult
from civicloud.sarif import physical_location, sarif_log

Locate = Callable[[Finding], "tuple[str, int, int] | None"]

_LABEL = {"deny": "error", "warn": "warning", "waived": "waived"}


def path_text(path: tuple[str | int, ...]) -> str:
    """("storage", "buckets", 0, "encryption") -> "storage.buckets[0].encryption"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(tenant)"


def summary(result: GateResult) -> str:
    counts = {status: sum(f.status == status for f in result.findings) for status in _LABEL}
    denied = sorted({f.tenant for f in result.findings if f.status == "deny"})
    verdict = f"DENIED ({', '.join(denied)})" if denied else "compliant"
    return (
        f"{len(result.tenants)} tenant(s) checked against {len(result.rules_evaluated)} rules: "
        f"{counts['deny']} error(s), {counts['warn']} warning(s), {counts['waived']} waived"
        f" - {verdict}"
    )


def to_text(result: GateResult, locate: Locate) -> str:
    """One gcc-style line per finding, then the summary line."""
    lines = []
    for finding in result.findings:
        where = locate(finding)
        prefix = f"{where[0]}:{where[1]}:{where[2]}" if where else finding.tenant
        line = (
            f"{prefix}: {_LABEL[finding.status]}[{finding.rule_id}]: "
            f"{path_text(finding.path)}: {finding.message}"
        )
        if finding.status == "waived" and finding.waiver:
            waiver = finding.waiver
            line += (
                f" [waived until {waiver.until.isoformat()} by {waiver.approver}: {waiver.reason}]"
            )
        lines.append(line)
    lines.append(summary(result))
    return "\n".join(lines)


def to_json(result: GateResult, locate: Locate) -> str:
    document = {
        "version": 1,
        "denied": result.denied,
        "summary": summary(result),
        "tenants": result.tenants,
        "rules_evaluated": result.rules_evaluated,
        "findings": [_finding_json(f, locate(f)) for f in result.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _finding_json(finding: Finding, where: tuple[str, int, int] | None) -> dict[str, Any]:
    waiver = finding.waiver
    return {
        "rule_id": finding.rule_id,
        "family": finding.family,
        "severity": finding.severity,
        "status": finding.status,
        "tenant": finding.tenant,
        "path": list(finding.path),
        "path_text": path_text(finding.path),
        "message": finding.message,
        "location": {"file": where[0], "line": where[1], "column": where[2]} if where else None,
        "waiver": {
            "rule": waiver.rule,
            "reason": waiver.reason,
            "approver": waiver.approver,
            "until": waiver.until.isoformat(),
        } if waiver else None,
    }


def to_sarif(result: GateResult, locate: Locate) -> str:
    """SARIF 2.1.0: rules in tool.driver.rules, one result per finding, waivers as suppressions."""
    rule_ids = list(result.rules_evaluated)
    rules = [_sarif_rule(result, rule_id) for rule_id in rule_ids]
    results = [_sarif_result(f, rule_ids.index(f.rule_id), locate(f)) for f in result.findings]
    return json.dumps(sarif_log(rules, results), indent=2, ensure_ascii=False)


def _sarif_rule(result: GateResult, rule_id: str) -> dict[str, Any]:
    rule = result.rules.get(rule_id)
    if rule is None:
        return {"id": rule_id}
    return {
        "id": rule.id,
        "name": rule.id.replace("-", ""),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description or rule.title},
        "help": {"text": f"Source: {rule.source}\nWaiver: {rule.waiver or 'see the rule'}"},
        "defaultConfiguration": {"level": "error" if rule.severity == "error" else "warning"},
        "properties": {"family": rule.family, "tags": ["civicloud", rule.family]},
    }


def _sarif_result(finding: Finding, index: int, where: tuple[str, int, int] | None) -> dict:
    location: dict[str, Any] = {
        "logicalLocations": [{
            "fullyQualifiedName": f"{finding.tenant}/{path_text(finding.path)}",
            "kind": "object",
        }],
    }
    if where:
        location["physicalLocation"] = physical_location(
            _uri(where[0]), max(where[1], 1), max(where[2], 1))
    sarif: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": "error" if finding.severity == "error" else "warning",
        "message": {"text": finding.message},
        "locations": [location],
        "properties": {"tenant": finding.tenant, "status": finding.status},
    }
    if finding.status == "waived" and finding.waiver:
        sarif["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": (
                f"{finding.waiver.reason} (approved by {finding.waiver.approver}, "
                f"until {finding.waiver.until.isoformat()})"
            ),
        }]
    return sarif


def _uri(file: str) -> str:
    """A path relative to the working directory when inside it (what code scanning expects)."""
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_uri()
    return path.as_posix()
