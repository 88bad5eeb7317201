"""SSE-C keys named by a bucket's `key_ref` (env:NAME or file:PATH), fetched at run time.

The key is 32 bytes (AES-256), written base64 (`openssl rand -base64 32`) or, in a file, also
raw. It is only ever passed to boto3: never logged, never written into an export.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path


class KeyRefError(ValueError):
    """The key cannot be fetched; the message names the reference, never the key."""


def _decode(data: bytes, where: str) -> bytes:
    if len(data) == 32:
        return data
    try:
        key = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise KeyRefError(f"{where}: expected a 32-byte SSE-C key, raw or base64")
    return key


def sse_c_key(key_ref: str) -> bytes:
    scheme, _, name = key_ref.partition(":")
    if scheme == "env":
        value = os.environ.get(name)
        if not value:
            raise KeyRefError(f"key_ref {key_ref}: environment variable {name} is not set")
        return _decode(value.encode(), f"key_ref {key_ref}")
    if scheme == "file":
        try:
            return _decode(Path(name).expanduser().read_bytes(), f"key_ref {key_ref}")
        except OSError as exc:
            raise KeyRefError(f"key_ref {key_ref}: cannot read: {exc.strerror}") from None
    raise KeyRefError(f"key_ref {key_ref}: only env: and file: references can be read by "
                      "export/import (fetch the key and pass it as env:NAME)")
