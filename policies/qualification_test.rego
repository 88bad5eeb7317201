package civicloud.qualification_test

import data.civicloud.fixtures_test as fx
import data.civicloud.qualification
import rego.v1

_as(classification) := fx.patched(fx.tenant, {"/classification": classification})

_on_storage(tenant, backend) := fx.patched(tenant, {"/storage/backend": backend})

test_health_on_hds_services_passes if {
	t := _as("health")
	b := fx.backends
	findings := qualification.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}

test_qual1_health_on_a_service_without_hds if {
	t := _on_storage(_as("health"), "s3-de")
	b := fx.backends
	findings := qualification.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-QUAL-1"}
	fx.paths_of(findings, "CIVIC-QUAL-1") == {["storage", "backend"]}
}

test_qual1_is_per_service_not_per_backend if {
	# The same provider holds HDS for compute but not for block storage: volumes make it fail.
	t := _as("health")
	b := fx.patched(fx.backends, {"/os-fr/qualifications/block_storage": ["iso27001"]})
	findings := qualification.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-QUAL-1"}
	some f in findings
	contains(f.msg, "block_storage")
}

test_qual1_block_storage_unused_without_volumes if {
	t := fx.patched(_as("health"), {"/compute/servers/0/volumes": [], "/compute/servers/1/volumes": []})
	b := fx.patched(fx.backends, {"/os-fr/qualifications/block_storage": ["iso27001"]})
	findings := qualification.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}

test_qual1_health_outside_eea_even_if_certified if {
	t := _on_storage(_as("health"), "s3-ch")
	b := fx.patched(fx.backends, {"/s3-ch/qualifications/object_storage": ["hds"]})
	findings := qualification.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-QUAL-1"}
	some f in findings
	contains(f.msg, "outside the EEA")
}

test_qual2_sensitive_without_secnumcloud if {
	t := _on_storage(_as("sensitive"), "s3-us-fr")
	b := fx.backends
	findings := qualification.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-QUAL-2"}
}

test_qual2_sensitive_on_secnumcloud_passes if {
	t := _as("sensitive")
	b := fx.backends
	findings := qualification.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}

test_qual3_tenant_requires_a_qualification if {
	t := _on_storage(fx.patched(fx.tenant, {"/residency/qualifications": ["secnumcloud"]}), "s3-de")
	b := fx.backends
	findings := qualification.deny with input.tenant as t with input.backends as b
	fx.ids(findings) == {"CIVIC-QUAL-3"}
	fx.paths_of(findings, "CIVIC-QUAL-3") == {["storage", "backend"]}
}

test_personal_data_need_no_qualification if {
	t := _on_storage(fx.tenant, "s3-de")
	b := fx.backends
	findings := qualification.deny with input.tenant as t with input.backends as b
	count(findings) == 0
}
