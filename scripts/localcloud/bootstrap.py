"""First-time setup of OpenStack: database migrations, then the Keystone catalogue and the shared
resources (flavors, public network, image, encrypted volume type). Each step is idempotent and
leaves a marker, so later `up` runs skip what is done.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from civicloud.localcloud.commands import run
from civicloud.localcloud.configs import (
    KEYSTONE_URL,
    PORTS,
    SERVICE_PROJECT,
    SERVICE_USERS,
)
from civicloud.localcloud.credentials import Credentials
from civicloud.localcloud.layout import HOST, REGION, Layout


def _migrate_keystone(layout: Layout, creds: Credentials) -> None:
    manage = [
        str(layout.bin("keystone-manage")),
        "--config-file",
        str(layout.etc / "keystone" / "keystone.conf"),
    ]
    log = layout.log("keystone")
    run("keystone", [*manage, "db_sync"], log)
    for repo in ("fernet_setup", "credential_setup"):
        run("keystone", [*manage, repo, "--keystone-user", "root", "--keystone-group", "root"], log)
    url = f"{KEYSTONE_URL}/v3/"
    run(
        "keystone",
        [*manage, "bootstrap", "--bootstrap-username", "admin", "--bootstrap-project-name", "admin",
         "--bootstrap-role-name", "admin", "--bootstrap-region-id", REGION,
         "--bootstrap-admin-url", url, "--bootstrap-internal-url", url,
         "--bootstrap-public-url", url],
        log,
        env={"OS_BOOTSTRAP_PASSWORD": creds.admin_password},  # not on the command line
    )  # fmt: skip


def _migrate_placement(layout: Layout, creds: Credentials) -> None:
    conf = layout.etc / "placement" / "placement.conf"
    run(
        "placement",
        [layout.bin("placement-manage"), "--config-file", conf, "db", "sync"],
        layout.log("placement"),
    )


def _migrate_neutron(layout: Layout, creds: Credentials) -> None:
    etc = layout.etc / "neutron"
    run(
        "neutron-api",
        [layout.bin("neutron-db-manage"), "--config-file", etc / "neutron.conf",
         "--config-file", etc / "plugins" / "ml2" / "ml2_conf.ini", "upgrade", "heads"],
        layout.log("neutron-api"),
    )  # fmt: skip


def _migrate_glance(layout: Layout, creds: Credentials) -> None:
    conf = layout.etc / "glance" / "glance-api.conf"
    run(
        "glance-api",
        [layout.bin("glance-manage"), "--config-file", conf, "db_sync"],
        layout.log("glance-api"),
    )


def _migrate_nova(layout: Layout, creds: Credentials) -> None:
    manage = [layout.bin("nova-manage"), "--config-file", layout.etc / "nova" / "nova.conf"]
    log = layout.log("nova-api")
    run("nova-api", [*manage, "api_db", "sync"], log)
    # cell0's database URL is derived from [database] connection (nova -> nova_cell0)
    run("nova-api", [*manage, "cell_v2", "map_cell0"], log)
    if "cell1" not in run("nova-api", [*manage, "cell_v2", "list_cells"], log):
        run("nova-api", [*manage, "cell_v2", "create_cell", "--name", "cell1"], log)
    run("nova-api", [*manage, "db", "sync"], log)


def _migrate_cinder(layout: Layout, creds: Credentials) -> None:
    conf = layout.etc / "cinder" / "cinder.conf"
    run(
        "cinder-api",
        [layout.bin("cinder-manage"), "--config-file", conf, "db", "sync"],
        layout.log("cinder-api"),
    )


MIGRATIONS: dict[str, Callable[[Layout, Credentials], None]] = {
    # longest first: on 2 cores the order decides the wall time
    "nova": _migrate_nova,
    "neutron": _migrate_neutron,
    "keystone": _migrate_keystone,
    "cinder": _migrate_cinder,
    "glance": _migrate_glance,
    "placement": _migrate_placement,
}


def any_migrated(layout: Layout) -> bool:
    return any(layout.data.glob(".migrated-*"))


def migrate_all(layout: Layout, creds: Credentials) -> list[str]:
    """Runs the migrations not yet done, in parallel; returns the services migrated now."""
    todo = [name for name in MIGRATIONS if not _marker(layout, f"migrated-{name}").exists()]

    def one(name: str) -> None:
        MIGRATIONS[name](layout, creds)
        _marker(layout, f"migrated-{name}").touch()

    with ThreadPoolExecutor(max_workers=3) as pool:
        for future in [pool.submit(one, name) for name in todo]:
            future.result()
    return todo


def _marker(layout: Layout, name: str) -> Path:
    return layout.data / f".{name}"


# ---- Keystone catalogue: service users, services and endpoints ----

ENDPOINTS = {
    # service type: (service name, URL)
    "compute": ("nova", f"http://{HOST}:{PORTS['nova-api']}/v2.1"),
    "placement": ("placement", f"http://{HOST}:{PORTS['placement']}"),
    "network": ("neutron", f"http://{HOST}:{PORTS['neutron-api']}"),
    "image": ("glance", f"http://{HOST}:{PORTS['glance-api']}"),
    "block-storage": ("cinder", f"http://{HOST}:{PORTS['cinder-api']}/v3/%(project_id)s"),
}


def catalogue_registered(layout: Layout) -> bool:
    return _marker(layout, "registered").exists()


def register_catalogue(layout: Layout, creds: Credentials, conn) -> None:
    """Service project and users, services and endpoints (skipped once done)."""
    marker = _marker(layout, "registered")
    if marker.exists():
        return
    identity = conn.identity
    project = identity.find_project(SERVICE_PROJECT) or identity.create_project(
        name=SERVICE_PROJECT, domain_id="default", description="OpenStack service users"
    )
    roles = [
        identity.find_role("admin"),
        identity.find_role("service") or identity.create_role(name="service"),
    ]
    for name in SERVICE_USERS:
        user = identity.find_user(name, domain_id="default")
        if user is None:
            user = identity.create_user(
                name=name, password=creds.service_password, domain_id="default"
            )
        else:
            identity.update_user(user, password=creds.service_password)
        for role in roles:
            identity.assign_project_role_to_user(project, user, role)
    for service_type, (name, url) in ENDPOINTS.items():
        service = identity.find_service(name) or identity.create_service(
            name=name, type=service_type
        )
        existing = {
            e.interface for e in identity.endpoints(service_id=service.id, region_id=REGION)
        }
        for interface in {"public", "internal", "admin"} - existing:
            identity.create_endpoint(
                service_id=service.id, interface=interface, url=url, region_id=REGION
            )
    marker.touch()


# ---- shared resources every tenant can use ----

FLAVORS = {"m1.tiny": (1, 512, 1), "m1.small": (1, 2048, 10), "m1.medium": (2, 4096, 20)}
IMAGE_NAME = "debian-12"
ENCRYPTED_VOLUME_TYPE = "encrypted"
ENCRYPTION_SPEC = {
    "provider": "luks",
    "cipher": "aes-xts-plain64",
    "key_size": 256,
    "control_location": "front-end",
}
PUBLIC_NETWORK = "public"
PUBLIC_CIDR = "203.0.113.0/24"  # TEST-NET-3: documentation range, routes nowhere


def create_resources(layout: Layout, conn) -> None:
    marker = _marker(layout, "resources")
    if marker.exists():
        return
    compute, network, image, volume = conn.compute, conn.network, conn.image, conn.block_storage
    for name, (vcpus, ram, disk) in FLAVORS.items():
        if compute.find_flavor(name, ignore_missing=True) is None:
            compute.create_flavor(name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=True)
    public = network.find_network(PUBLIC_NETWORK)
    if public is None:
        public = network.create_network(
            name=PUBLIC_NETWORK,
            is_router_external=True,
            is_shared=False,
            provider_network_type="flat",
            provider_physical_network="public",
        )
    if not list(network.subnets(network_id=public.id)):
        network.create_subnet(
            name="public-subnet",
            network_id=public.id,
            ip_version=4,
            cidr=PUBLIC_CIDR,
            gateway_ip="203.0.113.1",
            is_dhcp_enabled=False,
        )
    if image.find_image(IMAGE_NAME) is None:
        # The hypervisor is fake: a tiny raw blob boots as well as a real disk image.
        image.create_image(
            name=IMAGE_NAME,
            data=io.BytesIO(b"civicloud local image\n" * 64),
            disk_format="raw",
            container_format="bare",
            visibility="public",
            wait=True,
        )
    volume_type = volume.find_type(ENCRYPTED_VOLUME_TYPE)
    if volume_type is None:
        volume_type = volume.create_type(
            name=ENCRYPTED_VOLUME_TYPE, description="LUKS-encrypted volumes (fixed local key)"
        )
    # Cinder answers an empty body (not 404) for a type without encryption
    if volume.get_type_encryption(volume_type).provider is None:
        volume.create_type_encryption(volume_type, **ENCRYPTION_SPEC)
    marker.touch()
