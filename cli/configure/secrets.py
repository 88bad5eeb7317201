"""The secrets a configure run hands to Ansible, as environment variables only.

- the restic repository password of the tenant's backups: `CIVICLOUD_BACKUP_PASSWORD` if set,
  else generated once and kept in `<project>/.civicloud/secrets/<tenant>/backup-password`
  (0600; losing it means losing the backups: keep a copy in your password vault);
- the S3 keys of the backup bucket's credentials profile (AWS shared-credentials format:
  `AWS_SHARED_CREDENTIALS_FILE`, else the local cloud's `s3-credentials`, else ~/.aws/credentials).

Nothing here is ever printed, logged or written into an inventory.
"""

from __future__ import annotations

import configparser
import os
import secrets
from pathlib import Path

from civicloud.paths import project_path

PASSWORD_ENV = "CIVICLOUD_BACKUP_PASSWORD"


class SecretError(RuntimeError):
    """A secret the run needs is missing; the message says where it was looked for."""


def backup_password(tenant: str) -> str:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    path = project_path(".civicloud", "secrets", tenant, "backup-password")
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def credentials_file() -> Path:
    if os.environ.get("AWS_SHARED_CREDENTIALS_FILE"):
        return Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    local = os.environ.get("CIVICLOUD_LOCAL_DIR")
    local_file = (Path(local) if local else project_path(".local-cloud")) / "s3-credentials"
    return local_file if local_file.exists() else Path.home() / ".aws" / "credentials"


def s3_keys(profile: str) -> tuple[str, str]:
    """(access key id, secret access key) of a profile of the shared credentials file."""
    path = credentials_file()
    parser = configparser.ConfigParser()
    parser.read(path)
    if not parser.has_section(profile):
        raise SecretError(f"S3 credentials profile {profile!r} not found in {path}")
    section = parser[profile]
    try:
        return section["aws_access_key_id"], section["aws_secret_access_key"]
    except KeyError as exc:
        raise SecretError(f"profile {profile!r} in {path} has no {exc.args[0]}") from None


def run_environment(tenant: str, backup_profile: str | None) -> dict[str, str]:
    """Environment variables for the playbooks' secret lookups."""
    env = {PASSWORD_ENV: backup_password(tenant)}
    if backup_profile:
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = s3_keys(backup_profile)
    return env
