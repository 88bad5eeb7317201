"""The export manifest: every file hashed, and every kind of damage named by verify."""

from __future__ import annotations

import hashlib
import json

import pytest

from civicloud.ops import manifest as mf


@pytest.fixture
def export(tmp_path):
    root = tmp_path / "vence"
    (root / "buckets/vence-docs/objects/a").mkdir(parents=True)
    (root / "buckets/vence-docs/objects/a/b.txt").write_bytes(b"hello")
    (root / "state.json").write_text("{}")
    mf.write(root, mf.build(root, {"tenant": "vence"}))
    return root


def test_build_lists_every_file_with_size_and_sha256(export):
    doc = json.loads((export / "manifest.json").read_text())
    assert doc["format"] == mf.FORMAT and doc["tenant"] == "vence" and doc["created"]
    assert doc["files"] == [
        {"path": "buckets/vence-docs/objects/a/b.txt", "size": 5,
         "sha256": hashlib.sha256(b"hello").hexdigest()},
        {"path": "state.json", "size": 2, "sha256": hashlib.sha256(b"{}").hexdigest()},
    ]
    assert doc["total_bytes"] == 7
    assert mf.verify(export)["files"] == doc["files"]


def test_known_hashes_are_taken_as_given(tmp_path):
    (tmp_path / "x").write_bytes(b"data")
    doc = mf.build(tmp_path, {}, known={"x": "f" * 64})
    assert doc["files"][0]["sha256"] == "f" * 64  # no second read of a downloaded file


def test_a_file_in_a_folder_named_manifest_is_not_skipped(tmp_path):
    (tmp_path / "objects").mkdir()
    (tmp_path / "objects/manifest.json").write_text("an object")
    assert [f["path"] for f in mf.build(tmp_path, {})["files"]] == ["objects/manifest.json"]


@pytest.mark.parametrize("damage, expected", [
    (lambda r: (r / "state.json").write_text("[]"), "state.json: SHA-256 differs"),
    (lambda r: (r / "state.json").write_text("{}\n"), "state.json: size 3 bytes, manifest says 2"),
    (lambda r: (r / "state.json").unlink(), "state.json: missing"),
    (lambda r: (r / "extra.bin").write_bytes(b"1"), "extra.bin: not in the manifest"),
])
def test_verify_names_each_damaged_file(export, damage, expected):
    damage(export)
    with pytest.raises(mf.ManifestError) as err:
        mf.verify(export)
    assert expected in str(err.value) and "1 problem(s)" in str(err.value)


def test_a_path_leaving_the_directory_is_refused(export):
    doc = mf.read(export)
    doc["files"].append({"path": "../outside", "size": 0, "sha256": "0"})
    assert "../outside: path leaves the export directory" in mf.problems(export, doc)


@pytest.mark.parametrize("text, expected", [
    (None, "no manifest"),
    ("{", "not valid JSON"),
    ('{"format": "other"}', "format: expected 'civicloud-export/v1', got 'other'"),
    ('{"format": "civicloud-export/v1", "files": [{"path": "a"}]}', "files: expected a list"),
])
def test_unreadable_manifests_are_clear_errors(tmp_path, text, expected):
    if text is not None:
        (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(mf.ManifestError, match=r"manifest|format|files|JSON") as err:
        mf.read(tmp_path)
    assert expected in str(err.value)
