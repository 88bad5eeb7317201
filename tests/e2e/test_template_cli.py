"""`civicloud template list|show|check`: the catalogue of pre-approved templates, checked with the
real policy gate; a syndicate's own directory and allow-list."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from civicloud.paths import project_path

pytestmark = pytest.mark.e2e
PROJECT_TEMPLATES = {"communal-website", "document-archives", "ccas-health", "pilot-sandbox"}


@pytest.fixture
def syndicate_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "sictiam-templates"
    directory.mkdir()
    return directory


def copy_template(name: str, into: Path) -> Path:
    target = into / name
    shutil.copytree(project_path("templates", name), target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_list_shows_every_project_template(civicloud):
    run = civicloud("template", "list", "-o", "json")
    assert run.exit_code == 0, run.output
    assert {t["name"] for t in json.loads(run.stdout)} == PROJECT_TEMPLATES
    text = civicloud("template", "list", "--lang", "fr")
    assert "Site internet de la commune" in text.stdout


def test_syndicate_allow_list_restricts_list(civicloud, syndicate_dir):
    (syndicate_dir / "policy.yaml").write_text(
        "apiVersion: civicloud/v1\nkind: TemplatePolicy\nallowed: [pilot-sandbox, ccas-health]\n")
    run = civicloud("template", "list", "--templates", str(syndicate_dir))
    assert run.exit_code == 0, run.output
    assert "pilot-sandbox" in run.stdout and "ccas-health" in run.stdout
    assert "communal-website" not in run.stdout
    assert f"2 more not allowed by {syndicate_dir / 'policy.yaml'}" in run.stdout


def test_show_prints_parameters_and_unknown_name_is_invalid_input(civicloud):
    run = civicloud("template", "show", "ccas-health", "-o", "json")
    assert run.exit_code == 0, run.output
    shown = json.loads(run.stdout)
    assert shown["classifications"] == ["health"]
    assert {p["name"] for p in shown["parameters"]} >= {"tenant_name", "storage_backend"}
    text = civicloud("template", "show", "pilot-sandbox")
    assert "expires (date, default today+60; min today+1; max today+90)" in text.stdout
    missing = civicloud("template", "show", "web-site")
    assert missing.exit_code == 2
    assert "no template named 'web-site'" in missing.stderr


def test_check_passes_every_project_template(civicloud):
    run = civicloud("template", "check", "--now", "2026-11-25")
    assert run.exit_code == 0, run.output
    for name in PROJECT_TEMPLATES:
        assert f"{name}: " in run.stdout
    assert "refused: ok" in run.stdout and "1 refused" not in run.stdout


def test_check_refuses_a_combination_that_violates_a_rule(civicloud, syndicate_dir):
    manifest = copy_template("ccas-health", syndicate_dir) / "template.yaml"
    edit(manifest, "choices: [local-s3-fr]", "choices: [local-s3-fr, local-s3-de]")
    edit(manifest, "backends: [local-openstack, local-s3-fr]",
         "backends: [local-openstack, local-s3-fr, local-s3-de]")
    run = civicloud("template", "check", "ccas-health", "--templates", str(syndicate_dir))
    assert run.exit_code == 3, run.output
    denied = [line for line in run.stdout.splitlines() if "CIVIC-QUAL-1" in line]
    assert denied and all(line.startswith("ccas-health: ") and "storage_backend=local-s3-de"
                          in line for line in denied)
    assert "storage_backend=local-s3-fr" not in run.stdout


def test_check_json_names_the_refused_combination(civicloud, syndicate_dir):
    manifest = copy_template("document-archives", syndicate_dir) / "template.yaml"
    edit(manifest, "choices: [local-s3-fr, ovh-gra-s3, outscale-cloudgouv-s3]",
         "choices: [local-s3-fr, local-s3-de]")
    edit(manifest, "backends: [local-openstack, local-s3-fr, ovh-gra-s3, outscale-cloudgouv-s3]",
         "backends: [local-openstack, local-s3-fr, local-s3-de]")
    run = civicloud("template", "check", "document-archives", "--templates", str(syndicate_dir),
                    "-o", "json")
    report = json.loads(run.stdout)
    refused = [c for c in report["combinations"] if c["denials"]]
    assert run.exit_code == 3 and not report["ok"]
    assert len(refused) == len(report["combinations"]) // 2
    assert {c["combination"]["storage_backend"] for c in refused} == {"local-s3-de"}
    assert all(any(d.startswith("CIVIC-LOC-4 ") for d in c["denials"]) for c in refused)


def test_check_of_a_broken_template_is_invalid_input_naming_the_file(civicloud, syndicate_dir):
    tenant = copy_template("communal-website", syndicate_dir) / "tenant.yaml.j2"
    edit(tenant, "flavor: {{ flavor | yaml }}", "flavor: {{ flavour | yaml }}")
    run = civicloud("template", "check", "communal-website", "--templates", str(syndicate_dir))
    assert run.exit_code == 2, run.output
    assert f"{tenant}: 'flavour' is undefined" in run.stdout


def test_bad_manifest_is_located(civicloud, syndicate_dir):
    manifest = copy_template("pilot-sandbox", syndicate_dir) / "template.yaml"
    edit(manifest, "    max: 5000\n", "    max: lots\n")
    run = civicloud("template", "list", "--templates", str(syndicate_dir))
    assert run.exit_code == 2
    assert f"{manifest}:" in run.stderr and "max: expected a whole number, got 'lots'" in run.stderr
    assert "Traceback" not in run.output
