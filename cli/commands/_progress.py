"""Live progress of apply and destroy: one line per resource as it finishes, a bar per run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from civicloud.engine.base import Event, OnEvent, Result
from civicloud.engine.planview import COLOURS, VERBS, kind

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class RunProgress:
    """Prints each resource's outcome with its duration, and advances the tenant's bar."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}

    def tenant(self, name: str, total: int) -> OnEvent:
        task = self._progress.add_task(name, total=max(total, 1))

        def on_event(event: Event) -> None:
            step = event.step
            if event.kind == "step-start" and step is not None:
                with self._lock:
                    self._started[step.urn] = time.monotonic()
                return
            if event.kind in ("step-done", "step-failed") and step is not None:
                with self._lock:
                    seconds = time.monotonic() - self._started.pop(step.urn, time.monotonic())
                if event.kind == "step-done":
                    colour = COLOURS.get(step.op, "white")
                    line = (f"[{colour}]{step.symbol:>3} {kind(step)} {escape(step.name)}[/]"
                            f" {VERBS.get(step.op, step.op)} ({seconds:.1f}s)")
                else:
                    line = (f"[red]  ! {kind(step)} {escape(step.name)} failed "
                            f"({seconds:.1f}s): {escape(step.error or event.message)}[/]")
                self._progress.console.print(f"{escape(name)}: {line}")
                self._progress.advance(task)
            elif event.kind in ("wait", "info"):
                self._progress.console.print(f"{escape(name)}: {escape(event.message)}")

        return on_event


@contextmanager
def run_progress() -> Iterator[RunProgress]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        yield RunProgress(progress)


def report_failures(result: Result) -> None:
    """The failed resources and the run's errors, on stderr (secrets already redacted)."""
    for step in result.failed():
        err_console.print(f"[red]{escape(result.stack)}: {kind(step)} {escape(step.name)} "
                          f"failed: {escape(step.error or '')}[/]")
    reported = {step.error for step in result.failed()}
    for error in result.errors:
        if error not in reported:
            err_console.print(f"[red]{escape(result.stack)}: {escape(error)}[/]")
