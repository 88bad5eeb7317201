"""Volumes of the local cloud hold data (one sparse file each), and civicloud.ops.volumes moves
that data out to a disk-image file and back into a new volume.

Each test writes known random bytes straight into a volume's backing file (the stand-in for a
guest writing to its disk), drives Cinder and Glance with openstacksdk, and reads the files
back: what a volume holds is checked on disk, never through civicloud.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import civicloud.localcloud as localcloud
from civicloud.localcloud.bootstrap import ENCRYPTED_VOLUME_TYPE
from civicloud.localcloud.configs import cinder_volumes_dir
from civicloud.ops.volumes import (
    IMPORT_SHA_KEY,
    QCOW2_MAGIC,
    VolumeTransferError,
    export_volume,
    import_volume,
)

pytestmark = pytest.mark.integration

GIB = 1024**3
WAIT = 300  # seconds: a 1 GiB copy through Glance on 2 shared cores


def backing_file(kind: str, id_: str) -> Path:
    return cinder_volumes_dir(localcloud.paths()) / f"{kind}-{id_}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(4 * 1024**2):
            digest.update(block)
    return digest.hexdigest()


def write_pattern(path: Path) -> dict[int, bytes]:
    """Random bytes at the start, in the middle and in the last MiB of the volume's file."""
    size = path.stat().st_size
    written = {offset: os.urandom(256 * 1024) for offset in (0, size // 2 + 4096, size - 2**20)}
    with path.open("r+b") as handle:
        for offset, data in written.items():
            handle.seek(offset)
            handle.write(data)
    return written


def holds(path: Path, written: dict[int, bytes]) -> bool:
    with path.open("rb") as handle:
        for offset, data in written.items():
            handle.seek(offset)
            if handle.read(len(data)) != data:
                return False
    return True


def leftovers(conn, tag: str) -> list[str]:
    bs = conn.block_storage
    found = [f"volume {v.id}" for v in bs.volumes(all_projects=True, name=tag)]
    found += [f"snapshot {s.id}" for s in bs.snapshots(all_projects=True, name=tag)]
    found += [f"image {i.id}" for i in conn.image.images(name=tag)]
    return found


@pytest.fixture(scope="module")
def project(os_admin) -> Iterator:
    """A tenant-like project where the operator has the member role (as civicloud sets up)."""
    identity = os_admin.identity
    created = identity.create_project(
        name=f"it-vol-{secrets.token_hex(4)}", domain_id="default", description="integration"
    )
    identity.assign_project_role_to_user(
        created, os_admin.current_user_id, identity.find_role("member")
    )
    yield created
    bs = os_admin.block_storage
    for volume in bs.volumes(all_projects=True, project_id=created.id):
        bs.delete_volume(volume, force=True)
        bs.wait_for_delete(volume, wait=WAIT)
    identity.delete_project(created)


@pytest.fixture(scope="module")
def member(os_admin, project):
    """The operator's connection scoped to the project (how civicloud creates tenant volumes)."""
    return os_admin.connect_as(project_id=project.id)


@pytest.fixture
def new_volume(os_admin, member):
    """Creates volumes in the project (as the tenant would) and deletes them afterwards."""
    made = []

    def create(size: int = 1, volume_type: str | None = None, **attrs):
        if volume_type:
            attrs["volume_type"] = volume_type
        volume = member.block_storage.create_volume(
            name=f"it-{uuid.uuid4().hex[:8]}", size=size, **attrs
        )
        made.append(volume.id)
        return member.block_storage.wait_for_status(
            volume, "available", failures=["error"], wait=WAIT
        )

    yield create
    bs = os_admin.block_storage
    for id_ in reversed(made):
        volume = bs.find_volume(id_, all_projects=True)
        if volume is not None:
            for attachment in volume.attachments or []:
                bs.delete_attachment(attachment["attachment_id"])
            bs.wait_for_status(volume, "available", failures=["error"], wait=WAIT)
            bs.delete_volume(volume)
            bs.wait_for_delete(volume, wait=WAIT)


def attach_somewhere(conn, volume) -> None:
    """Marks the volume in-use through Cinder's attachment API (what Nova calls)."""
    bs = conn.block_storage
    attachment = bs.create_attachment(
        volume.id,
        connector={"host": "it-host", "initiator": "iqn.2026-12.test:it", "ip": "127.0.0.1"},
        instance_id=str(uuid.uuid4()),
    )
    bs.complete_attachment(attachment)
    bs.wait_for_status(bs.get_volume(volume.id), "in-use", failures=["error"], wait=WAIT)


# --- the driver: every volume and snapshot is a file ----------------------------------------


def test_volume_snapshot_clone_and_extend_keep_their_bytes_in_files(member, new_volume):
    bs = member.block_storage
    volume = new_volume(size=1)
    path = backing_file("volume", volume.id)
    assert path.stat().st_size == 1 * GIB
    assert path.stat().st_blocks == 0  # sparse: a fresh disk costs nothing
    written = write_pattern(path)

    snapshot = bs.create_snapshot(volume_id=volume.id, name=f"{volume.name}-snap")
    try:
        bs.wait_for_status(snapshot, "available", failures=["error"], wait=WAIT)
        snap_file = backing_file("snapshot", snapshot.id)
        assert sha256_of(snap_file) == sha256_of(path)

        # a later write to the volume does not reach its snapshot; a revert undoes it
        with path.open("r+b") as handle:
            handle.write(b"after the snapshot")
        assert holds(snap_file, written)
        bs.revert_volume_to_snapshot(volume, snapshot)
        bs.wait_for_status(bs.get_volume(volume.id), "available", failures=["error"], wait=WAIT)
        assert sha256_of(path) == sha256_of(snap_file)
        with path.open("r+b") as handle:
            handle.write(b"after the snapshot")

        restored = new_volume(size=2, snapshot_id=snapshot.id)
        restored_file = backing_file("volume", restored.id)
        assert restored_file.stat().st_size == 2 * GIB
        assert holds(restored_file, written)
        assert restored_file.stat().st_blocks * 512 < 64 * 2**20  # holes stayed holes
    finally:
        bs.delete_snapshot(snapshot)
        bs.wait_for_delete(snapshot, wait=WAIT)
    assert not backing_file("snapshot", snapshot.id).exists()

    clone = new_volume(size=1, source_volid=volume.id)
    assert sha256_of(backing_file("volume", clone.id)) == sha256_of(path)

    bs.extend_volume(volume, 3)
    bs.wait_for_status(bs.get_volume(volume.id), "available", failures=["error"], wait=WAIT)
    assert path.stat().st_size == 3 * GIB
    assert holds(path, {0: b"after the snapshot"})

    bs.delete_volume(volume)
    bs.wait_for_delete(volume, wait=WAIT)
    assert not path.exists()


def test_a_volume_made_before_files_existed_reads_as_zeros_and_deletes(member, new_volume):
    """Volumes of the former fake driver have no file: they held nothing, so they are zeros."""
    bs = member.block_storage
    volume = new_volume(size=1)
    path = backing_file("volume", volume.id)
    path.unlink()

    snapshot = bs.create_snapshot(volume_id=volume.id, name=f"{volume.name}-snap")
    bs.wait_for_status(snapshot, "available", failures=["error"], wait=WAIT)
    snap_file = backing_file("snapshot", snapshot.id)
    assert snap_file.stat().st_size == 1 * GIB
    assert snap_file.stat().st_blocks == 0
    bs.delete_snapshot(snapshot)
    bs.wait_for_delete(snapshot, wait=WAIT)

    path.unlink()
    bs.delete_volume(volume)
    bs.wait_for_delete(volume, wait=WAIT)
    assert not path.exists()


# --- export and import ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volume_type", "in_use"),
    [(None, False), (ENCRYPTED_VOLUME_TYPE, True)],
    ids=["plain", "encrypted-in-use"],
)
def test_export_then_import_gives_a_volume_with_the_same_bytes(
    os_admin, project, new_volume, tmp_path, volume_type, in_use
):
    volume = new_volume(size=1, volume_type=volume_type)
    source = backing_file("volume", volume.id)
    write_pattern(source)
    if in_use:
        attach_somewhere(os_admin, volume)
    steps: list[str] = []

    path, sha256, size = export_volume(
        os_admin, volume.id, tmp_path, "raw", progress=lambda step, *_: steps.append(step)
    )

    assert path == tmp_path / f"volume-{volume.id}.raw"
    assert size == 1 * GIB == path.stat().st_size
    assert sha256 == sha256_of(path) == sha256_of(source)
    assert path.stat().st_blocks * 512 < 64 * 2**20  # zero blocks were written as holes
    assert {"snapshot", "upload to image", "download"} <= set(steps)
    assert leftovers(os_admin, f"civicloud-export-{volume.id}") == []
    assert os_admin.block_storage.get_volume(volume.id).status == (
        "in-use" if in_use else "available"
    )

    name = f"it-imported-{uuid.uuid4().hex[:6]}"
    imported_id = import_volume(os_admin, project.id, path, name, volume_type, 1)
    try:
        imported = os_admin.block_storage.get_volume(imported_id)
        assert (imported.name, imported.project_id, imported.size, imported.status) == (
            name, project.id, 1, "available",
        )  # fmt: skip
        assert imported.volume_type == (volume_type or imported.volume_type)
        assert bool(imported.is_encrypted) == (volume_type == ENCRYPTED_VOLUME_TYPE)
        assert imported.metadata[IMPORT_SHA_KEY] == sha256
        assert sha256_of(backing_file("volume", imported_id)) == sha256
        assert leftovers(os_admin, f"civicloud-import-{name}") == []

        # the same import again finds its volume instead of making a second one
        assert import_volume(os_admin, project.id, path, name, volume_type, 1) == imported_id
    finally:
        os_admin.block_storage.delete_volume(imported_id)
        os_admin.block_storage.wait_for_delete(imported, wait=WAIT)


def test_qcow2_export_converts_back_to_the_same_bytes_and_imports(
    os_admin, project, new_volume, tmp_path
):
    volume = new_volume(size=1)
    source = backing_file("volume", volume.id)
    write_pattern(source)

    path, sha256, size = export_volume(os_admin, volume.id, tmp_path, "qcow2")

    assert path.suffix == ".qcow2"
    assert path.read_bytes()[:4] == QCOW2_MAGIC
    assert size < 64 * 2**20  # 768 KiB of data, not the 1 GiB disk
    assert sha256 == sha256_of(path)
    raw = tmp_path / "back.raw"
    subprocess.run(["qemu-img", "convert", "-O", "raw", path, raw], check=True)
    assert sha256_of(raw) == sha256_of(source)

    name = f"it-imported-{uuid.uuid4().hex[:6]}"
    imported_id = import_volume(os_admin, project.id, path, name, None, 1)
    try:
        assert sha256_of(backing_file("volume", imported_id)) == sha256_of(source)
    finally:
        os_admin.block_storage.delete_volume(imported_id)
        os_admin.block_storage.wait_for_delete(
            os_admin.block_storage.get_volume(imported_id), wait=WAIT
        )


def test_an_encrypted_volume_asked_as_qcow2_is_exported_raw(os_admin, new_volume, tmp_path):
    """Cinder refuses to convert an encrypted volume's data: the path says what was written."""
    volume = new_volume(size=1, volume_type=ENCRYPTED_VOLUME_TYPE)
    written = write_pattern(backing_file("volume", volume.id))

    path, sha256, _ = export_volume(os_admin, volume.id, tmp_path, "qcow2")

    assert path.suffix == ".raw"
    assert holds(path, written)
    assert sha256 == sha256_of(backing_file("volume", volume.id))


def test_errors_name_the_volume_and_the_step(os_admin, project, new_volume, tmp_path):
    missing = str(uuid.uuid4())
    with pytest.raises(VolumeTransferError) as raised:
        export_volume(os_admin, missing, tmp_path)
    assert (raised.value.volume, raised.value.step) == (missing, "read the volume")
    assert missing in str(raised.value)
    assert not list(tmp_path.iterdir())

    # a disk larger than the volume asked for is refused before anything is uploaded
    too_big = tmp_path / "big.raw"
    with too_big.open("wb") as handle:
        handle.truncate(2 * GIB)
    with pytest.raises(VolumeTransferError) as raised:
        import_volume(os_admin, project.id, too_big, "it-too-big", None, 1)
    assert raised.value.step == "check the size"
    assert list(os_admin.image.images(name="civicloud-import-it-too-big")) == []

    # an import never overwrites a volume that already has the name
    taken = new_volume(size=1)
    image_file = tmp_path / "disk.raw"
    image_file.write_bytes(os.urandom(2**20))
    with pytest.raises(VolumeTransferError) as raised:
        import_volume(os_admin, project.id, image_file, taken.name, None, 1)
    assert raised.value.step == "create"
    assert taken.name in str(raised.value)
