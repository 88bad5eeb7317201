"""`civicloud state list|show|clear-pending` on a real checkpoint."""

from __future__ import annotations

import json

from click.testing import CliRunner
from engine_constants import STACK
from engine_programs import credential, two_tier

from civicloud.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), env={"CIVICLOUD_STATE_PASSPHRASE": ""})


def test_list_and_show_read_state_without_the_passphrase(engine, cloud, state_dir):
    assert engine.up(STACK, two_tier(str(cloud.path))).ok
    listed = run("state", "list", "--state", str(state_dir), "-o", "json")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == [
        {"stack": "dev", "engine": "embedded", "serial": json.loads(listed.output)[0]["serial"],
         "resources": 2, "pending": 0}]

    assert engine.up(STACK, credential(str(cloud.path))).ok
    shown = run("state", "show", "dev", "--state", str(state_dir), "-o", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.output)
    assert doc["outputs"] == {"secret": "[secret]"}
    assert [(r["type"].rsplit(":", 1)[-1], r["id"] in cloud.resources())
            for r in doc["resources"]] == [("Credential", True)]
    text = run("state", "show", "dev", "--state", str(state_dir))
    assert text.exit_code == 0 and "Credential" in text.output and "ci" in text.output


def test_unknown_or_invalid_stacks_are_input_errors(state_dir):
    missing = run("state", "show", "nope", "--state", str(state_dir))
    assert missing.exit_code == 2 and "no state for stack nope" in missing.output
    bad = run("state", "show", "../etc", "--state", str(state_dir))
    assert bad.exit_code == 2 and "stack name '../etc'" in bad.output
    assert "Traceback" not in bad.output + missing.output


def test_clear_pending_says_when_there_is_nothing_to_clear(engine, cloud, state_dir):
    assert engine.up(STACK, two_tier(str(cloud.path))).ok
    result = run("state", "clear-pending", "dev", "--state", str(state_dir), "--yes")
    assert result.exit_code == 0 and "no interrupted operation" in result.output


def test_a_wrong_or_unreachable_state_location_is_one_clear_line():
    bad = run("state", "list", "--state", "s3://b/x?endpont=http://127.0.0.1:8333")
    assert bad.exit_code == 2 and "unknown parameter(s) endpont" in bad.output
    down = run("state", "list", "--state", "s3://b/x?endpoint=http://127.0.0.1:1")
    assert down.exit_code == 1 and "s3://b/x/" in down.output
    assert "Traceback" not in bad.output + down.output
