"""Checkpoints in an S3 bucket, for teams: `<prefix>/<stack>.json` and a lock object beside it.

The lock is an object created with a conditional put (`If-None-Match: *`: only one creator
wins; verified on SeaweedFS, and AWS S3 supports it). It carries its holder and a lease expiry,
renewed in the background while the run lasts (`If-Match` on the lock's ETag, so a renewal
never overwrites someone else's lock). A run killed without releasing leaves a lock that
expires after the lease; the next run then takes it over, again conditionally.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicloud.engine.errors import StateCorrupt, StateLocked, StateUnreachable
from civicloud.engine.state.store import OnWait, check_stack_name, describe_owner, lock_owner

LEASE_SECONDS = 60.0
POLL_SECONDS = 1.0


def _code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


@contextmanager
def _reaching(where: str) -> Iterator[None]:
    """S3 and credential failures as one clear line (endpoint down, no bucket, bad keys)."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise StateUnreachable(f"{where}: {exc}") from exc


class S3StateStore:
    def __init__(self, bucket: str, prefix: str = "", *, endpoint: str | None = None,
                 profile: str | None = None, region: str = "us-east-1",
                 lease: float = LEASE_SECONDS) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.lease = lease
        with _reaching(f"s3://{bucket}"):
            session = boto3.session.Session(profile_name=profile, region_name=region)
            self._s3 = session.client("s3", endpoint_url=endpoint, config=Config(
                s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"}))
        self._held: dict[str, _Lease] = {}

    def _key(self, stack: str, suffix: str) -> str:
        name = f"{check_stack_name(stack)}{suffix}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def location(self, stack: str) -> str:
        return f"s3://{self.bucket}/{self._key(stack, '.json')}"

    def read(self, stack: str) -> dict[str, Any] | None:
        with _reaching(self.location(stack)):
            try:
                body = self._s3.get_object(Bucket=self.bucket,
                                           Key=self._key(stack, ".json"))["Body"].read()
            except ClientError as exc:
                if _code(exc) in ("NoSuchKey", "404"):
                    return None
                raise
        try:
            return json.loads(body)
        except ValueError as exc:
            raise StateCorrupt(f"{self.location(stack)}: not JSON ({exc})") from exc

    def write(self, stack: str, doc: dict[str, Any]) -> None:
        held = self._held.get(stack)
        if held is not None and held.lost:
            raise StateLocked(f"stack {stack}: the lock was lost (lease expired and taken over); "
                              "the state was not written. Run again to converge.")
        # A PUT replaces the object atomically: readers see the old or the new checkpoint.
        with _reaching(self.location(stack)):
            self._s3.put_object(Bucket=self.bucket, Key=self._key(stack, ".json"),
                                Body=json.dumps(doc, indent=2).encode(),
                                ContentType="application/json")

    def stacks(self) -> Iterator[str]:
        paginator = self._s3.get_paginator("list_objects_v2")
        prefix = f"{self.prefix}/" if self.prefix else ""
        with _reaching(f"s3://{self.bucket}/{prefix}"):
            pages = paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
            keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
        for key in keys:
            if key.endswith(".json"):
                yield key[len(prefix): -len(".json")]

    @contextmanager
    def lock(self, stack: str, operation: str, timeout: float, on_wait: OnWait) -> Iterator[None]:
        lease = _Lease(self, self._key(stack, ".lock"), operation)
        deadline = time.monotonic() + timeout
        waited = False
        while not _try(lease, self.location(stack)):
            holder = describe_owner(lease.holder_body)
            if time.monotonic() >= deadline:
                raise StateLocked(f"stack {stack} is still locked after {timeout:.0f} s: {holder}."
                                  " Wait for it to finish, then run again.")
            if not waited:
                on_wait(f"stack {stack} is locked: {operation} waits (up to {timeout:.0f} s) "
                        f"for {holder}")
                waited = True
            time.sleep(POLL_SECONDS)
        self._held[stack] = lease
        try:
            yield
        finally:
            del self._held[stack]
            lease.release()


def _try(lease: _Lease, where: str) -> bool:
    with _reaching(where):
        return lease.try_acquire()


class _Lease:
    """One holder's lock object, renewed until released."""

    def __init__(self, store: S3StateStore, key: str, operation: str) -> None:
        self._store = store
        self._key = key
        self._operation = operation
        self._etag = ""
        self.lost = False
        self.holder_body: bytes | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def _body(self) -> bytes:
        return json.dumps({**lock_owner(self._operation), "token": uuid.uuid4().hex,
                           "expires": time.time() + self._store.lease}).encode()

    def try_acquire(self) -> bool:
        s3, bucket = self._store._s3, self._store.bucket
        try:
            self._etag = s3.put_object(Bucket=bucket, Key=self._key, Body=self._body(),
                                       IfNoneMatch="*")["ETag"]
        except ClientError as exc:
            if _code(exc) not in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                raise
            self._take_over_if_expired()
            return False
        self._renewer = threading.Thread(target=self._renew, daemon=True, name="state-lease")
        self._renewer.start()
        return True

    def _take_over_if_expired(self) -> None:
        s3, bucket = self._store._s3, self._store.bucket
        try:
            current = s3.get_object(Bucket=bucket, Key=self._key)
        except ClientError:
            return  # released meanwhile: the next attempt will create it
        self.holder_body = current["Body"].read()
        try:
            expires = float(json.loads(self.holder_body)["expires"])
        except (ValueError, KeyError, TypeError):
            expires = 0.0
        if expires < time.time():
            # Only the run that deletes this exact version takes over.
            with suppress(ClientError):
                s3.delete_object(Bucket=bucket, Key=self._key, IfMatch=current["ETag"])

    def _renew(self) -> None:
        s3, bucket = self._store._s3, self._store.bucket
        while not self._stop.wait(self._store.lease / 3):
            try:
                self._etag = s3.put_object(Bucket=bucket, Key=self._key, Body=self._body(),
                                           IfMatch=self._etag)["ETag"]
            except ClientError:  # the lock object changed under us: someone took it over
                self.lost = True
                return
            except BotoCoreError:  # endpoint unreachable for now: try again at the next tick
                continue

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        if not self.lost:  # else it was taken over after our lease expired: not ours to delete
            with suppress(ClientError, BotoCoreError):
                self._store._s3.delete_object(Bucket=self._store.bucket, Key=self._key,
                                              IfMatch=self._etag)
