"""A tenant spec -> its Pulumi resources: the single definition both engines run.

`declare_tenant` takes the validated tenant document as a plain dict (the YAML's keys) and the
catalogue entries of the backends it uses, and declares every resource with a name derived
from the tenant's (`<tenant>-<name>`), so a re-run finds, and never duplicates, what exists.
Dependencies flow through Outputs (a subnet waits for its network's id, a server for its
subnets...), so independent resources are created in parallel and deleted in reverse order.
"""

from __future__ import annotations

from typing import Any

import pulumi

from civicloud.stacks import resources as r
from civicloud.stacks.providers.quota import limits_by_service

DEFAULT_VOLUME_TYPE = "encrypted"  # the local cloud's LUKS type; a backend may name its own
DEFAULT_EXTERNAL_NETWORK = "public"
AUTOMATION_ROLE = "member"
# civicloud's built-in tenant roles -> Keystone's. Keystone's own `admin` role, even on one
# project, makes its holder administrator of the whole cloud: a tenant's admin is `manager`.
BUILTIN_ROLES = {"admin": "manager", "member": "member", "reader": "reader"}


class ProgramError(ValueError):
    """The tenant asks for something this program cannot build (said before any API call)."""


def declare_tenant(tenant: dict[str, Any], backends: dict[str, dict[str, Any]]) -> None:
    name = tenant["metadata"]["name"]
    if tenant.get("compute"):
        _OpenStackTenant(tenant, _backend(backends, tenant["compute"]["backend"])).declare()
    elif tenant.get("access", {}).get("users") or tenant.get("access", {}).get("groups"):
        raise ProgramError(f"{name}: access.users/groups need a compute backend (OpenStack)")
    if tenant.get("storage"):
        _declare_buckets(tenant, _backend(backends, tenant["storage"]["backend"]))


def _backend(backends: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    if name not in backends:
        raise ProgramError(f"backend {name!r} is not in the catalogue entries given")
    return backends[name]


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """Drop unset values: an absent input and a None one mean the same to the providers."""
    return {k: v for k, v in values.items() if v is not None}


class _OpenStackTenant:
    """Everything a tenant has on its OpenStack backend: identity, quotas, network, compute."""

    def __init__(self, tenant: dict[str, Any], backend: dict[str, Any]):
        self.tenant = tenant
        self.compute = tenant["compute"]
        self.backend = backend
        self.name = tenant["metadata"]["name"]
        self.cloud = backend["cloud"]

    def n(self, *parts: str) -> str:
        return "-".join((self.name, *parts))

    def declare(self) -> None:
        meta = self.tenant["metadata"]
        self.project = r.Project(
            self.name,
            cloud=self.cloud,
            tenant=self.name,
            name=self.name,
            description=f"{meta['authority']} (SIREN {meta['siren']}), civicloud "
            f"{self.tenant['type']} tenant, data {self.tenant['classification']}",
        )
        self.project_id = self.project.project_id
        pulumi.export("project_id", self.project_id)
        self._access()
        self._quotas()
        self._networks()
        self._security_groups()
        self._servers()

    # -- identity ----------------------------------------------------------------------------
    def _access(self) -> None:
        access = self.tenant.get("access", {})
        self.roles: dict[str, Any] = {
            role["name"]: r.Role(
                self.n("role", role["name"]),
                cloud=self.cloud,
                tenant=self.name,
                name=self.n(role["name"]),
                description=role.get("description", ""),
            ).name
            for role in access.get("roles", [])
        }
        users = {}
        for user in access.get("users", []):
            users[user["name"]] = r.User(
                self.n(user["name"]),
                cloud=self.cloud,
                tenant=self.name,
                name=self.n(user["name"]),
                project_id=self.project_id,
                email=user.get("email"),
            )
            for role in user.get("roles", []):
                self._role("user", user["name"], users[user["name"]].user_id, role)
        for group in access.get("groups", []):
            unknown = [m for m in group.get("members", []) if m not in users]
            if unknown:
                raise ProgramError(f"group {group['name']!r}: unknown members {unknown}")
            resource = r.Group(
                self.n(group["name"]),
                cloud=self.cloud,
                tenant=self.name,
                name=self.n(group["name"]),
                members=[users[m].user_id for m in group.get("members", [])],
            )
            for role in group.get("roles", []):
                self._role("group", group["name"], resource.group_id, role)
        self._automation()

    def _role(self, actor: str, actor_name: str, actor_id: Any, role: str) -> Any:
        if role not in BUILTIN_ROLES and role not in self.roles:
            raise ProgramError(
                f"{actor} {actor_name!r}: unknown role {role!r} (built-in: "
                f"{', '.join(BUILTIN_ROLES)}; or declare it under access.roles)"
            )
        return r.RoleAssignment(
            self.n(actor, actor_name, role),
            cloud=self.cloud,
            project_id=self.project_id,
            actor=actor,
            actor_id=actor_id,
            role=self.roles.get(role) or BUILTIN_ROLES[role],
        )

    def _automation(self) -> None:
        """A user and an application credential for the tenant's own automation (CI, backups)."""
        user = r.User(
            self.n("automation"),
            cloud=self.cloud,
            tenant=self.name,
            name=self.n("automation"),
            project_id=self.project_id,
        )
        role = self._role("user", "automation", user.user_id, AUTOMATION_ROLE)
        credential = r.ApplicationCredential(
            self.n("automation"),
            pulumi.ResourceOptions(depends_on=[role]),
            cloud=self.cloud,
            project_id=self.project_id,
            user_id=user.user_id,
            user_name=user.name,
            password=user.password,
            name=self.n("automation"),
            roles=[AUTOMATION_ROLE],
        )
        pulumi.export("automation_credential_id", credential.credential_id)
        pulumi.export("automation_credential_secret", pulumi.Output.secret(credential.secret))

    # -- quotas ------------------------------------------------------------------------------
    def _quotas(self) -> None:
        quotas = _compact(self.compute.get("quotas", {}))
        for service, limits in limits_by_service(quotas).items():
            r.Quota(
                self.n("quota", service),
                cloud=self.cloud,
                project_id=self.project_id,
                service=service,
                limits=limits,
            )

    # -- network -----------------------------------------------------------------------------
    def _networks(self) -> None:
        self.networks: dict[str, Any] = {}
        self.subnets: dict[str, Any] = {}
        self.subnets_of: dict[str, list[Any]] = {}
        common = {"cloud": self.cloud, "tenant": self.name, "project_id": self.project_id}
        for net in self.compute.get("networks", []):
            network = r.Network(self.n(net["name"]), name=self.n(net["name"]), **common)
            self.networks[net["name"]] = network
            self.subnets_of[net["name"]] = []
            for sub in net.get("subnets", []):
                subnet = r.Subnet(
                    self.n(sub["name"]),
                    name=self.n(sub["name"]),
                    network_id=network.network_id,
                    **_compact(
                        {
                            "cidr": sub["cidr"],
                            "gateway": sub.get("gateway"),
                            "dhcp": sub.get("dhcp"),
                            "dns_nameservers": sub.get("dns_nameservers") or None,
                        }
                    ),
                    **common,
                )
                self.subnets[sub["name"]] = subnet
                self.subnets_of[net["name"]].append(subnet)
        pulumi.export("networks", {k: v.network_id for k, v in self.networks.items()})
        for router in self.compute.get("routers", []):
            gateway = None
            if router.get("external_gateway"):
                gateway = self.backend.get("external_network", DEFAULT_EXTERNAL_NETWORK)
            resource = r.Router(
                self.n(router["name"]),
                name=self.n(router["name"]),
                **_compact({"external_network": gateway}),
                **common,
            )
            for subnet_name in router.get("subnets", []):
                if subnet_name not in self.subnets:
                    raise ProgramError(f"router {router['name']!r}: unknown subnet {subnet_name!r}")
                r.RouterInterface(
                    self.n(router["name"], subnet_name),
                    cloud=self.cloud,
                    router_id=resource.router_id,
                    subnet_id=self.subnets[subnet_name].subnet_id,
                )

    def _security_groups(self) -> None:
        self.groups: dict[str, Any] = {}
        for group in self.compute.get("security_groups", []):
            self.groups[group["name"]] = r.SecurityGroup(
                self.n(group["name"]),
                cloud=self.cloud,
                tenant=self.name,
                project_id=self.project_id,
                name=self.n(group["name"]),
                description=group.get("description", ""),
            )
        for group in self.compute.get("security_groups", []):
            for rule in group.get("rules", []):
                self._rule(group["name"], rule)

    def _rule(self, group: str, rule: dict[str, Any]) -> None:
        remote_group = rule.get("remote_group")
        if remote_group and remote_group not in self.groups:
            raise ProgramError(f"security group {group!r}: unknown remote_group {remote_group!r}")
        port = rule.get("port")
        protocol = None if rule.get("protocol") in (None, "any") else rule["protocol"]
        # Named by content: inserting a rule must not rename (and so replace) the others.
        key = [rule["direction"], protocol or "any", str(port or "all")]
        if rule.get("port_max"):
            key.append(str(rule["port_max"]))
        key.append((remote_group or rule.get("remote") or "any").replace("/", "_"))
        r.SecurityGroupRule(
            self.n(group, *key),
            **_compact(
                {
                    "cloud": self.cloud,
                    "project_id": self.project_id,
                    "security_group_id": self.groups[group].security_group_id,
                    "direction": rule["direction"],
                    "protocol": protocol,
                    "port_min": port,
                    "port_max": rule.get("port_max") or port,
                    "remote": None if remote_group else rule.get("remote"),
                    "remote_group_id": self.groups[remote_group].security_group_id
                    if remote_group
                    else None,
                    "ethertype": rule.get("ethertype", "IPv4"),
                }
            ),
        )

    # -- compute -----------------------------------------------------------------------------
    def _servers(self) -> None:
        keypairs = {
            kp["name"]: r.Keypair(
                self.n(kp["name"]),
                cloud=self.cloud,
                name=self.n(kp["name"]),
                public_key=kp["public_key"],
            )
            for kp in self.compute.get("keypairs", [])
        }
        servers = {}
        for spec in self.compute.get("servers", []):
            if spec.get("public_ip"):
                raise ProgramError(
                    f"server {spec['name']!r}: public_ip (floating IPs) is not supported yet"
                )
            if spec["network"] not in self.networks:
                raise ProgramError(f"server {spec['name']!r}: unknown network {spec['network']!r}")
            server = r.Server(
                self.n(spec["name"]),
                # The port needs an address: wait for the network's subnets.
                pulumi.ResourceOptions(depends_on=self.subnets_of[spec["network"]]),
                **_compact(
                    {
                        "cloud": self.cloud,
                        "tenant": self.name,
                        "project_id": self.project_id,
                        "name": self.n(spec["name"]),
                        "flavor": spec["flavor"],
                        "image": spec["image"],
                        "network_id": self.networks[spec["network"]].network_id,
                        "security_group_ids": [
                            self.groups[g].security_group_id
                            for g in spec.get("security_groups", [])
                        ],
                        "keypair": keypairs[spec["keypair"]].name if spec.get("keypair") else None,
                        "metadata": {"roles": ",".join(spec.get("roles", []))},
                    }
                ),
            )
            servers[spec["name"]] = {"id": server.server_id, "address": server.address}
            for vol in spec.get("volumes", []):
                self._volume(spec["name"], server, vol)
        pulumi.export("servers", servers)

    def _volume(self, server_name: str, server: Any, vol: dict[str, Any]) -> None:
        encrypted = vol.get("encrypted", True)
        volume_type = vol.get("type") or (
            self.backend.get("volume_type", DEFAULT_VOLUME_TYPE) if encrypted else None
        )
        volume = r.Volume(
            self.n(server_name, vol["name"]),
            **_compact(
                {
                    "cloud": self.cloud,
                    "tenant": self.name,
                    "project_id": self.project_id,
                    "name": self.n(server_name, vol["name"]),
                    "size_gb": vol["size_gb"],
                    "volume_type": volume_type,
                    "encrypted": encrypted,
                }
            ),
        )
        r.VolumeAttachment(
            self.n(server_name, vol["name"]),
            cloud=self.cloud,
            project_id=self.project_id,
            server_id=server.server_id,
            volume_id=volume.volume_id,
        )


def _declare_buckets(tenant: dict[str, Any], backend: dict[str, Any]) -> None:
    name = tenant["metadata"]["name"]
    # Identities allowed on the tenant's buckets: the operator's (from the catalogue) first,
    # or civicloud would lock itself out; without it, no access restriction is written.
    operator = backend.get("identity")
    principals = [operator, *tenant["storage"].get("identities", [])] if operator else None
    exported = {}
    for spec in tenant["storage"].get("buckets", []):
        bucket_name = f"{name}-{spec['name']}"
        lifecycle = [
            _compact(
                {
                    "id": rule["id"],
                    "prefix": rule.get("prefix", ""),
                    "expire_days": rule.get("expire_days"),
                    "noncurrent_expire_days": rule.get("noncurrent_expire_days"),
                }
            )
            for rule in spec.get("lifecycle", [])
        ]
        bucket = r.Bucket(
            bucket_name,
            **_compact(
                {
                    "endpoint": backend["endpoint"],
                    "profile": backend["profile"],
                    "region": backend["region"],
                    "tenant": name,
                    "name": bucket_name,
                    "encryption": spec.get("encryption"),
                    "kms_key": spec.get("kms_key"),
                    "versioning": spec.get("versioning", False),
                    "object_lock": spec.get("object_lock"),
                    "lifecycle": lifecycle,
                    "public_access": spec.get("public_access", False),
                    "tags": spec.get("tags", {}),
                    "principals": principals,
                }
            ),
        )
        exported[spec["name"]] = {
            "name": bucket.bucket,
            "region": backend["region"],
            "endpoint": backend["endpoint"],
            "public_access_block": bucket.public_access_block,
        }
    pulumi.export("buckets", exported)
