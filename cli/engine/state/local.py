"""Checkpoints in a local directory: `<dir>/<stack>.json`, written tmp + fsync + rename."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock

from civicloud.engine.errors import StateCorrupt, StateLocked
from civicloud.engine.state.store import OnWait, check_stack_name, describe_owner, lock_owner

DEFAULT_DIR = Path(".civicloud") / "state"


class LocalStateStore:
    def __init__(self, root: Path | str = DEFAULT_DIR) -> None:
        self.root = Path(root)

    def _path(self, stack: str) -> Path:
        return self.root / f"{check_stack_name(stack)}.json"

    def location(self, stack: str) -> str:
        return str(self._path(stack))

    def read(self, stack: str) -> dict[str, Any] | None:
        path = self._path(stack)
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StateCorrupt(f"{path}: cannot read the state file ({exc})") from exc

    def write(self, stack: str, doc: dict[str, Any]) -> None:
        path = self._path(stack)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(doc, f, indent=2, sort_keys=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # The rename itself is durable only once the directory is synced.
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def stacks(self) -> Iterator[str]:
        if self.root.is_dir():
            yield from sorted(p.stem for p in self.root.glob("*.json"))

    @contextmanager
    def lock(self, stack: str, operation: str, timeout: float, on_wait: OnWait) -> Iterator[None]:
        path = self._path(stack)
        path.parent.mkdir(parents=True, exist_ok=True)
        owner_path = path.with_suffix(".lock.owner")
        # An OS lock (flock): released by the kernel if the holder is killed, so never stale.
        lock = filelock.FileLock(path.with_suffix(".lock"), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            holder = describe_owner(_read_or_none(owner_path))
            on_wait(f"stack {stack} is locked: {operation} waits (up to {timeout:.0f} s) "
                    f"for {holder}")
            start = time.monotonic()
            try:
                lock.acquire(timeout=timeout)
            except filelock.Timeout:
                raise StateLocked(
                    f"stack {stack} is still locked after {time.monotonic() - start:.0f} s: "
                    f"{holder}. Wait for it to finish, then run again."
                ) from None
        try:
            owner_path.write_text(json.dumps(lock_owner(operation)))
            yield
        finally:
            owner_path.unlink(missing_ok=True)
            lock.release()


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None
