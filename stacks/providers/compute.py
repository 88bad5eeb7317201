"""Nova: keypairs and servers (created inside the tenant's project, waited for until ACTIVE)."""

from __future__ import annotations

from typing import Any

from openstack import exceptions

from civicloud.stacks.credentials import openstack_admin, openstack_in_project
from civicloud.stacks.providers.base import CivicProvider, tenant_metadata
from civicloud.stacks.providers.errors import NotOurs, ProviderError

SERVER_TIMEOUT_S = 300


class KeypairProvider(CivicProvider):
    """An SSH public key registered for the operator, who boots the tenant's servers
    (Nova keypairs belong to a user, not to a project). Immutable: a change replaces it."""

    inputs = ("cloud", "name", "public_key")
    required = inputs
    replace_on = inputs

    def _lookup(self, props: dict[str, Any]) -> str | None:
        keypair = openstack_admin(props["cloud"]).compute.find_keypair(props["name"])
        if keypair is not None and keypair.public_key.strip() != props["public_key"].strip():
            raise NotOurs(f"keypair {props['name']!r} already exists with another public key")
        return None if keypair is None else keypair.name

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        keypair = openstack_admin(props["cloud"]).compute.get_keypair(id_)
        return {"fingerprint": keypair.fingerprint}

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if self._lookup(props) is None:
            openstack_admin(props["cloud"]).compute.create_keypair(
                name=props["name"], public_key=props["public_key"]
            )
        return props["name"], self._computed(props["name"], props)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        keypair = openstack_admin(props["cloud"]).compute.find_keypair(id_)
        if keypair is None:
            return None
        same = keypair.public_key.strip() == props.get("public_key", "").strip()
        return {
            "name": keypair.name,
            "public_key": props["public_key"] if same else keypair.public_key,
        }

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        openstack_admin(props["cloud"]).compute.delete_keypair(id_, ignore_missing=True)


class ServerProvider(CivicProvider):
    """A server on the tenant's network, with its security groups and civicloud metadata.

    Flavor, image, network and keypair changes replace the server (delete first: its name is
    what adoption looks for); name, metadata and security groups change in place."""

    inputs = (
        "cloud", "tenant", "project_id", "name", "flavor", "image", "network_id",
        "security_group_ids", "keypair", "metadata",
    )  # fmt: skip
    required = ("cloud", "tenant", "project_id", "name", "flavor", "image", "network_id")
    replace_on = ("cloud", "tenant", "project_id", "flavor", "image", "network_id", "keypair")

    @staticmethod
    def _metadata(props: dict[str, Any]) -> dict[str, str]:
        return {**props.get("metadata", {}), **tenant_metadata(props["tenant"])}

    def _create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        # Created with a token scoped to the tenant's project (Nova puts it there); looked up,
        # read and deleted as the operator, which still works once the project is gone.
        conn = openstack_in_project(props["cloud"], props["project_id"])
        server = self._existing(openstack_admin(props["cloud"]), props, purge_failed=True)
        if server is None:
            # Nova refuses key_name=None (400): a server without a keypair omits the field.
            keypair = {"key_name": props["keypair"]} if props.get("keypair") else {}
            server = conn.compute.create_server(
                name=props["name"],
                flavor_id=conn.compute.find_flavor(props["flavor"], ignore_missing=False).id,
                image_id=conn.image.find_image(props["image"], ignore_missing=False).id,
                networks=[{"uuid": props["network_id"]}],
                security_groups=[{"name": sg} for sg in props.get("security_group_ids", [])],
                metadata=self._metadata(props),
                **keypair,
            )
        server = self._wait_active(conn, server)
        return server.id, self._computed(server.id, props)

    def _lookup(self, props: dict[str, Any]) -> str | None:
        conn = openstack_admin(props["cloud"])
        server = self._existing(conn, props, purge_failed=False)
        if server is None or server.status == "ERROR":
            return None  # create purges a failed server and boots a fresh one
        # An interrupted create may have left it booting: its port and address come after.
        try:
            return self._wait_active(conn, server).id
        except ProviderError:
            return None

    def _computed(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        port = self._port(openstack_admin(props["cloud"]), id_)
        return {
            "server_id": id_,
            "port_id": port.id if port else None,
            "address": port.fixed_ips[0]["ip_address"] if port and port.fixed_ips else None,
        }

    @staticmethod
    def _wait_active(conn: Any, server: Any) -> Any:
        try:
            return conn.compute.wait_for_server(
                server, status="ACTIVE", failures=["ERROR"], wait=SERVER_TIMEOUT_S
            )
        except exceptions.ResourceFailure:
            fault = (conn.compute.get_server(server.id).fault or {}).get("message", "no reason")
            raise ProviderError(
                f"server {server.name!r} failed to boot: {fault} (it is left in ERROR; the next "
                "apply deletes and recreates it)"
            ) from None
        except exceptions.ResourceTimeout:
            raise ProviderError(
                f"server {server.name!r} is not ACTIVE after {SERVER_TIMEOUT_S} s"
            ) from None

    @staticmethod
    def _existing(conn: Any, props: dict[str, Any], purge_failed: bool) -> Any:
        """The tenant's server of that name left by an interrupted run, if any; with
        `purge_failed`, one that failed to boot is deleted so that a fresh one is made."""
        servers = conn.compute.servers(
            all_projects=True, project_id=props["project_id"], name=f"^{props['name']}$"
        )
        for server in servers:
            if server.metadata.get("civicloud:tenant") == props["tenant"]:
                if server.status == "ERROR" and purge_failed:
                    conn.compute.delete_server(server)
                    conn.compute.wait_for_delete(server, wait=SERVER_TIMEOUT_S)
                    return None
                return server
            raise NotOurs(
                f"server {props['name']!r} already exists in the project and was not created "
                f"by civicloud for tenant {props['tenant']!r}"
            )
        return None

    @staticmethod
    def _port(conn: Any, server_id: str) -> Any:
        return next(iter(conn.network.ports(device_id=server_id)), None)

    def _read(self, id_: str, props: dict[str, Any]) -> dict[str, Any] | None:
        conn = openstack_admin(props["cloud"])
        server = conn.compute.find_server(id_)
        if server is None:
            return None
        port = self._port(conn, id_)
        found = {
            "name": server.name,
            "flavor": server.flavor.get("original_name", props.get("flavor")),
            "metadata": {k: v for k, v in server.metadata.items() if not k.startswith("civicloud")},
            "network_id": port.network_id if port else None,
            "status": server.status,
        }
        if port is not None and "security_group_ids" in props:
            wanted = props["security_group_ids"]
            actual = port.security_group_ids or []
            found["security_group_ids"] = wanted if set(actual) == set(wanted) else sorted(actual)
        return found

    def verify(self, id_: str, props: dict[str, Any]) -> None:
        super().verify(id_, props)
        status = self._read(id_, props)["status"]
        if status != "ACTIVE":
            raise ProviderError(f"server {props['name']!r} is {status}, expected ACTIVE")

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        conn = openstack_in_project(news["cloud"], news["project_id"])
        if news["name"] != olds.get("name"):
            conn.compute.update_server(id_, name=news["name"])
        old_meta, new_meta = self._metadata(olds), self._metadata(news)
        if removed := [key for key in old_meta if key not in new_meta]:
            conn.compute.delete_server_metadata(id_, removed)
        conn.compute.set_server_metadata(id_, **new_meta)
        old_groups = set(olds.get("security_group_ids", []))
        new_groups = set(news.get("security_group_ids", []))
        for group in new_groups - old_groups:
            conn.compute.add_security_group_to_server(id_, group)
        for group in old_groups - new_groups:
            conn.compute.remove_security_group_from_server(id_, group)
        return {}

    def _delete(self, id_: str, props: dict[str, Any]) -> None:
        conn = openstack_admin(props["cloud"])
        server = conn.compute.find_server(id_)
        if server is not None:
            conn.compute.delete_server(server)
            conn.compute.wait_for_delete(server, wait=SERVER_TIMEOUT_S)
