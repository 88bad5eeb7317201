package civicloud.quotas_test

import data.civicloud.fixtures_test as fx
import data.civicloud.quotas
import rego.v1

_syndicate(envelope) := {
	"apiVersion": "civicloud/v1",
	"kind": "Syndicate",
	"metadata": {"name": "sictiam"},
	"quotas": envelope,
}

_member(name, instances) := fx.patched(fx.tenant, {"/metadata/name": name, "/compute/quotas/instances": instances})

# What the gate finds for tenant t of syndicate s with members m: the tenant's own rules, and the
# syndicate's rules (evaluated once for the whole syndicate, t counted as a member even if m
# leaves it out) that name t.
_gate_findings(t, s, m) := own | {object.remove(f, ["tenant"]) | some f in envelope; f.tenant == t.metadata.name} if {
	own := quotas.deny with input.tenant as t with input.syndicate as s with input.members as m
	members := array.concat(m, [t])
	envelope := quotas.deny_syndicate with input.syndicate as s with input.members as members
}

test_declared_resources_within_quotas_pass if {
	t := fx.tenant
	findings := quotas.deny with input.tenant as t with input.syndicate as null with input.members as []
	count(findings) == 0
}

test_quota1_more_servers_than_instances if {
	t := fx.patched(fx.tenant, {"/compute/quotas/instances": 1})
	findings := quotas.deny with input.tenant as t with input.syndicate as null with input.members as []
	fx.ids(findings) == {"CIVIC-QUOTA-1"}
	fx.paths_of(findings, "CIVIC-QUOTA-1") == {["compute", "quotas", "instances"]}
}

test_quota1_volume_gigabytes if {
	t := fx.patched(fx.tenant, {"/compute/quotas/gigabytes": 25})
	findings := quotas.deny with input.tenant as t with input.syndicate as null with input.members as []
	fx.paths_of(findings, "CIVIC-QUOTA-1") == {["compute", "quotas", "gigabytes"]}
}

test_quota1_counts_the_default_security_group if {
	# One declared group plus OpenStack's "default" one do not fit a quota of 1.
	t := fx.patched(fx.tenant, {"/compute/quotas/security_groups": 1})
	findings := quotas.deny with input.tenant as t with input.syndicate as null with input.members as []
	fx.paths_of(findings, "CIVIC-QUOTA-1") == {["compute", "quotas", "security_groups"]}
}

test_quota1_public_ips_against_floating_ips if {
	t := fx.patched(fx.tenant, {"/compute/servers/0/public_ip": true})
	findings := quotas.deny with input.tenant as t with input.syndicate as null with input.members as []
	fx.paths_of(findings, "CIVIC-QUOTA-1") == {["compute", "quotas", "floating_ips"]}
}

test_quota1_unset_quota_means_backend_default if {
	t := fx.patched(fx.tenant, {"/compute/quotas/instances": null})
	findings := quotas.deny with input.tenant as t with input.syndicate as null with input.members as []
	count(findings) == 0
}

test_quota2_members_exceed_the_envelope if {
	t := fx.tenant
	s := _syndicate({"instances": 10, "volumes": 100})
	m := [t, _member("nice", 4), _member("grasse", 4)]
	findings := _gate_findings(t, s, m)
	fx.ids(findings) == {"CIVIC-QUOTA-2"}
	fx.paths_of(findings, "CIVIC-QUOTA-2") == {["compute", "quotas", "instances"]}
	some f in findings
	contains(f.msg, "add up to 12")
}

test_quota2_members_within_the_envelope if {
	t := fx.tenant
	s := _syndicate({"instances": 12})
	m := [t, _member("nice", 4), _member("grasse", 4)]
	findings := _gate_findings(t, s, m)
	count(findings) == 0
}

test_quota2_counts_the_tenant_left_out_of_members if {
	t := fx.tenant
	s := _syndicate({"instances": 10})
	m := [_member("nice", 4), _member("grasse", 4)]
	findings := _gate_findings(t, s, m)
	fx.ids(findings) == {"CIVIC-QUOTA-2"}
}

test_quota2_names_every_member_with_a_share if {
	# Evaluated once for the syndicate: each member whose quota takes part gets its own finding.
	s := _syndicate({"instances": 10})
	m := [fx.tenant, _member("nice", 4), _member("grasse", 4), _member("gattieres", 0)]
	findings := quotas.deny_syndicate with input.syndicate as s with input.members as m
	{f.tenant | some f in findings} == {"vence", "nice", "grasse"}
	{f.id | some f in findings} == {"CIVIC-QUOTA-2"}
}

test_quota2_no_syndicate_no_finding if {
	m := [fx.tenant, _member("nice", 400)]
	findings := quotas.deny_syndicate with input.syndicate as null with input.members as m
	count(findings) == 0
}
