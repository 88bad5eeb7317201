# Quotas: what the tenant declares fits its own quotas, and the quotas of a syndicate's members
# together fit the syndicate's envelope. OpenStack would otherwise refuse resources half-way
# through an apply (409/413 from Nova, Cinder, Neutron).
package civicloud.quotas

import data.civicloud.lib
import rego.v1

params := data.params.quotas

metadata["CIVIC-QUOTA-1"] := {
	"title": "Declared resources fit the tenant's quotas",
	"description": "Servers, volumes (count and GB), networks, subnets, routers, security groups and public IPs declared fit compute.quotas.",
	"severity": "error",
	"source": "OpenStack quotas refuse what exceeds them during the apply (Nova, Cinder, Neutron quota enforcement).",
	"waiver": "Do not waive: raise the quota or declare fewer resources.",
}

metadata["CIVIC-QUOTA-2"] := {
	"title": "Syndicate members fit the syndicate's envelope",
	"description": "For each quota, the members' quotas added together do not exceed the syndicate's envelope.",
	"severity": "error",
	"source": "The syndicate's quota envelope (its syndicate file): the capacity shared by its member communes.",
	"waiver": "Waiver approved by the syndicate's director, or raise the envelope in the syndicate file.",
}

# What the tenant declares, per quota key, and how to say it.
_declared := {
	"instances": count(lib.servers),
	"volumes": count(lib.volumes),
	"gigabytes": sum([size | some v in lib.volumes; size := v.volume.size_gb; is_number(size)]),
	"networks": count(lib.networks),
	"subnets": sum([count(n.subnets) | some n in lib.networks; is_array(n.subnets)]),
	"routers": count(object.get(lib.compute, "routers", [])),
	"security_groups": count(lib.security_groups) + object.get(params.implicit, "security_groups", 0),
	"floating_ips": count([s | some s in lib.servers; s.public_ip == true]),
}

_what := {
	"instances": "servers",
	"volumes": "volumes",
	"gigabytes": "GB of volumes",
	"networks": "networks",
	"subnets": "subnets",
	"routers": "routers",
	"security_groups": "security groups (with OpenStack's own \"default\" group)",
	"floating_ips": "servers with a public IP",
}

deny contains finding if {
	some key, declared in _declared
	quota := lib.quotas[key]
	is_number(quota)
	declared > quota
	finding := {
		"id": "CIVIC-QUOTA-1",
		"msg": concat("", [
			"the tenant declares ", lib.num(declared), " ", _what[key], " but compute.quotas.", key, " is ",
			lib.num(quota), ": raise the quota or declare fewer",
		]),
		"path": ["compute", "quotas", key],
	}
}

# CIVIC-QUOTA-2 reads a whole syndicate, so it is a `deny_syndicate` rule: the gate evaluates it
# once per syndicate (input: syndicate, members, now, stage), not once per member, and each
# finding names the member it concerns.

# Every member's [name, quotas] (a set: a member listed twice counts once).
_members := {[m.metadata.name, lib.get(lib.get(m, "compute", {}), "quotas", {})] | some m in input.members}

deny_syndicate contains finding if {
	some key, limit in lib.get(input.syndicate, "quotas", {})
	is_number(limit)
	shares := [[m[0], q] | some m in _members; q := object.get(m[1], key, null); is_number(q)]
	total := sum([s[1] | some s in shares])
	total > limit
	some share in shares
	share[1] > 0
	finding := {
		"id": "CIVIC-QUOTA-2",
		"tenant": share[0],
		"msg": concat("", [
			"syndicate ", input.syndicate.metadata.name, ": its members' ", key, " quotas add up to ", lib.num(total),
			" (", concat(", ", sort([concat(" ", [s[0], lib.num(s[1])]) | some s in shares])), ") but the envelope is ",
			lib.num(limit), ": lower this tenant's quota or raise the syndicate's envelope",
		]),
		"path": ["compute", "quotas", key],
	}
}
