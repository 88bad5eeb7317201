"""Reversibility: a deployed tenant -> a directory of open formats, with a manifest.

    <dir>/<tenant>/
      manifest.json                 every file with its size and SHA-256 (civicloud-export/v1)
      spec/<tenant>.yaml            the tenant file, byte for byte as written
      state.json                    the state checkpoint, secrets masked as "[secret]"
      inventory.yml                 the Ansible inventory of what was deployed
      buckets/<bucket>/metadata.json   bucket settings + per object: key, size, sha256, etag,
                                       content type and other headers, user metadata
      buckets/<bucket>/objects/<key>   the objects' bytes
      volumes/<volume>.raw          volume data (snapshot -> image -> download); not with
                                    --without-volume-data (manifest: "file": null, "skipped")

Written under `<tenant>.partial/` and renamed at the end: a directory named after the tenant
is always a finished export.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from civicloud import __version__
from civicloud.ops import manifest as mf
from civicloud.ops.export_objects import export_objects, list_objects, records_to_json
from civicloud.ops.export_progress import Transfer

BUCKET_KIND = "pulumi-python:dynamic/civicloud:Bucket"
VOLUME_KIND = "pulumi-python:dynamic/civicloud:Volume"
VOLUME_FORMAT = "raw"  # what Cinder uploads an encrypted volume as (it refuses to convert)
SKIPPED_DATA = "--without-volume-data"  # a manifest volume's "skipped": why it has no file


class ExportError(ValueError):
    """The export cannot be made as asked (exit 2); the message is ready for the user."""


@dataclass
class DeployedBucket:
    name: str  # at the provider: <tenant>-<bucket>
    spec_name: str
    endpoint: str
    profile: str
    region: str
    key_ref: str | None = None  # SSE-C buckets

    def s3(self) -> Any:
        from civicloud.stacks.credentials import s3_client

        return s3_client(self.endpoint, self.profile, self.region)


@dataclass
class DeployedVolume:
    name: str  # <tenant>-<server>-<volume>
    volume_id: str
    cloud: str
    size_gb: int


@dataclass
class ExportResult:
    root: Path
    files: int
    bytes: int
    buckets: dict[str, int] = field(default_factory=dict)  # bucket -> objects
    volumes: dict[str, str] = field(default_factory=dict)  # volume -> file or why not
    skipped_volumes: int = 0  # volumes whose data were left out (--without-volume-data)


def _plain(outputs: dict[str, Any]) -> dict[str, Any]:
    from civicloud.stacks.providers.base import user_inputs

    return user_inputs(outputs)


def deployed_buckets(tenant: dict[str, Any], checkpoint: Any) -> list[DeployedBucket]:
    """The tenant's buckets as its state records them (real names, endpoint, profile)."""
    prefix = tenant["metadata"]["name"] + "-"
    specs = {b["name"]: b for b in (tenant.get("storage") or {}).get("buckets", [])}
    found = []
    for r in checkpoint.resources:
        if r.type != BUCKET_KIND or r.delete or not r.id:
            continue
        out = _plain(r.outputs)
        spec_name = r.id.removeprefix(prefix)
        found.append(DeployedBucket(r.id, spec_name, out["endpoint"], out["profile"],
                                    out["region"], specs.get(spec_name, {}).get("key_ref")))
    return sorted(found, key=lambda b: b.name)


def deployed_volumes(checkpoint: Any) -> list[DeployedVolume]:
    found = []
    for r in checkpoint.resources:
        if r.type == VOLUME_KIND and not r.delete and r.id:
            out = _plain(r.outputs)
            found.append(DeployedVolume(out.get("name", r.name), r.id, out["cloud"],
                                        int(out.get("size_gb", 0))))
    return sorted(found, key=lambda v: v.name)


def state_document(checkpoint: Any) -> dict[str, Any]:
    """The checkpoint as Pulumi-like JSON; read masked, so each secret is "[secret]"."""
    return {
        "version": 3,
        "civicloud": {"stack": checkpoint.stack, "serial": checkpoint.serial,
                      "engine": checkpoint.engine, "secrets": "masked"},
        "deployment": {"resources": [asdict(r) for r in checkpoint.resources]},
    }


def inventory_document(tenant: dict[str, Any], backends: dict[str, Any],
                       checkpoint: Any) -> dict[str, Any] | None:
    """The deployed inventory (as `civicloud inventory` writes it); None without servers."""
    from civicloud.configure import prepare

    outputs = checkpoint.stack_outputs()
    if not outputs.get("servers"):
        return None
    try:
        servers, buckets = prepare.deployed(tenant, backends, outputs)
        return prepare.generate(tenant, servers, buckets)
    except prepare.InputError as exc:
        raise ExportError(f"inventory: {exc}") from None


def bucket_settings(bucket: DeployedBucket) -> dict[str, Any]:
    """Encryption, versioning, object lock, lifecycle, tags, region: the provider's own read."""
    from civicloud.stacks.providers.bucket import BucketProvider

    props = {"endpoint": bucket.endpoint, "profile": bucket.profile, "region": bucket.region}
    result = BucketProvider().read(bucket.name, props)
    if not result.id:
        raise ExportError(f"bucket {bucket.name} is recorded in state but does not exist at "
                          f"{bucket.endpoint} (run `civicloud drift` to see what changed)")
    settings = dict(result.outs or {})
    for key in ("principals", "endpoint", "profile"):  # the source provider's, not portable
        settings.pop(key, None)
    return settings


def export_bucket(bucket: DeployedBucket, root: Path, transfer: Transfer,
                  known: dict[str, str]) -> int:
    """One bucket's objects and metadata.json; returns the object count."""
    from civicloud.ops.export_keys import sse_c_key

    s3 = bucket.s3()
    settings = bucket_settings(bucket)
    listing = list_objects(s3, bucket.name)
    # An SSE-C key is needed to read objects only: an empty bucket exports without it.
    key = sse_c_key(bucket.key_ref) if bucket.key_ref and listing else None
    transfer.stage(f"bucket {bucket.name}", sum(o["Size"] for o in listing))
    base = root / "buckets" / bucket.name

    def on_bytes(n: int) -> None:
        transfer.on_bytes(n)

    records = export_objects(s3, bucket.name, base / "objects", on_bytes, key, listing)
    transfer.file_done(len(records))
    for record in records:
        known[f"buckets/{bucket.name}/objects/{record.file}"] = record.sha256
    doc = {"bucket": bucket.name, "spec_name": bucket.spec_name,
           "source": {"endpoint": bucket.endpoint, "region": bucket.region},
           "settings": settings, "versions": "current versions only",
           "objects": records_to_json(records)}
    base.mkdir(parents=True, exist_ok=True)
    (base / "metadata.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return len(records)


def byte_progress(transfer: Transfer) -> Any:
    """cli/ops/volumes.py's progress(step, done, total) as bytes added to the transfer."""
    last = {"step": None, "done": 0}

    def progress(step: str, done: int | None, total: int | None) -> None:
        if step != last["step"]:
            last.update(step=step, done=0)
        if done is not None and done > last["done"]:
            transfer.on_bytes(done - last["done"])
            last["done"] = done

    return progress


def export_volumes(volumes: list[DeployedVolume], root: Path, transfer: Transfer,
                   result: ExportResult, known: dict[str, str],
                   with_data: bool = True) -> list[dict[str, Any]]:
    """The manifest's volume entries; with_data: each volume's data (snapshot -> image ->
    download, by cli/ops/volumes.py) into volumes/<volume>.<format>."""
    entries = []
    for volume in volumes:
        entry: dict[str, Any] = {"name": volume.name, "size_gb": volume.size_gb}
        if with_data:
            entry.update(export_volume_data(volume, root, transfer, known))
            result.volumes[volume.name] = entry["file"]
        else:
            entry.update(file=None, skipped=SKIPPED_DATA)
            result.volumes[volume.name] = f"data not exported ({SKIPPED_DATA})"
            result.skipped_volumes += 1
        entries.append(entry)
    return entries


def export_volume_data(volume: DeployedVolume, root: Path, transfer: Transfer,
                       known: dict[str, str]) -> dict[str, str]:
    """One volume's data into volumes/; returns its manifest entry's file and format."""
    from civicloud.ops.volumes import export_volume  # openstacksdk: not for every --help
    from civicloud.stacks.credentials import openstack_admin

    folder = root / "volumes"
    folder.mkdir(parents=True, exist_ok=True)
    transfer.stage(f"volume {volume.name}", volume.size_gb * 1024**3)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as tmp:
        path, sha256, _ = export_volume(openstack_admin(volume.cloud), volume.volume_id,
                                        Path(tmp), VOLUME_FORMAT, byte_progress(transfer))
        dest = folder / f"{volume.name}{Path(path).suffix}"
        os.replace(path, dest)
    transfer.file_done()
    file = dest.relative_to(root).as_posix()
    known[file] = sha256
    return {"file": file, "format": dest.suffix.lstrip(".")}


def _write(job: Any, checkpoint: Any, partial: Path, transfer: Transfer, volume_data: bool
           ) -> tuple[ExportResult, dict[str, str], list[DeployedBucket], list[dict[str, Any]]]:
    """Everything but the manifest, under `partial`."""
    name = job.name
    # The objects are written decrypted (SSE is encryption at the provider): owner-only.
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.mkdir(mode=0o700)
    (partial / "spec").mkdir()
    spec_file = Path(job.file)
    shutil.copyfile(spec_file, partial / "spec" / f"{name}{spec_file.suffix}")
    (partial / "state.json").write_text(
        json.dumps(state_document(checkpoint), indent=2, default=str) + "\n")
    inventory = inventory_document(job.tenant, job.backends, checkpoint)
    if inventory is not None:
        (partial / "inventory.yml").write_text(yaml.safe_dump(inventory, sort_keys=False))
    result = ExportResult(partial, 0, 0)  # its root is set once renamed
    known: dict[str, str] = {}
    buckets = deployed_buckets(job.tenant, checkpoint)
    for bucket in buckets:
        result.buckets[bucket.name] = export_bucket(bucket, partial, transfer, known)
    volumes = export_volumes(deployed_volumes(checkpoint), partial, transfer, result, known,
                             volume_data)
    return result, known, buckets, volumes


def export_tenant(job: Any, checkpoint: Any, dest: Path, transfer: Transfer,
                  volume_data: bool = True) -> ExportResult:
    """Writes `<dest>/<tenant>/` (see the module doc), the volumes' data only if `volume_data`.
    ExportError if it already exists."""
    name = job.name
    root, partial = dest / name, dest / f"{name}.partial"
    if root.exists():
        raise ExportError(f"{root} already exists: export to another directory, or remove it")
    if partial.exists():  # an export that was interrupted: start again from nothing
        shutil.rmtree(partial)
    try:
        result, known, buckets, volumes = _write(job, checkpoint, partial, transfer,
                                                 volume_data)
    except BaseException:  # an export is whole or absent: no half directory left behind
        shutil.rmtree(partial, ignore_errors=True)
        raise
    spec_file = Path(job.file)
    info = {
        "tenant": name,
        "civicloud_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "spec": f"spec/{name}{spec_file.suffix}",
        "sources": {
            "storage": sorted({f"{b.endpoint} ({b.region})" for b in buckets}),
            "compute": (job.tenant.get("compute") or {}).get("backend"),
            "storage_backend": (job.tenant.get("storage") or {}).get("backend"),
        },
        "buckets": {b.name: {"spec_name": b.spec_name, "objects": result.buckets[b.name],
                             "metadata": f"buckets/{b.name}/metadata.json"} for b in buckets},
        "volumes": volumes,
        "formats": {"spec": "YAML 1.2", "state": "JSON (Pulumi checkpoint v3, secrets masked)",
                    "inventory": "Ansible YAML inventory", "objects": "the objects' bytes",
                    "metadata": "JSON", "volumes": "raw disk image"},
    }
    document = mf.build(partial, info, known)
    mf.write(partial, document)
    os.replace(partial, root)
    result.root, result.files, result.bytes = root, len(document["files"]), document["total_bytes"]
    return result
