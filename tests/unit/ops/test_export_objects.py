"""Pure parts of export/import: key -> file mapping, the ETag S3 will compute, spec and policy
input re-targeting, SSE-C key references."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest

from civicloud.ops.export import ExportError
from civicloud.ops.export_copy import retarget_input
from civicloud.ops.export_import import retarget_spec, without_volumes
from civicloud.ops.export_keys import KeyRefError, sse_c_key
from civicloud.ops.export_objects import PART, Hashes, ObjectRecord, object_files, same_object


def encoded(key: str) -> str:
    return "_encoded/" + hashlib.sha256(key.encode()).hexdigest()


def test_plain_keys_are_their_own_paths_others_are_encoded():
    keys = ["docs/a.txt", "docs", "folder/", "../etc/passwd", "a//b", "x/./y", "_encoded/z",
            "n" * 256, "ok/é ü.pdf"]
    files = object_files(keys)
    assert files["docs/a.txt"] == "docs/a.txt"
    assert files["ok/é ü.pdf"] == "ok/é ü.pdf"
    for key in keys[1:-1]:  # a folder of another key, a marker, traversal, empty or dot
        assert files[key] == encoded(key), key  # segments, the reserved folder, too long
    assert len(set(files.values())) == len(keys)


def test_etag_matches_what_s3_computes_for_one_put_and_for_parts():
    small = os.urandom(1000)
    h = Hashes()
    h.update(small[:10])
    h.update(small[10:])
    assert h.etag() == hashlib.md5(small).hexdigest() and h.size == 1000
    big = os.urandom(2 * PART + 5)
    h = Hashes()
    for i in range(0, len(big), 300_000):  # chunk sizes unrelated to the part size
        h.update(big[i:i + 300_000])
    parts = [hashlib.md5(big[i:i + PART]).digest() for i in range(0, len(big), PART)]
    assert h.etag() == hashlib.md5(b"".join(parts)).hexdigest() + "-3"
    assert h.sha.hexdigest() == hashlib.sha256(big).hexdigest()
    exact = Hashes()
    exact.update(b"x" * PART)  # at the threshold boto3 uploads one part
    assert exact.etag() == hashlib.md5(hashlib.md5(b"x" * PART).digest()).hexdigest() + "-1"
    assert Hashes().etag() == hashlib.md5(b"").hexdigest()


def test_same_object_needs_size_etag_headers_and_metadata():
    record = ObjectRecord("k", "k", 3, "s", "e", {"ContentType": "text/plain"}, {"a": "1"})
    head = {"ContentLength": 3, "ETag": '"abc"', "ContentType": "text/plain",
            "Metadata": {"a": "1"}}
    assert same_object(head, record, "abc")
    assert not same_object(None, record, "abc")
    assert not same_object(head, record, "abd")
    assert not same_object({**head, "Metadata": {}}, record, "abc")
    assert not same_object({**head, "ContentType": "text/html"}, record, "abc")


SPEC = """\
metadata:
  name: antibes   # the commune
compute:
  backend: local-openstack
storage:
  backend: 'local-s3-fr'  # another provider
  buckets: []
"""


def test_retarget_spec_changes_only_the_named_values():
    text = retarget_spec(SPEC, "local-s3-fr-b", "other-os", "antibes2")
    assert text == SPEC.replace("name: antibes ", "name: antibes2 ").replace(
        "'local-s3-fr'", "'local-s3-fr-b'").replace("local-openstack", "other-os")
    assert retarget_spec(SPEC, "x") == SPEC.replace("'local-s3-fr'", "'x'")
    with pytest.raises(ExportError, match=r"no storage\.backend"):
        retarget_spec("metadata: {name: a}\n", "x")


class _Backend:
    def __init__(self, kind: str, country: str) -> None:
        self.kind, self.country = kind, country

    def model_dump(self, mode: str) -> dict:
        return {"kind": self.kind, "country": self.country}


def test_retarget_input_swaps_the_storage_backend_only():
    tenant = {"metadata": {"name": "t"}, "compute": {"backend": "os"},
              "storage": {"backend": "s3a", "buckets": []}}
    policy_input = {"tenant": tenant, "backends": {"os": {}, "s3a": {}}, "members": [tenant]}
    backends = {"s3b": _Backend("s3", "DE"), "os": _Backend("openstack", "FR")}
    moved = retarget_input(policy_input, backends, "s3b")
    assert moved["tenant"]["storage"]["backend"] == "s3b"
    assert set(moved["backends"]) == {"os", "s3b"}
    assert moved["backends"]["s3b"]["country"] == "DE"
    assert moved["members"][0]["storage"]["backend"] == "s3b"
    assert policy_input["tenant"]["storage"]["backend"] == "s3a"  # the original is untouched
    with pytest.raises(ExportError, match="no such backend"):
        retarget_input(policy_input, backends, "nope")
    with pytest.raises(ExportError, match="an S3 backend is needed"):
        retarget_input(policy_input, backends, "os")


def test_without_volumes_leaves_out_only_the_named_ones():
    tenant = {"compute": {"servers": [{"name": "web", "volumes": [{"name": "a"}, {"name": "b"}]},
                                      {"name": "db"}]}}
    stripped = without_volumes(tenant, {"web-a"})
    assert stripped["compute"]["servers"][0]["volumes"] == [{"name": "b"}]
    assert len(tenant["compute"]["servers"][0]["volumes"]) == 2


def test_sse_c_key_from_env_or_file(tmp_path, monkeypatch):
    key = os.urandom(32)
    monkeypatch.setenv("EXPORT_TEST_KEY", base64.b64encode(key).decode())
    assert sse_c_key("env:EXPORT_TEST_KEY") == key
    (tmp_path / "raw").write_bytes(key)
    assert sse_c_key(f"file:{tmp_path / 'raw'}") == key
    monkeypatch.setenv("EXPORT_TEST_KEY", "c2hvcnQ=")
    with pytest.raises(KeyRefError) as err:
        sse_c_key("env:EXPORT_TEST_KEY")
    assert "32-byte" in str(err.value) and "c2hvcnQ" not in str(err.value)
    with pytest.raises(KeyRefError, match="is not set"):
        sse_c_key("env:EXPORT_TEST_UNSET")
    with pytest.raises(KeyRefError, match="only env: and file:"):
        sse_c_key("vault:secret/x")
