"""Text, JSON and SARIF output of the gate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from policy_fixtures import NOW, SARIF_SCHEMA, gate_input

from civicloud.main import cli
from civicloud.policy import evaluate
from civicloud.policy.report import path_text, to_json, to_sarif, to_text


def located(finding):
    # Stands in for the spec loader's locate: one fixed line per tenant file.
    return (f"tenants/{finding.tenant}.yaml", 14, 7) if finding.path else None


def mixed_result(tenant, backends):
    tenant["storage"]["buckets"][0]["encryption"] = None
    tenant["storage"]["backend"] = "s3-de"
    tenant["residency"]["countries"] = ["FR", "DE"]
    tenant["waivers"] = [{"rule": "CIVIC-LOC-4", "reason": "pilot", "approver": "AD06",
                          "until": date(2026, 12, 31)}]
    return evaluate([gate_input(tenant, backends)], now=NOW)


def test_path_text():
    assert path_text(("storage", "buckets", 0, "encryption")) == "storage.buckets[0].encryption"
    assert path_text(()) == "(tenant)"


def test_text_is_gcc_style_with_a_summary(tenant, backends):
    text = to_text(mixed_result(tenant, backends), located)
    lines = text.splitlines()
    assert lines[0].startswith("tenants/vence.yaml:14:7: error[CIVIC-ENC-2]: "
                               "storage.buckets[0].encryption: bucket documents")
    assert any("waived[CIVIC-LOC-4]" in line and "by AD06: pilot" in line for line in lines)
    assert lines[-1] == ("1 tenant(s) checked against 26 rules: 1 error(s), 0 warning(s), "
                         "1 waived - DENIED (vence)")


def test_json_has_stable_fields(tenant, backends):
    document = json.loads(to_json(mixed_result(tenant, backends), located))
    assert document["denied"] is True and document["tenants"] == ["vence"]
    enc = next(f for f in document["findings"] if f["rule_id"] == "CIVIC-ENC-2")
    assert enc == {
        "rule_id": "CIVIC-ENC-2", "family": "encryption", "severity": "error", "status": "deny",
        "tenant": "vence", "path": ["storage", "buckets", 0, "encryption"],
        "path_text": "storage.buckets[0].encryption", "message": enc["message"],
        "location": {"file": "tenants/vence.yaml", "line": 14, "column": 7}, "waiver": None,
    }
    loc = next(f for f in document["findings"] if f["rule_id"] == "CIVIC-LOC-4")
    assert loc["waiver"] == {"rule": "CIVIC-LOC-4", "reason": "pilot", "approver": "AD06",
                             "until": "2026-12-31"}


def test_sarif_validates_and_maps_findings(tenant, backends):
    log = json.loads(to_sarif(mixed_result(tenant, backends), located))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validate(log, schema, format_checker=jsonschema.FormatChecker())
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"CIVIC-LOC-4", "CIVIC-ENC-2", "CIVIC-WAIVER-1"}
    enc = next(r for r in run["results"] if r["ruleId"] == "CIVIC-ENC-2")
    assert rules[enc["ruleIndex"]]["id"] == "CIVIC-ENC-2"
    assert enc["level"] == "error"
    assert enc["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "tenants/vence.yaml"},
        "region": {"startLine": 14, "startColumn": 7},
    }
    waived = next(r for r in run["results"] if r["ruleId"] == "CIVIC-LOC-4")
    assert waived["suppressions"][0]["status"] == "accepted"


def test_sarif_rejects_what_the_schema_forbids():
    # The vendored schema is not a rubber stamp.
    schema = json.loads(SARIF_SCHEMA.read_text())
    result = {"message": {"text": "m"}, "level": "fatal"}
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [result]}]}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("an invalid level passed the schema")


def test_cli_policy_list_json_lists_every_rule():
    result = CliRunner().invoke(cli, ["policy", "list", "-o", "json"])
    assert result.exit_code == 0, result.output
    rules = json.loads(result.output)
    ids = {r["id"] for r in rules}
    assert {"CIVIC-LOC-1", "CIVIC-QUAL-2", "CIVIC-ENC-3", "CIVIC-QUOTA-2", "CIVIC-SBX-5",
            "CIVIC-NAME-3", "CIVIC-EXP-3", "CIVIC-WAIVER-1"} <= ids
    assert all(r["source"] and r["severity"] in ("error", "warning") for r in rules)


def test_cli_policy_list_bad_dir_exits_2(tmp_path: Path):
    result = CliRunner().invoke(cli, ["policy", "list", "--policy-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "no .rego file" in result.output and "Traceback" not in result.output


def test_cli_policy_test_runs_the_rego_tests():
    result = CliRunner().invoke(cli, ["policy", "test"])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output
