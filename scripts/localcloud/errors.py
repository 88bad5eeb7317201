"""The one error the local cloud raises: it names the failing service and where its log is."""

from __future__ import annotations

from pathlib import Path


class LocalCloudError(Exception):
    def __init__(self, service: str, message: str, log: Path | None = None) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.message = message
        self.log = log


def tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines of a log (empty if it does not exist yet)."""
    if not path.exists():
        return ""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 256 * 1024))
        text = handle.read().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])
