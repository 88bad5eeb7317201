"""Where checkpoints live, behind one small interface; and who holds a stack's lock."""

from __future__ import annotations

import getpass
import json
import os
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

from civicloud.engine.errors import InvalidStackName

_STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

# Called while a run waits for a lock someone else holds, with a message naming the holder.
OnWait = Callable[[str], None]


def check_stack_name(stack: str) -> str:
    if not _STACK_NAME.match(stack):
        raise InvalidStackName(
            f"stack name {stack!r}: expected letters, digits, '.', '_' or '-' "
            "(at most 100, starting with a letter or digit)"
        )
    return stack


def lock_owner(operation: str) -> dict[str, Any]:
    """What a lock records about its holder, so a waiting run can say who it waits for."""
    from civicloud.engine.state.model import now

    return {
        "pid": os.getpid(), "host": socket.gethostname(), "user": getpass.getuser(),
        "operation": operation, "since": now(),
    }


def describe_owner(raw: bytes | str | None) -> str:
    try:
        o = json.loads(raw) if raw else {}
        return f"{o['operation']} by {o['user']}@{o['host']} (pid {o['pid']}) since {o['since']}"
    except (ValueError, KeyError, TypeError):
        return "another run"


class StateStore(Protocol):
    """A checkpoint per stack, written atomically, and a lock per stack."""

    def read(self, stack: str) -> dict[str, Any] | None: ...

    def write(self, stack: str, doc: dict[str, Any]) -> None: ...

    def lock(
        self, stack: str, operation: str, timeout: float, on_wait: OnWait
    ) -> AbstractContextManager[None]: ...

    def stacks(self) -> Iterator[str]: ...

    def location(self, stack: str) -> str:
        """Where the stack's checkpoint is, for messages."""
        ...
