"""The manifest of an export directory: every file with its size and SHA-256, in JSON.

Pure logic (files in, problems out): `build` hashes what is on disk, `verify` re-hashes it and
names each file that is missing, added, truncated or altered, so an export can be checked by
anyone with `sha256sum` and a JSON reader, with or without civicloud.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = "civicloud-export/v1"
CHUNK = 1024 * 1024


class ManifestError(ValueError):
    """The export directory cannot be trusted; the message names the file(s)."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the export directory, with forward slashes
    size: int
    sha256: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def entry(root: Path, path: Path, sha256: str | None = None) -> FileEntry:
    """The entry of one file; `sha256` when the caller already hashed it while writing."""
    return FileEntry(path.relative_to(root).as_posix(), path.stat().st_size,
                     sha256 or sha256_file(path))


def files_under(root: Path) -> list[Path]:
    """Every regular file of the export but the manifest itself, in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p != root / MANIFEST)


def build(root: Path, info: dict[str, Any], known: dict[str, str] | None = None) -> dict[str, Any]:
    """The manifest document of `root`. `known` maps relative paths to SHA-256 computed while
    downloading (those files are not read twice); every other file is hashed here."""
    known = known or {}
    entries = []
    for path in files_under(root):
        rel = path.relative_to(root).as_posix()
        entries.append(entry(root, path, known.get(rel)))
    return {
        "format": FORMAT,
        **info,
        "created": info.get("created") or datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in entries],
        "total_bytes": sum(e.size for e in entries),
    }


def write(root: Path, manifest: dict[str, Any]) -> Path:
    path = root / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path}: no manifest: not a civicloud export directory") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ManifestError(f"{path}: format: expected {FORMAT!r}, got {found!r}")
    files = doc.get("files")
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and {"path", "size", "sha256"} <= f.keys() for f in files):
        raise ManifestError(f"{path}: files: expected a list of {{path, size, sha256}}")
    return doc


def problems(root: Path, manifest: dict[str, Any]) -> list[str]:
    """Every difference between the manifest and the files on disk (empty: intact)."""
    found: list[str] = []
    listed = set()
    for item in manifest["files"]:
        rel = item["path"]
        listed.add(rel)
        path = root / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            found.append(f"{rel}: path leaves the export directory")
        elif not path.is_file():
            found.append(f"{rel}: missing")
        elif path.stat().st_size != item["size"]:
            found.append(f"{rel}: size {path.stat().st_size} bytes, manifest says {item['size']}")
        elif sha256_file(path) != item["sha256"]:
            found.append(f"{rel}: SHA-256 differs from the manifest (file altered or corrupted)")
    for path in files_under(root):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            found.append(f"{rel}: not in the manifest (added after the export)")
    return found


def verify(root: Path) -> dict[str, Any]:
    """The manifest, once every file matched it; ManifestError naming each mismatch otherwise."""
    manifest = read(root)
    found = problems(root, manifest)
    if found:
        listing = "\n".join(f"  {root / p}" for p in found)
        raise ManifestError(f"{root}: the export does not match its manifest "
                            f"({len(found)} problem(s)):\n{listing}")
    return manifest
