"""The local OpenStack's services, each used directly with openstacksdk (not through civicloud)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator

import openstack
import pytest

import civicloud.localcloud as localcloud
from civicloud.localcloud.bootstrap import ENCRYPTED_VOLUME_TYPE, ENCRYPTION_SPEC, IMAGE_NAME
from civicloud.localcloud.configs import COMPUTE_HOST, KEYSTONE_URL

pytestmark = pytest.mark.integration

WAIT = 180  # seconds: a boot or an attach on 2 shared cores


class Cleanup:
    """Deletions registered as resources are created, run last-in first-out."""

    def __init__(self) -> None:
        self.actions: list[Callable[[], object]] = []

    def add(self, action: Callable[[], object]) -> None:
        self.actions.append(action)

    def run(self) -> None:
        errors = []
        for action in reversed(self.actions):
            try:
                action()
            except Exception as exc:  # keep cleaning; report at the end
                errors.append(exc)
        if errors:
            raise errors[0]


@pytest.fixture
def cleanup() -> Iterator[Cleanup]:
    stack = Cleanup()
    yield stack
    stack.run()


@pytest.fixture(scope="module")
def tenant(local_cloud, os_admin):
    """A project with a member user, and that user's own connection (no clouds.yaml involved)."""
    name = f"it-{secrets.token_hex(4)}"
    identity = os_admin.identity
    project = identity.create_project(name=name, domain_id="default", description="integration")
    password = secrets.token_urlsafe(16)
    user = identity.create_user(name=f"{name}-user", password=password, domain_id="default")
    member = identity.find_role("member")
    identity.assign_project_role_to_user(project, user, member)
    conn = openstack.connect(
        auth_url=f"{KEYSTONE_URL}/v3",
        username=user.name,
        password=password,
        project_id=project.id,
        user_domain_id="default",
        project_domain_id="default",
        region_name=localcloud.REGION,
        identity_api_version="3",
        load_yaml_config=False,
        load_envvars=False,
    )
    yield {"project": project, "user": user, "role": member, "conn": conn}
    conn.close()
    identity.delete_user(user)
    identity.delete_project(project)


def test_keystone_creates_a_project_user_and_role_assignment(os_admin, tenant):
    project, user, role = tenant["project"], tenant["user"], tenant["role"]
    assert os_admin.identity.validate_user_has_project_role(project, user, role)
    assignments = list(
        os_admin.identity.role_assignments(user_id=user.id, scope_project_id=project.id)
    )
    assert [a.role["id"] for a in assignments] == [role.id]
    # the new user really authenticates, scoped to its project
    assert tenant["conn"].current_project_id == project.id


def test_quotas_are_set_and_read_back_for_compute_network_and_volume(os_admin, tenant):
    project_id = tenant["project"].id
    os_admin.compute.update_quota_set(project_id, instances=7, cores=9, ram=8192)
    os_admin.network.update_quota(project_id, networks=4, routers=2, security_groups=6)
    os_admin.block_storage.update_quota_set(project_id, volumes=5, gigabytes=50)

    compute = os_admin.compute.get_quota_set(project_id)
    network = os_admin.network.get_quota(project_id)
    volume = os_admin.block_storage.get_quota_set(project_id)
    assert (compute.instances, compute.cores, compute.ram) == (7, 9, 8192)
    assert (network.networks, network.routers, network.security_groups) == (4, 2, 6)
    assert (volume.volumes, volume.gigabytes) == (5, 50)


def test_network_server_and_encrypted_volume_attach(os_admin, tenant, cleanup, unique):
    conn = tenant["conn"]
    public = conn.network.find_network("public")
    assert public is not None and public.is_router_external

    net = conn.network.create_network(name=f"{unique}-net")
    cleanup.add(lambda: conn.network.delete_network(net))
    subnet = conn.network.create_subnet(
        name=f"{unique}-subnet", network_id=net.id, ip_version=4, cidr="10.42.0.0/24"
    )
    cleanup.add(lambda: conn.network.delete_subnet(subnet))
    router = conn.network.create_router(
        name=f"{unique}-router", external_gateway_info={"network_id": public.id}
    )
    cleanup.add(lambda: conn.network.delete_router(router))
    conn.network.add_interface_to_router(router, subnet=subnet.id)
    cleanup.add(lambda: conn.network.remove_interface_from_router(router, subnet=subnet.id))
    group = conn.network.create_security_group(name=f"{unique}-ssh")
    cleanup.add(lambda: conn.network.delete_security_group(group))
    conn.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", ethertype="IPv4",
        protocol="tcp", port_range_min=22, port_range_max=22, remote_ip_prefix="192.0.2.0/24",
    )  # fmt: skip
    assert router.external_gateway_info["network_id"] == public.id

    flavor = conn.compute.find_flavor("m1.tiny")
    image = conn.image.find_image(IMAGE_NAME)
    server = conn.compute.create_server(
        name=f"{unique}-vm", flavor_id=flavor.id, image_id=image.id,
        networks=[{"uuid": net.id}], security_groups=[{"name": group.name}],
    )  # fmt: skip
    cleanup.add(lambda: conn.compute.wait_for_delete(conn.compute.delete_server(server) or server))
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=WAIT)
    assert server.status == "ACTIVE"
    # the port is bound on the fake compute host (admin sees the binding)
    (port,) = os_admin.network.ports(device_id=server.id)
    assert (port.binding_host_id, port.status, port.network_id) == (COMPUTE_HOST, "ACTIVE", net.id)

    volume_type = os_admin.block_storage.find_type(ENCRYPTED_VOLUME_TYPE)
    encryption = os_admin.block_storage.get_type_encryption(volume_type)
    assert {key: encryption[key] for key in ENCRYPTION_SPEC} == ENCRYPTION_SPEC

    volume = conn.block_storage.create_volume(
        name=f"{unique}-data", size=1, volume_type=ENCRYPTED_VOLUME_TYPE
    )
    cleanup.add(
        lambda: conn.block_storage.wait_for_delete(
            conn.block_storage.delete_volume(volume) or volume
        )
    )
    volume = conn.block_storage.wait_for_status(volume, "available", failures=["error"], wait=WAIT)
    assert volume.is_encrypted and volume.volume_type == ENCRYPTED_VOLUME_TYPE

    conn.compute.create_volume_attachment(server, volume=volume)
    cleanup.add(lambda: _detach(conn, server, volume))
    volume = conn.block_storage.wait_for_status(volume, "in-use", failures=["error"], wait=WAIT)
    assert [a["server_id"] for a in volume.attachments] == [server.id]


def _detach(conn, server, volume) -> None:
    conn.compute.delete_volume_attachment(server, volume)
    conn.block_storage.wait_for_status(volume, "available", failures=["error"], wait=WAIT)


def test_image_upload_stores_the_bytes(tenant, cleanup, unique):
    conn = tenant["conn"]
    data = secrets.token_bytes(64 * 1024)
    image = conn.image.create_image(
        name=f"{unique}-image", data=data, disk_format="raw", container_format="bare",
        visibility="private", allow_duplicates=True, wait=True,
    )  # fmt: skip
    cleanup.add(lambda: conn.image.delete_image(image))
    image = conn.image.get_image(image)
    assert (image.status, image.size) == ("active", len(data))
    downloaded = conn.image.download_image(image).content
    assert hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(data).hexdigest()
