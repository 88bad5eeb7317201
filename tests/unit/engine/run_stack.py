"""Runs `up` of a test program in its own process, for the tests that kill it.

usage: run_stack.py STATE_DIR CLOUD PROGRAM [key=value ...]
"""

from __future__ import annotations

import sys

import engine_programs

from civicloud.engine.base import StackRef
from civicloud.engine.embedded import EmbeddedEngine
from civicloud.engine.state.local import LocalStateStore


def main() -> int:
    state_dir, cloud, name, *pairs = sys.argv[1:]
    kwargs = {k: (float(v) if k in ("delay", "lock_timeout") else int(v) if v.isdigit() else v)
              for k, v in (p.split("=", 1) for p in pairs)}
    lock_timeout = kwargs.pop("lock_timeout", 30.0)
    program = getattr(engine_programs, name)(cloud, **kwargs)
    engine = EmbeddedEngine(LocalStateStore(state_dir), lock_timeout=lock_timeout)
    result = engine.up(StackRef("enginetest", "dev"), program,
                       on_event=lambda e: print(e.kind, e.message, flush=True))
    for error in result.errors:
        print("error:", error, flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
