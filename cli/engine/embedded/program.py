"""Run an unchanged Pulumi program with the SDK's own runtime, against our monitor.

This is what the Pulumi language host does (`configure(Settings(...))` + `run_in_stack` in a
fresh event loop), using only public SDK functions, in a thread of its own so the SDK's context
variables and event loop never leak into the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import grpc
from pulumi.runtime import Settings, configure, run_in_stack, set_all_config
from pulumi.runtime.proto import engine_pb2_grpc, resource_pb2_grpc

from civicloud.engine.base import Program


def run_program(
    program: Program,
    *,
    project: str,
    stack: str,
    address: str,
    preview: bool,
    parallel: int,
    config: Mapping[str, str],
    secret_keys: list[str],
) -> BaseException | None:
    """Returns the exception the program ended with, or None."""
    outcome: list[BaseException | None] = [None]

    def run() -> None:
        # Our own channel (not an address) so we can close it before the server stops: the SDK
        # would otherwise keep it open and gRPC logs the server's goodbye on stderr.
        channel = grpc.insecure_channel(address)
        configure(Settings(project=project, stack=stack, parallel=parallel, dry_run=preview,
                           organization="organization",
                           monitor=resource_pb2_grpc.ResourceMonitorStub(channel),
                           engine=engine_pb2_grpc.EngineStub(channel)))
        set_all_config(dict(config), secret_keys)
        loop = asyncio.new_event_loop()
        # The SDK makes its RPCs from the default executor: size it like the language host.
        executor = ThreadPoolExecutor(max_workers=max(parallel, 1) * 4)
        loop.set_default_executor(executor)
        # Errors are reported by the engine; asyncio's default handler would print tracebacks of
        # futures the SDK abandoned after the first failure.
        loop.set_exception_handler(lambda _loop, _context: None)
        try:
            loop.run_until_complete(run_in_stack(program))
        except BaseException as exc:
            outcome[0] = exc
        finally:
            for task in asyncio.all_tasks(loop):
                task.cancel()
                with contextlib.suppress(BaseException):
                    loop.run_until_complete(task)
            loop.close()
            executor.shutdown(wait=False, cancel_futures=True)
            channel.close()

    thread = threading.Thread(target=run, name=f"pulumi-program-{stack}", daemon=True)
    thread.start()
    thread.join()
    return outcome[0]
