"""Transfer progress for export and import: one bar of bytes on stderr, then a summary line
with bytes, files and MB/s (the figure a sysadmin compares between providers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class Transfer:
    """Bytes and files moved, thread-safe; `bar` is advanced when shown."""

    bytes: int = 0
    files: int = 0
    active: float = 0.0  # seconds spent moving data (inside transfer_progress)
    _progress: Progress | None = None
    _task: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_bytes(self, n: int) -> None:
        with self._lock:
            self.bytes += n
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def skip(self, n: int) -> None:
        """Bytes that did not need moving (already at the target): the bar only."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def file_done(self, n: int = 1) -> None:
        with self._lock:
            self.files += n

    def stage(self, description: str, total: int | None = None) -> None:
        """Names what is being moved now (a bucket, a volume); `total` adds to the bar's."""
        if self._progress is not None and self._task is not None:
            task = self._progress.tasks[0]
            self._progress.update(self._task, description=description,
                                  total=(task.total or 0) + (total or 0))

    def seconds(self) -> float:
        return max(self.active, 1e-6)

    def summary(self, verb: str) -> str:
        mb = self.bytes / 1e6
        return (f"{verb} {mb:.1f} MB in {self.files} file(s) in {self.seconds():.1f}s: "
                f"{mb / self.seconds():.1f} MB/s")


@contextmanager
def transfer_progress(transfer: Transfer | None = None) -> Iterator[Transfer]:
    """A Transfer (new, or one to go on counting) whose bar is drawn on stderr, only on a
    terminal: logs stay clean. One bar at a time (rich draws one live display)."""
    transfer = transfer or Transfer()
    started = time.monotonic()
    try:
        if not err_console.is_terminal:
            yield transfer
            return
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err_console, transient=True) as progress:
            transfer._progress = progress
            transfer._task = progress.add_task("starting", total=0)
            try:
                yield transfer
            finally:
                transfer._progress = transfer._task = None
    finally:
        transfer.active += time.monotonic() - started
