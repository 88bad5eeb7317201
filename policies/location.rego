# Data location: every backend that stores or processes the tenant's data is where the tenant's
# own residency, its classification and the law allow.
package civicloud.location

import data.civicloud.lib
import rego.v1

params := data.params.location

metadata["CIVIC-LOC-1"] := {
	"title": "Backends are in a country the tenant allows",
	"description": "Every backend used (compute and storage) is in one of residency.countries.",
	"severity": "error",
	"source": "The tenant's own residency declaration (residency.countries).",
	"waiver": "Change residency.countries or the backend; a waiver needs the data controller's approval.",
}

metadata["CIVIC-LOC-2"] := {
	"title": "Backends answer to a jurisdiction the tenant allows",
	"description": "Every backend's jurisdiction is in residency.jurisdictions (\"EU\" admits any EU member state).",
	"severity": "error",
	"source": "The tenant's own residency declaration (residency.jurisdictions).",
	"waiver": "Change residency.jurisdictions or the backend; a waiver needs the data controller's approval.",
}

metadata["CIVIC-LOC-3"] := {
	"title": "Backends are allowed for the data classification",
	"description": "Every backend's country and jurisdiction are allowed for the tenant's classification (policies/data/location.yaml).",
	"severity": "error",
	"source": "The authority's data-location policy per classification (policies/data/location.yaml).",
	"waiver": "Waiver approved by the authority's security officer (RSSI), or change the classification table.",
}

metadata["CIVIC-LOC-4"] := {
	"title": "Local-authority data stay in France",
	"description": "A local authority's data (commune, EPCI, département, région, syndicat) are stored and processed in France.",
	"severity": "error",
	"source": "Public archives from creation (Code du patrimoine L.211-1, L.211-4); DGCL/SIAF note DGP/SIAF/2016/006 of 5 April 2016.",
	"waiver": "Only with a written derogation of the archives authority (the departmental archives director); record it as a waiver.",
}

metadata["CIVIC-LOC-5"] := {
	"title": "Personal data stay in the EEA",
	"description": "Personal, health and sensitive data are not stored or processed on a backend outside the EEA.",
	"severity": "error",
	"source": "GDPR chapter V (art. 44-49) and CJEU C-311/18 (Schrems II).",
	"waiver": "Only with a transfer basis (adequacy decision, SCCs and a transfer impact assessment) approved by the DPO.",
}

default _countries := []

_countries := lib.residency.countries if is_array(lib.residency.countries)

default _jurisdictions := []

_jurisdictions := lib.residency.jurisdictions if is_array(lib.residency.jurisdictions)

deny contains finding if {
	count(_countries) > 0
	some use in lib.backend_uses
	entry := input.backends[use.name]
	not lib.in_area(entry.country, _countries)
	finding := {
		"id": "CIVIC-LOC-1",
		"msg": concat("", [
			"backend ", use.name, " is in ", entry.country, ", outside residency.countries (",
			lib.human_list(_countries), "): pick a backend in an allowed country or widen residency.countries",
		]),
		"path": use.path,
	}
}

deny contains finding if {
	count(_jurisdictions) > 0
	some use in lib.backend_uses
	entry := input.backends[use.name]
	not lib.in_area(entry.jurisdiction, _jurisdictions)
	finding := {
		"id": "CIVIC-LOC-2",
		"msg": concat("", [
			"backend ", use.name, " (", object.get(entry, "provider", "?"), ") answers to ",
			entry.jurisdiction, " law, outside residency.jurisdictions (", lib.human_list(_jurisdictions),
			"): pick a provider under an allowed jurisdiction",
		]),
		"path": use.path,
	}
}

deny contains finding if {
	allowed := params.classifications[lib.classification]
	some use in lib.backend_uses
	entry := input.backends[use.name]
	not _gdpr_violation(entry)
	some field in ["countries", "jurisdictions"]
	value := _backend_value(entry, field)
	not lib.in_area(value, allowed[field])
	finding := {
		"id": "CIVIC-LOC-3",
		"msg": concat("", [
			"backend ", use.name, ": ", _field_label[field], " ", value, " is not allowed for ",
			lib.classification, " data (allowed: ", lib.human_list(allowed[field]),
			"; policies/data/location.yaml): pick another backend",
		]),
		"path": use.path,
	}
}

deny contains finding if {
	lib.is_local_authority
	some use in lib.backend_uses
	entry := input.backends[use.name]
	entry.country != params.archives_country
	finding := {
		"id": "CIVIC-LOC-4",
		"msg": concat("", [
			"backend ", use.name, " is in ", entry.country, ", but ",
			object.get(lib.tenant.metadata, "authority", lib.name), " is a local authority (",
			lib.tenant.metadata.authority_type, "): its data are public archives and must be stored and processed in ",
			params.archives_country, " (Code du patrimoine L.211-4; DGCL/SIAF note DGP/SIAF/2016/006 of 5 April 2016). ",
			"Use a backend in ", params.archives_country,
		]),
		"path": use.path,
	}
}

deny contains finding if {
	some use in lib.backend_uses
	entry := input.backends[use.name]
	_gdpr_violation(entry)
	finding := {
		"id": "CIVIC-LOC-5",
		"msg": concat("", [
			"backend ", use.name, " is in ", entry.country, ", outside the EEA, but the tenant holds ",
			lib.classification, " data: a transfer outside the EEA needs an adequacy decision or safeguards ",
			"(GDPR art. 44-49; CJEU C-311/18 Schrems II). Use a backend in the EEA",
		]),
		"path": use.path,
	}
}

_gdpr_violation(entry) if {
	lib.holds_personal_data
	not lib.in_eea(entry)
}

_backend_value(entry, "countries") := entry.country

_backend_value(entry, "jurisdictions") := entry.jurisdiction

_field_label := {"countries": "country", "jurisdictions": "jurisdiction"}
