"""A volume's data out of OpenStack into a disk-image file, and back into a new volume.

Export: snapshot (works for in-use volumes) -> temporary volume from it -> Cinder uploads it to a
temporary Glance image -> the image's data streamed to a file while hashing. Import: the file
uploaded as a temporary private image in the tenant's project -> a volume created from it.
Every temporary resource is named `civicloud-export-<volume id>` / `civicloud-import-<name>`,
deleted at the end (also on failure) and, when an interrupted run left one, before starting.

Cinder uploads an encrypted volume only as raw (it refuses to convert it), so such a volume is
written raw whatever format was asked: the returned path's suffix says which.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from keystoneauth1.exceptions import ClientException
from openstack import exceptions
from openstack.image.v2.image import Image

# (step, bytes done in this step or None, bytes the step will move or None)
Progress = Callable[[str, int | None, int | None], None]
DiskFormat = Literal["raw", "qcow2"]

FORMATS: tuple[str, ...] = ("raw", "qcow2")
QCOW2_MAGIC = b"QFI\xfb"
GIB = 1024**3
CHUNK = 4 * 1024**2
ZEROS = bytes(CHUNK)
POLL_S = 1.0
# Moving data is slow on a small cloud (~30 s per GiB through Glance here): generous limits.
TIMEOUT_S = float(os.environ.get("CIVICLOUD_VOLUME_TIMEOUT", "3600"))
IMPORT_SHA_KEY = "civicloud:import-sha256"


class VolumeTransferError(Exception):
    """A step of an export or import failed; the message names the volume and the step."""

    def __init__(self, volume: str, step: str, detail: str) -> None:
        super().__init__(f"volume {volume}: {step}: {detail}")
        self.volume, self.step, self.detail = volume, step, detail


def export_volume(
    conn: Any,
    volume_id: str,
    dest_dir: Path,
    disk_format: DiskFormat = "raw",
    progress: Progress | None = None,
) -> tuple[Path, str, int]:
    """Writes `<dest_dir>/volume-<id>.<raw|qcow2>`; returns (path, sha256 hex, size in bytes)."""
    if disk_format not in FORMATS:
        raise ValueError(f"disk_format must be one of {', '.join(FORMATS)}, got {disk_format!r}")
    report = progress or _quiet
    bs = conn.block_storage
    with _step(volume_id, "read the volume"):
        volume = bs.get_volume(volume_id)
    fmt = "raw" if volume.is_encrypted else disk_format
    tag = f"civicloud-export-{volume_id}"
    _remove_leftovers(conn, tag, volume_id)
    with _Temporaries(conn, volume_id) as temporaries:
        report("snapshot", None, None)
        with _step(volume_id, "snapshot"):
            snapshot = bs.create_snapshot(
                volume_id=volume_id, name=tag, force=True, description="civicloud export"
            )
            temporaries.snapshot = snapshot.id
            _wait_cinder(conn, bs.get_snapshot, snapshot.id, "available")
        report("temporary volume", None, None)
        with _step(volume_id, "volume from the snapshot"):
            copy = bs.create_volume(name=tag, size=volume.size, snapshot_id=snapshot.id)
            temporaries.volume = copy.id
            _wait_cinder(conn, bs.get_volume, copy.id, "available")
        report("upload to image", None, None)
        with _step(volume_id, f"upload to a {fmt} image"):
            answer = bs.upload_volume_to_image(
                copy.id, tag, disk_format=fmt, container_format="bare"
            )
            temporaries.image = answer["image_id"]
            image = _wait_upload(conn, copy.id, answer["image_id"])
        dest_dir.mkdir(parents=True, exist_ok=True)
        path = dest_dir / f"volume-{volume_id}.{fmt}"
        with _step(volume_id, "download the image"):
            sha256, size = _download(conn, image, path, report)
    return path, sha256, size


def import_volume(
    conn: Any,
    project_id: str,
    path: Path,
    name: str,
    volume_type: str | None,
    size_gb: int,
    progress: Progress | None = None,
    sha256: str | None = None,
) -> str:
    """Creates volume `name` in project `project_id` holding the data of `path` (raw or qcow2,
    told apart by content); returns its id once available. `conn` is the operator's connection
    (it needs a role in the project). A volume of that name made by an earlier import of the
    same file is returned as it is; any other volume of that name is an error. `sha256`: the
    file's, when the caller already checked it (an export's manifest), so it is read once."""
    report = progress or _quiet
    label = f"{name!r} (from {path.name})"
    with _step(label, "read the file"):
        fmt = _format(path)
        disk_bytes = _virtual_size(path, fmt)
        if disk_bytes > size_gb * GIB:
            raise VolumeTransferError(
                label,
                "check the size",
                f"the disk holds {disk_bytes} bytes, more than {size_gb} GiB",
            )
        if sha256 is None:
            sha256, size = _checksum(path, report)
        else:
            size = path.stat().st_size
    source = _Source(path, fmt, sha256, size, label)
    # Cinder and Glance put what is created in the token's project: scope to the tenant's
    with contextlib.closing(conn.connect_as(project_id=project_id)) as project:
        with _step(label, f"look for the volume in project {project_id}"):
            existing = _existing_import(project, name, sha256, label)
        if existing:
            return existing
        _remove_leftovers(project, f"civicloud-import-{name}", label, volumes=False)
        return _import(conn, project, source, name, volume_type, size_gb, report)


@dataclass(frozen=True)
class _Source:
    path: Path
    fmt: str
    sha256: str
    size: int
    label: str  # how errors name the volume being imported


def _import(
    conn: Any, project: Any, source: _Source, name: str, volume_type: str | None, size_gb: int,
    report: Progress,
) -> str:  # fmt: skip
    path, fmt, label = source.path, source.fmt, source.label
    with _Temporaries(conn, label) as temporaries:
        with _step(label, f"upload the {fmt} image"), path.open("rb") as handle:
            image = Image.new(
                name=f"civicloud-import-{name}",
                disk_format=fmt,
                container_format="bare",
                visibility="private",
            ).create(project.image)
            temporaries.image = image.id
            image.upload(project.image, data=_Reader(handle, source.size, report))
            _wait_image(project, image.id)
        report("volume from the image", None, None)
        with _step(label, "volume from the image"):
            attrs = {"volume_type": volume_type} if volume_type else {}
            volume = project.block_storage.create_volume(
                name=name, size=size_gb, image_id=image.id,
                metadata={IMPORT_SHA_KEY: source.sha256},
                **attrs,
            )  # fmt: skip
            try:
                _wait_cinder(project, project.block_storage.get_volume, volume.id, "available")
            except _StepFailed:
                temporaries.volume = volume.id  # a volume in error holds nothing: remove it
                raise
    return volume.id


# --- steps ------------------------------------------------------------------------------------


class _StepFailed(Exception):
    pass


@contextlib.contextmanager
def _step(volume: str, step: str) -> Iterator[None]:
    """Turns an SDK or OS error into a VolumeTransferError naming the volume and the step."""
    try:
        yield
    except VolumeTransferError:
        raise
    except _StepFailed as error:
        raise VolumeTransferError(volume, step, str(error)) from None
    except (exceptions.SDKException, ClientException) as error:
        raise VolumeTransferError(volume, step, f"{type(error).__name__}: {error}") from error
    except OSError as error:
        raise VolumeTransferError(volume, step, f"{type(error).__name__}: {error}") from error


def _wait_cinder(conn: Any, get: Callable[[str], Any], id_: str, wanted: str) -> Any:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        resource = get(id_)
        if resource.status == wanted:
            return resource
        if resource.status.startswith("error"):
            raise _StepFailed(f"{resource.status}{_cinder_reason(conn, id_)}")
        if time.monotonic() > deadline:
            raise _StepFailed(f"still {resource.status} after {TIMEOUT_S:.0f} s")
        time.sleep(POLL_S)


def _cinder_reason(conn: Any, resource_id: str) -> str:
    """Cinder's user message about a resource (why a create failed), when it has one."""
    try:
        found = [m for m in conn.block_storage.messages() if m.resource_uuid == resource_id]
    except exceptions.SDKException:
        return ""
    found.sort(key=lambda message: message.created_at or "")
    return f": {found[-1].user_message}" if found else ""


def _wait_upload(conn: Any, volume_id: str, image_id: str) -> Any:
    """Cinder writes the image, then returns the volume to available: active image = done.
    A failed upload deletes the image or leaves the volume available without it."""
    deadline, settled = time.monotonic() + TIMEOUT_S, 0
    while True:
        try:
            image = conn.image.get_image(image_id)
        except exceptions.NotFoundException:
            reason = _cinder_reason(conn, volume_id)
            raise _StepFailed(f"Cinder gave up the image{reason}") from None
        if image.status == "active":
            return image
        if image.status in ("killed", "deleted", "deactivated"):
            raise _StepFailed(f"image {image.status}{_cinder_reason(conn, volume_id)}")
        volume = conn.block_storage.get_volume(volume_id)
        settled = settled + 1 if volume.status != "uploading" else 0
        if settled > 3:
            raise _StepFailed(
                f"volume {volume.status} but image {image.status}{_cinder_reason(conn, volume_id)}"
            )
        if time.monotonic() > deadline:
            raise _StepFailed(f"image still {image.status} after {TIMEOUT_S:.0f} s")
        time.sleep(POLL_S)


def _wait_image(conn: Any, image_id: str) -> Any:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        image = conn.image.get_image(image_id)
        if image.status == "active":
            return image
        if image.status in ("killed", "deleted", "deactivated"):
            raise _StepFailed(f"Glance marked the image {image.status}")
        if time.monotonic() > deadline:
            raise _StepFailed(f"image still {image.status} after {TIMEOUT_S:.0f} s")
        time.sleep(POLL_S)


def _existing_import(project: Any, name: str, sha256: str, label: str) -> str | None:
    """The volume an earlier import of the same file made (waited for if still being made;
    removed if it failed), None if there is none; an error if the name holds something else."""
    for volume in project.block_storage.volumes(name=name):
        if volume.metadata.get(IMPORT_SHA_KEY) != sha256:
            raise VolumeTransferError(
                label, "create", f"project already has a volume named {name!r} ({volume.id}) "
                "holding other data; delete or rename it first",
            )  # fmt: skip
        if volume.status.startswith("error"):
            _delete_volume(project, volume.id)
            return None
        if volume.status not in ("available", "in-use"):
            _wait_cinder(project, project.block_storage.get_volume, volume.id, "available")
        return volume.id
    return None


# --- temporary resources -------------------------------------------------------------------


class _Temporaries:
    """The temporary image, volume and snapshot of one transfer, deleted on the way out in
    that order (a volume made from a snapshot must go before it). A cleanup failure is
    reported, never hidden: alone it fails the transfer, after another error it is added."""

    def __init__(self, conn: Any, label: str) -> None:
        self.conn, self.label = conn, label
        self.image: str | None = None
        self.volume: str | None = None
        self.snapshot: str | None = None

    def __enter__(self) -> _Temporaries:
        return self

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> None:
        leftovers = []
        for what, delete in (
            ("image", _delete_image),
            ("volume", _delete_volume),
            ("snapshot", _delete_snapshot),
        ):
            id_ = getattr(self, what)
            if id_ is None:
                continue
            try:
                delete(self.conn, id_)
            except (exceptions.SDKException, _StepFailed) as failure:
                leftovers.append(f"temporary {what} {id_} not deleted ({failure})")
        if not leftovers:
            return
        if isinstance(error, VolumeTransferError):
            error.args = (f"{error.args[0]}; {'; '.join(leftovers)}",)
            return
        if error is None:
            raise VolumeTransferError(self.label, "clean up", "; ".join(leftovers))


def _delete_image(conn: Any, id_: str) -> None:
    conn.image.delete_image(id_, ignore_missing=True)


def _delete_volume(conn: Any, id_: str) -> None:
    _until_settled(conn.block_storage.get_volume, id_)
    conn.block_storage.delete_volume(id_, ignore_missing=True)
    _until_gone(conn.block_storage.get_volume, id_)


def _delete_snapshot(conn: Any, id_: str) -> None:
    _until_settled(conn.block_storage.get_snapshot, id_)
    conn.block_storage.delete_snapshot(id_, ignore_missing=True)
    _until_gone(conn.block_storage.get_snapshot, id_)


def _until_settled(get: Callable[[str], Any], id_: str) -> None:
    """Cinder refuses to delete a resource in a transitional state (creating, uploading...)."""
    deadline = time.monotonic() + TIMEOUT_S
    with contextlib.suppress(exceptions.NotFoundException):
        while get(id_).status in ("creating", "uploading", "downloading", "attaching"):
            if time.monotonic() > deadline:
                raise _StepFailed("never left its transitional state")
            time.sleep(POLL_S)


def _until_gone(get: Callable[[str], Any], id_: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            status = get(id_).status
        except exceptions.NotFoundException:
            return
        if status.startswith("error"):
            raise _StepFailed(f"delete ended in {status}")
        if time.monotonic() > deadline:
            raise _StepFailed(f"still {status} after {TIMEOUT_S:.0f} s")
        time.sleep(POLL_S)


def _remove_leftovers(conn: Any, tag: str, label: str, volumes: bool = True) -> None:
    """Temporaries an interrupted earlier run left (same name): removed before starting."""
    with _step(label, "remove what an earlier run left"):
        for image in conn.image.images(name=tag):
            _delete_image(conn, image.id)
        for volume in conn.block_storage.volumes(name=tag) if volumes else ():
            _delete_volume(conn, volume.id)
        for snapshot in conn.block_storage.snapshots(name=tag) if volumes else ():
            _delete_snapshot(conn, snapshot.id)


# --- files ---------------------------------------------------------------------------------


def _download(conn: Any, image: Any, path: Path, report: Progress) -> tuple[str, int]:
    """Streams the image's data into `path` (zero blocks become holes: a mostly empty disk stays
    small), checks it against Glance's own hash, returns (sha256, size)."""
    partial = path.with_name(path.name + ".partial")
    sha256 = hashlib.sha256()
    glance_hash = hashlib.new(image.hash_algo) if image.hash_algo else None
    size = 0
    response = conn.image.download_image(image, stream=True)
    try:
        with partial.open("wb") as out:
            for chunk in response.iter_content(CHUNK):
                sha256.update(chunk)
                if glance_hash:
                    glance_hash.update(chunk)
                if chunk == ZEROS[: len(chunk)]:
                    out.seek(len(chunk), os.SEEK_CUR)
                else:
                    out.write(chunk)
                size += len(chunk)
                report("download", size, image.size)
            out.truncate(size)
    finally:
        response.close()
    if image.size is not None and size != image.size:
        partial.unlink(missing_ok=True)
        raise _StepFailed(f"got {size} bytes, Glance has {image.size}")
    if glance_hash and image.hash_value and glance_hash.hexdigest() != image.hash_value:
        partial.unlink(missing_ok=True)
        raise _StepFailed(f"the data does not match Glance's {image.hash_algo}")
    os.replace(partial, path)
    return sha256.hexdigest(), size


def _format(path: Path) -> str:
    """A disk-image file's format, told by its content (qcow2 has a magic number)."""
    with path.open("rb") as handle:
        return "qcow2" if handle.read(4) == QCOW2_MAGIC else "raw"


def _checksum(path: Path, report: Progress) -> tuple[str, int]:
    """(sha256, size) of a file, read once."""
    digest, size, done = hashlib.sha256(), path.stat().st_size, 0
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            done += len(block)
            report("checksum", done, size)
    return digest.hexdigest(), size


def _virtual_size(path: Path, fmt: str) -> int:
    """The size of the disk a file holds: a raw file is the disk; a qcow2 header says it."""
    if fmt == "raw":
        return path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(32)
    return int.from_bytes(header[24:32], "big")  # qcow2 header: uint64 size at offset 24


class _Reader:
    """A file as an upload body that reports, every CHUNK bytes, how much was read."""

    def __init__(self, handle: IO[bytes], size: int, report: Progress) -> None:
        self.handle, self.size, self.report = handle, size, report
        self.done = self.reported = 0

    def read(self, n: int = -1) -> bytes:
        block = self.handle.read(n)
        self.done += len(block)
        if self.done - self.reported >= CHUNK or (self.done == self.size and block):
            self.reported = self.done
            self.report("upload", self.done, self.size)
        return block

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(CHUNK):
            yield block

    def __len__(self) -> int:
        return self.size

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.handle.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self.handle.seek(offset, whence)


def _quiet(step: str, done: int | None, total: int | None) -> None:
    pass
