"""What `pulumi up` runs where a Pulumi CLI exists: the tenant and its backends come from
Pulumi config (set by civicloud), and the one shared program declares the resources."""

import pulumi

from civicloud.stacks.program import declare_tenant

config = pulumi.Config("civicloud")
declare_tenant(config.require_object("tenant"), config.require_object("backends"))
