"""`export --to <backend>`: the tenant's buckets copied to another S3 backend of the catalogue.

The target is policy-checked first, as if the tenant's storage had moved there. The copies are
created by the engine as a stack of their own (`<tenant>-copy-<backend>`: storage only, the
same bucket settings and names, its own state), so `civicloud state show` lists them and
`civicloud destroy <tenant>-copy-<backend> --force` removes them once emptied. Objects go
through a temporary directory, hashed on the way down and checked on the way up.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civicloud.ops.export import DeployedBucket, ExportError
from civicloud.ops.export_objects import export_objects, list_objects, upload_objects
from civicloud.ops.export_progress import Transfer


def copy_stack_name(tenant: str, backend: str) -> str:
    return f"{tenant}-copy-{backend}"


def retarget_tenant(tenant: dict[str, Any], target: str) -> dict[str, Any]:
    """The tenant document with its storage on `target`."""
    moved = copy.deepcopy(tenant)
    moved.setdefault("storage", {})["backend"] = target
    return moved


def retarget_input(policy_input: dict[str, Any], backends: dict[str, Any],
                   target: str) -> dict[str, Any]:
    """Gate 1's input with the storage backend replaced by `target` (`backends`: the
    catalogue's models by name). The compute backend, if any, stays as it is."""
    if target not in backends:
        known = ", ".join(sorted(n for n, b in backends.items() if b.kind == "s3"))
        raise ExportError(f"--to {target}: no such backend in the catalogue (S3 backends: "
                          f"{known})")
    if backends[target].kind != "s3":
        raise ExportError(f"--to {target}: backend of kind {backends[target].kind}, an S3 "
                          "backend is needed")
    moved = copy.deepcopy(policy_input)
    tenant = moved["tenant"]
    if not tenant.get("storage"):
        raise ExportError("the tenant has no storage: no bucket to copy")
    old = tenant["storage"]["backend"]
    tenant["storage"]["backend"] = target
    compute = (tenant.get("compute") or {}).get("backend")
    if old != compute:
        moved["backends"].pop(old, None)
    moved["backends"][target] = backends[target].model_dump(mode="json")
    moved["members"] = [tenant if m.get("metadata", {}).get("name") ==
                        tenant["metadata"]["name"] else m for m in moved.get("members") or []]
    return moved


def copy_program(tenant: dict[str, Any], target: str,
                 backend: dict[str, Any]) -> Callable[[], None]:
    """A storage-only program: the tenant's buckets, declared on `target`."""
    from civicloud.stacks.program import declare_tenant

    storage_only = {k: v for k, v in retarget_tenant(tenant, target).items()
                    if k not in ("compute", "access")}
    return lambda: declare_tenant(storage_only, {target: backend})


def copy_buckets(sources: list[DeployedBucket], targets: list[DeployedBucket],
                 transfer: Transfer, scratch: Path | None = None) -> dict[str, tuple[int, int]]:
    """Every object of each source bucket into the target bucket of the same spec name;
    bucket -> (copied, already there)."""
    from civicloud.ops.export_keys import sse_c_key

    by_spec = {t.spec_name: t for t in targets}
    done = {}
    for source in sources:
        target = by_spec.get(source.spec_name)
        if target is None:
            raise ExportError(f"no copy of bucket {source.name} was created on the target")
        s3 = source.s3()
        listing = list_objects(s3, source.name)
        key = sse_c_key(source.key_ref) if source.key_ref and listing else None
        transfer.stage(f"bucket {source.name} -> {target.endpoint}",
                       2 * sum(o["Size"] for o in listing))
        with tempfile.TemporaryDirectory(prefix="civicloud-copy-", dir=scratch) as tmp:
            records = export_objects(s3, source.name, Path(tmp), transfer.on_bytes, key, listing)
            counts = upload_objects(target.s3(), target.name, Path(tmp), records,
                                    transfer.on_bytes, key, transfer.skip)
        transfer.file_done(counts.uploaded)
        done[source.name] = (counts.uploaded, counts.skipped)
    return done
