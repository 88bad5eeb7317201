"""Passwords of the local cloud: generated once per local directory, kept in a 0600 file.

They are never printed; clouds.yaml and the services' config files (also 0600) carry them.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Credentials:
    admin_password: str  # the `admin` user of Keystone (clouds.yaml)
    service_password: str  # the service users (nova, neutron, ...) that the APIs use between them
    database_password: str  # the `openstack` MariaDB user
    rabbit_password: str  # the `openstack` RabbitMQ user
    fixed_key: str  # hex, the fixed volume-encryption key of the ConfKeyManager (no Barbican here)


def write_private(path: Path, text: str) -> None:
    """Writes a file only its owner can read, never world-readable even for an instant."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


def load_or_create(path: Path) -> Credentials:
    if path.exists():
        return Credentials(**json.loads(path.read_text()))
    made = Credentials(
        admin_password=secrets.token_urlsafe(18),
        service_password=secrets.token_urlsafe(18),
        database_password=secrets.token_hex(16),
        rabbit_password=secrets.token_hex(16),
        fixed_key=secrets.token_hex(32),
    )
    write_private(path, json.dumps(asdict(made), indent=2))
    return made
