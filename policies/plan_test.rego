package civicloud.plan_test

import data.civicloud.fixtures_test as fx
import data.civicloud.plan
import rego.v1

backends := {
	"os-fr": {"name": "os-fr", "kind": "openstack", "cloud": "local", "country": "FR", "region": "fr-1"},
	"s3-fr": {"name": "s3-fr", "kind": "s3", "endpoint": "http://s3.fr", "country": "FR", "region": "fr-par"},
	"s3-de": {"name": "s3-de", "kind": "s3", "endpoint": "http://s3.de", "country": "DE", "region": "de-fra"},
}

bucket(endpoint, region, encryption) := {
	"urn": "urn:b", "type": "pulumi-python:dynamic/civicloud:Bucket", "name": "vence-docs", "op": "create",
	"inputs": {"endpoint": endpoint, "region": region, "encryption": encryption},
}

volume(encrypted) := {
	"urn": "urn:v", "type": "pulumi-python:dynamic/civicloud:Volume", "name": "vence-web-1-data", "op": "create",
	"inputs": {"cloud": "local", "size_gb": 10, "encrypted": encrypted},
}

test_resources_on_allowed_backends_pass if {
	t := fx.tenant
	b := backends
	r := [bucket("http://s3.fr", "fr-par", "sse-s3"), volume(true)]
	findings := plan.deny_plan with input.tenant as t with input.backends as b with input.resources as r
	count(findings) == 0
}

test_plan1_bucket_resolved_abroad if {
	t := fx.tenant
	b := backends
	r := [bucket("http://s3.de", "de-fra", "sse-s3")]
	findings := plan.deny_plan with input.tenant as t with input.backends as b with input.resources as r
	fx.ids(findings) == {"CIVIC-PLAN-1"}
	fx.paths_of(findings, "CIVIC-PLAN-1") == {["resources", "urn:b"]}
}

test_plan1_endpoint_outside_the_catalogue if {
	t := fx.tenant
	b := backends
	r := [bucket("http://elsewhere.example", "fr-par", "sse-s3")]
	findings := plan.deny_plan with input.tenant as t with input.backends as b with input.resources as r
	fx.ids(findings) == {"CIVIC-PLAN-1"}
}

test_plan1_bucket_region_not_the_backend_s if {
	t := fx.tenant
	b := backends
	r := [bucket("http://s3.fr", "us-east-1", "sse-s3")]
	findings := plan.deny_plan with input.tenant as t with input.backends as b with input.resources as r
	fx.ids(findings) == {"CIVIC-PLAN-1"}
}

test_plan1_non_local_authority_follows_residency if {
	t := fx.patched(fx.tenant, {"/metadata/authority_type": "other", "/residency/countries": ["FR", "DE"]})
	b := backends
	r := [bucket("http://s3.de", "de-fra", "sse-s3")]
	findings := plan.deny_plan with input.tenant as t with input.backends as b with input.resources as r
	count(findings) == 0
}

test_plan2_unencrypted_volume_and_bucket if {
	t := fx.tenant
	b := backends
	r := [bucket("http://s3.fr", "fr-par", null), volume(false)]
	findings := plan.deny_plan with input.tenant as t with input.backends as b with input.resources as r
	fx.ids(findings) == {"CIVIC-PLAN-2"}
	fx.paths_of(findings, "CIVIC-PLAN-2") == {["resources", "urn:b"], ["resources", "urn:v"]}
}

test_deleted_resources_are_not_checked if {
	t := fx.tenant
	b := backends
	r := [object.union(bucket("http://s3.de", "de-fra", null), {"op": "delete"})]
	findings := plan.deny_plan with input.tenant as t with input.backends as b with input.resources as r
	count(findings) == 0
}
