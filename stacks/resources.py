"""The Pulumi resources a tenant is made of, each served by one civicloud provider.

Importing this module registers every provider with the embedded engine by type token
(`pulumi-python:dynamic/civicloud:<Kind>`); the Pulumi CLI uses the pickled provider instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource

from civicloud.engine.registry import register_provider, type_token
from civicloud.stacks.providers import bucket, compute, identity, network, quota, volume
from civicloud.stacks.providers.base import CivicProvider

MODULE = "civicloud"


class CivicResource(Resource):
    """A dynamic resource whose provider, computed outputs and secret outputs are declared
    by the subclass; inputs are keyword arguments."""

    provider_class: ClassVar[type[CivicProvider]]
    outputs: ClassVar[tuple[str, ...]] = ()
    secret_outputs: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, resource_name: str, opts: pulumi.ResourceOptions | None = None, /, **props: Any
    ):
        if self.secret_outputs:
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=list(self.secret_outputs))
            )
        # Computed outputs are declared as None inputs so the SDK creates their Outputs.
        super().__init__(
            self.provider_class(), resource_name, {**dict.fromkeys(self.outputs), **props}, opts
        )


class Project(CivicResource, module=MODULE, name="Project"):
    provider_class = identity.ProjectProvider
    outputs = ("project_id", "domain_id")


class User(CivicResource, module=MODULE, name="User"):
    provider_class = identity.UserProvider
    outputs = ("user_id", "password")
    secret_outputs = ("password",)


class Group(CivicResource, module=MODULE, name="Group"):
    provider_class = identity.GroupProvider
    outputs = ("group_id",)


class Role(CivicResource, module=MODULE, name="Role"):
    provider_class = identity.RoleProvider
    outputs = ("role_id",)


class RoleAssignment(CivicResource, module=MODULE, name="RoleAssignment"):
    provider_class = identity.RoleAssignmentProvider
    outputs = ("role_id",)


class ApplicationCredential(CivicResource, module=MODULE, name="ApplicationCredential"):
    provider_class = identity.ApplicationCredentialProvider
    outputs = ("credential_id", "secret")
    secret_outputs = ("secret", "password")


class Quota(CivicResource, module=MODULE, name="Quota"):
    provider_class = quota.QuotaProvider


class Network(CivicResource, module=MODULE, name="Network"):
    provider_class = network.NetworkProvider
    outputs = ("network_id",)


class Subnet(CivicResource, module=MODULE, name="Subnet"):
    provider_class = network.SubnetProvider
    outputs = ("subnet_id", "gateway_ip")


class Router(CivicResource, module=MODULE, name="Router"):
    provider_class = network.RouterProvider
    outputs = ("router_id",)


class RouterInterface(CivicResource, module=MODULE, name="RouterInterface"):
    provider_class = network.RouterInterfaceProvider
    outputs = ("port_id",)


class SecurityGroup(CivicResource, module=MODULE, name="SecurityGroup"):
    provider_class = network.SecurityGroupProvider
    outputs = ("security_group_id",)


class SecurityGroupRule(CivicResource, module=MODULE, name="SecurityGroupRule"):
    provider_class = network.SecurityGroupRuleProvider
    outputs = ("rule_id",)


class Keypair(CivicResource, module=MODULE, name="Keypair"):
    provider_class = compute.KeypairProvider
    outputs = ("fingerprint",)


class Server(CivicResource, module=MODULE, name="Server"):
    provider_class = compute.ServerProvider
    outputs = ("server_id", "port_id", "address")


class Volume(CivicResource, module=MODULE, name="Volume"):
    provider_class = volume.VolumeProvider
    outputs = ("volume_id",)


class VolumeAttachment(CivicResource, module=MODULE, name="VolumeAttachment"):
    provider_class = volume.VolumeAttachmentProvider
    outputs = ("device",)


class Bucket(CivicResource, module=MODULE, name="Bucket"):
    provider_class = bucket.BucketProvider
    outputs = ("bucket", "public_access_block")


RESOURCES: tuple[type[CivicResource], ...] = tuple(CivicResource.__subclasses__())

for _resource in RESOURCES:
    register_provider(type_token(MODULE, _resource._resource_type_name.split(":")[-1]))(
        _resource.provider_class
    )
