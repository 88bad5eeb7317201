"""--help texts and `civicloud catalogue list|show`."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e


def test_validate_help_has_examples_and_exit_codes(civicloud):
    run = civicloud("validate", "--help")
    assert run.exit_code == 0
    for expected in ("civicloud validate tenants/ --catalogue catalogue/", "-o, --output",
                     "--policy-dir", "--now", "3 denied by a policy rule"):
        assert expected in run.stdout


def test_catalogue_list_json_has_both_catalogues(civicloud):
    run = civicloud("catalogue", "list", "-o", "json")
    assert run.exit_code == 0
    backends = {b["name"]: b for b in json.loads(run.stdout)}
    assert backends["local-s3-de"]["country"] == "DE"
    assert backends["ovh-gra-s3"]["verified"] is False  # seed facts are marked unverified
    assert backends["infomaniak-dc3-openstack"]["eea"] is False


def test_catalogue_list_text_shows_country_and_qualifications(civicloud_process):
    run = civicloud_process("catalogue", "list")
    assert run.exit_code == 0
    row = next(line for line in run.stdout.splitlines() if "local-s3-fr" in line)
    assert "FR" in row and "object_storage:" in row


def test_catalogue_show(civicloud):
    run = civicloud("catalogue", "show", "local-openstack", "-o", "json")
    assert json.loads(run.stdout)["cloud"] == "civicloud-local"
    missing = civicloud("catalogue", "show", "nowhere")
    assert missing.exit_code == 2
    assert "no backend 'nowhere' in the catalogue" in missing.output
