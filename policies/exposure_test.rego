package civicloud.exposure_test

import data.civicloud.exposure
import data.civicloud.fixtures_test as fx
import rego.v1

_ssh_from(remote) := {"direction": "ingress", "protocol": "tcp", "port": 22, "remote": remote}

test_private_tenant_passes if {
	t := fx.tenant
	findings := exposure.deny with input.tenant as t
	count(findings) == 0
}

test_exp1_public_bucket_with_personal_data if {
	t := fx.patched(fx.tenant, {"/storage/buckets/0/public_access": true})
	findings := exposure.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-EXP-1"}
	fx.paths_of(findings, "CIVIC-EXP-1") == {["storage", "buckets", 0, "public_access"]}
}

test_exp1_public_bucket_with_public_data_allowed if {
	t := fx.patched(fx.tenant, {"/classification": "public", "/storage/buckets/0/public_access": true})
	findings := exposure.deny with input.tenant as t
	count(findings) == 0
}

test_exp2_public_ip_with_health_data if {
	t := fx.patched(fx.tenant, {"/classification": "health", "/compute/servers/1/public_ip": true})
	findings := exposure.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-EXP-2"}
	fx.paths_of(findings, "CIVIC-EXP-2") == {["compute", "servers", 1, "public_ip"]}
}

test_exp2_public_ip_with_internal_data_allowed if {
	t := fx.patched(fx.tenant, {"/classification": "internal", "/compute/servers/1/public_ip": true})
	findings := exposure.deny with input.tenant as t
	count(findings) == 0
}

test_exp3_ssh_open_to_the_internet if {
	t := fx.patched(fx.tenant, {"/classification": "public", "/compute/security_groups/0/rules/1": _ssh_from("0.0.0.0/0")})
	findings := exposure.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-EXP-3"}
	fx.paths_of(findings, "CIVIC-EXP-3") == {["compute", "security_groups", 0, "rules", 1]}
}

test_exp3_rdp_in_a_port_range_over_ipv6 if {
	rule := {"direction": "ingress", "protocol": "tcp", "port_min": 3000, "port_max": 4000, "remote": "::/0"}
	t := fx.patched(fx.tenant, {"/compute/security_groups/0/rules/1": rule})
	findings := exposure.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-EXP-3"}
}

test_exp3_all_ports_without_remote if {
	t := fx.patched(fx.tenant, {"/compute/security_groups/0/rules/1": {"direction": "ingress", "protocol": "tcp"}})
	findings := exposure.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-EXP-3"}
}

test_exp3_https_open_to_the_internet_allowed if {
	rule := {"direction": "ingress", "protocol": "tcp", "port": 443, "remote": "0.0.0.0/0"}
	t := fx.patched(fx.tenant, {"/compute/security_groups/0/rules/0": rule})
	findings := exposure.deny with input.tenant as t
	count(findings) == 0
}

test_exp3_ssh_from_the_admin_network_allowed if {
	t := fx.patched(fx.tenant, {"/compute/security_groups/0/rules/1": _ssh_from("10.20.0.0/24")})
	findings := exposure.deny with input.tenant as t
	count(findings) == 0
}

test_exp3_ssh_from_a_remote_group_allowed if {
	rule := {"direction": "ingress", "protocol": "tcp", "port": 22, "remote": null, "remote_group": "bastion"}
	t := fx.patched(fx.tenant, {"/compute/security_groups/0/rules/1": rule})
	findings := exposure.deny with input.tenant as t
	count(findings) == 0
}
