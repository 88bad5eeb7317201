# Gate 2: the resources the engine planned, as the program resolved them. The spec may look fine
# while the resolved value is not (a bucket created at another endpoint or region, a volume
# without its encrypted type): these rules read input.resources, not the tenant file.
package civicloud.plan

import data.civicloud.lib
import rego.v1

metadata["CIVIC-PLAN-1"] := {
	"title": "Planned resources land where the tenant's data may live",
	"description": "Every planned bucket (by endpoint and region) and OpenStack resource (by cloud) resolves to a catalogue backend the tenant uses, in a country of residency.countries, and in France for a local authority.",
	"severity": "error",
	"stage": "plan",
	"source": "The tenant's residency; for local authorities, Code du patrimoine L.211-4 and the DGCL/SIAF note DGP/SIAF/2016/006 of 5 April 2016.",
	"waiver": "Not waivable: fix the catalogue entry or the program that resolved the placement.",
}

metadata["CIVIC-PLAN-2"] := {
	"title": "Planned volumes and buckets are encrypted",
	"description": "Every planned volume asks for an encrypted volume type and every planned bucket for a default encryption mode.",
	"severity": "error",
	"stage": "plan",
	"source": "GDPR art. 32(1)(a); ANSSI SecNumCloud 3.2 (encryption at rest).",
	"waiver": "Waiver approved by the security officer (RSSI), for public data only.",
}

_planned := [r | some r in object.get(input, "resources", []); r.op != "delete"]

_kind(r) := k if {
	parts := split(r.type, ":")
	k := parts[count(parts) - 1]
}

# Where a planned resource is placed: an S3 endpoint or a clouds.yaml cloud, when it says.
_place(r) := p if {
	p := object.get(r.inputs, "endpoint", null)
	is_string(p)
} else := p if {
	p := object.get(r.inputs, "cloud", null)
	is_string(p)
}

_backend(place) := b if {
	some b in input.backends
	object.get(b, "endpoint", null) == place
} else := b if {
	some b in input.backends
	object.get(b, "cloud", null) == place
}

default _countries := []

_countries := lib.residency.countries if is_array(lib.residency.countries)

_allowed(b) if {
	count(_countries) == 0
	not lib.is_local_authority
}

_allowed(b) if {
	count(_countries) > 0
	lib.in_area(b.country, _countries)
	not lib.is_local_authority
}

_allowed(b) if {
	lib.is_local_authority
	b.country == data.params.location.archives_country
	count(_countries) == 0
}

_allowed(b) if {
	lib.is_local_authority
	b.country == data.params.location.archives_country
	lib.in_area(b.country, _countries)
}

_label(r) := concat(" ", [_kind(r), r.name])

deny_plan contains finding if {
	some r in _planned
	place := _place(r)
	not _backend(place)
	finding := {
		"id": "CIVIC-PLAN-1",
		"msg": concat("", [
			_label(r), " would be created at ", place,
			", which is none of the catalogue backends this tenant uses: nothing is applied",
		]),
		"path": ["resources", r.urn],
	}
}

deny_plan contains finding if {
	some r in _planned
	b := _backend(_place(r))
	not _allowed(b)
	finding := {
		"id": "CIVIC-PLAN-1",
		"msg": concat("", [
			_label(r), " would be created on backend ", b.name, " in ", b.country,
			", where this tenant's data may not live: nothing is applied",
		]),
		"path": ["resources", r.urn],
	}
}

deny_plan contains finding if {
	some r in _planned
	_kind(r) == "Bucket"
	b := _backend(_place(r))
	region := object.get(r.inputs, "region", "(none)")
	region != b.region
	finding := {
		"id": "CIVIC-PLAN-1",
		"msg": concat("", [
			_label(r), " would be created in region ", region, ", not in ", b.region,
			", the region of backend ", b.name, ": nothing is applied",
		]),
		"path": ["resources", r.urn],
	}
}

deny_plan contains finding if {
	some r in _planned
	_kind(r) == "Volume"
	object.get(r.inputs, "encrypted", false) != true
	finding := {
		"id": "CIVIC-PLAN-2",
		"msg": concat("", [_label(r), " is planned without encryption: nothing is applied"]),
		"path": ["resources", r.urn],
	}
}

deny_plan contains finding if {
	some r in _planned
	_kind(r) == "Bucket"
	not object.get(r.inputs, "encryption", null) in data.params.encryption.bucket_encryption
	finding := {
		"id": "CIVIC-PLAN-2",
		"msg": concat("", [_label(r), " is planned without default encryption: nothing is applied"]),
		"path": ["resources", r.urn],
	}
}
