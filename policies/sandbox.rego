# Sandboxes (pilots) are temporary by construction: an owner, a budget and an expiry date that is
# in the future and not too far away, so the reaper can clean them up.
package civicloud.sandbox

import data.civicloud.lib
import rego.v1

params := data.params.sandbox

metadata["CIVIC-SBX-1"] := {
	"title": "A sandbox has an expiry date",
	"description": "A tenant of type sandbox sets sandbox.expires (a date).",
	"severity": "error",
	"source": "The authority's pilot policy: sandboxes expire and are reaped (civicloud sandbox reap).",
	"waiver": "Do not waive: make it a community tenant if it is meant to last.",
}

metadata["CIVIC-SBX-2"] := {
	"title": "A sandbox expires in the future",
	"description": "sandbox.expires is after now.",
	"severity": "error",
	"source": "The authority's pilot policy: an expired sandbox is reaped, never (re)deployed.",
	"waiver": "Do not waive: move sandbox.expires forward (within the maximum length).",
}

metadata["CIVIC-SBX-3"] := {
	"title": "A sandbox does not outlive the maximum length",
	"description": "sandbox.expires is at most max_days after now (policies/data/sandbox.yaml, 90 days by default).",
	"severity": "error",
	"source": "The authority's pilot policy (policies/data/sandbox.yaml max_days).",
	"waiver": "Waiver approved by the IT director for a longer pilot.",
}

metadata["CIVIC-SBX-4"] := {
	"title": "A sandbox has a budget",
	"description": "sandbox.budget_eur is set and greater than 0.",
	"severity": "error",
	"source": "The authority's pilot policy: every pilot has a spending cap (public spending accountability).",
	"waiver": "Do not waive: set the budget the pilot was granted.",
}

metadata["CIVIC-SBX-5"] := {
	"title": "A sandbox has an owner",
	"description": "sandbox.owner names who answers for the pilot and is told before it expires.",
	"severity": "error",
	"source": "The authority's pilot policy: someone answers for every pilot.",
	"waiver": "Do not waive: set sandbox.owner.",
}

_is_sandbox if lib.tenant.type == "sandbox"

_sandbox := lib.get(lib.tenant, "sandbox", {})

# Where to point when the whole sandbox block is missing: the line saying it is a sandbox.
_path(field) := ["sandbox", field] if lib.tenant.sandbox != null

else := ["type"]

_expires_ns := lib.timestamp_ns(_sandbox.expires)

_latest_ns := time.add_date(lib.now_ns, 0, 0, params.max_days)

_today := substring(input.now, 0, 10)

deny contains finding if {
	_is_sandbox
	not _expires_ns
	finding := {
		"id": "CIVIC-SBX-1",
		"msg": "this sandbox has no valid expiry date: set sandbox.expires (YYYY-MM-DD), at most max_days from today",
		"path": _path("expires"),
	}
}

deny contains finding if {
	_is_sandbox
	_expires_ns <= lib.now_ns
	finding := {
		"id": "CIVIC-SBX-2",
		"msg": concat("", [
			"this sandbox expired on ", _sandbox.expires, " (today is ", _today,
			"): move sandbox.expires forward, or let civicloud sandbox reap remove it",
		]),
		"path": _path("expires"),
	}
}

deny contains finding if {
	_is_sandbox
	_expires_ns > _latest_ns
	finding := {
		"id": "CIVIC-SBX-3",
		"msg": concat("", [
			"this sandbox expires on ", _sandbox.expires, ", more than ", lib.num(params.max_days),
			" days from today (", _today, "): set sandbox.expires to ", sprintf("%04d-%02d-%02d", time.date(_latest_ns)),
			" at the latest, or make it a community tenant",
		]),
		"path": _path("expires"),
	}
}

deny contains finding if {
	_is_sandbox
	not lib.get(_sandbox, "budget_eur", 0) > 0
	finding := {
		"id": "CIVIC-SBX-4",
		"msg": "this sandbox has no budget: set sandbox.budget_eur to the amount granted to the pilot (greater than 0)",
		"path": _path("budget_eur"),
	}
}

deny contains finding if {
	_is_sandbox
	lib.get(_sandbox, "owner", "") == ""
	finding := {
		"id": "CIVIC-SBX-5",
		"msg": "this sandbox has no owner: set sandbox.owner to the person who answers for the pilot",
		"path": _path("owner"),
	}
}
