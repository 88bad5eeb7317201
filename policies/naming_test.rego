package civicloud.naming_test

import data.civicloud.fixtures_test as fx
import data.civicloud.naming
import rego.v1

test_conventional_names_pass if {
	t := fx.tenant
	findings := naming.deny with input.tenant as t
	count(findings) == 0
}

test_name1_tenant_name_off_convention if {
	t := fx.patched(fx.tenant, {"/metadata/name": "Vence_06"})
	findings := naming.deny with input.tenant as t
	"CIVIC-NAME-1" in fx.ids(findings)
	fx.paths_of(findings, "CIVIC-NAME-1") == {["metadata", "name"]}
}

test_name2_resource_name_off_convention if {
	t := fx.patched(fx.tenant, {"/compute/networks/0/subnets/0/name": "Backend_V4"})
	findings := naming.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-NAME-2"}
	fx.paths_of(findings, "CIVIC-NAME-2") == {["compute", "networks", 0, "subnets", 0, "name"]}
}

test_name2_volume_name_off_convention if {
	t := fx.patched(fx.tenant, {"/compute/servers/1/volumes/0/name": "9archive"})
	findings := naming.deny with input.tenant as t
	fx.paths_of(findings, "CIVIC-NAME-2") == {["compute", "servers", 1, "volumes", 0, "name"]}
}

test_name2_derived_name_too_long if {
	# A 30-character tenant, a hyphen and a 33-character name: 64 characters, one too many.
	long_tenant := "abcdefghijklmnopqrstuvwxyz0123"
	t := fx.patched(fx.tenant, {"/metadata/name": long_tenant, "/compute/servers/0/name": "web-12345678901234567890123456789"})
	findings := naming.deny with input.tenant as t with data.params.naming.resource_pattern as "^[a-z][a-z0-9-]{0,40}$"
	fx.ids(findings) == {"CIVIC-NAME-2"}
	some f in findings
	contains(f.msg, "64 characters")
}

test_name3_bucket_name_too_long if {
	long_tenant := "abcdefghijklmnopqrstuvwxyz0123"
	t := fx.patched(fx.tenant, {"/metadata/name": long_tenant, "/storage/buckets/0/name": "documents-of-the-town-hall-2026-x"})
	findings := naming.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-NAME-3"}
	fx.paths_of(findings, "CIVIC-NAME-3") == {["storage", "buckets", 0, "name"]}
}

test_name3_bucket_with_double_dot if {
	t := fx.patched(fx.tenant, {"/storage/buckets/1/name": "arch..ives"})
	findings := naming.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-NAME-3"}
	some f in findings
	contains(f.msg, "two dots")
}
