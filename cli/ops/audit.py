"""The reaper's audit log (one JSON object per line, appended) and its run lock."""

from __future__ import annotations

import getpass
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(".civicloud")


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, action: str, **fields: Any) -> dict[str, Any]:
        entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "action": action,
                 "by": f"{getpass.getuser()}@{socket.gethostname()}", "pid": os.getpid(),
                 **fields}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        return entry


class Busy(Exception):
    """Another reaper holds the lock."""


@contextmanager
def exclusive(lock_path: Path, wait: float) -> Iterator[None]:
    """One reaper at a time: wait up to `wait` seconds for another to finish, then Busy."""
    from filelock import FileLock, Timeout

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(lock_path), timeout=wait):
            yield
    except Timeout:
        raise Busy(f"another `civicloud sandbox reap` is running (lock {lock_path}); it was "
                   f"still running after {wait:g} s: try again later, or pass --wait") from None
