"""The tenant spec (`kind: Tenant`). Field names are the YAML keys: the policy gate reads
`model_dump(mode="json")`, so renaming a field here renames it for every Rego rule."""

# Mutable defaults are safe on pydantic models (copied per instance).
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from civicloud.spec.fields import (
    BucketName,
    Cidr,
    Count,
    Country,
    Date,
    Email,
    IpAddress,
    Jurisdiction,
    KeyRef,
    Model,
    Money,
    Name,
    Port,
    PositiveInt,
    PublicKey,
    RuleId,
    Siren,
    Slug,
    Text,
)

TenantType = Literal["community", "hybrid", "sandbox"]
Classification = Literal["public", "internal", "personal", "health", "sensitive"]
AuthorityType = Literal["commune", "epci", "departement", "region", "syndicat", "other"]


class Metadata(Model):
    name: Name
    authority: Text
    authority_type: AuthorityType
    siren: Siren
    contact: Email
    syndicate: Name | None = None
    labels: dict[Slug, str] = {}


class Residency(Model):
    countries: list[Country] = []       # where data may be stored and processed
    jurisdictions: list[Jurisdiction] = []  # whose law the provider may answer to
    qualifications: list[Slug] = []     # qualifications required of every backend used


class Quotas(Model):
    """OpenStack project quotas; a field left out keeps the backend's default."""

    instances: Count | None = None
    cores: Count | None = None
    ram_mb: Count | None = None
    volumes: Count | None = None
    gigabytes: Count | None = None
    networks: Count | None = None
    subnets: Count | None = None
    routers: Count | None = None
    ports: Count | None = None
    security_groups: Count | None = None
    floating_ips: Count | None = None


class Subnet(Model):
    name: Name
    cidr: Cidr
    gateway: IpAddress | None = None
    dhcp: bool = True
    dns_nameservers: list[IpAddress] = []


class Network(Model):
    name: Name
    subnets: list[Subnet] = []


class Router(Model):
    name: Name
    subnets: list[Name] = []
    external_gateway: bool = False


class Rule(Model):
    direction: Literal["ingress", "egress"]
    protocol: Literal["tcp", "udp", "icmp", "any"]
    port: Port | None = None
    port_max: Port | None = None      # with `port`, a range port..port_max
    remote: Cidr | None = None        # filled with 0.0.0.0/0 when no remote_group is given
    remote_group: Name | None = None  # a security group of this tenant
    ethertype: Literal["IPv4", "IPv6"] = "IPv4"

    @model_validator(mode="after")
    def _remote_and_ports(self) -> Rule:
        if self.remote and self.remote_group:
            raise ValueError("give either remote (a CIDR) or remote_group (a security group), "
                             "not both")
        if self.port_max is not None and (self.port is None or self.port_max < self.port):
            raise ValueError("port_max ends a range that starts at port: it needs port, "
                             "and must be >= port")
        if self.remote is None and self.remote_group is None:
            # OpenStack's own default: say it out loud so the exposure rules can see it.
            self.remote = "::/0" if self.ethertype == "IPv6" else "0.0.0.0/0"
        return self


class SecurityGroup(Model):
    name: Name
    description: str = ""
    rules: list[Rule] = []


class Keypair(Model):
    name: Name
    public_key: PublicKey


class Volume(Model):
    name: Name
    size_gb: PositiveInt
    encrypted: bool = True
    type: str | None = None           # volume type of the backend, if not its default


class Server(Model):
    name: Name
    flavor: Text
    image: Text
    network: Name
    security_groups: list[Name] = []
    keypair: Name | None = None
    public_ip: bool = False
    roles: list[Slug] = []            # Ansible roles applied by `civicloud configure`
    volumes: list[Volume] = []


class Compute(Model):
    backend: Name
    quotas: Quotas = Quotas()
    networks: list[Network] = []
    routers: list[Router] = []
    security_groups: list[SecurityGroup] = []
    keypairs: list[Keypair] = []
    servers: list[Server] = []


class ObjectLock(Model):
    mode: Literal["GOVERNANCE", "COMPLIANCE"]
    days: PositiveInt


class LifecycleRule(Model):
    id: Text
    prefix: str = ""
    expire_days: PositiveInt | None = None
    noncurrent_expire_days: PositiveInt | None = None


class Bucket(Model):
    name: BucketName
    encryption: Literal["sse-s3", "sse-kms", "sse-c"] | None = None
    kms_key: Text | None = None        # with sse-kms: key ID or alias at the provider
    key_ref: KeyRef | None = None      # with sse-c: where civicloud fetches the key at run time
    versioning: bool = False
    object_lock: ObjectLock | None = None
    lifecycle: list[LifecycleRule] = []
    public_access: bool = False
    tags: dict[str, str] = {}


class Storage(Model):
    backend: Name
    buckets: list[Bucket] = []
    # Principals allowed on the buckets besides civicloud's own (e.g.
    # arn:aws:iam::000000000000:user/NAME at the provider).
    identities: list[Text] = []


class User(Model):
    name: Name
    email: Email
    roles: list[Slug] = []


class Group(Model):
    name: Name
    members: list[Name] = []
    roles: list[Slug] = []


class Role(Model):
    name: Slug
    description: str = ""


class Access(Model):
    users: list[User] = []
    groups: list[Group] = []
    roles: list[Role] = []            # custom roles, beside the built-in admin, member, reader


class Sandbox(Model):
    expires: Date
    budget_eur: Money
    owner: Email


class Waiver(Model):
    rule: RuleId
    reason: Text
    approver: Text
    until: Date


class Tenant(Model):
    apiVersion: Literal["civicloud/v1"]
    kind: Literal["Tenant"]
    metadata: Metadata
    type: TenantType
    classification: Classification
    residency: Residency = Field(default_factory=Residency)
    compute: Compute | None = None
    storage: Storage | None = None
    access: Access = Field(default_factory=Access)
    sandbox: Sandbox | None = None
    waivers: list[Waiver] = []
