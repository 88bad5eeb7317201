"""The front half shared by plan and apply: load, gate 1, preview, gate 2.

Each stage takes the previous one's output as a value; the first that fails ends the run with
its exit code (2 invalid input, 3 denied) before any backend is written to.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from civicloud import exitcodes
from civicloud.commands._gate import locator, run_gate
from civicloud.commands._tenants import TenantJob, load_jobs

if TYPE_CHECKING:
    from civicloud.engine.base import Engine, Plan


def fail(message: str, code: int = exitcodes.INVALID_INPUT) -> NoReturn:
    """One clear error line on stderr, then the exit code (2, invalid input, by default)."""
    click.echo(click.style(f"error: {message}", fg="red"), err=True)
    sys.exit(code)


@contextmanager
def engine_errors() -> Iterator[None]:
    """Engine and program errors as one clear message and the right exit code, no traceback."""
    from civicloud.engine.errors import EngineError, InvalidOption, InvalidProgram, SecretsError
    from civicloud.stacks.program import ProgramError

    try:
        yield
    except (InvalidOption, InvalidProgram, SecretsError, ProgramError) as exc:
        click.echo(click.style(f"error: {exc}", fg="red"), err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    except EngineError as exc:  # locked, unreachable, corrupt state, a backend failure
        click.echo(click.style(f"error: {exc}", fg="red"), err=True)
        sys.exit(exitcodes.FAILURE)
    except KeyboardInterrupt:
        click.echo("interrupted: every step finished so far is recorded in state; run the "
                   "same command again to go on.", err=True)
        sys.exit(130)
    except Exception as exc:  # a backend or library error the engine did not word: still no
        # traceback for the sysadmin, but enough to report it.
        click.echo(click.style(f"error: {type(exc).__name__}: {exc}", fg="red"), err=True)
        sys.exit(exitcodes.FAILURE)


@dataclass
class EngineRun:
    engine: Engine
    description: str  # "engine: embedded (Pulumi CLI not found on PATH)"


@dataclass(frozen=True)
class EngineOptions:
    """--engine, --state, --lock-timeout as given; `parallel` tenants at a time."""

    name: str = "auto"
    state_url: str | None = None
    lock_timeout: float = 120.0
    parallel: int = 1
    refresh: bool = True  # read the backends back before planning (--no-refresh: state alone)

    def open(self) -> EngineRun:
        """Imports the engine lazily (pulumi, grpc): `--help` and input errors stay fast."""
        import civicloud.stacks.resources  # noqa: F401  (registers the providers by type token)
        from civicloud.engine.factory import make_engine
        from civicloud.engine.select import choose_engine
        from civicloud.engine.state.location import parse_state_url

        choice = choose_engine(self.name)
        engine = make_engine(choice, parse_state_url(self.state_url),
                             lock_timeout=self.lock_timeout)
        return EngineRun(engine, choice.describe())


def aware(now: datetime | None) -> datetime | None:
    """--now (a naive date) as UTC, the way the policy gate wants it."""
    return now.replace(tzinfo=UTC) if now else None


def previews(engine: Engine, jobs: Sequence[TenantJob], parallel: int,
             refresh: bool) -> list[Plan]:
    """One preview per tenant, several at a time (each is mostly waiting on the backends)."""
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(jobs)))) as pool:
        return list(pool.map(
            lambda job: engine.preview(job.stack(), job.program(), refresh=refresh), jobs))


def plan_tenants(paths: tuple[Path, ...], catalogues: tuple[Path, ...],
                 policy_dirs: tuple[Path, ...], now: datetime | None, output: str,
                 engine: EngineOptions) -> tuple[EngineRun, list[TenantJob], list[Plan]]:
    """Load + gate 1 + preview + gate 2; exits 2 or 3 on the first stage that refuses."""
    bundle, jobs = load_jobs(paths, catalogues, output)
    quiet = output == "json"
    locate = locator(bundle)
    when = aware(now)
    code = run_gate([j.policy_input for j in jobs], locate, policy_dirs=policy_dirs, now=when,
                    stage="spec", output=output, quiet=quiet, heading=True)
    if code:
        sys.exit(code)
    with engine_errors():
        run = engine.open()
        click.echo(run.description, err=quiet)
        plans = previews(run.engine, jobs, engine.parallel, engine.refresh)
    from civicloud.engine.planview import planned_resources

    inputs = [{**j.policy_input, "resources": planned_resources(p)}
              for j, p in zip(jobs, plans, strict=True)]
    code = run_gate(inputs, locate, policy_dirs=policy_dirs, now=when, stage="plan",
                    output=output, quiet=quiet, heading=True)
    if code:
        sys.exit(code)
    return run, jobs, plans
