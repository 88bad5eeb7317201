"""What a run reports: its steps, its errors, and the events a caller watches live.

Shared by every part of a run (registrations, deletes, refresh, recovery), from several
threads at once, hence the lock.
"""

from __future__ import annotations

import threading

from civicloud.engine.base import Event, OnEvent, Step
from civicloud.engine.errors import EngineError
from civicloud.engine.values import Props, redact


class StepFailed(EngineError):
    """A provider call failed; the message names the resource and the operation."""


def label(type_: str, name: str) -> str:
    """How a resource is named in messages: `Network 'lan'`."""
    return f"{type_.rsplit(':', 1)[-1]} '{name}'"


class Progress:
    def __init__(self, on_event: OnEvent) -> None:
        self._on_event = on_event
        self._lock = threading.Lock()
        self._event_lock = threading.Lock()
        self.steps: list[Step] = []
        self.errors: list[str] = []
        self.program_errors: list[str] = []
        self.failed = False
        self.invalid = False  # a failure due to the program's input, not to a backend

    def emit(self, kind: str, message: str, step: Step | None = None) -> None:
        with self._event_lock:
            self._on_event(Event(kind, message, step))

    def add_step(self, step: Step) -> Step:
        with self._lock:
            self.steps.append(step)
        return step

    def note_error(self, message: str, invalid: bool = False) -> None:
        """A registration refused: the program will fail, so no further step may start."""
        with self._lock:
            self.failed = True
            self.invalid = self.invalid or invalid
            if message not in self.errors:
                self.errors.append(message)

    def note_program_error(self, message: str) -> None:
        with self._lock:
            self.program_errors.append(message.strip())

    def fail(self, step: Step, message: str, *secrets_from: Props) -> StepFailed:
        """Record a failed step (secret values quoted in the message masked)."""
        message = redact(message, *secrets_from)
        with self._lock:
            self.failed = True
            step.status = "failed"
            step.error = message
            self.errors.append(message)
        self.emit("step-failed", message, step)
        return StepFailed(message)

    def all_errors(self) -> list[str]:
        return list(self.errors or self.program_errors)
