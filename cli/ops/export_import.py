"""Reversibility, the way back: an export directory -> the tenant re-created elsewhere.

The tenant file of the export is rewritten for the target (storage backend, and optionally the
OpenStack backend and the name; every other byte kept), applied like `civicloud apply` would,
then each bucket gets its objects back with their metadata and each volume its data. Objects
already in place with the same bytes and metadata are skipped: a second import converges.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicloud.ops.export import (
    ExportError,
    byte_progress,
    deployed_buckets,
    deployed_volumes,
)
from civicloud.ops.export_objects import ObjectRecord, upload_objects
from civicloud.ops.export_progress import Transfer


def retarget_spec(text: str, backend: str, openstack: str | None = None,
                  name: str | None = None) -> str:
    """The tenant file with storage.backend (and compute.backend, metadata.name) changed;
    comments, order and quoting kept (the same line edits as `sandbox extend`)."""
    from civicloud.ops.specedit import load, replace_value

    doc = load(text)
    if "storage" not in doc or "backend" not in (doc["storage"] or {}):
        raise ExportError("the exported tenant has no storage.backend: nothing to import to "
                          "an S3 backend")
    text = replace_value(text, doc["storage"], "backend", backend)
    if openstack:
        if "compute" not in doc:
            raise ExportError("--openstack given, but the exported tenant has no compute")
        text = replace_value(text, load(text)["compute"], "backend", openstack)
    if name:
        text = replace_value(text, load(text)["metadata"], "name", name)
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
        key = sse_c_key(target.key_ref) if target.key_ref and records else None
        transfer.stage(f"bucket {target.name}", sum(r.size for r in records))
        counts = upload_objects(target.s3(), target.name, root / "buckets" / source / "objects",
                                records, transfer.on_bytes, key, transfer.skip)
        transfer.file_done(counts.uploaded)
        result.uploaded += counts.uploaded
        result.skipped += counts.skipped


def _volume_suffix(name: str, tenant: str) -> str:
    return name.removeprefix(f"{tenant}-")


def exported_volumes(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The volumes whose data the export holds."""
    return [v for v in manifest.get("volumes", []) if v.get("file")]


def volumes_without_data(manifest: dict[str, Any], tenant: str) -> dict[str, str]:
    """Exported volume -> what the import says of it, for each volume whose data the export
    does not hold: the apply creates it empty, as it creates any new volume."""
    said = {}
    for v in manifest.get("volumes", []):
        if not v.get("file"):
            why = v.get("skipped") or "no data file"
            said[v["name"]] = (f"{tenant}-{_volume_suffix(v['name'], manifest['tenant'])} "
                               f"created empty: its data were not in the export ({why})")
    return said


def pending_volumes(manifest: dict[str, Any], tenant: str, checkpoint: Any) -> set[str]:
    """`<server>-<volume>` of each exported volume the re-created tenant does not hold yet."""
    recorded = {_volume_suffix(v.name, tenant)
                for v in (deployed_volumes(checkpoint) if checkpoint else [])}
    return {_volume_suffix(v["name"], manifest["tenant"]) for v in exported_volumes(manifest)
            } - recorded


def without_volumes(tenant: dict[str, Any], suffixes: set[str]) -> dict[str, Any]:
    """The tenant document with these volumes left out (phase 1 of an import: everything but
    the volumes whose data come from the export)."""
    moved = copy.deepcopy(tenant)
    for server in (moved.get("compute") or {}).get("servers", []):
        server["volumes"] = [v for v in server.get("volumes", [])
                             if f"{server['name']}-{v['name']}" not in suffixes]
    return moved


def _volume_specs(tenant: dict[str, Any], backend: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`<server>-<volume>` -> size_gb and volume type, as the program declares them."""
    from civicloud.stacks.program import DEFAULT_VOLUME_TYPE

    specs = {}
    for server in (tenant.get("compute") or {}).get("servers", []):
        for v in server.get("volumes", []):
            encrypted = v.get("encrypted", True)
            specs[f"{server['name']}-{v['name']}"] = {
                "size_gb": v["size_gb"],
                "volume_type": v.get("type") or (
                    backend.get("volume_type", DEFAULT_VOLUME_TYPE) if encrypted else None),
            }
    return specs


def create_volumes(root: Path, manifest: dict[str, Any], job: Any, checkpoint: Any,
                   suffixes: set[str], transfer: Transfer, result: ImportResult) -> None:
    """Phase 2 of an import: each pending volume created from its exported data, named and
    tagged as the program names its volumes, so phase 3 (the full apply) adopts it."""
    from civicloud.ops.volumes import import_volume  # openstacksdk: not for every --help
    from civicloud.stacks.credentials import openstack_admin
    from civicloud.stacks.providers.base import tenant_metadata

    project = next((r for r in checkpoint.resources if r.type.endswith(":Project") and r.id),
                   None)
    if project is None:
        raise ExportError(f"tenant {job.name} has no project recorded: cannot create volumes")
    backend = job.backends[job.tenant["compute"]["backend"]]
    conn = openstack_admin(backend["cloud"])
    specs = _volume_specs(job.tenant, backend)
    checked = {f["path"]: f["sha256"] for f in manifest["files"]}  # verified before the import
    for v in exported_volumes(manifest):
        suffix = _volume_suffix(v["name"], manifest["tenant"])
        if suffix not in suffixes:
            continue
        name, spec = f"{job.name}-{suffix}", specs.get(suffix)
        if spec is None:
            raise ExportError(f"volume {v['name']} of the export is not in the tenant file")
        existing = list(conn.block_storage.volumes(all_projects=True, project_id=project.id,
                                                   name=name))
        if existing and existing[0].status == "available":
            result.volumes[v["name"]] = f"{name} (already imported)"
            continue
        if existing:
            raise ExportError(f"volume {name} exists in status {existing[0].status} (an "
                              "interrupted import?): delete it and run the import again")
        source = root / v["file"]
        transfer.stage(f"volume {name}", source.stat().st_size)
        volume_id = import_volume(conn, project.id, source, name, spec["volume_type"],
                                  spec["size_gb"], byte_progress(transfer),
                                  sha256=checked[v["file"]])  # the manifest's: read once
        conn.block_storage.set_volume_metadata(volume_id, **tenant_metadata(job.name))
        transfer.file_done()
        result.volumes[v["name"]] = name
