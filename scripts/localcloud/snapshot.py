"""A snapshot of the freshly set-up OpenStack: databases, Keystone keys, the image, nova-compute's
node identity and the setup markers. `up` after `down --wipe` restores it in seconds instead of
migrating and registering again (about a minute on 2 cores).

It is valid only for the same installed versions and passwords: a fingerprint of both is kept
beside it, and a snapshot whose fingerprint differs is ignored (then rewritten).
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import tarfile

from civicloud.localcloud.configs import DATABASES
from civicloud.localcloud.errors import LocalCloudError
from civicloud.localcloud.infra import mysql
from civicloud.localcloud.install import STAMP
from civicloud.localcloud.layout import Layout

# under data/: what the databases refer to and must find again
FILES = ["keystone", "glance", "nova/compute_id"]
MARKERS = ".*"  # .migrated-*, .registered, .resources, .discovered-hosts


def _fingerprint(layout: Layout) -> str:
    digest = hashlib.sha256((layout.os_venv / STAMP).read_bytes())
    digest.update(layout.secrets_file.read_bytes())
    return digest.hexdigest()


def valid(layout: Layout) -> bool:
    stamp = layout.snapshot / "fingerprint"
    return stamp.exists() and stamp.read_text() == _fingerprint(layout)


def save(layout: Layout) -> None:
    """Dumps the databases and archives the files (while the services run: consistent dumps)."""
    layout.snapshot.mkdir(parents=True, exist_ok=True)
    (layout.snapshot / "fingerprint").unlink(missing_ok=True)  # invalid until complete
    dump = subprocess.run(
        ["mysqldump", "--no-defaults", "-uroot", f"--socket={layout.run / 'mysqld.sock'}",
         "--single-transaction", "--databases", *DATABASES],
        capture_output=True,
        check=False,
    )  # fmt: skip
    if dump.returncode != 0:
        raise LocalCloudError("snapshot", dump.stderr.decode(errors="replace").strip())
    databases, files = layout.snapshot / "databases.sql.gz", layout.snapshot / "files.tar.gz"
    with gzip.open(databases, "wb") as handle:
        handle.write(dump.stdout)
    with tarfile.open(files, "w:gz") as archive:
        for name in [*FILES, *(p.name for p in layout.data.glob(MARKERS))]:
            if (layout.data / name).exists():
                archive.add(layout.data / name, arcname=name)
    for path in (databases, files):  # password hashes and Keystone keys: owner only
        path.chmod(0o600)
    (layout.snapshot / "fingerprint").write_text(_fingerprint(layout))


def restore(layout: Layout) -> None:
    """Loads the databases and files into an empty data directory."""
    with gzip.open(layout.snapshot / "databases.sql.gz", "rt", encoding="utf-8") as handle:
        mysql(layout, handle.read())
    with tarfile.open(layout.snapshot / "files.tar.gz", "r:gz") as archive:
        archive.extractall(layout.data, filter="data")
