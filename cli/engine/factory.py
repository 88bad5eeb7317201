"""Build the engine a run asked for (`--engine`, `--state`), saying which one it is."""

from __future__ import annotations

from pathlib import Path

from civicloud.engine.base import Engine
from civicloud.engine.select import EngineChoice
from civicloud.engine.state.location import StateLocation


def make_engine(
    choice: EngineChoice,
    location: StateLocation,
    *,
    work_dir: Path = Path(".civicloud") / "pulumi",
    passphrase: str | None = None,
    parallel: int = 8,
    lock_timeout: float = 120.0,
) -> Engine:
    if choice.name == "pulumi":
        from civicloud.engine.automation import PulumiCliEngine

        return PulumiCliEngine(location, work_dir=work_dir, passphrase=passphrase,
                               parallel=parallel)
    from civicloud.engine.embedded import EmbeddedEngine

    return EmbeddedEngine(location.store(), passphrase=passphrase, parallel=parallel,
                          lock_timeout=lock_timeout)
