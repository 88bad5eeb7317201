# Qualifications: health and sensitive data, and the tenant's own requirements, need qualified
# services. A qualification is held per service of a backend (compute, block_storage,
# object_storage), never per company: the catalogue lists them under qualifications.<service>.
package civicloud.qualification

import data.civicloud.lib
import rego.v1

params := data.params.qualification

metadata["CIVIC-QUAL-1"] := {
	"title": "Health data on HDS-certified services in the EEA",
	"description": "Health data are stored and processed only by services certified HDS, hosted in the EEA.",
	"severity": "error",
	"source": "Code de la santé publique L.1111-8; HDS certification référentiel 2024 (arrêté of 26 April 2024): hosting exclusively in the EEA.",
	"waiver": "Not for a real health data set; a waiver needs the DPO's approval and a signed HDS hosting contract.",
}

metadata["CIVIC-QUAL-2"] := {
	"title": "Sensitive data on SecNumCloud-qualified services",
	"description": "Sensitive data are stored and processed only by services qualified SecNumCloud.",
	"severity": "error",
	"source": "ANSSI SecNumCloud 3.2; doctrine « cloud au centre » (circulaire 6404/SG of 31 May 2023); loi SREN art. 31.",
	"waiver": "Waiver approved by the security officer (RSSI) with the risk analysis attached.",
}

metadata["CIVIC-QUAL-3"] := {
	"title": "Services hold the qualifications the tenant requires",
	"description": "Every data service used holds each qualification listed in residency.qualifications.",
	"severity": "error",
	"source": "The tenant's own residency declaration (residency.qualifications).",
	"waiver": "Change residency.qualifications or the backend; a waiver needs the data controller's approval.",
}

# Each data service used on each backend: {use, service}.
_services contains {"use": use, "service": service} if {
	some use in lib.backend_uses
	some service in use.services
	service in params.data_services
}

deny contains finding if {
	lib.classification in params.hds.classifications
	some s in _services
	not params.hds.qualification in lib.qualifications(input.backends[s.use.name], s.service)
	finding := _missing("CIVIC-QUAL-1", s, params.hds.qualification, concat("", [
		lib.classification, " data need an HDS-certified host (Code de la santé publique L.1111-8)",
	]))
}

deny contains finding if {
	lib.classification in params.hds.classifications
	some use in lib.backend_uses
	entry := input.backends[use.name]
	not lib.in_eea(entry)
	finding := {
		"id": "CIVIC-QUAL-1",
		"msg": concat("", [
			"backend ", use.name, " is in ", entry.country, ", outside the EEA: ", lib.classification,
			" data must be hosted in the EEA (HDS référentiel 2024). Use an HDS-certified backend in the EEA",
		]),
		"path": use.path,
	}
}

deny contains finding if {
	lib.classification in params.secnumcloud.classifications
	some s in _services
	not params.secnumcloud.qualification in lib.qualifications(input.backends[s.use.name], s.service)
	finding := _missing("CIVIC-QUAL-2", s, params.secnumcloud.qualification, concat("", [
		lib.classification, " data need a SecNumCloud-qualified offer (doctrine cloud au centre)",
	]))
}

deny contains finding if {
	some required in lib.residency.qualifications
	some s in _services
	not required in lib.qualifications(input.backends[s.use.name], s.service)
	finding := _missing("CIVIC-QUAL-3", s, required, "residency.qualifications requires it")
}

_missing(rule, s, qualification, why) := {
	"id": rule,
	"msg": concat("", [
		"the ", s.service, " service of backend ", s.use.name, " is not qualified ", qualification,
		" (it holds: ", lib.human_list(lib.qualifications(input.backends[s.use.name], s.service)), "); ", why,
		". Pick a backend whose ", s.service, " service is ", qualification,
	]),
	"path": s.use.path,
}
