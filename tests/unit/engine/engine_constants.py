"""Constants shared by the engine tests (a module of its own: `conftest` is not importable by
name when several test directories each have one)."""

from civicloud.engine.base import StackRef

PASSPHRASE = "correct horse battery staple"
STACK = StackRef("enginetest", "dev")
