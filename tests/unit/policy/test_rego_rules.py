"""The Rego unit tests of every rule family, run through regopy (like `civicloud policy test`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicloud.policy.testing import run_rego_tests

OUTCOMES = run_rego_tests()
FAMILIES = ["location", "qualification", "encryption", "quotas", "sandbox", "naming", "exposure"]


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: o.id)
def test_rego_unit_test_passes(outcome):
    assert outcome.status == "pass", f"{outcome.file}: {outcome.status} {outcome.detail}"


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_has_allow_and_deny_tests(family):
    names = [o.name for o in OUTCOMES if o.package == f"civicloud.{family}_test"]
    assert any("pass" in n or "allowed" in n or "passes" in n for n in names), names
    assert len(names) >= 4, names


def test_a_failing_rego_test_is_reported_as_failing(tmp_path: Path):
    # The runner must not report success for a test whose expectation is wrong.
    (tmp_path / "probe.rego").write_text(
        'package civicloud.probe\nimport rego.v1\n'
        'metadata["PROBE-1"] := {"title": "t", "severity": "error", "source": "s"}\n'
        'deny contains {"id": "PROBE-1", "msg": "m", "path": []} if {\n'
        ' input.tenant.type == "sandbox"\n}\n'
    )
    (tmp_path / "probe_test.rego").write_text(
        "package civicloud.probe_test\nimport rego.v1\nimport data.civicloud.probe\n"
        't := {"type": "sandbox"}\n'
        "test_right if {\n x := t\n count(probe.deny) == 1 with input.tenant as x\n}\n"
        "test_wrong if {\n x := t\n count(probe.deny) == 0 with input.tenant as x\n}\n"
    )
    outcomes = {
        o.name: o.status for o in run_rego_tests([tmp_path]) if o.package == "civicloud.probe_test"
    }
    assert outcomes == {"test_right": "pass", "test_wrong": "fail"}


def test_a_broken_builtin_rule_makes_its_tests_fail(tmp_path: Path, monkeypatch):
    # Mutation check: the encryption tests must catch a rule that no longer looks at volumes.
    policies = Path(__file__).resolve().parents[3] / "policies"
    broken = tmp_path / "policies"
    broken.mkdir()
    for path in policies.glob("*.rego"):
        text = path.read_text()
        if path.name == "encryption.rego":
            text = text.replace('object.get(v.volume, "encrypted", false) != true', "false")
        (broken / path.name).write_text(text)
    (broken / "data").symlink_to(policies / "data")
    monkeypatch.setattr("civicloud.policy.policyset.builtin_policy_dir", lambda: broken)
    failing = {o.name for o in run_rego_tests() if o.status != "pass"}
    assert {"test_enc1_unencrypted_volume", "test_enc1_volume_without_the_flag"} <= failing
