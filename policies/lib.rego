# Helpers shared by the rule families: safe access to the tenant document, the backends it uses
# and the services it uses on each. Not a family: it defines no `metadata` and no `deny`.
package civicloud.lib

import rego.v1

# get returns obj[key], or fallback when the key is missing or null (the spec fills defaults with null).
get(obj, key, fallback) := value if {
	value := object.get(obj, key, null)
	value != null
} else := fallback

tenant := input.tenant

name := object.get(tenant.metadata, "name", "")

classification := object.get(tenant, "classification", "")

# Sections and lists of the tenant, {} or [] when missing or null. (Guarded rules with a
# default: three times cheaper in rego-cpp than calling get, and these are read by every rule.)
default residency := {}

residency := tenant.residency if is_object(tenant.residency)

default compute := {}

compute := tenant.compute if is_object(tenant.compute)

default storage := {}

storage := tenant.storage if is_object(tenant.storage)

default quotas := {}

quotas := compute.quotas if is_object(compute.quotas)

default servers := []

servers := compute.servers if is_array(compute.servers)

default networks := []

networks := compute.networks if is_array(compute.networks)

default security_groups := []

security_groups := compute.security_groups if is_array(compute.security_groups)

default buckets := []

buckets := storage.buckets if is_array(storage.buckets)

# Every volume with its path in the tenant document.
# (rego-cpp 1.5 rejects `some k, v in` inside comprehensions: index with x[k] there instead.)
volumes := [{"path": ["compute", "servers", i, "volumes", j], "volume": volume, "server": server.name} |
	server := servers[i]
	volume := server.volumes[j]
]

# Data services used on the compute backend: compute always, block storage when a volume exists.
compute_services := ["compute", "block_storage"] if count(volumes) > 0

else := ["compute"]

# Every backend the tenant uses: its name, where it is referenced, and the data services it
# provides to the tenant. Rules read the catalogue entry as input.backends[use.name].
backend_uses := [use |
	some use in [
		{"name": object.get(compute, "backend", null), "path": ["compute", "backend"], "services": compute_services},
		{"name": object.get(storage, "backend", null), "path": ["storage", "backend"], "services": ["object_storage"]},
	]
	input.backends[use.name]
]

# in_area is true when a country (or jurisdiction) code belongs to a list of codes,
# where the list may also say "EU", "EEA" or "*".
in_area(code, area) if code in area

in_area(_, area) if "*" in area

in_area(code, area) if {
	"EU" in area
	code in data.params.common.eu_countries
}

in_area(code, area) if {
	"EEA" in area
	code in data.params.common.eea_countries
}

in_eea(entry) if entry.eea == true

in_eea(entry) if {
	not is_boolean(object.get(entry, "eea", null))
	entry.country in data.params.common.eea_countries
}

holds_personal_data if classification in data.params.common.personal_data_classifications

is_local_authority if get(tenant.metadata, "authority_type", "") in data.params.common.local_authority_types

# Qualifications a backend holds for one service (catalogue: qualifications.<service>).
qualifications(entry, service) := get(get(entry, "qualifications", {}), service, [])

# Timestamps: "2026-12-31", "2026-12-31T10:00:00Z" or "...+01:00" to nanoseconds since the epoch.
# (rego-cpp's time.parse_rfc3339_ns does not accept the "Z" suffix, hence the rewriting.)
timestamp_ns(value) := time.parse_rfc3339_ns(concat("", [value, "T00:00:00+00:00"])) if {
	count(value) == 10
} else := time.parse_rfc3339_ns(replace(value, "Z", "+00:00"))

now_ns := timestamp_ns(input.now)

# Messages are built with concat, never sprintf on strings: rego-cpp 1.5's sprintf wraps a computed
# string in unescaped quotes, which breaks the JSON the gate reads back. num formats a number.
num(n) := sprintf("%v", [n])

# A human list of strings: ["FR", "DE"] -> "FR, DE"; [] -> "(none)".
human_list(values) := "(none)" if count(values) == 0

else := concat(", ", values)
