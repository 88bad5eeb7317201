"""`civicloud validate` on the examples: the valid ones pass the policy gate (exit 0), each
refused one is denied by exactly the rule its `# expect:` line names (exit 3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from civicloud.paths import project_path

pytestmark = pytest.mark.e2e
EXAMPLES = project_path("examples")
NOW = ("--now", "2026-11-25")  # the sandbox examples' dates are relative to this day
REFUSED = sorted((EXAMPLES / "refused").glob("*.yaml"))
FAMILIES = {"location", "qualification", "encryption", "quotas", "sandbox", "naming", "exposure"}


def expected_rule(path: Path) -> str:
    return re.search(r"^# expect: (CIVIC-[A-Z]+-\d+)$", path.read_text(), re.M).group(1)


def denied_rules(report) -> set[str]:
    """Rule IDs of denied findings, wherever the JSON report nests its findings."""
    found: set[str] = set()
    if isinstance(report, dict):
        if report.get("status") == "deny" and "rule_id" in report:
            found.add(report["rule_id"])
        for value in report.values():
            found |= denied_rules(value)
    elif isinstance(report, list):
        for item in report:
            found |= denied_rules(item)
    return found


@pytest.mark.parametrize("paths", [
    ["vence-community.yaml", "syndicate"],
    ["hybrid-antibes.yaml"],
    ["sandbox-pilot.yaml"],
    ["syndicate"],
], ids=lambda p: "+".join(p))
def test_valid_examples_pass(civicloud, paths):
    run = civicloud("validate", *(str(EXAMPLES / p) for p in paths), *NOW)
    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output


def test_one_refused_example_per_family():
    families = {path.stem.split("-")[0] for path in REFUSED}
    assert families == FAMILIES


@pytest.mark.parametrize("path", REFUSED, ids=lambda p: p.stem)
def test_refused_example_is_denied_by_its_rule_only(civicloud, path):
    run = civicloud("validate", str(path), *NOW, "-o", "json")
    assert run.exit_code == 3, run.output
    assert denied_rules(json.loads(run.stdout)) == {expected_rule(path)}


def test_denial_is_located_in_text_and_sarif(civicloud):
    path = EXAMPLES / "refused" / "encryption-plain-volume.yaml"
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1)
                if "encrypted: false" in text and not text.startswith("#"))
    text = civicloud("validate", str(path), *NOW)
    assert text.exit_code == 3
    assert "CIVIC-ENC-1" in text.stdout and f"{path}:{line}:" in text.stdout
    sarif = json.loads(civicloud("validate", str(path), *NOW, "-o", "sarif").stdout)
    schema = project_path("tests", "data", "sarif-schema-2.1.0.json")
    jsonschema.validate(sarif, json.loads(schema.read_text()))
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "CIVIC-ENC-1"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("refused/encryption-plain-volume.yaml")
    assert location["region"]["startLine"] == line


def _with_waiver(tmp_path: Path, until: str) -> Path:
    source = (EXAMPLES / "refused" / "encryption-plain-volume.yaml").read_text()
    path = tmp_path / "waived.yaml"
    path.write_text(source + "waivers:\n  - rule: CIVIC-ENC-1\n    reason: payroll export tool "
                    "cannot read encrypted volumes until v5\n    approver: RSSI Valbonne\n"
                    f"    until: {until}\n")
    return path


def test_a_valid_waiver_turns_the_deny_into_an_exception(civicloud, tmp_path):
    run = civicloud("validate", str(_with_waiver(tmp_path, "2027-01-31")), *NOW)
    assert run.exit_code == 0, run.output
    assert "CIVIC-ENC-1" in run.stdout  # the exception is recorded, not hidden


def test_an_expired_waiver_is_a_deny(civicloud, tmp_path):
    run = civicloud("validate", str(_with_waiver(tmp_path, "2026-11-01")), *NOW)
    assert run.exit_code == 3, run.output


def test_the_whole_examples_directory_is_denied_because_of_refused(civicloud):
    run = civicloud("validate", str(EXAMPLES), *NOW, "-o", "json")
    assert run.exit_code == 3
    assert denied_rules(json.loads(run.stdout)) == {expected_rule(p) for p in REFUSED}


def test_console_script_end_to_end(civicloud_process):
    run = civicloud_process("validate", "examples/hybrid-antibes.yaml", *NOW)
    assert run.exit_code == 0, run.output
