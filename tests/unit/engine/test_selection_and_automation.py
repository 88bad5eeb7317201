"""--engine selection, --state URLs, and what the Automation-API runner hands the Pulumi CLI.

The CLI itself is not installable here, so these check the construction (pure logic) and the
translation of the CLI's engine events (built from the JSON the CLI emits).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_constants import PASSPHRASE, STACK
from engine_programs import two_tier
from pulumi import automation as auto

from civicloud.engine.automation import PulumiCliEngine, step_from_event
from civicloud.engine.base import StackRef
from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.errors import EngineError, EngineUnavailable, ForeignState
from civicloud.engine.factory import make_engine
from civicloud.engine.select import choose_engine
from civicloud.engine.state.location import parse_state_url


def no_cli(_name: str) -> str | None:
    return None


def cli(_name: str) -> str | None:
    return "/usr/local/bin/pulumi"


def test_auto_picks_the_cli_when_on_path_else_embedded_and_says_why():
    assert choose_engine("auto", cli).describe() == (
        "engine: pulumi (Pulumi CLI at /usr/local/bin/pulumi)")
    assert choose_engine("auto", no_cli).describe() == (
        "engine: embedded (Pulumi CLI not found on PATH)")
    assert choose_engine("embedded", cli).name == "embedded"
    assert choose_engine("pulumi", cli).name == "pulumi"


def test_asking_for_pulumi_without_the_cli_or_an_unknown_engine_is_refused():
    with pytest.raises(EngineUnavailable, match="no `pulumi` command on PATH"):
        choose_engine("pulumi", no_cli)
    with pytest.raises(EngineUnavailable, match="expected one of auto, embedded, pulumi"):
        choose_engine("terraform", cli)


def test_state_urls_map_to_stores_and_to_the_cli_backend(tmp_path: Path):
    local = parse_state_url(str(tmp_path / "st"))
    assert local.kind == "file" and local.pulumi_backend_url() == f"file://{tmp_path}/st"
    assert parse_state_url(None).pulumi_backend_url().endswith("/.civicloud/state")
    s3 = parse_state_url("s3://tfstate/civicloud?endpoint=http://127.0.0.1:8333&profile=local-fr")
    assert (s3.bucket, s3.prefix, s3.profile) == ("tfstate", "civicloud", "local-fr")
    assert s3.pulumi_backend_url() == (
        "s3://tfstate/civicloud?region=us-east-1&endpoint=127.0.0.1%3A8333&s3ForcePathStyle=true"
        "&disableSSL=true&profile=local-fr")
    with pytest.raises(EngineError, match="unknown parameter"):
        parse_state_url("s3://b/p?endpont=x")
    with pytest.raises(EngineError, match="expected a directory"):
        parse_state_url("ftp://host/x")


def test_factory_builds_the_chosen_engine(tmp_path: Path):
    location = parse_state_url(str(tmp_path))
    assert isinstance(make_engine(choose_engine("auto", no_cli), location), EmbeddedEngine)
    assert isinstance(make_engine(choose_engine("auto", cli), location), PulumiCliEngine)


def test_cli_runner_gets_backend_passphrase_and_project(tmp_path: Path):
    location = parse_state_url(str(tmp_path / "state"))
    runner = PulumiCliEngine(location, work_dir=tmp_path / "ws", passphrase=PASSPHRASE)
    opts = runner.workspace_options(StackRef("civicloud", "vence"))
    assert opts.secrets_provider == "passphrase"
    assert opts.work_dir == str(tmp_path / "ws")
    assert opts.project_settings.name == "civicloud"
    assert opts.project_settings.runtime == "python"
    assert opts.project_settings.backend.url == f"file://{tmp_path}/state"
    assert opts.env_vars["PULUMI_CONFIG_PASSPHRASE"] == PASSPHRASE
    assert opts.env_vars["PULUMI_BACKEND_URL"] == f"file://{tmp_path}/state"
    with pytest.raises(EngineError, match="CIVICLOUD_STATE_PASSPHRASE"):
        PulumiCliEngine(location, work_dir=tmp_path, passphrase="").env_vars()


def test_cli_runner_refuses_a_stack_the_embedded_engine_deployed(engine, cloud, state_dir):
    assert engine.up(STACK, two_tier(str(cloud.path))).ok
    runner = PulumiCliEngine(parse_state_url(str(state_dir)), work_dir=state_dir / "ws",
                             passphrase=PASSPHRASE)
    with pytest.raises(ForeignState, match="deployed by the embedded engine"):
        runner.preview(STACK, two_tier(str(cloud.path)))


def test_cli_engine_events_become_steps():
    urn = "urn:pulumi:dev::civicloud::pulumi-python:dynamic/civicloud:Bucket::data"
    md = auto.StepEventMetadata.from_json({
        "op": "replace", "urn": urn, "type": "pulumi-python:dynamic/civicloud:Bucket",
        "provider": "", "keys": ["region"], "diffs": ["region", "tags"],
        "old": {"type": "t", "urn": urn, "custom": True, "delete": False, "id": "b1",
                "parent": "", "protect": False, "inputs": {"region": "fr", "__provider": "x"},
                "outputs": {}, "provider": "", "initErrors": []},
        "new": {"type": "t", "urn": urn, "custom": True, "delete": False, "id": "",
                "parent": "", "protect": False, "inputs": {"region": "de", "__provider": "x"},
                "outputs": {}, "provider": "", "initErrors": []},
    })
    step = step_from_event(md)
    assert step is not None
    assert (step.op, step.name, step.changed, step.replace_fields) == (
        "replace", "data", ["region", "tags"], ["region"])
    assert step.inputs == {"region": "de"} and step.old_inputs == {"region": "fr"}
    halves = [auto.StepEventMetadata.from_json({"op": op, "urn": urn, "type": "t",
                                                "provider": ""})
              for op in ("create-replacement", "delete-replaced", "refresh")]
    assert [step_from_event(h) for h in halves] == [None, None, None]
