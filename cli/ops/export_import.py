"""Reversibility, the way back: an export directory -> the tenant re-created elsewhere.

The tenant file of the export is rewritten for the target (storage backend, and optionally the
OpenStack backend and the name; every other byte kept), applied like `civicloud apply` would,
then each bucket gets its objects back with their metadata and each volume its data. Objects
already in place with the same bytes and metadata are skipped: a second import converges.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicloud.ops.export import (
    DeployedVolume,
    ExportError,
    deployed_buckets,
    deployed_volumes,
    volume_functions,
)
from civicloud.ops.export_objects import ObjectRecord, upload_objects
from civicloud.ops.export_progress import Transfer


def retarget_spec(text: str, backend: str, openstack: str | None = None,
                  name: str | None = None) -> str:
    """The tenant file with storage.backend (and compute.backend, metadata.name) changed;
    comments, order and quoting kept (the same line edits as `sandbox extend`)."""
    from civicloud.ops.specedit import _load, _replace_value

    doc = _load(text)
    if "storage" not in doc or "backend" not in (doc["storage"] or {}):
        raise ExportError("the exported tenant has no storage.backend: nothing to import to "
                          "an S3 backend")
    text = _replace_value(text, doc["storage"], "backend", backend)
    if openstack:
        if "compute" not in doc:
            raise ExportError("--openstack given, but the exported tenant has no compute")
        text = _replace_value(text, _load(text)["compute"], "backend", openstack)
    if name:
        text = _replace_value(text, _load(text)["metadata"], "name", name)
    return text


def exported_spec(root: Path, manifest: dict[str, Any]) -> str:
    return (root / manifest["spec"]).read_text(encoding="utf-8")


@dataclass
class ImportResult:
    uploaded: int = 0
    skipped: int = 0
    volumes: dict[str, str] = field(default_factory=dict)


def _records(root: Path, bucket: str) -> tuple[dict[str, Any], list[ObjectRecord]]:
    doc = json.loads((root / "buckets" / bucket / "metadata.json").read_text(encoding="utf-8"))
    return doc, [ObjectRecord.from_dict(o) for o in doc["objects"]]


def upload_buckets(root: Path, manifest: dict[str, Any], tenant: dict[str, Any],
                   checkpoint: Any, transfer: Transfer, result: ImportResult) -> None:
    """Each exported bucket's objects into the re-created bucket of the same spec name."""
    from civicloud.ops.export_keys import sse_c_key

    targets = {b.spec_name: b for b in deployed_buckets(tenant, checkpoint)}
    for source, info in sorted(manifest.get("buckets", {}).items()):
        target = targets.get(info["spec_name"])
        if target is None:
            raise ExportError(f"bucket {info['spec_name']!r} of the export was not created by "
                              "the apply (is it still in the tenant file?)")
        _, records = _records(root, source)
        key = sse_c_key(target.key_ref) if target.key_ref else None
        transfer.stage(f"bucket {target.name}", sum(r.size for r in records))
        counts = upload_objects(target.s3(), target.name, root / "buckets" / source / "objects",
                                records, transfer.on_bytes, key, transfer.skip)
        transfer.file_done(counts.uploaded)
        result.uploaded += counts.uploaded
        result.skipped += counts.skipped


def _volume_suffix(name: str, tenant: str) -> str:
    return name.removeprefix(f"{tenant}-")


def import_volumes(root: Path, manifest: dict[str, Any], tenant: str, checkpoint: Any,
                   transfer: Transfer, result: ImportResult) -> None:
    """Each exported volume's data into the re-created volume (same server and volume name)."""
    exported = [v for v in manifest.get("volumes", []) if v.get("file")]
    if not exported:
        return
    functions = volume_functions()
    if functions is None:
        for v in exported:
            result.volumes[v["name"]] = "not imported: cli/ops/volumes.py is not available"
        return
    targets: dict[str, DeployedVolume] = {
        _volume_suffix(v.name, tenant): v for v in deployed_volumes(checkpoint)}
    for v in exported:
        target = targets.get(_volume_suffix(v["name"], manifest["tenant"]))
        if target is None:
            raise ExportError(f"volume {v['name']} of the export has no counterpart in the "
                              "re-created tenant")
        source = root / v["file"]
        transfer.stage(f"volume {target.name}", source.stat().st_size)
        functions[1](target.cloud, target.volume_id, source, fmt=v.get("format", "raw"),
                     on_progress=transfer.on_bytes)
        transfer.file_done()
        result.volumes[v["name"]] = target.name
