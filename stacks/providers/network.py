"""Neutron: networks, subnets, routers and their interfaces, security groups and rules.

Every object is created for the tenant's project by the operator (Neutron accepts a
`project_id` from an admin) and tagged `civicloud` + `tenant:<name>`, which is how a re-run
after an interruption recognises and adopts what it created.
"""

from __future__ import annotations

import contextlib
from typing import Any

from openstack import exceptions

from civicloud.stacks.credentials import openstack_admin
from civicloud.stacks.providers.base import CivicProvider, is_ours, tenant_tags
from civicloud.stacks.providers.errors import NotOurs


def _existing(conn: Any, kind: str, props: dict[str, Any]) -> Any:
    """The tenant's object of this kind with this name in the project, if any."""
    existing = list(
        getattr(conn.network, f"{kind}s")(name=props["name"], project_id=props["project_id"])
    )
    mine = [obj for obj in existing if is_ours(obj.tags, props["tenant"])]
    if mine:
        return mine[0]
    # Neutron cannot tag in the create call: a run killed between create and set_tags leaves
    # one untagged object with our name in the tenant's own project. Adopt that one only.
    untagged = [obj for obj in existing if not obj.tags]
    if len(existing) == 1 and untagged:
        conn.network.set_tags(untagged[0], tenant_tags(props["tenant"]))
        return untagged[0]
    if existing:
        raise NotOurs(
            f"{kind.replace('_', ' ')} {props['name']!r} already exists in the project and is "
            f"not tagged as civicloud's for tenant {props['tenant']!r}"
        )
    return None


def _adopt_or_create(conn: Any, kind: str, props: dict[str, Any], attrs: dict[str, Any]) -> Any:
    """Adopt the tenant's object of this kind left by an interrupted run, or create and tag it."""
    obj = _existing(conn, kind, props)
    if obj is None:
        obj = getattr(conn.network, f"create_{kind}")(
            name=props["name"], project_id=props["project_id"], **attrs
        )
        conn.network.set_tags(obj, tenant_tags(props["tenant"]))
    return obj


class _Tagged(CivicProvider):
    """A Neutron object found by name + tags; its id is also its `<kind>_id` output."""

    kind: str = ""

    def _lookup(self, props: dict[str, Any]) -> str | None:
        obj = _existing(openstack_admin(props["cloud"]), self.kind, props)
        return None if obj is None else obj.id

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        return {f"{self.kind}_id": id_}


def _find(conn: Any, kind: str, id_: str) -> Any:
    return getattr(conn.network, f"find_{kind}")(id_, ignore_missing=True)


class NetworkProvider(_Tagged):
    kind = "network"

    inputs = ("cloud", "tenant", "project_id", "name")
    required = inputs
    replace_on = ("cloud", "tenant", "project_id")

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        net = _adopt_or_create(openstack_admin(props["cloud"]), "network", props, {})
        return net.id, self._computed(net.id, props)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        net = _find(openstack_admin(props["cloud"]), "network", id_)
        return None if net is None else {"name": net.name, "project_id": net.project_id}

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        openstack_admin(news["cloud"]).network.update_network(id_, name=news["name"])
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).network.delete_network(id_, ignore_missing=True)


class SubnetProvider(_Tagged):
    kind = "subnet"

    """A subnet; its CIDR and network cannot change in place, the rest can."""

    inputs = (
        "cloud", "tenant", "project_id", "name", "network_id", "cidr", "ip_version",
        "gateway", "dhcp", "dns_nameservers",
    )  # fmt: skip
    required = ("cloud", "tenant", "project_id", "name", "network_id", "cidr")
    replace_on = ("cloud", "tenant", "project_id", "network_id", "cidr", "ip_version")

    @staticmethod
    def _mutable(props: dict[str, Any]) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "is_dhcp_enabled": props.get("dhcp", True),
            "dns_nameservers": props.get("dns_nameservers", []),
        }
        if props.get("gateway"):
            attrs["gateway_ip"] = props["gateway"]
        return attrs

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        subnet = _adopt_or_create(
            openstack_admin(props["cloud"]),
            "subnet",
            props,
            {
                "network_id": props["network_id"],
                "cidr": props["cidr"],
                "ip_version": props.get("ip_version", 4),
                **self._mutable(props),
            },
        )
        return subnet.id, {**self._computed(subnet.id, props), "gateway_ip": subnet.gateway_ip}

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        subnet = _find(openstack_admin(props["cloud"]), "subnet", id_)
        if subnet is None:
            return None
        found = {
            "name": subnet.name,
            "network_id": subnet.network_id,
            "cidr": subnet.cidr,
            "dhcp": subnet.is_dhcp_enabled,
            "gateway_ip": subnet.gateway_ip,
        }
        # Undeclared means none: only servers added by hand are drift, not Neutron's empty list.
        if subnet.dns_nameservers or "dns_nameservers" in props:
            found["dns_nameservers"] = subnet.dns_nameservers
        if props.get("gateway"):
            found["gateway"] = subnet.gateway_ip
        return found

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        openstack_admin(news["cloud"]).network.update_subnet(
            id_, name=news["name"], **self._mutable(news)
        )
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).network.delete_subnet(id_, ignore_missing=True)


class RouterProvider(_Tagged):
    kind = "router"

    """A router, with a gateway on an external network when one is named."""

    inputs = ("cloud", "tenant", "project_id", "name", "external_network")
    required = ("cloud", "tenant", "project_id", "name")
    replace_on = ("cloud", "tenant", "project_id")

    @staticmethod
    def _gateway(conn: Any, external_network: str | None) -> dict[str, Any] | None:
        if not external_network:
            return None
        return {"network_id": conn.network.find_network(external_network, ignore_missing=False).id}

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        gateway = self._gateway(conn, props.get("external_network"))
        router = _adopt_or_create(
            conn, "router", props, {"external_gateway_info": gateway} if gateway else {}
        )
        return router.id, self._computed(router.id, props)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        conn = openstack_admin(props["cloud"])
        router = _find(conn, "router", id_)
        if router is None:
            return None
        found: dict[str, Any] = {"name": router.name}
        gateway = (router.external_gateway_info or {}).get("network_id")
        if props.get("external_network"):
            wanted = self._gateway(conn, props["external_network"])["network_id"]
            found["external_network"] = props["external_network"] if gateway == wanted else gateway
        return found

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        conn = openstack_admin(news["cloud"])
        conn.network.update_router(
            id_,
            name=news["name"],
            external_gateway_info=self._gateway(conn, news.get("external_network")) or {},
        )
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).network.delete_router(id_, ignore_missing=True)


class RouterInterfaceProvider(CivicProvider):
    """A router's interface on a subnet (id `<router>/<subnet>`; any change replaces it)."""

    inputs = ("cloud", "router_id", "subnet_id")
    required = inputs
    replace_on = inputs

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        if not self._port(conn, props["router_id"], props["subnet_id"]):
            conn.network.add_interface_to_router(props["router_id"], subnet_id=props["subnet_id"])
        id_ = f"{props['router_id']}/{props['subnet_id']}"
        return id_, self._read(id_, props) or {}

    def _lookup(self, props: dict[str, Any]) -> str | None:
        id_ = f"{props['router_id']}/{props['subnet_id']}"
        return id_ if self._read(id_, props) else None

    @staticmethod
    def _port(conn: Any, router_id: str, subnet_id: str) -> Any:
        for port in conn.network.ports(device_id=router_id):
            if any(ip.get("subnet_id") == subnet_id for ip in port.fixed_ips or ()):
                return port
        return None

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        router_id, subnet_id = id_.split("/")
        port = self._port(openstack_admin(props["cloud"]), router_id, subnet_id)
        return None if port is None else {"port_id": port.id}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        router_id, subnet_id = id_.split("/")
        with contextlib.suppress(exceptions.NotFoundException):
            openstack_admin(props["cloud"]).network.remove_interface_from_router(
                router_id, subnet_id=subnet_id
            )


class SecurityGroupProvider(_Tagged):
    kind = "security_group"

    inputs = ("cloud", "tenant", "project_id", "name", "description")
    required = ("cloud", "tenant", "project_id", "name")
    replace_on = ("cloud", "tenant", "project_id")

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        group = _adopt_or_create(
            openstack_admin(props["cloud"]),
            "security_group",
            props,
            {"description": props.get("description", "")},
        )
        return group.id, self._computed(group.id, props)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        group = _find(openstack_admin(props["cloud"]), "security_group", id_)
        if group is None:
            return None
        return {"name": group.name, "description": group.description}

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        openstack_admin(news["cloud"]).network.update_security_group(
            id_, name=news["name"], description=news.get("description", "")
        )
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).network.delete_security_group(id_, ignore_missing=True)


class SecurityGroupRuleProvider(CivicProvider):
    """One rule (Neutron rules are immutable: any change replaces the rule).

    Created before the old one is deleted: two identical rules cannot coexist, but a changed
    rule differs from the old one, so there is no collision and no window without the rule."""

    inputs = (
        "cloud", "project_id", "security_group_id", "direction", "protocol",
        "port_min", "port_max", "remote", "remote_group_id", "ethertype",
    )  # fmt: skip
    required = ("cloud", "project_id", "security_group_id", "direction")
    replace_on = inputs
    delete_before_replace = False

    @staticmethod
    def _attrs(props: dict[str, Any]) -> dict[str, Any]:
        return {
            "security_group_id": props["security_group_id"],
            "direction": props["direction"],
            "protocol": props.get("protocol"),
            "port_range_min": props.get("port_min"),
            "port_range_max": props.get("port_max"),
            "remote_ip_prefix": props.get("remote"),
            "remote_group_id": props.get("remote_group_id"),
            "ether_type": props.get("ethertype", "IPv4"),
        }

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conn = openstack_admin(props["cloud"])
        # The same rule may exist already (an interrupted run created it): adopt it.
        rule_id = (
            self._lookup(props)
            or conn.network.create_security_group_rule(
                project_id=props["project_id"], **self._attrs(props)
            ).id
        )
        return rule_id, self._computed(rule_id, props)

    def _lookup(self, props: dict[str, Any]) -> str | None:
        attrs = self._attrs(props)
        rules = openstack_admin(props["cloud"]).network.security_group_rules(
            security_group_id=props["security_group_id"]
        )
        return next(
            (r.id for r in rules if all(getattr(r, k) == v for k, v in attrs.items())), None
        )

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        return {"rule_id": id_}

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        rule = _find(openstack_admin(props["cloud"]), "security_group_rule", id_)
        if rule is None:
            return None
        return {
            "direction": rule.direction,
            **({"protocol": rule.protocol} if "protocol" in props else {}),
            **({"port_min": rule.port_range_min} if "port_min" in props else {}),
            **({"port_max": rule.port_range_max} if "port_max" in props else {}),
            **({"remote": rule.remote_ip_prefix} if "remote" in props else {}),
            **({"remote_group_id": rule.remote_group_id} if "remote_group_id" in props else {}),
        }

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).network.delete_security_group_rule(id_, ignore_missing=True)
