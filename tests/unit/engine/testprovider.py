"""Dynamic resources and their providers over the fake cloud, registered by type token.

They follow the contract real civicloud providers follow: no state between calls (the cloud is
found from an input at call time), outputs repeat what later calls need, delete is idempotent,
and `find` looks a resource up by its deterministic name (crash recovery).
"""

from __future__ import annotations

import os
import secrets
from typing import Any

import pulumi
from fakecloud import FakeCloud
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from civicloud.engine.registry import register_provider, type_token

CRASH_ENV = "ENGINE_TEST_CRASH_AFTER_CREATE"  # name of a resource: exit right after creating it
FAIL_ENV = "ENGINE_TEST_FAIL_CREATE"  # name of a resource whose create raises


def _cloud(props: dict[str, Any]) -> FakeCloud:
    return FakeCloud(props["cloud"])


class _Base(ResourceProvider):
    kind = ""
    id_key = ""
    replace_keys: tuple[str, ...] = ()
    dbr_keys: tuple[str, ...] = ()  # changes that need the old one gone first
    update_keys: tuple[str, ...] = ()

    def _attrs(self, props: dict[str, Any]) -> dict[str, Any]:
        return {k: props[k] for k in self.replace_keys + self.dbr_keys + self.update_keys
                if k in props}

    def _outs(self, rid: str, props: dict[str, Any]) -> dict[str, Any]:
        return {**props, self.id_key: rid}

    def create(self, props: dict[str, Any]) -> CreateResult:
        if os.environ.get(FAIL_ENV) == props["name"]:  # quoting its inputs, as APIs often do
            raise RuntimeError(f"backend refused {self.kind} {props['name']} (injected): {props}")
        rid = _cloud(props).create(self.kind, props["name"], self._attrs(props),
                                   delay=float(props.get("delay", 0)))
        if os.environ.get(CRASH_ENV) == props["name"]:
            os._exit(137)  # the process dies after the cloud acted, before the engine recorded it
        return CreateResult(rid, self._outs(rid, props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in self.replace_keys + self.dbr_keys + self.update_keys
                   if olds.get(k) != news.get(k)]
        replaces = [k for k in changed if k in self.replace_keys + self.dbr_keys]
        return DiffResult(changes=bool(changed), replaces=replaces,
                          delete_before_replace=any(k in self.dbr_keys for k in replaces),
                          stables=[self.id_key])

    def update(self, rid: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _cloud(news).update(rid, self._attrs(news))
        return UpdateResult(self._outs(rid, news))

    def delete(self, rid: str, props: dict[str, Any]) -> None:
        _cloud(props).delete(rid)

    def read(self, rid: str, props: dict[str, Any]) -> ReadResult:
        found = _cloud(props).get(rid)
        if found is None:
            return ReadResult(None, props)
        return ReadResult(rid, {**props, **self._attrs(found)})

    def find(self, props: dict[str, Any]) -> ReadResult | None:
        found = _cloud(props).find(self.kind, props["name"])
        return ReadResult(found[0], self._outs(found[0], props)) if found else None


@register_provider(type_token("enginetest", "Network"))
class NetworkProvider(_Base):
    kind, id_key = "network", "network_id"
    replace_keys, dbr_keys, update_keys = ("cidr",), ("zone",), ("label",)


@register_provider(type_token("enginetest", "Server"))
class ServerProvider(_Base):
    kind, id_key = "server", "server_id"
    replace_keys, update_keys = ("parent_id",), ("flavor", "admin_password")


@register_provider(type_token("enginetest", "Thing"))
class ThingProvider(_Base):
    kind, id_key = "thing", "thing_id"
    replace_keys, update_keys = ("parent_id",), ("size",)


@register_provider(type_token("enginetest", "Credential"))
class CredentialProvider(_Base):
    """Generates a secret the backend shows once; it has no `find` (cannot be looked up)."""

    kind, id_key = "credential", "credential_id"
    secret_outputs = ("secret",)
    find = None  # type: ignore[assignment]

    def _outs(self, rid: str, props: dict[str, Any]) -> dict[str, Any]:
        return {**props, self.id_key: rid, "secret": f"s3cr3t-{secrets.token_hex(8)}"}


class Network(pulumi.dynamic.Resource, module="enginetest", name="Network"):
    network_id: pulumi.Output[str]

    def __init__(self, name: str, cloud: str, cidr: str = "10.0.0.0/24", zone: str = "a",
                 label: str = "", opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NetworkProvider(), name, {
            "name": name, "cloud": cloud, "cidr": cidr, "zone": zone, "label": label,
            "network_id": None}, opts)


class Server(pulumi.dynamic.Resource, module="enginetest", name="Server"):
    server_id: pulumi.Output[str]

    def __init__(self, name: str, cloud: str, parent_id: Any, flavor: str = "small",
                 admin_password: Any = None, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {"name": name, "cloud": cloud, "parent_id": parent_id, "flavor": flavor,
                 "server_id": None}
        if admin_password is not None:
            props["admin_password"] = admin_password
        super().__init__(ServerProvider(), name, props, opts)


class Thing(pulumi.dynamic.Resource, module="enginetest", name="Thing"):
    thing_id: pulumi.Output[str]

    def __init__(self, name: str, cloud: str, parent_id: Any = None, delay: float = 0.0,
                 size: int = 1, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ThingProvider(), name, {
            "name": name, "cloud": cloud, "parent_id": parent_id, "delay": delay, "size": size,
            "thing_id": None}, opts)


class Credential(pulumi.dynamic.Resource, module="enginetest", name="Credential"):
    secret: pulumi.Output[str]

    def __init__(self, name: str, cloud: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(CredentialProvider(), name, {
            "name": name, "cloud": cloud, "secret": None, "credential_id": None}, opts)


class Group(pulumi.ComponentResource):
    """A component grouping a network and its servers."""

    def __init__(self, name: str, cloud: str, servers: int) -> None:
        super().__init__("enginetest:index:Group", name)
        child = pulumi.ResourceOptions(parent=self)
        self.network = Network(f"{name}-net", cloud, opts=child)
        for i in range(servers):
            Server(f"{name}-srv{i}", cloud, self.network.network_id, opts=child)
        self.register_outputs({"network_id": self.network.network_id})
