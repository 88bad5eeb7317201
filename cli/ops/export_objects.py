"""A bucket's objects to files and back, with their metadata, at transfer-manager speed.

Small objects go in one request each (GET gives body and metadata at once; a HEAD first would
double the calls); large ones through boto3's transfer manager (ranged GETs and multipart PUTs
in parallel). Objects are moved by a pool of threads; every byte read or written is hashed on
the way (SHA-256 for the manifest, MD5 for the ETag S3 will compute), so nothing is read twice.

Only the current version of each object is exported (noncurrent versions and delete markers
are not): an export is the bucket's content as it is now.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

MiB = 1024 * 1024
PART = 8 * MiB  # multipart threshold and part size, for downloads and uploads alike
TRANSFER = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART,
                          max_concurrency=4, use_threads=True)
WORKERS = 8
ENCODED_DIR = "_encoded"  # keys that cannot be file paths live here, named by their hash
# Headers that belong to the object (not to a request) and that an import must restore.
HEADERS = ("ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage",
           "CacheControl")

OnBytes = Callable[[int], None]


def _ignore(_: int) -> None:
    pass


@dataclass
class ObjectRecord:
    """One object as exported: where its bytes are, and everything needed to put it back."""

    key: str
    file: str  # relative to the bucket's objects/ directory
    size: int
    sha256: str
    etag: str
    headers: dict[str, str] = field(default_factory=dict)  # ContentType, CacheControl...
    metadata: dict[str, str] = field(default_factory=dict)  # user metadata (x-amz-meta-*)
    last_modified: str | None = None

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> ObjectRecord:
        return cls(**{k: doc[k] for k in cls.__dataclass_fields__ if k in doc})


def _safe_segments(key: str) -> bool:
    parts = key.split("/")
    return (bool(key) and all(p not in ("", ".", "..") for p in parts)
            and all(len(p.encode()) <= 255 for p in parts) and "\\" not in key
            and "\0" not in key and parts[0] != ENCODED_DIR)


def object_files(keys: Iterable[str]) -> dict[str, str]:
    """Key -> relative file path. A key is its own path when it can be one; keys that cannot
    (`a/` folder markers, `..`, empty segments, over-long names, a key that is also another
    key's folder: `a` beside `a/b`) go under `_encoded/<sha256 of the key>`. metadata.json
    keeps every key, so nothing is lost either way."""
    keys = list(keys)
    folders = {"/".join(k.split("/")[:i]) for k in keys for i in range(1, k.count("/") + 1)}
    files = {}
    for key in keys:
        if _safe_segments(key) and key not in folders:
            files[key] = key
        else:
            files[key] = f"{ENCODED_DIR}/{hashlib.sha256(key.encode()).hexdigest()}"
    return files


@dataclass
class Hashes:
    """SHA-256 and the S3 ETag of a stream, fed in any chunk sizes."""

    sha: Any = field(default_factory=hashlib.sha256)
    part: Any = field(default_factory=hashlib.md5)
    parts: list[bytes] = field(default_factory=list)
    filled: int = 0
    size: int = 0
    with_etag: bool = True  # False: SHA-256 only (a download, whose ETag the server gave)

    def update(self, data: bytes) -> None:
        self.sha.update(data)
        self.size += len(data)
        if not self.with_etag:
            return
        view = memoryview(data)
        while view:
            take = min(len(view), PART - self.filled)
            self.part.update(view[:take])
            self.filled += take
            view = view[take:]
            if self.filled == PART:
                self.parts.append(self.part.digest())
                self.part, self.filled = hashlib.md5(), 0

    def etag(self) -> str:
        """The ETag S3 gives this body uploaded by `upload_file` with TRANSFER: the MD5 of
        the body for one PUT (below the threshold), else the MD5 of the parts' MD5s + count."""
        if self.size < PART:
            return self.part.hexdigest()
        parts = self.parts + ([self.part.digest()] if self.filled else [])
        return f"{hashlib.md5(b''.join(parts)).hexdigest()}-{len(parts)}"


def hash_file(path: Path, with_etag: bool = True) -> Hashes:
    hashes = Hashes(with_etag=with_etag)
    with path.open("rb") as f:
        while chunk := f.read(MiB):
            hashes.update(chunk)
    return hashes


def sse_c_args(key: bytes | None) -> dict[str, Any]:
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key} if key else {}


def list_objects(s3: Any, bucket: str) -> list[dict[str, Any]]:
    """The bucket's current objects (Key, Size, ETag), every page."""
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found += page.get("Contents", [])
    return found


def _record(key: str, file: str, head: dict[str, Any], hashes: Hashes) -> ObjectRecord:
    modified = head.get("LastModified")
    return ObjectRecord(
        key=key, file=file, size=hashes.size, sha256=hashes.sha.hexdigest(),
        etag=str(head.get("ETag", "")).strip('"'),
        headers={h: head[h] for h in HEADERS if head.get(h)},
        metadata=dict(head.get("Metadata") or {}),
        last_modified=modified.isoformat() if modified is not None else None,
    )


def download_object(s3: Any, bucket: str, key: str, size: int, dest: Path, file: str,
                    on_bytes: OnBytes = _ignore, sse_c_key: bytes | None = None) -> ObjectRecord:
    """One object to `dest`; its record with the SHA-256 of what was written."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    extra = sse_c_args(sse_c_key)
    if size > PART:
        head = s3.head_object(Bucket=bucket, Key=key, **extra)
        s3.download_file(bucket, key, str(dest), ExtraArgs=extra or None, Config=TRANSFER,
                         Callback=on_bytes)
        return _record(key, file, head, hash_file(dest, with_etag=False))
    response = s3.get_object(Bucket=bucket, Key=key, **extra)
    hashes = Hashes(with_etag=False)
    with dest.open("wb") as f:
        for chunk in response["Body"].iter_chunks(MiB):
            f.write(chunk)
            hashes.update(chunk)
            on_bytes(len(chunk))
    return _record(key, file, response, hashes)


def export_objects(s3: Any, bucket: str, objects_dir: Path, on_bytes: OnBytes = _ignore,
                   sse_c_key: bytes | None = None,
                   listing: list[dict[str, Any]] | None = None) -> list[ObjectRecord]:
    """Every current object of `bucket` under `objects_dir`, WORKERS at a time."""
    listing = list_objects(s3, bucket) if listing is None else listing
    files = object_files(o["Key"] for o in listing)

    def one(obj: dict[str, Any]) -> ObjectRecord:
        file = files[obj["Key"]]
        return download_object(s3, bucket, obj["Key"], obj["Size"], objects_dir / file, file,
                               on_bytes, sse_c_key)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, listing))


def _head(s3: Any, bucket: str, key: str, extra: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return s3.head_object(Bucket=bucket, Key=key, **extra)
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            return None
        raise


def same_object(head: dict[str, Any] | None, record: ObjectRecord, etag: str) -> bool:
    """Whether the target already holds this object: same size, ETag, headers, metadata."""
    if head is None:
        return False
    return (head.get("ContentLength") == record.size
            and str(head.get("ETag", "")).strip('"') == etag
            and dict(head.get("Metadata") or {}) == record.metadata
            and all(head.get(h) == v for h, v in record.headers.items()))


@dataclass
class UploadCounts:
    uploaded: int = 0
    skipped: int = 0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, uploaded: bool, size: int) -> None:
        with self.lock:
            if uploaded:
                self.uploaded += 1
                self.bytes += size
            else:
                self.skipped += 1


def upload_objects(s3: Any, bucket: str, objects_dir: Path, records: list[ObjectRecord],
                   on_bytes: OnBytes = _ignore, sse_c_key: bytes | None = None,
                   on_skip: OnBytes = _ignore) -> UploadCounts:
    """Each record's file into `bucket` with its headers and metadata, WORKERS at a time.
    An object already there with the same bytes (size + ETag) and metadata is skipped, so a
    second run sends nothing. Raises ValueError if a file no longer has the recorded SHA-256."""
    counts = UploadCounts()
    extra = sse_c_args(sse_c_key)

    def one(record: ObjectRecord) -> None:
        path = objects_dir / record.file
        hashes = hash_file(path)
        if hashes.sha.hexdigest() != record.sha256:
            raise ValueError(f"{path}: SHA-256 differs from metadata.json (object "
                             f"{record.key!r}): the export was altered")
        if same_object(_head(s3, bucket, record.key, extra), record, hashes.etag()):
            on_skip(record.size)
            counts.add(False, record.size)
            return
        args = {**record.headers, **extra}
        if record.metadata:
            args["Metadata"] = record.metadata
        s3.upload_file(str(path), bucket, record.key, ExtraArgs=args or None, Config=TRANSFER,
                       Callback=on_bytes)
        counts.add(True, record.size)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(one, records))
    return counts


def records_to_json(records: list[ObjectRecord]) -> list[dict[str, Any]]:
    return [asdict(r) for r in sorted(records, key=lambda r: r.key)]
