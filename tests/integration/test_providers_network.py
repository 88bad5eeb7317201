"""Neutron providers on the real local OpenStack, checked with openstacksdk."""

from __future__ import annotations

import uuid

import openstack
import pytest

from civicloud.stacks.credentials import apply_local_defaults
from civicloud.stacks.providers import identity, network
from civicloud.stacks.providers.errors import NotOurs

pytestmark = pytest.mark.integration
CLOUD = "civicloud-local"


@pytest.fixture(scope="module")
def conn():
    apply_local_defaults()
    return openstack.connect(cloud=CLOUD)


@pytest.fixture
def tenant():
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture
def common(tenant):
    provider = identity.ProjectProvider()
    project = provider.create({"cloud": CLOUD, "tenant": tenant, "name": tenant})
    yield {"cloud": CLOUD, "tenant": tenant, "project_id": project.id}
    provider.delete(project.id, project.outs)


def test_network_subnet_router_interface(conn, tenant, common):
    nets, subnets = network.NetworkProvider(), network.SubnetProvider()
    routers, interfaces = network.RouterProvider(), network.RouterInterfaceProvider()

    net = nets.create({**common, "name": f"{tenant}-backend"})
    found = conn.network.get_network(net.id)
    assert found.project_id == common["project_id"]
    assert {"civicloud", f"tenant:{tenant}"} <= set(found.tags)
    assert nets.create({**common, "name": f"{tenant}-backend"}).id == net.id  # adopted

    sub_props = {**common, "name": f"{tenant}-v4", "network_id": net.id, "cidr": "10.20.0.0/24"}
    sub = subnets.create(sub_props)
    assert conn.network.get_subnet(sub.id).cidr == "10.20.0.0/24"
    assert sub.outs["gateway_ip"] == "10.20.0.1"
    assert "cidr" in subnets.diff(sub.id, sub.outs, {**sub_props, "cidr": "10.30.0.0/24"}).replaces
    dns = {**sub_props, "dns_nameservers": ["10.20.0.53"]}
    assert not subnets.diff(sub.id, sub.outs, dns).replaces
    subnets.update(sub.id, sub.outs, dns)
    assert conn.network.get_subnet(sub.id).dns_nameservers == ["10.20.0.53"]

    router = routers.create({**common, "name": f"{tenant}-edge", "external_network": "public"})
    public = conn.network.find_network("public")
    assert conn.network.get_router(router.id).external_gateway_info["network_id"] == public.id
    iface_props = {"cloud": CLOUD, "router_id": router.id, "subnet_id": sub.id}
    iface = interfaces.create(iface_props)
    ports = list(conn.network.ports(device_id=router.id, network_id=net.id))
    assert [p.id for p in ports] == [iface.outs["port_id"]]
    assert interfaces.create(iface_props).id == iface.id  # idempotent
    assert len(list(conn.network.ports(device_id=router.id, network_id=net.id))) == 1

    interfaces.delete(iface.id, iface_props)
    assert not list(conn.network.ports(device_id=router.id, network_id=net.id))
    routers.delete(router.id, router.outs)
    subnets.delete(sub.id, sub.outs)
    nets.delete(net.id, net.outs)
    assert conn.network.find_network(net.id) is None
    assert nets.read(net.id, net.outs).id is None


def test_network_refuses_a_foreign_network_of_the_same_name(conn, tenant, common):
    foreign = conn.network.create_network(name=f"{tenant}-x", project_id=common["project_id"])
    conn.network.set_tags(foreign, ["owned-by-someone-else"])
    try:
        with pytest.raises(NotOurs):
            network.NetworkProvider().create({**common, "name": f"{tenant}-x"})
    finally:
        conn.network.delete_network(foreign)


def test_network_left_untagged_by_an_interrupted_create_is_adopted(conn, tenant, common):
    # What a run killed between Neutron's create and the tagging call leaves behind.
    left = conn.network.create_network(name=f"{tenant}-y", project_id=common["project_id"])
    provider = network.NetworkProvider()
    try:
        adopted = provider.create({**common, "name": f"{tenant}-y"})
        assert adopted.id == left.id
        assert {"civicloud", f"tenant:{tenant}"} <= set(conn.network.get_network(left.id).tags)
        assert len(list(conn.network.networks(name=f"{tenant}-y"))) == 1
    finally:
        conn.network.delete_network(left.id, ignore_missing=True)


def test_security_group_and_rules(conn, tenant, common):
    groups, rules = network.SecurityGroupProvider(), network.SecurityGroupRuleProvider()
    group = groups.create({**common, "name": f"{tenant}-web", "description": "web"})
    rule_props = {
        "cloud": CLOUD, "project_id": common["project_id"], "security_group_id": group.id,
        "direction": "ingress", "protocol": "tcp", "port_min": 443, "port_max": 443,
        "remote": "10.0.0.0/8",
    }  # fmt: skip
    rule = rules.create(rule_props)
    found = conn.network.get_security_group_rule(rule.id)
    assert (found.port_range_min, found.remote_ip_prefix) == (443, "10.0.0.0/8")
    # The same rule again (an interrupted apply): Neutron says 409, the provider adopts it.
    assert rules.create(rule_props).id == rule.id

    changed = {**rule_props, "port_min": 8443, "port_max": 8443}
    diff = rules.diff(rule.id, rule.outs, changed)
    assert diff.replaces and diff.delete_before_replace is False

    peer = rules.create({**rule_props, "port_min": 22, "port_max": 22, "remote": None,
                         "remote_group_id": group.id})  # fmt: skip
    assert conn.network.get_security_group_rule(peer.id).remote_group_id == group.id

    groups.update(group.id, group.outs, {**group.outs, "description": "https only"})
    assert conn.network.get_security_group(group.id).description == "https only"

    rules.delete(rule.id, rule.outs)
    assert conn.network.find_security_group_rule(rule.id) is None
    groups.delete(group.id, group.outs)
    assert conn.network.find_security_group(group.id) is None
