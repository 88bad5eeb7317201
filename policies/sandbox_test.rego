package civicloud.sandbox_test

import data.civicloud.fixtures_test as fx
import data.civicloud.sandbox
import rego.v1

_pilot(block) := fx.patched(fx.tenant, {"/type": "sandbox", "/sandbox": block})

_valid := {"expires": "2027-01-15", "budget_eur": 500, "owner": "alice@ville-vence.example"}

test_valid_sandbox_passes if {
	t := _pilot(_valid)
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	count(findings) == 0
}

test_expiry_as_a_timestamp_passes if {
	t := _pilot(object.union(_valid, {"expires": "2027-01-15T18:00:00Z"}))
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	count(findings) == 0
}

test_community_tenant_is_not_a_sandbox if {
	t := fx.tenant
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	count(findings) == 0
}

test_sbx1_no_expiry if {
	t := _pilot(object.union(_valid, {"expires": null}))
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	fx.ids(findings) == {"CIVIC-SBX-1"}
	fx.paths_of(findings, "CIVIC-SBX-1") == {["sandbox", "expires"]}
}

test_sbx1_missing_sandbox_block_points_at_type if {
	t := fx.patched(fx.tenant, {"/type": "sandbox"})
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	fx.ids(findings) == {"CIVIC-SBX-1", "CIVIC-SBX-4", "CIVIC-SBX-5"}
	fx.paths_of(findings, "CIVIC-SBX-1") == {["type"]}
}

test_sbx2_expired if {
	t := _pilot(object.union(_valid, {"expires": "2026-11-24"}))
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	fx.ids(findings) == {"CIVIC-SBX-2"}
	some f in findings
	contains(f.msg, "expired on 2026-11-24")
}

test_sbx3_beyond_the_maximum if {
	t := _pilot(object.union(_valid, {"expires": "2027-06-01"}))
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	fx.ids(findings) == {"CIVIC-SBX-3"}
	some f in findings
	contains(f.msg, "2027-02-23")
}

test_sbx3_follows_the_parameter if {
	t := _pilot(_valid)
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n with data.params.sandbox.max_days as 30
	fx.ids(findings) == {"CIVIC-SBX-3"}
}

test_sbx4_zero_budget if {
	t := _pilot(object.union(_valid, {"budget_eur": 0}))
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	fx.ids(findings) == {"CIVIC-SBX-4"}
}

test_sbx5_no_owner if {
	t := _pilot(object.union(_valid, {"owner": ""}))
	n := fx.now
	findings := sandbox.deny with input.tenant as t with input.now as n
	fx.ids(findings) == {"CIVIC-SBX-5"}
}
