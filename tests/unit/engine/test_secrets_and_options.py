"""Secrets never in clear in state or logs; unsupported options refused; components recorded."""

from __future__ import annotations

import json
import logging

import pulumi
import pytest
from engine_constants import STACK
from testprovider import FAIL_ENV, Credential, Group, Network, Server

from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.errors import InvalidProgram, SecretsError
from civicloud.engine.state.local import LocalStateStore
from civicloud.engine.values import SECRET_MASK, SECRET_SIG

PASSWORD = "hunter2-Zq9-correct-horse"


def secret_program(cloud: str):
    def program() -> None:
        net = Network("net", cloud)
        Server("srv", cloud, net.network_id, admin_password=pulumi.Output.secret(PASSWORD))
        cred = Credential("ci", cloud)
        pulumi.export("credential", cred.secret)
        pulumi.export("password", pulumi.Output.secret(PASSWORD))

    return program


def test_secrets_are_encrypted_in_state_and_masked_everywhere(engine, cloud, state_dir,
                                                              caplog, capsys):
    caplog.set_level(logging.DEBUG)
    events: list[str] = []
    program = secret_program(str(cloud.path))
    plan = engine.preview(STACK, program)
    srv = next(s for s in plan.steps if s.name == "srv")
    assert srv.inputs["admin_password"] == SECRET_MASK
    result = engine.up(STACK, program, on_event=lambda e: events.append(repr(e)))
    assert result.ok, result.errors
    assert result.outputs == {"credential": SECRET_MASK, "password": SECRET_MASK}
    generated = engine.outputs(STACK, reveal=True)["credential"]
    assert generated.startswith("s3cr3t-")
    # The provider got the plain value (the backend stores it, as a real one would).
    assert PASSWORD in json.dumps(cloud.resources())

    text = (state_dir / "dev.json").read_text()
    assert PASSWORD not in text and generated not in text
    assert text.count(SECRET_SIG) >= 4 and '"ciphertext": "v1:' in text
    captured = capsys.readouterr()
    for where in (text, caplog.text, captured.out, captured.err, "\n".join(events)):
        assert PASSWORD not in where and generated not in where

    # Re-reading the state decrypts: a re-run is a no-op, not a spurious update.
    cloud.clear_calls()
    assert engine.up(STACK, program).ok
    assert cloud.mutations() == []


def test_a_provider_error_quoting_a_secret_is_redacted(engine, cloud, monkeypatch):
    monkeypatch.setenv(FAIL_ENV, "srv")
    result = engine.up(STACK, secret_program(str(cloud.path)))
    assert not result.ok
    message = next(e for e in result.errors if "srv" in e)
    assert "injected" in message and "admin_password" in message
    assert PASSWORD not in message and SECRET_MASK in message


def test_state_with_secrets_needs_the_right_passphrase(engine, cloud, state_dir):
    assert engine.up(STACK, secret_program(str(cloud.path))).ok
    for passphrase, message in (("", "CIVICLOUD_STATE_PASSPHRASE"),
                                ("wrong", "not the passphrase")):
        other = EmbeddedEngine(LocalStateStore(state_dir), passphrase=passphrase)
        assert other.outputs(STACK)["credential"] == SECRET_MASK  # showing needs no passphrase
        with pytest.raises(SecretsError, match=message):
            other.outputs(STACK, reveal=True)
        with pytest.raises(SecretsError, match=message):
            other.up(STACK, secret_program(str(cloud.path)))


@pytest.mark.parametrize(("option", "opts"), [
    ("protect", pulumi.ResourceOptions(protect=True)),
    ("ignore_changes", pulumi.ResourceOptions(ignore_changes=["label"])),
    ("retain_on_delete", pulumi.ResourceOptions(retain_on_delete=True)),
    ("custom_timeouts", pulumi.ResourceOptions(
        custom_timeouts=pulumi.CustomTimeouts(create="5m"))),
    ("replace_on_changes", pulumi.ResourceOptions(replace_on_changes=["cidr"])),
])
def test_unsupported_resource_options_are_refused_by_name(engine, cloud, option, opts):
    def program() -> None:
        Network("net", str(cloud.path), opts=opts)

    result = engine.up(STACK, program)
    assert not result.ok and result.invalid
    assert any(option in e and "'net'" in e for e in result.errors), result.errors
    assert cloud.resources() == {}
    with pytest.raises(InvalidProgram, match=option):
        engine.preview(STACK, program)


def test_components_are_recorded_with_their_children_and_removed_after_them(engine, cloud,
                                                                           state_dir):
    def with_group() -> None:
        Group("web", str(cloud.path), servers=2)

    assert engine.up(STACK, with_group).ok
    doc = json.loads((state_dir / "dev.json").read_text())
    by_name = {r["urn"].rsplit("::", 1)[-1]: r for r in doc["deployment"]["resources"]}
    assert by_name["web"]["custom"] is False and by_name["web"]["type"] == "enginetest:index:Group"
    assert by_name["web-net"]["parent"] == by_name["web"]["urn"]
    assert "::enginetest:index:Group$pulumi-python:dynamic/enginetest:Network::web-net" in (
        by_name["web-net"]["urn"])
    assert by_name["web"]["outputs"]["network_id"] == by_name["web-net"]["id"]
    # Checkpoint order: every resource after its parent and dependencies.
    seen: set[str] = set()
    for r in doc["deployment"]["resources"]:
        assert {r.get("parent")} - {None} <= seen and set(r.get("dependencies", [])) <= seen
        seen.add(r["urn"])

    cloud.clear_calls()
    assert engine.up(STACK, lambda: None).ok
    assert sorted(cloud.mutations())[-1] == ("delete", "server", "web-srv1")
    assert cloud.mutations()[-1] == ("delete", "network", "web-net")
    assert cloud.resources() == {}
