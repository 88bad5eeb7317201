"""A small file-backed cloud for engine tests, strict about ordering like a real one.

Creating a child whose parent does not exist raises; deleting a resource still used by a child
raises. Every call is logged with start/end times, so tests can assert order and overlap. It is
a file (with an OS lock) so a killed subprocess's work is visible to the test afterwards.
"""

from __future__ import annotations

import fcntl
import json
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MUTATING = ("create", "update", "delete")


class CloudError(Exception):
    pass


class FakeCloud:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @contextmanager
    def _db(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                db = json.loads(self.path.read_text()) if self.path.exists() else {}
                db.setdefault("resources", {})
                db.setdefault("calls", [])
                yield db
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(db))
                tmp.replace(self.path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _log(self, call: str, kind: str, name: str, start: float) -> None:
        with self._db() as db:
            db["calls"].append({"call": call, "kind": kind, "name": name,
                                "start": start, "end": time.monotonic()})

    # -- the "API" ------------------------------------------------------------------------------

    def create(self, kind: str, name: str, attrs: dict[str, Any], delay: float = 0.0) -> str:
        start = time.monotonic()
        time.sleep(delay)
        with self._db() as db:
            parent = attrs.get("parent_id")
            if parent and parent not in db["resources"]:
                raise CloudError(f"cannot create {kind} {name}: parent {parent} does not exist")
            rid = f"{kind}-{uuid.uuid4().hex[:8]}"
            db["resources"][rid] = {"kind": kind, "name": name, **attrs}
        self._log("create", kind, name, start)
        return rid

    def update(self, rid: str, attrs: dict[str, Any]) -> None:
        start = time.monotonic()
        with self._db() as db:
            if rid not in db["resources"]:
                raise CloudError(f"cannot update {rid}: not found")
            db["resources"][rid].update(attrs)
            name, kind = db["resources"][rid]["name"], db["resources"][rid]["kind"]
        self._log("update", kind, name, start)

    def delete(self, rid: str) -> None:
        start = time.monotonic()
        with self._db() as db:
            res = db["resources"].get(rid)
            if res is None:
                return  # idempotent, like a real API answering 404 to a retried delete
            users = [r["name"] for r in db["resources"].values() if r.get("parent_id") == rid]
            if users:
                raise CloudError(f"cannot delete {res['kind']} {res['name']}: in use by {users}")
            del db["resources"][rid]
        self._log("delete", res["kind"], res["name"], start)

    def get(self, rid: str) -> dict[str, Any] | None:
        with self._db() as db:
            return db["resources"].get(rid)

    def find(self, kind: str, name: str) -> tuple[str, dict[str, Any]] | None:
        with self._db() as db:
            for rid, res in db["resources"].items():
                if res["kind"] == kind and res["name"] == name:
                    return rid, res
        return None

    # -- for assertions -------------------------------------------------------------------------

    def resources(self) -> dict[str, dict[str, Any]]:
        with self._db() as db:
            return dict(db["resources"])

    def names(self) -> set[tuple[str, str]]:
        return {(r["kind"], r["name"]) for r in self.resources().values()}

    def calls(self) -> list[dict[str, Any]]:
        with self._db() as db:
            return list(db["calls"])

    def mutations(self) -> list[tuple[str, str, str]]:
        return [(c["call"], c["kind"], c["name"]) for c in self.calls() if c["call"] in MUTATING]

    def clear_calls(self) -> None:
        with self._db() as db:
            db["calls"] = []
