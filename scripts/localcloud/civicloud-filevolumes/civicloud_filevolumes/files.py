"""Sparse files standing for block devices: create, copy (holes stay holes), grow.

Pure standard library, so the copy logic is the same wherever it runs.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

GIB = 1024**3
CHUNK = 4 * 1024**2


def create(path: Path, size_gb: int) -> None:
    """A file of `size_gb` GiB that uses no disk until written (a fresh disk reads zeros)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.truncate(size_gb * GIB)


def ensure(path: Path, size_gb: int) -> None:
    """The file of a volume made before volumes had files (it never held data: zeros)."""
    if not path.exists():
        create(path, size_gb)


def grow(path: Path, size_gb: int) -> None:
    """Extends the file to `size_gb` GiB; never shrinks (Cinder never shrinks a volume)."""
    if path.stat().st_size < size_gb * GIB:
        os.truncate(path, size_gb * GIB)


def copy(source: Path, target: Path, size_gb: int | None = None) -> None:
    """Copies the data extents of `source` into a new `target` (via a temporary file, so a
    failed copy leaves no half-written volume), then grows it to `size_gb` GiB if given."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    size = source.stat().st_size
    with open(source, "rb") as src, open(partial, "wb") as dst:
        for start, end in _extents(src.fileno(), size):
            src.seek(start)
            dst.seek(start)
            left = end - start
            while left:
                block = src.read(min(CHUNK, left))
                if not block:
                    break
                dst.write(block)
                left -= len(block)
        dst.truncate(size)
    os.replace(partial, target)
    if size_gb is not None:
        grow(target, size_gb)


def _extents(fd: int, size: int) -> list[tuple[int, int]]:
    """(start, end) of the data regions of a file; the whole file where holes are unknown."""
    extents, offset = [], 0
    while offset < size:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError as error:
            if error.errno == errno.ENXIO:  # only a hole remains
                break
            return [(0, size)]  # this file system does not report holes
        end = os.lseek(fd, start, os.SEEK_HOLE)
        extents.append((start, end))
        offset = end
    return extents


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
