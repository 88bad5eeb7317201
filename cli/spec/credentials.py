"""Credentials never belong in a tenant, syndicate or catalogue file: find any that slipped in."""

from __future__ import annotations

import re
from typing import Any

from civicloud.spec.errors import Path

_SECRET_KEY = re.compile(
    r"secret|passw(or)?d|passphrase|access[_-]?key|private[_-]?key|api[_-]?key|token|credential",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")

WHERE_THEY_GO = (
    "credentials never belong in civicloud files: OpenStack credentials live in clouds.yaml "
    "(the catalogue names the entry with `cloud:`), S3 keys in the credentials profile "
    "(`profile:`), SSE-C keys behind `key_ref:`"
)


def find_credentials(data: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """(path, message) of every key or value that looks like a credential."""
    found: list[tuple[Path, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if _SECRET_KEY.search(key):
                found.append(((*path, key), f"{key!r} looks like a credential: {WHERE_THEY_GO}"))
            else:
                found.extend(find_credentials(value, (*path, key)))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            found.extend(find_credentials(item, (*path, i)))
    elif isinstance(data, str) and _SECRET_VALUE.search(data):
        found.append((path, f"this value looks like a private key or access key: {WHERE_THEY_GO}"))
    return found
