"""Benchmark: `civicloud export`'s object download vs a plain boto3 copy, on the real local S3.

One bucket of mixed sizes (default 200 objects, ~100 MB: many small files, some of a few MB,
a few over the 8 MiB multipart threshold) is put on the local S3 server (local-s3-fr), then
downloaded, three times each (median), alternating:
  - civicloud: civicloud.ops.export_objects.export_objects, what `civicloud export` runs for
    each bucket (a pool of threads, one GET per small object with its metadata, the transfer
    manager's parallel ranged GETs for large ones, SHA-256 computed on the way);
  - baseline, run beside it: `s3.download_file` for every listed object, one after the other
    (what a hand-written boto3 script does), no hashing.
Both write every object to a fresh directory; the bytes written are checked to be equal.

    .venv/bin/python bench/export_bench.py [--objects 200] [--mb 100]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MiB = 1024 * 1024


def sizes(count: int, total_mb: float, seed: int = 7) -> list[int]:
    """Mixed sizes adding up to about `total_mb`: 75% small, 20% medium, 5% large (> 8 MiB)."""
    rng = random.Random(seed)
    large = max(1, count // 20)
    medium = count // 5
    small = count - large - medium
    raw = ([rng.randint(4_000, 200_000) for _ in range(small)]
           + [rng.randint(MiB // 2, 3 * MiB) for _ in range(medium)]
           + [rng.randint(9 * MiB, 12 * MiB) for _ in range(large)])
    fixed = sum(raw[small + medium:])  # large objects keep their size (multipart)
    scale = max(0.05, (total_mb * MiB - fixed) / max(1, sum(raw[:small + medium])))
    return [int(s * scale) for s in raw[:small + medium]] + raw[small + medium:]


def fill(s3, bucket: str, object_sizes: list[int]) -> int:
    s3.create_bucket(Bucket=bucket)
    block = random.Random(1).randbytes(13 * MiB)  # every slice below is full length

    def put(i: int) -> None:
        body = block[i:i + object_sizes[i]]
        s3.put_object(Bucket=bucket, Key=f"dossier-{i % 7}/piece-{i:04d}.bin", Body=body,
                      ContentType="application/octet-stream", Metadata={"n": str(i)})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(len(object_sizes))))
    return sum(object_sizes)


def civicloud_export(s3, bucket: str, dest: Path) -> None:
    from civicloud.ops.export_objects import export_objects

    export_objects(s3, bucket, dest)


def boto3_baseline(s3, bucket: str, dest: Path) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            path = dest / obj["Key"]
            path.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, obj["Key"], str(path))


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def timed(run: Callable[[Path], None], scratch: Path, label: str) -> tuple[float, str]:
    dest = scratch / f"{label}-{uuid.uuid4().hex[:6]}"
    dest.mkdir()
    start = time.perf_counter()
    run(dest)
    seconds = time.perf_counter() - start
    content = digest(dest)
    shutil.rmtree(dest)
    return seconds, content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--mb", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import civicloud.localcloud as localcloud

    s3 = localcloud.s3_client("local-s3-fr")
    bucket = f"bench-export-{uuid.uuid4().hex[:8]}"
    object_sizes = sizes(args.objects, args.mb)
    total = fill(s3, bucket, object_sizes)
    print(f"bucket {bucket}: {len(object_sizes)} objects, {total / 1e6:.1f} MB "
          f"({sum(1 for s in object_sizes if s > 8 * MiB)} over the 8 MiB multipart threshold)")
    ours, base, contents = [], [], set()
    try:
        with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
            scratch = Path(tmp)
            timed(lambda d: civicloud_export(s3, bucket, d), scratch, "warmup")
            for _ in range(args.runs):
                seconds, content = timed(lambda d: civicloud_export(s3, bucket, d), scratch,
                                         "civicloud")
                ours.append(seconds)
                contents.add(content)
                seconds, content = timed(lambda d: boto3_baseline(s3, bucket, d), scratch,
                                         "boto3")
                base.append(seconds)
                contents.add(content)
    finally:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
        s3.delete_bucket(Bucket=bucket)
    assert len(contents) == 1, "the two downloads wrote different bytes"
    mb = total / 1e6
    ours_s, base_s = statistics.median(ours), statistics.median(base)
    print(f"{'':<34} {'median s':>9} {'MB/s':>8}")
    print(f"{'civicloud export (objects)':<34} {ours_s:>9.2f} {mb / ours_s:>8.1f}")
    print(f"{'boto3 download_file, sequential':<34} {base_s:>9.2f} {mb / base_s:>8.1f}")
    print(f"ratio: civicloud export is {base_s / ours_s:.1f}x the plain boto3 copy's throughput "
          f"(same bytes written, checked)")


if __name__ == "__main__":
    main()
