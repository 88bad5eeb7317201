"""plan / apply / destroy / output on wrong input: exit 2 or 3 with a clear message, before any
backend is called (these runs need no local cloud), and --help with examples."""

from __future__ import annotations

import json

import click
import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("verb", ["plan", "apply", "destroy", "output"])
def test_help_has_examples(civicloud, verb):
    run = civicloud(verb, "--help")
    assert run.exit_code == 0
    assert "Examples:" in run.stdout and f"civicloud {verb} " in run.stdout


def test_plan_reports_a_bad_file_with_its_location(civicloud, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: civicloud/v1\nkind: Tenant\nmetadata:\n  name: x\ntype: nope\n")
    run = civicloud("plan", str(bad))
    assert run.exit_code == 2
    assert f"{bad}:5:1: type: expected one of community, hybrid, sandbox" in run.stdout


@pytest.mark.parametrize("verb", ["plan", "apply"])
def test_a_refused_tenant_stops_at_the_spec_gate(civicloud, tmp_path, verb):
    run = civicloud(verb, "examples/refused/location-archives-abroad.yaml", "--yes"
                    if verb == "apply" else "--detailed-exitcode", "--state", str(tmp_path))
    assert run.exit_code == 3
    assert "CIVIC-LOC-4" in run.stdout
    assert "engine:" not in run.output  # refused before the engine was even started
    assert not list(tmp_path.iterdir())


def test_a_saved_plan_that_is_not_one_is_refused(civicloud, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format": "something-else"}))
    run = civicloud("apply", str(plan), "--yes")
    assert run.exit_code == 2
    assert "not a civicloud plan" in run.stderr


def test_destroy_refuses_a_community_tenant_without_force(civicloud, tmp_path):
    run = civicloud("destroy", "examples/vence-community.yaml", "--state", str(tmp_path))
    assert run.exit_code == 2
    assert "vence is a community tenant, not a sandbox" in run.stderr
    run = civicloud("destroy", "vence", "--state", str(tmp_path))
    assert run.exit_code == 2
    assert "cannot check it is a sandbox" in run.stderr


def test_output_of_a_tenant_never_applied(civicloud, tmp_path):
    run = civicloud("output", "nobody", "--state", str(tmp_path))
    assert run.exit_code == 2
    assert "no outputs for tenant nobody" in run.stderr


def test_a_wrong_state_url_is_invalid_input(civicloud):
    run = civicloud("output", "vence", "--state", "ftp://nowhere")
    assert run.exit_code == 2
    assert "--state ftp://nowhere" in run.stderr


def test_plan_text_shows_changed_fields_markers_and_summary():
    from civicloud.engine.base import Plan, Step
    from civicloud.engine.planview import render_text

    t = "pulumi-python:dynamic/civicloud:"
    steps = [
        Step("update", "urn:q", t + "Quota", "v-quota-compute", changed=["limits"],
             inputs={"limits": {"instances": 5}}, old_inputs={"limits": {"instances": 4}}),
        Step("replace", "urn:s", t + "Server", "v-web-1", changed=["flavor"],
             replace_fields=["flavor"], inputs={"flavor": "m1.medium"},
             old_inputs={"flavor": "m1.small"}),
        Step("create", "urn:u", t + "User", "v-alice",
             inputs={"name": "v-alice", "password": "[secret]", "id": "(known after apply)",
                     "note": "(x)"}),
        Step("delete", "urn:b", t + "Bucket", "v-archives"),
        Step("same", "urn:p", t + "Project", "v"),
    ]
    text = click.unstyle(render_text(Plan("v", "embedded", steps, {}, 3)))
    assert '~ Quota v-quota-compute\n        limits: {"instances": 4} -> {"instances": 5}' in text
    assert 'flavor: "m1.small" -> "m1.medium"  # forces replacement' in text
    assert "-/+ Server v-web-1" in text and "- Bucket v-archives" in text
    assert "password = [secret]" in text and "id = (known after apply)" in text
    assert 'note = "(x)"' in text and "name =" not in text  # the name is the heading already
    assert "Project v" not in text  # unchanged resources are not listed
    assert text.endswith("Plan: 1 to add, 1 to change, 1 to replace, 1 to destroy.")
