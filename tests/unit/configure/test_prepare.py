"""Bad input to configure/inventory gets a clear error naming the file and the field."""

from __future__ import annotations

import re

import pytest

from civicloud.configure import prepare, secrets


@pytest.mark.parametrize("text, message", [
    ('{"servers": ', "outputs.json:1:13: not valid JSON"),
    ("[]", "expected an object with `servers` and `buckets` maps"),
    ('{"servers": [1]}', "servers: expected a map of name -> object, found list"),
    ('{"servers": {"web-1": 5}}', "servers.web-1: expected an object, found int"),
    ('{"buckets": {"docs": {"name": "x"}}}', "buckets.docs: missing endpoint"),
])
def test_bad_stack_outputs(tmp_path, text, message):
    path = tmp_path / "outputs.json"
    path.write_text(text)
    with pytest.raises(prepare.InputError, match=re.escape(message)):
        prepare.read_outputs(path)


def test_missing_outputs_file(tmp_path):
    with pytest.raises(prepare.InputError, match="no such file"):
        prepare.read_outputs(tmp_path / "nope.json")


def test_inventory_without_tenant_group(tmp_path):
    path = tmp_path / "inv.yml"
    path.write_text("all:\n  children:\n    web: {hosts: {web-1: null}}\n")
    with pytest.raises(prepare.InputError, match="no tenant group"):
        prepare.tenant_vars(prepare.read_inventory(path))
    path.write_text("just: [text\n")
    with pytest.raises(prepare.InputError, match="not valid YAML"):
        prepare.read_inventory(path)


def test_s3_keys_of_a_missing_profile(tmp_path, monkeypatch):
    credentials = tmp_path / "credentials"
    credentials.write_text("[fr]\naws_access_key_id = AK\naws_secret_access_key = SK\n"
                           "[half]\naws_access_key_id = AK\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    assert secrets.s3_keys("fr") == ("AK", "SK")
    with pytest.raises(secrets.SecretError, match=r"'de' not found in .*credentials"):
        secrets.s3_keys("de")
    with pytest.raises(secrets.SecretError, match=r"'half' .* has no aws_secret_access_key"):
        secrets.s3_keys("half")


def test_backup_password_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.setattr(secrets, "project_path", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.delenv(secrets.PASSWORD_ENV, raising=False)
    first = secrets.backup_password("vence")
    assert len(first) >= 32 and secrets.backup_password("vence") == first
    stored = tmp_path / ".civicloud/secrets/vence/backup-password"
    assert oct(stored.stat().st_mode)[-3:] == "600"
    monkeypatch.setenv(secrets.PASSWORD_ENV, "from-the-environment")
    assert secrets.backup_password("vence") == "from-the-environment"
