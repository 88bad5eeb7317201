"""Where the local cloud keeps everything: `$CIVICLOUD_LOCAL_DIR`, default `<repo>/.local-cloud`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# scripts/localcloud/ -> the repository root is two levels up (editable install or checkout)
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent.parent

# Region and cloud names the catalogue (catalogue/local.yaml) refers to: keep them stable.
REGION = "fr-local-1"
CLOUD_NAME = "civicloud-local"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Layout:
    """Every path the local cloud uses, all under `root`."""

    root: Path

    @property
    def os_venv(self) -> Path:
        return self.root / "venv-openstack"

    @property
    def s3_venv(self) -> Path:
        return self.root / "venv-s3"

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pids(self) -> Path:
        return self.root / "pids"

    @property
    def run(self) -> Path:
        """Sockets and other runtime files (short path: unix sockets are limited to 108 bytes)."""
        return self.root / "run"

    @property
    def snapshot(self) -> Path:
        return self.root / "snapshot"

    @property
    def secrets_file(self) -> Path:
        return self.root / "secrets.json"

    @property
    def clouds_yaml(self) -> Path:
        return self.root / "clouds.yaml"

    @property
    def s3_credentials(self) -> Path:
        return self.root / "s3-credentials"

    @property
    def s3_config(self) -> Path:
        """AWS CLI config: region label, endpoint and path-style addressing per profile."""
        return self.root / "s3-config"

    def bin(self, name: str) -> Path:
        """A console script of the OpenStack virtualenv."""
        return self.os_venv / "bin" / name

    def log(self, service: str) -> Path:
        return self.logs / f"{service}.log"

    def pidfile(self, service: str) -> Path:
        return self.pids / f"{service}.pid"

    def make_dirs(self) -> None:
        for path in (self.root, self.etc, self.data, self.logs, self.pids, self.run):
            path.mkdir(parents=True, exist_ok=True)


def layout() -> Layout:
    root = os.environ.get("CIVICLOUD_LOCAL_DIR") or REPO_ROOT / ".local-cloud"
    return Layout(Path(root).resolve())
