# Naming: every resource is named <tenant>-<name>, so names must follow the authority's convention
# and stay within what OpenStack, DNS and S3 accept once derived.
package civicloud.naming

import data.civicloud.lib
import rego.v1

params := data.params.naming

metadata["CIVIC-NAME-1"] := {
	"title": "The tenant name follows the convention",
	"description": "metadata.name matches the tenant pattern (policies/data/naming.yaml).",
	"severity": "error",
	"source": "The authority's naming convention (policies/data/naming.yaml); every resource name derives from it.",
	"waiver": "Do not waive: rename the tenant before its first apply.",
}

metadata["CIVIC-NAME-2"] := {
	"title": "Resource names follow the convention",
	"description": "Every network, subnet, router, security group, keypair, server and volume name matches the resource pattern and <tenant>-<name> fits the maximum length.",
	"severity": "error",
	"source": "The authority's naming convention (policies/data/naming.yaml); DNS labels are at most 63 characters (RFC 1035).",
	"waiver": "Do not waive: rename the resource.",
}

metadata["CIVIC-NAME-3"] := {
	"title": "Bucket names are valid S3 names",
	"description": "Every derived bucket name <tenant>-<bucket> is 3-63 lowercase letters, digits, dots or hyphens, starts and ends with a letter or digit, has no '..', is not an IP address and has no reserved prefix or suffix.",
	"severity": "error",
	"source": "S3 bucket naming rules (the S3 API, followed by S3-compatible providers).",
	"waiver": "Do not waive: the backend would refuse the bucket.",
}

deny contains finding if {
	not regex.match(params.tenant_pattern, lib.name)
	finding := {
		"id": "CIVIC-NAME-1",
		"msg": concat("", [
			"tenant name '", lib.name, "' does not match the naming convention ", params.tenant_pattern,
			": use lowercase letters, digits and hyphens, starting with a letter",
		]),
		"path": ["metadata", "name"],
	}
}

# Every named resource of the compute section: [path of its name, name].
_named := array.concat(
	[[["compute", kind, i, "name"], item.name] |
		some kind in ["networks", "routers", "security_groups", "keypairs", "servers"]
		item := lib.compute[kind][i]
	],
	array.concat(
		[[["compute", "networks", i, "subnets", j, "name"], subnet.name] |
			subnet := lib.networks[i].subnets[j]
		],
		[[array.concat(v.path, ["name"]), v.volume.name] | some v in lib.volumes],
	),
)

deny contains finding if {
	some named in _named
	not regex.match(params.resource_pattern, named[1])
	finding := {
		"id": "CIVIC-NAME-2",
		"msg": concat("", [
			"name '", named[1], "' does not match the naming convention ", params.resource_pattern,
			": use lowercase letters, digits and hyphens, starting with a letter",
		]),
		"path": named[0],
	}
}

deny contains finding if {
	some named in _named
	count(lib.name) + 1 + count(named[1]) > params.max_derived_length
	derived := concat("-", [lib.name, named[1]])
	finding := {
		"id": "CIVIC-NAME-2",
		"msg": concat("", [
			"derived name '", derived, "' is ", lib.num(count(derived)), " characters long, more than ",
			lib.num(params.max_derived_length), ": shorten '", named[1], "'",
		]),
		"path": named[0],
	}
}

deny contains finding if {
	some problem in _s3_problems
	finding := {
		"id": "CIVIC-NAME-3",
		"msg": concat("", ["bucket name '", problem[1], "' is not a valid S3 bucket name: ", problem[2]]),
		"path": ["storage", "buckets", problem[0], "name"],
	}
}

# [index, derived name] of every bucket.
_buckets := [[i, concat("-", [lib.name, bucket.name])] | bucket := lib.buckets[i]]

# [index, derived name, what is wrong] for every S3 naming rule a bucket breaks.
_s3_problems contains [b[0], b[1], "use 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit"] if {
	some b in _buckets
	not regex.match(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`, b[1])
}

_s3_problems contains [b[0], b[1], "two dots in a row are not allowed"] if {
	some b in _buckets
	contains(b[1], "..")
}

_s3_problems contains [b[0], b[1], "it must not look like an IP address"] if {
	some b in _buckets
	regex.match(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`, b[1])
}

_s3_problems contains [b[0], b[1], "the prefix xn-- and the suffixes -s3alias and --ol-s3 are reserved"] if {
	some b in _buckets
	_reserved(b[1])
}

_reserved(name) if startswith(name, "xn--")

_reserved(name) if endswith(name, "-s3alias")

_reserved(name) if endswith(name, "--ol-s3")
