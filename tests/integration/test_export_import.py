"""Reversibility on the real local cloud: a hybrid tenant (OpenStack project, server and volume
+ buckets on the S3 server of :8333) is exported, checked against its manifest, refused on the
German S3 server by the policy gate, then imported onto the *other* S3 server (:8433); every
object is compared byte for byte, with its content type and user metadata, with boto3 on both
servers.

Policy: catalogue/local.yaml declares :8433 as local-s3-de (Germany), which CIVIC-LOC-4 refuses
for a commune's data: that refusal is tested as is. For the allowed path the test adds
tests/data/export-catalogue.yaml, which declares the same :8433 server as `local-s3-fr-b`, a
second French provider. The catalogue is data; the policy gate that judges it is the real one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest
import yaml
from botocore.exceptions import ClientError
from test_drift_support import CIVICLOUD, ENV, tenant_doc

import civicloud.localcloud as localcloud
from civicloud.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration

TEST_CATALOGUE = PROJECT_ROOT / "tests/data/export-catalogue.yaml"
CATALOGUES = ("--catalogue", str(PROJECT_ROOT / "catalogue"), "--catalogue", str(TEST_CATALOGUE))
MiB = 1024 * 1024
# key -> (size, content type, user metadata): one object over the 8 MiB multipart threshold,
# an empty one, a folder marker, a key that is also another key's folder, unicode.
OBJECTS = {
    "deliberations/2026/cm-2026-03.pdf": (300 * 1024, "application/pdf", {"seance": "2026-03"}),
    "deliberations/2026": (17, "text/plain", {}),
    "plans/cadastre.tif": (12 * MiB + 123, "image/tiff", {"source": "dgfip", "echelle": "1-500"}),
    "vide.txt": (0, "text/plain", {}),
    "dossier/": (0, "application/x-directory", {}),
    "comptes rendus/été é.odt": (40_000, "application/vnd.oasis.opendocument.text",
                                 {"auteur": "claire"}),
    "scans/page-1.png": (3 * MiB, "image/png", {}),
}
VOLUME_DATA = os.urandom(MiB) + b"civicloud export test" * 1000


def cli(*args: str, state) -> subprocess.CompletedProcess:
    return subprocess.run([str(CIVICLOUD), *args, "--state", str(state)], cwd=PROJECT_ROOT,
                          env=ENV, capture_output=True, text=True, timeout=600, check=False)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hybrid_doc(name: str) -> dict:
    doc = tenant_doc(name)
    doc["type"] = "hybrid"
    doc["compute"]["quotas"].update(volumes=2, gigabytes=10)
    doc["compute"]["servers"][0]["volumes"] = [{"name": "data", "size_gb": 1}]
    doc["storage"]["buckets"] = [
        {"name": "archives", "encryption": "sse-s3", "versioning": True,
         "tags": {"service": "ged"}},
        {"name": "scans", "encryption": "sse-s3"},
    ]
    return doc


def apply_with_volume_data(source, state, name: str, disk) -> None:
    """Applies the tenant with its volume holding `disk`'s data: first without the volume, then
    the volume made from the data (cli/ops/volumes.py) and tagged as civicloud's, then the
    full tenant, whose apply adopts it (the way `civicloud import` restores volumes)."""
    from civicloud.ops.volumes import import_volume
    from civicloud.stacks.providers.base import tenant_metadata

    doc = hybrid_doc(name)
    doc["compute"]["servers"][0]["volumes"] = []
    bare = source.with_name(f"{name}-bare.yaml")
    bare.write_text(yaml.safe_dump(doc, sort_keys=False))
    applied = cli("apply", str(bare), "--yes", state=state)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    conn = localcloud.openstack_connection()
    project = conn.identity.find_project(name)
    volume_id = import_volume(conn, project.id, disk, f"{name}-app-data", "encrypted", 1)
    conn.block_storage.set_volume_metadata(volume_id, **tenant_metadata(name))
    applied = cli("apply", str(source), "--yes", state=state)
    assert applied.returncode == 0, applied.stdout + applied.stderr


def exists(s3, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except ClientError:
        return False


@pytest.fixture(scope="module")
def deployed(local_cloud, tmp_path_factory, delete_bucket):
    """The source tenant applied with its objects in place; both tenants destroyed after."""
    root = tmp_path_factory.mktemp("export")
    name = f"ex{os.urandom(4).hex()}"
    source = root / f"{name}.yaml"
    source.write_text(yaml.safe_dump(hybrid_doc(name), sort_keys=False))
    state = root / "state"
    disk = root / "disk.raw"  # what the volume holds: random data, then zeros
    disk.write_bytes(VOLUME_DATA)
    apply_with_volume_data(source, state, name, disk)
    fr = localcloud.s3_client("local-s3-fr")
    bodies = {}
    for key, (size, content_type, metadata) in OBJECTS.items():
        bucket = f"{name}-scans" if key.startswith("scans/") else f"{name}-archives"
        bodies[(bucket, key)] = os.urandom(size)
        fr.put_object(Bucket=bucket, Key=key, Body=bodies[(bucket, key)],
                      ContentType=content_type, Metadata=metadata)
    yield {"root": root, "name": name, "file": source, "state": state, "bodies": bodies}
    de = localcloud.s3_client("local-s3-de")
    for s3, tenant in ((fr, name), (de, name), (de, f"{name}b"), (de, f"{name}d")):
        for bucket in ("archives", "scans"):
            delete_bucket(s3, f"{tenant}-{bucket}")
    for tenant in (name, f"{name}b", f"{name}d", f"{name}-copy-local-s3-fr-b"):
        done = cli("destroy", tenant, "--force", "--yes", state=state)
        assert done.returncode == 0, done.stdout + done.stderr


def test_export_then_import_on_the_other_s3_server(deployed):
    name, root, state = deployed["name"], deployed["root"], deployed["state"]
    exported = cli("export", str(deployed["file"]), "--to", str(root / "out"), state=state)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert "MB/s" in exported.stdout
    export = root / "out" / name
    assert export.stat().st_mode & 0o777 == 0o700  # the objects are in it, decrypted

    # The manifest lists every file, with the SHA-256 of what is on disk.
    manifest = json.loads((export / "manifest.json").read_text())
    on_disk = sorted(p.relative_to(export).as_posix() for p in export.rglob("*")
                     if p.is_file() and p != export / "manifest.json")
    assert sorted(f["path"] for f in manifest["files"]) == on_disk
    for f in manifest["files"]:
        assert sha256(export / f["path"]) == f["sha256"], f["path"]
        assert (export / f["path"]).stat().st_size == f["size"]
    assert (export / f"spec/{name}.yaml").read_bytes() == deployed["file"].read_bytes()
    state_doc = (export / "state.json").read_text()
    assert "[secret]" in state_doc and "automation" in state_doc
    assert f"tenant_{name}" in (export / "inventory.yml").read_text()
    archives = json.loads((export / f"buckets/{name}-archives/metadata.json").read_text())
    assert archives["settings"]["versioning"] is True
    assert archives["settings"]["tags"] == {"service": "ged"}
    records = {o["key"]: o for o in archives["objects"]}
    for (bucket, key), body in deployed["bodies"].items():
        if bucket != f"{name}-archives":
            continue
        record = records[key]
        assert (record["size"], record["sha256"]) == (len(body), hashlib.sha256(body).hexdigest())
        assert record["headers"]["ContentType"] == OBJECTS[key][1]
        assert record["metadata"] == OBJECTS[key][2]
        assert (export / f"buckets/{name}-archives/objects" / record["file"]).read_bytes() == body
    verified = cli("export", "--verify", str(export), state=state)
    assert verified.returncode == 0 and "every SHA-256 matches" in verified.stdout

    # Germany is refused for a commune's data: exit 3, nothing created on :8433.
    de = localcloud.s3_client("local-s3-de")
    refused = cli("export", str(deployed["file"]), "--to", "local-s3-de", state=state)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "CIVIC-LOC-4" in refused.stdout and f"{name}.yaml:" in refused.stdout
    assert not exists(de, f"{name}-archives") and not exists(de, f"{name}-scans")

    # --to a backend the gate allows: the buckets copied, in a stack of their own.
    copied = cli("export", str(deployed["file"]), "--to", "local-s3-fr-b", *CATALOGUES,
                 state=state)
    assert copied.returncode == 0, copied.stdout + copied.stderr
    assert f"bucket {name}-archives -> local-s3-fr-b: {len(OBJECTS) - 1} object(s) copied" \
        in copied.stdout
    for (bucket, key), body in deployed["bodies"].items():
        assert de.get_object(Bucket=bucket, Key=key)["Body"].read() == body, key
    assert de.get_bucket_versioning(Bucket=f"{name}-archives")["Status"] == "Enabled"

    # Import onto :8433, declared French by the test catalogue, under a new name.
    new = f"{name}b"
    args = ("import", str(export), "--backend", "local-s3-fr-b", "--name", new,
            "--spec-out", str(root / f"{new}.yaml"), *CATALOGUES, "--yes")
    imported = cli(*args, state=state)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert f"objects: {len(OBJECTS)} uploaded, 0 already there" in imported.stdout
    fr = localcloud.s3_client("local-s3-fr")
    for (bucket, key), body in deployed["bodies"].items():
        target = bucket.replace(name, new, 1)
        a = fr.get_object(Bucket=bucket, Key=key)
        b = de.get_object(Bucket=target, Key=key)
        assert a["Body"].read() == b["Body"].read() == body, key
        assert (a["ContentType"], a["Metadata"]) == (b["ContentType"], b["Metadata"]), key
    listed = [o["Key"] for o in de.list_objects_v2(Bucket=f"{new}-archives")["Contents"]]
    assert len(listed) == len(OBJECTS) - 1  # the scans/ object went to the scans bucket
    encryption = de.get_bucket_encryption(Bucket=f"{new}-archives")
    assert encryption["ServerSideEncryptionConfiguration"]["Rules"][0][
        "ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert de.get_bucket_versioning(Bucket=f"{new}-archives")["Status"] == "Enabled"

    # A second import converges: nothing sent again.
    again = cli(*args, state=state)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"objects: 0 uploaded, {len(OBJECTS)} already there" in again.stdout

    check_volume_data(deployed, export, manifest, new)

    # An altered export is refused before anything is touched (exit 2, the file named).
    damaged = root / "damaged" / name
    shutil.copytree(export, damaged)
    victim = damaged / f"buckets/{name}-archives/objects/vide.txt"
    victim.write_bytes(b"tampered")
    checked = cli("export", "--verify", str(damaged), state=state)
    assert checked.returncode == 2 and "vide.txt: size 8 bytes" in checked.stderr
    refused = cli("import", str(damaged), "--backend", "local-s3-fr-b", "--name", f"{name}c",
                  "--spec-out", str(root / f"{name}c.yaml"), *CATALOGUES, "--yes", state=state)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "vide.txt: size 8 bytes, manifest says 0" in refused.stderr
    assert not (root / f"{name}c.yaml").exists() and not exists(de, f"{name}c-archives")


def check_volume_data(deployed: dict, export, manifest: dict, new: str) -> None:
    """The volume's data, exported then imported, has the same SHA-256 on both sides."""
    from civicloud.ops.volumes import export_volume

    [volume] = manifest["volumes"]
    assert volume["name"] == f"{deployed['name']}-app-data"
    exported = export / volume["file"]
    with exported.open("rb") as f:
        assert f.read(len(VOLUME_DATA)) == VOLUME_DATA  # the data the source volume held
    conn = localcloud.openstack_connection()
    [target] = list(conn.block_storage.volumes(all_projects=True, name=f"{new}-app-data"))
    assert target.size == 1 and target.status == "in-use"
    again = deployed["root"] / "volume-back"
    again.mkdir(exist_ok=True)
    path, digest, _ = export_volume(conn, target.id, again, "raw", None)
    assert digest == sha256(exported) == sha256(path)


def test_export_without_volume_data_then_import_creates_the_volume_empty(deployed):
    name, root, state = deployed["name"], deployed["root"], deployed["state"]
    wrong = cli("export", str(deployed["file"]), "--to", "local-s3-fr-b", "--without-volume-data",
                *CATALOGUES, state=state)
    assert wrong.returncode == 2 and "--to DIR only" in wrong.stderr, wrong.stdout + wrong.stderr

    exported = cli("export", str(deployed["file"]), "--to", str(root / "light"),
                   "--without-volume-data", state=state)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert exported.stdout.splitlines()[-1].endswith(
        "; the data of 1 volume(s) skipped (--without-volume-data)")
    export = root / "light" / name
    manifest = json.loads((export / "manifest.json").read_text())
    assert manifest["volumes"] == [{"name": f"{name}-app-data", "size_gb": 1, "file": None,
                                    "skipped": "--without-volume-data"}]
    on_disk = sorted(p.relative_to(export).as_posix() for p in export.rglob("*")
                     if p.is_file() and p != export / "manifest.json")
    assert sorted(f["path"] for f in manifest["files"]) == on_disk
    assert not (export / "volumes").exists()  # no volume file, not even an empty folder
    assert {f"buckets/{name}-archives/metadata.json", f"buckets/{name}-scans/metadata.json",
            "state.json", "inventory.yml"} <= set(on_disk)  # everything else is there
    verified = cli("export", "--verify", str(export), state=state)
    assert verified.returncode == 0 and "every SHA-256 matches" in verified.stdout

    # The import re-creates the volume empty (the apply's own create) and says so.
    new = f"{name}d"
    imported = cli("import", str(export), "--backend", "local-s3-fr-b", "--name", new,
                   "--spec-out", str(root / f"{new}.yaml"), *CATALOGUES, "--yes", state=state)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert (f"volume {name}-app-data: {new}-app-data created empty: its data were not in the "
            "export (--without-volume-data)") in imported.stdout
    assert f"objects: {len(OBJECTS)} uploaded, 0 already there" in imported.stdout
    conn = localcloud.openstack_connection()
    [source] = list(conn.block_storage.volumes(all_projects=True, name=f"{name}-app-data"))
    [target] = list(conn.block_storage.volumes(all_projects=True, name=f"{new}-app-data"))
    assert target.size == 1 and target.status == "in-use"
    # The source volume was made from an image of its data; the new one from nothing.
    assert source.volume_image_metadata and not target.volume_image_metadata
