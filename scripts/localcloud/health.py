"""Is a service answering? TCP and HTTP probes, and a bounded wait that names who failed."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from civicloud.localcloud.errors import LocalCloudError


def tcp_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_answers(url: str, timeout: float = 3.0) -> bool:
    """True when the server answers HTTP at all (401/403 count: it is up, just wants a token)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):
        return False


def wait_until(
    service: str,
    ready: Callable[[], bool],
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
    what: str = "to answer",
    log: Path | None = None,
) -> None:
    """Polls `ready` until true; fails early if the process died, or after `timeout` seconds.

    The error names `service` and carries `log`, whose tail the command line shows.
    """
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        if ready():
            return
        if not alive():
            raise LocalCloudError(service, "the process exited while starting", log)
        if time.monotonic() > deadline:
            raise LocalCloudError(service, f"did not start {what} within {timeout:.0f} s", log)
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
