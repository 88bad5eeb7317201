"""Programs shared by the in-process tests and the subprocess runner (run_stack.py)."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
from testprovider import Credential, Network, Server, Thing


def two_tier(cloud: str, *, cidr: str = "10.0.0.0/24", zone: str = "a", label: str = "",
             flavor: str = "small", servers: int = 1) -> Callable[[], None]:
    def program() -> None:
        net = Network("net", cloud, cidr=cidr, zone=zone, label=label)
        for i in range(servers):
            Server(f"srv{i}", cloud, net.network_id, flavor=flavor)
        pulumi.export("network_id", net.network_id)

    return program


def chain(cloud: str, *, width: int = 6, delay: float = 0.0) -> Callable[[], None]:
    """`width` independent roots, each with a child: many steps for a crash to land in."""

    def program() -> None:
        for i in range(width):
            root = Thing(f"root{i}", cloud, delay=delay)
            Thing(f"leaf{i}", cloud, parent_id=root.thing_id, delay=delay)

    return program


def credential(cloud: str) -> Callable[[], None]:
    def program() -> None:
        cred = Credential("ci", cloud)
        pulumi.export("secret", cred.secret)

    return program
