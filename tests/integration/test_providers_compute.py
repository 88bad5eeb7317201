"""Nova and Cinder providers on the real local OpenStack: keypair, server, encrypted volume,
attachment; checked with openstacksdk."""

from __future__ import annotations

import uuid

import openstack
import pytest

from civicloud.stacks.credentials import apply_local_defaults
from civicloud.stacks.providers import compute, identity, network, volume
from civicloud.stacks.providers.errors import VerificationError

pytestmark = pytest.mark.integration
CLOUD = "civicloud-local"
PUBLIC_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3nBmQ8v0Yc5Xq2g3R0kq7eN2Qw6jv1Zs0r9c4vS5Xy "
    "test@civicloud"
)


@pytest.fixture(scope="module")
def conn():
    apply_local_defaults()
    return openstack.connect(cloud=CLOUD)


@pytest.fixture(scope="module")
def env(conn):
    """A project with a network and subnet, built with the providers, torn down after."""
    tenant = f"t{uuid.uuid4().hex[:8]}"
    projects, nets, subnets = (
        identity.ProjectProvider(), network.NetworkProvider(), network.SubnetProvider()
    )  # fmt: skip
    project = projects.create({"cloud": CLOUD, "tenant": tenant, "name": tenant})
    common = {"cloud": CLOUD, "tenant": tenant, "project_id": project.id}
    net = nets.create({**common, "name": f"{tenant}-backend"})
    sub = subnets.create(
        {**common, "name": f"{tenant}-v4", "network_id": net.id, "cidr": "10.20.0.0/24"}
    )
    yield {"tenant": tenant, "common": common, "network_id": net.id}
    subnets.delete(sub.id, sub.outs)
    nets.delete(net.id, net.outs)
    projects.delete(project.id, project.outs)


def test_keypair_create_adopt_replace_delete(conn, env):
    provider = compute.KeypairProvider()
    props = {"cloud": CLOUD, "name": f"{env['tenant']}-admin", "public_key": PUBLIC_KEY}
    created = provider.create(props)
    assert conn.compute.find_keypair(created.id).public_key.strip() == PUBLIC_KEY
    assert provider.create(props).id == created.id
    other = {**props, "public_key": PUBLIC_KEY.replace("test@", "other@").replace("5Xy", "5Xz")}
    assert provider.diff(created.id, created.outs, other).replaces
    provider.delete(created.id, props)
    assert conn.compute.find_keypair(created.id) is None


def test_server_with_encrypted_volume_attached(conn, env):
    tenant, common = env["tenant"], env["common"]
    keypairs, servers = compute.KeypairProvider(), compute.ServerProvider()
    volumes, attachments = volume.VolumeProvider(), volume.VolumeAttachmentProvider()
    groups = network.SecurityGroupProvider()
    group = groups.create({**common, "name": f"{tenant}-web"})
    keypair = keypairs.create({"cloud": CLOUD, "name": f"{tenant}-admin", "public_key": PUBLIC_KEY})
    server_props = {
        **common, "name": f"{tenant}-web-1", "flavor": "m1.small", "image": "debian-12",
        "network_id": env["network_id"], "security_group_ids": [group.id],
        "keypair": keypair.id, "metadata": {"roles": "baseline"},
    }  # fmt: skip
    server = None
    try:
        server = servers.create(server_props)
        found = conn.compute.get_server(server.id)
        assert found.status == "ACTIVE"
        assert found.project_id == common["project_id"]  # created inside the tenant's project
        assert found.metadata["civicloud:tenant"] == tenant
        assert found.metadata["roles"] == "baseline"
        port = conn.network.get_port(server.outs["port_id"])
        assert port.network_id == env["network_id"] and port.device_id == server.id
        assert port.security_group_ids == [group.id]
        assert server.outs["address"].startswith("10.20.0.")
        # Adoption: the create of an interrupted apply finds the same server.
        assert servers.create(server_props).id == server.id

        bigger = {**server_props, "flavor": "m1.medium"}
        assert "flavor" in servers.diff(server.id, server.outs, bigger).replaces
        renamed_meta = {**server_props, "metadata": {"roles": "baseline,backup"}}
        assert not servers.diff(server.id, server.outs, renamed_meta).replaces
        servers.update(server.id, server.outs, renamed_meta)
        assert conn.compute.get_server(server.id).metadata["roles"] == "baseline,backup"

        vol_props = {**common, "name": f"{tenant}-web-1-data", "size_gb": 1,
                     "volume_type": "encrypted"}  # fmt: skip
        vol = volumes.create(vol_props)
        found_vol = conn.block_storage.get_volume(vol.id)
        assert found_vol.is_encrypted and found_vol.volume_type == "encrypted"
        assert found_vol.project_id == common["project_id"]
        assert volumes.create(vol_props).id == vol.id  # adopted

        grow = {**vol_props, "size_gb": 2}
        assert volumes.diff(vol.id, vol.outs, grow).changes
        assert not volumes.diff(vol.id, vol.outs, grow).replaces
        assert "size_gb" in volumes.diff(vol.id, grow, vol_props).replaces  # shrinking
        volumes.update(vol.id, vol.outs, grow)
        assert conn.block_storage.get_volume(vol.id).size == 2

        att_props = {"cloud": CLOUD, "project_id": common["project_id"],
                     "server_id": server.id, "volume_id": vol.id}  # fmt: skip
        att = attachments.create(att_props)
        assert conn.block_storage.get_volume(vol.id).status == "in-use"
        assert [a.volume_id for a in conn.compute.volume_attachments(server.id)] == [vol.id]
        assert attachments.create(att_props).id == att.id  # idempotent

        attachments.delete(att.id, att_props)
        assert conn.block_storage.get_volume(vol.id).status == "available"
        volumes.delete(vol.id, grow)
        assert conn.block_storage.find_volume(vol.id) is None
    finally:
        in_project = conn.connect_as(project_id=common["project_id"])
        for leftover in in_project.compute.servers(name=f"^{tenant}-web-1$"):
            servers.delete(leftover.id, server_props)
        keypairs.delete(keypair.id, keypair.outs)
        groups.delete(group.id, group.outs)
    assert conn.compute.find_server(server.id) is None
    assert servers.read(server.id, server_props).id is None


def test_server_without_keypair_boots(conn, env):
    # A server with no keypair must not send key_name=None (Nova answers 400).
    tenant, common = env["tenant"], env["common"]
    servers, groups = compute.ServerProvider(), network.SecurityGroupProvider()
    group = groups.create({**common, "name": f"{tenant}-nokey"})
    props = {
        **common, "name": f"{tenant}-nokey", "flavor": "m1.tiny", "image": "debian-12",
        "network_id": env["network_id"], "security_group_ids": [group.id], "metadata": {},
    }  # fmt: skip
    server = servers.create(props)
    try:
        found = conn.compute.get_server(server.id)
        assert found.status == "ACTIVE" and not found.key_name
    finally:
        servers.delete(server.id, server.outs)
        groups.delete(group.id, group.outs)


def test_volume_verification_fails_on_a_type_without_encryption(conn, env):
    provider = volume.VolumeProvider()
    props = {**env["common"], "name": f"{env['tenant']}-plain", "size_gb": 1,
             "volume_type": "__DEFAULT__"}  # fmt: skip
    with pytest.raises(VerificationError, match="NOT encrypted"):
        provider.create(props)
    leftover = conn.connect_as(project_id=env["common"]["project_id"]).block_storage.find_volume(
        props["name"]
    )
    provider.delete(leftover.id, props)
