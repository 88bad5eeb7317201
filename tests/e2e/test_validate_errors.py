"""`civicloud validate` on bad input: located errors, exit code 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicloud.paths import project_path

pytestmark = pytest.mark.e2e
VENCE = project_path("examples", "vence-community.yaml").read_text(encoding="utf-8")
# The official SARIF 2.1.0 schema the reports are checked against.
SARIF_SCHEMA = project_path("tests", "data", "sarif-schema-2.1.0.json")


@pytest.fixture
def bad_tenant(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(VENCE.replace("encryption: sse-s3 ", "encryption: none")
                    .replace("network: backend\n      security_groups: [web]\n      keypair: "
                             "admin\n      public_ip", "network: frontend\n      security_groups:"
                             " [web]\n      keypair: admin\n      public_ip"), encoding="utf-8")
    return path


def test_schema_and_reference_errors_at_once_exit_2(civicloud_process, bad_tenant):
    run = civicloud_process("validate", str(bad_tenant))
    assert run.exit_code == 2, run.output
    assert f"{bad_tenant}:76:7: storage.buckets[0].encryption: expected one of sse-s3, sse-kms, " \
           "sse-c, got 'none'" in run.stdout
    assert "   76 |       encryption: none" in run.stdout  # the offending line is shown
    # The storage section is invalid, the compute section is checked all the same.
    assert f"{bad_tenant}:52:7: compute.servers[0].network: network 'frontend' does not exist " \
           "(declared: backend)" in run.stdout
    assert "2 errors, 0 warnings in" in run.stdout
    assert "Traceback" not in run.output


def test_reference_errors_once_the_schema_is_right(civicloud, tmp_path):
    path = tmp_path / "ref.yaml"
    path.write_text(VENCE.replace("      network: backend\n      security_groups: [web]\n      "
                                  "keypair: admin\n      public_ip",
                                  "      network: frontend\n      security_groups: [web]\n      "
                                  "keypair: admin\n      public_ip"), encoding="utf-8")
    run = civicloud("validate", str(path))
    assert run.exit_code == 2
    assert f"{path}:52:7: compute.servers[0].network: network 'frontend' does not exist " \
           "(declared: backend)" in run.stdout


def test_json_report_of_errors(civicloud, bad_tenant):
    run = civicloud("validate", str(bad_tenant), "-o", "json")
    assert run.exit_code == 2
    report = json.loads(run.stdout)
    assert report["valid"] is False
    assert report["errors"][1] == {
        "file": str(bad_tenant), "line": 76, "column": 7, "path": "storage.buckets[0].encryption",
        "message": "expected one of sse-s3, sse-kms, sse-c, got 'none'", "severity": "error"}
    assert [e["line"] for e in report["errors"]] == [52, 76]


def test_sarif_report_of_errors(civicloud, bad_tenant):
    run = civicloud("validate", str(bad_tenant), "-o", "sarif")
    assert run.exit_code == 2
    sarif = json.loads(run.stdout)
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    result = sarif["runs"][0]["results"][1]
    assert result["ruleId"] == "CIVIC-SPEC" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (76, 7)
    rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert result["ruleId"] in rules


def test_missing_file_and_empty_directory(civicloud, tmp_path):
    run = civicloud("validate", str(tmp_path / "nope.yaml"), str(tmp_path))
    assert run.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'}:1:1: no such file or directory" in run.stdout
    assert f"{tmp_path}:1:1: no .yaml or .yml file in this directory" in run.stdout


def test_no_tenant_among_the_files(civicloud):
    run = civicloud("validate", str(project_path("catalogue", "local.yaml")))
    assert run.exit_code == 2
    assert "no tenant found" in run.stdout


def test_a_broken_catalogue_is_reported_where_it_is(civicloud, tmp_path):
    catalogue = tmp_path / "cat.yaml"
    catalogue.write_text("apiVersion: civicloud/v1\nkind: Catalogue\nbackends:\n"
                         "  - {name: x, kind: s3, provider: P, region: r, country: CH,"
                         " jurisdiction: CH, eea: true, endpoint: 'https://s3.example'}\n")
    run = civicloud("validate", str(project_path("examples", "vence-community.yaml")),
                    "--catalogue", str(catalogue))
    assert run.exit_code == 2
    assert f"{catalogue}:4:5: backends[0].profile: a backend of kind s3 needs `profile:`" \
        in run.stdout
    assert f"{catalogue}:4:80: backends[0].eea: eea: true contradicts country CH (outside the " \
           "EEA)" in run.stdout


def test_no_argument_is_a_usage_error(civicloud):
    run = civicloud("validate")
    assert run.exit_code == 2
    assert "Missing argument" in run.output


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_random_files_exit_2_without_traceback(civicloud, tmp_path, text):
    path = tmp_path / "random.yaml"
    path.write_text(text, encoding="utf-8")
    run = civicloud("validate", str(path))  # raises if anything but SystemExit escaped
    assert run.exit_code == 2
    assert "Traceback" not in run.output


@pytest.mark.parametrize("output", ["text", "json", "sarif"])
def test_a_credential_in_a_tenant_is_refused_and_never_printed(civicloud, tmp_path, output):
    path = tmp_path / "leak.yaml"
    path.write_text(VENCE.replace("  contact: dsi@ville-vence.example\n",
                                  "  contact: dsi@ville-vence.example\n"
                                  "  secret_key: wJalrXUtnFEMI-K7MDENG\n"), encoding="utf-8")
    run = civicloud("validate", str(path), "-o", output)
    assert run.exit_code == 2
    assert "metadata.secret_key" in run.stdout and "looks like a credential" in run.stdout
    assert "wJalrXUtnFEMI" not in run.output
