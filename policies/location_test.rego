package civicloud.location_test

import data.civicloud.fixtures_test as fx
import data.civicloud.location
import rego.v1

# A non-local authority with no residency restriction: only the classification and the law apply.
_open := fx.patched(fx.tenant, {
	"/metadata/authority_type": "other",
	"/residency/countries": [],
	"/residency/jurisdictions": [],
})

_on_storage(tenant, backend) := fx.patched(tenant, {"/storage/backend": backend})

test_compliant_commune_passes if {
	t := fx.tenant
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}

test_loc1_backend_outside_residency_countries if {
	t := _on_storage(fx.patched(fx.tenant, {"/metadata/authority_type": "other"}), "s3-de")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-LOC-1"}
	fx.paths_of(findings, "CIVIC-LOC-1") == {["storage", "backend"]}
}

test_loc1_empty_residency_restricts_nothing if {
	t := _on_storage(_open, "s3-de")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}

test_loc2_jurisdiction_outside_residency if {
	t := _on_storage(fx.patched(_open, {"/classification": "public", "/residency/jurisdictions": ["FR", "EU"]}), "s3-us-fr")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-LOC-2"}
}

test_loc2_eu_admits_member_state_jurisdiction if {
	t := _on_storage(fx.patched(_open, {"/residency/jurisdictions": ["EU"]}), "s3-de")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}

test_loc3_jurisdiction_not_allowed_for_classification if {
	t := _on_storage(fx.patched(_open, {"/classification": "internal"}), "s3-us-fr")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-LOC-3"}
}

test_loc3_public_data_may_go_anywhere if {
	t := _on_storage(fx.patched(_open, {"/classification": "public"}), "s3-us-fr")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}

test_loc3_follows_the_parameters if {
	t := _on_storage(fx.patched(_open, {"/classification": "public"}), "s3-de")
	b := fx.backends
	classes := {"public": {"countries": ["FR"], "jurisdictions": ["*"]}}
	findings := location.deny with input.tenant as t with input.backends as b
		with data.params.location.classifications as classes
	fx.ids(findings) == {"CIVIC-LOC-3"}
}

test_loc4_local_authority_outside_france if {
	t := _on_storage(fx.patched(fx.tenant, {"/residency/countries": ["FR", "DE"]}), "s3-de")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-LOC-4"}
	fx.paths_of(findings, "CIVIC-LOC-4") == {["storage", "backend"]}
}

test_loc4_other_authority_may_leave_france if {
	t := _on_storage(_open, "s3-de")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	not "CIVIC-LOC-4" in fx.ids(findings)
}

test_loc5_personal_data_outside_eea if {
	t := _on_storage(_open, "s3-ch")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-LOC-5"}
}

test_loc5_uses_country_when_eea_flag_missing if {
	t := _on_storage(_open, "s3-ch")
	b := {"os-fr": fx.backends["os-fr"], "s3-ch": object.remove(fx.backends["s3-ch"], ["eea"])}
	findings := location.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-LOC-5"}
}

test_loc5_public_data_outside_eea_allowed if {
	t := _on_storage(fx.patched(_open, {"/classification": "public"}), "s3-ch")
	b := fx.backends
	findings := location.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}
