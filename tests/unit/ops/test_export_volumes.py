"""--without-volume-data: the manifest's volume entries without data, and what an import of
such an export says and does about them (pure parts; the real run is in
tests/integration/test_export_import.py)."""

from __future__ import annotations

from civicloud.ops.export import (
    SKIPPED_DATA,
    DeployedVolume,
    ExportResult,
    export_volumes,
)
from civicloud.ops.export_import import exported_volumes, pending_volumes, volumes_without_data
from civicloud.ops.export_progress import Transfer

VOLUMES = [DeployedVolume("vence-app-data", "id-1", "local", 20),
           DeployedVolume("vence-db-pg", "id-2", "local", 10)]


def test_without_volume_data_lists_each_volume_with_no_file(tmp_path):
    result, known = ExportResult(tmp_path, 0, 0), {}
    entries = export_volumes(VOLUMES, tmp_path, Transfer(), result, known, with_data=False)
    assert entries == [
        {"name": "vence-app-data", "size_gb": 20, "file": None, "skipped": "--without-volume-data"},
        {"name": "vence-db-pg", "size_gb": 10, "file": None, "skipped": "--without-volume-data"},
    ]
    assert SKIPPED_DATA == "--without-volume-data"
    assert result.skipped_volumes == 2
    assert result.volumes["vence-app-data"] == "data not exported (--without-volume-data)"
    assert known == {} and not (tmp_path / "volumes").exists()  # nothing downloaded


MANIFEST = {
    "tenant": "vence",
    "volumes": [
        {"name": "vence-app-data", "size_gb": 20, "file": None, "skipped": SKIPPED_DATA},
        {"name": "vence-db-pg", "size_gb": 10, "file": "volumes/vence-db-pg.raw",
         "format": "raw"},
    ],
}


def test_an_import_restores_only_the_volumes_whose_data_are_exported():
    assert [v["name"] for v in exported_volumes(MANIFEST)] == ["vence-db-pg"]
    assert pending_volumes(MANIFEST, "vence2", None) == {"db-pg"}  # app-data: the apply's


def test_an_import_says_which_volumes_are_created_empty_under_their_new_name():
    assert volumes_without_data(MANIFEST, "vence2") == {
        "vence-app-data": "vence2-app-data created empty: its data were not in the export "
                          "(--without-volume-data)",
    }
    assert volumes_without_data({"tenant": "vence", "volumes": []}, "vence") == {}
