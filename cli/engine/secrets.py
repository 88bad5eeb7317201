"""Secrets in state, encrypted like Pulumi's passphrase secrets provider.

Same scheme as the Pulumi CLI (PBKDF2-SHA256, 1,000,000 rounds, AES-256-GCM, `v1:<nonce>:<ct>`
ciphertexts, a salt state `v1:<salt>:<encrypted "pulumi">`), so a checkpoint stays readable by a
team that later imports it with the CLI and the same passphrase.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from civicloud.engine.errors import SecretsError
from civicloud.engine.values import SECRET_MASK, SECRET_SIG, SIG, is_secret

PASSPHRASE_ENV = "CIVICLOUD_STATE_PASSPHRASE"
_ROUNDS = 1_000_000
_CHECK_PLAINTEXT = "pulumi"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _encrypt(key: bytes, plaintext: str) -> str:
    nonce = os.urandom(12)
    return f"v1:{_b64(nonce)}:{_b64(AESGCM(key).encrypt(nonce, plaintext.encode(), None))}"


def _decrypt(key: bytes, ciphertext: str) -> str:
    version, nonce, body = ciphertext.split(":")
    if version != "v1":
        raise ValueError(f"unknown ciphertext version {version!r}")
    return AESGCM(key).decrypt(base64.b64decode(nonce), base64.b64decode(body), None).decode()


class PassphraseCrypter:
    """Encrypts values for one stack. The key is derived lazily: a state without secrets never
    needs the passphrase."""

    def __init__(self, passphrase: str | None, salt_state: str | None = None) -> None:
        self._passphrase = passphrase
        self._salt_state = salt_state
        self._key: bytes | None = None
        self._lock = threading.Lock()

    @property
    def salt_state(self) -> str | None:
        return self._salt_state

    def _derive(self) -> bytes:
        with self._lock:
            if self._key is not None:
                return self._key
            if not self._passphrase:
                raise SecretsError(
                    f"this stack's state holds secrets: set {PASSPHRASE_ENV} to the passphrase "
                    "that encrypts them (keep it in your password manager; it cannot be recovered)"
                )
            if self._salt_state is None:
                salt = os.urandom(8)
                key = self._kdf(salt)
                self._salt_state = f"v1:{_b64(salt)}:{_encrypt(key, _CHECK_PLAINTEXT)}"
            else:
                _, salt_b64, check = self._salt_state.split(":", 2)
                key = self._kdf(base64.b64decode(salt_b64))
                try:
                    ok = _decrypt(key, check) == _CHECK_PLAINTEXT
                except (InvalidTag, ValueError):
                    ok = False
                if not ok:
                    raise SecretsError(
                        f"{PASSPHRASE_ENV} is not the passphrase this stack's secrets were "
                        "encrypted with"
                    )
            self._key = key
            return key

    def _kdf(self, salt: bytes) -> bytes:
        kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=_ROUNDS)
        return kdf.derive(self._passphrase.encode())  # type: ignore[union-attr]

    def encrypt(self, plaintext: str) -> str:
        return _encrypt(self._derive(), plaintext)

    def decrypt(self, ciphertext: str) -> str:
        try:
            return _decrypt(self._derive(), ciphertext)
        except (InvalidTag, ValueError) as exc:
            raise SecretsError("a secret in the state cannot be decrypted (corrupt value)") from exc


def seal(value: Any, crypter: PassphraseCrypter) -> Any:
    """Replace every secret marker `{SIG, value}` with `{SIG, ciphertext}` (the checkpoint form)."""
    if is_secret(value):
        return {SIG: SECRET_SIG, "ciphertext": crypter.encrypt(json.dumps(value["value"]))}
    if isinstance(value, dict):
        return {k: seal(v, crypter) for k, v in value.items()}
    if isinstance(value, list):
        return [seal(v, crypter) for v in value]
    return value


def unseal(value: Any, crypter: PassphraseCrypter | None) -> Any:
    """The inverse of `seal`: checkpoint form back to in-memory secret markers. Without a
    crypter (reading state only to show it), secrets stay masked and no passphrase is needed."""
    if isinstance(value, dict):
        if value.get(SIG) == SECRET_SIG and "ciphertext" in value:
            plain = SECRET_MASK if crypter is None else json.loads(
                crypter.decrypt(value["ciphertext"]))
            return {SIG: SECRET_SIG, "value": plain}
        return {k: unseal(v, crypter) for k, v in value.items()}
    if isinstance(value, list):
        return [unseal(v, crypter) for v in value]
    return value
