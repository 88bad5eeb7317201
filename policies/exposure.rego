# Public exposure: personal, health and sensitive data are never reachable from the Internet,
# and no tenant opens its administration ports (SSH, RDP) to the whole Internet.
package civicloud.exposure

import data.civicloud.lib
import rego.v1

params := data.params.exposure

metadata["CIVIC-EXP-1"] := {
	"title": "No public bucket for personal data",
	"description": "A tenant holding personal, health or sensitive data has no bucket with public_access: true.",
	"severity": "error",
	"source": "GDPR art. 5(1)(f) and 32 (confidentiality); the bucket would serve its objects to anyone.",
	"waiver": "Do not waive: publish public documents from a tenant classified public.",
}

metadata["CIVIC-EXP-2"] := {
	"title": "No public IP for personal data",
	"description": "A tenant holding personal, health or sensitive data has no server with public_ip: true.",
	"severity": "error",
	"source": "GDPR art. 32; ANSSI guide d'hygiène informatique: expose services through a filtering gateway, not the data servers.",
	"waiver": "Waiver approved by the security officer (RSSI) for a server behind a reverse proxy or WAF.",
}

metadata["CIVIC-EXP-3"] := {
	"title": "No administration port open to the Internet",
	"description": "No ingress rule opens an administration port (SSH 22, RDP 3389; policies/data/exposure.yaml) to 0.0.0.0/0 or ::/0.",
	"severity": "error",
	"source": "ANSSI recommendations for secure administration of information systems (ANSSI-PA-022): administer from a dedicated network.",
	"waiver": "Waiver approved by the security officer (RSSI), time-limited (e.g. a migration week).",
}

_protected if lib.classification in params.protected_classifications

deny contains finding if {
	_protected
	some i, bucket in lib.buckets
	bucket.public_access == true
	finding := {
		"id": "CIVIC-EXP-1",
		"msg": concat("", [
			"bucket ", bucket.name, " is public but the tenant holds ", lib.classification,
			" data: set public_access: false (publish public documents from a tenant classified public)",
		]),
		"path": ["storage", "buckets", i, "public_access"],
	}
}

deny contains finding if {
	_protected
	some i, server in lib.servers
	server.public_ip == true
	finding := {
		"id": "CIVIC-EXP-2",
		"msg": concat("", [
			"server ", server.name, " has a public IP but the tenant holds ", lib.classification,
			" data: set public_ip: false and publish through the syndicate's reverse proxy",
		]),
		"path": ["compute", "servers", i, "public_ip"],
	}
}

deny contains finding if {
	some i, group in lib.security_groups
	some j, rule in group.rules
	object.get(rule, "direction", "ingress") != "egress"
	_remote(rule) in params.open_remotes
	some port in params.admin_ports
	_opens(rule, port)
	finding := {
		"id": "CIVIC-EXP-3",
		"msg": concat("", [
			"security group ", group.name, " opens port ", lib.num(port), " to ",
			_remote(rule), " (anyone on the Internet): restrict remote to the ",
			"administration network (ANSSI-PA-022)",
		]),
		"path": ["compute", "security_groups", i, "rules", j],
	}
}

# A rule names a remote CIDR, or a remote security group, or neither: then it admits anyone.
_remote(rule) := rule.remote if is_string(rule.remote)

else := "0.0.0.0/0" if object.get(rule, "remote_group", null) == null

_opens(rule, port) if rule.port == port

_opens(rule, port) if {
	rule.port_min <= port
	port <= rule.port_max
}

# A rule without any port opens every port of its protocol (ICMP has none).
_opens(rule, _) if {
	object.get(rule, "port", null) == null
	object.get(rule, "port_min", null) == null
	object.get(rule, "port_max", null) == null
	not object.get(rule, "protocol", null) in {"icmp", "ipv6-icmp"}
}
