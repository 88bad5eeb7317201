# Fixtures shared by the rule families' tests: a compliant commune tenant and a few backends.
# Tests derive variants with `patched` and pass them with `with input.<key> as <local variable>`.
# rego-cpp 1.5 quirks: `with input as {...}` and `with input.x as <rule>` are mis-evaluated, and
# object.union is not recursive; so never use those in tests.
package civicloud.fixtures_test

import rego.v1

now := "2026-11-25T12:00:00+00:00"

tenant := {
	"apiVersion": "civicloud/v1",
	"kind": "Tenant",
	"metadata": {
		"name": "vence",
		"authority": "Commune de Vence",
		"authority_type": "commune",
		"syndicate": "sictiam",
	},
	"type": "community",
	"classification": "personal",
	"residency": {"countries": ["FR"], "jurisdictions": ["FR", "EU"], "qualifications": []},
	"compute": {
		"backend": "os-fr",
		"quotas": {
			"instances": 4, "cores": 8, "ram_mb": 16384, "volumes": 4, "gigabytes": 200,
			"networks": 2, "subnets": 2, "routers": 1, "ports": 20, "security_groups": 5, "floating_ips": 0,
		},
		"networks": [{"name": "backend", "subnets": [{"name": "backend-v4", "cidr": "10.20.0.0/24"}]}],
		"routers": [{"name": "edge", "subnets": ["backend-v4"]}],
		"security_groups": [{"name": "web", "rules": [
			{"direction": "ingress", "protocol": "tcp", "port": 443, "remote": "10.0.0.0/8"},
			{"direction": "ingress", "protocol": "tcp", "port": 22, "remote": "10.20.0.0/24"},
		]}],
		"keypairs": [{"name": "admin", "public_key": "ssh-ed25519 AAAA admin@vence"}],
		"servers": [
			{
				"name": "web-1", "flavor": "m1.small", "image": "debian-12", "network": "backend",
				"security_groups": ["web"], "public_ip": false,
				"volumes": [{"name": "data", "size_gb": 10, "encrypted": true}],
			},
			{
				"name": "app-1", "flavor": "m1.small", "image": "debian-12", "network": "backend",
				"security_groups": ["web"], "public_ip": false,
				"volumes": [{"name": "archive", "size_gb": 20, "encrypted": true}],
			},
		],
	},
	"storage": {
		"backend": "s3-fr",
		"buckets": [
			{"name": "documents", "encryption": "sse-s3", "public_access": false},
			{"name": "archives", "encryption": "sse-kms", "kms_key": "alias/default", "public_access": false},
		],
	},
	"sandbox": null,
	"waivers": [],
}

backends := {
	"os-fr": {
		"name": "os-fr", "kind": "openstack", "provider": "Syndicate OpenStack", "country": "FR",
		"jurisdiction": "FR", "eea": true,
		"qualifications": {"compute": ["secnumcloud", "hds"], "block_storage": ["secnumcloud", "hds"]},
	},
	"s3-fr": {
		"name": "s3-fr", "kind": "s3", "provider": "French S3", "country": "FR", "jurisdiction": "FR",
		"eea": true, "qualifications": {"object_storage": ["secnumcloud", "hds"]},
	},
	"s3-de": {
		"name": "s3-de", "kind": "s3", "provider": "German S3", "country": "DE", "jurisdiction": "DE",
		"eea": true, "qualifications": {"object_storage": ["iso27001"]},
	},
	"s3-ch": {
		"name": "s3-ch", "kind": "s3", "provider": "Swiss S3", "country": "CH", "jurisdiction": "CH",
		"eea": false, "qualifications": {"object_storage": ["iso27001"]},
	},
	"s3-us-fr": {
		"name": "s3-us-fr", "kind": "s3", "provider": "US hyperscaler, Paris region", "country": "FR",
		"jurisdiction": "US", "eea": true, "qualifications": {"object_storage": ["hds"]},
	},
}

# patched returns doc with the member at each JSON pointer of changes set to its value,
# e.g. patched(tenant, {"/storage/backend": "s3-de"}). Point at object members, not array slots.
patched(doc, changes) := json.patch(doc, ops) if {
	ops := [_add(pointer, new) | new := changes[pointer]]
}

_add(pointer, new) := {"op": "add", "path": pointer, "value": new}

# ids is the set of rule IDs in a set of findings.
ids(findings) := {f.id | some f in findings}

# paths_of is the set of paths the findings of one rule point at.
paths_of(findings, rule) := {f.path | some f in findings; f.id == rule}
