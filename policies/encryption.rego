# Encryption at rest: every volume is encrypted and every bucket encrypts by default, with a key
# the tenant controls when it says so (SSE-C needs a key reference, SSE-KMS a key).
package civicloud.encryption

import data.civicloud.lib
import rego.v1

params := data.params.encryption

metadata["CIVIC-ENC-1"] := {
	"title": "Every volume is encrypted",
	"description": "Every block-storage volume is created with an encrypted volume type (encrypted: true).",
	"severity": "error",
	"source": "GDPR art. 32(1)(a) (encryption of personal data); ANSSI SecNumCloud 3.2 (encryption at rest).",
	"waiver": "Waiver approved by the security officer (RSSI), for public data only.",
}

metadata["CIVIC-ENC-2"] := {
	"title": "Every bucket has default encryption",
	"description": "Every bucket declares a default encryption mode: sse-s3, sse-kms or sse-c (policies/data/encryption.yaml).",
	"severity": "error",
	"source": "GDPR art. 32(1)(a) (encryption of personal data); ANSSI SecNumCloud 3.2 (encryption at rest).",
	"waiver": "Waiver approved by the security officer (RSSI), for public data only.",
}

metadata["CIVIC-ENC-3"] := {
	"title": "SSE-C buckets name their key",
	"description": "A bucket encrypted with customer-provided keys (sse-c) names where the key lives (key_ref).",
	"severity": "error",
	"source": "Without the key reference the objects cannot be written, nor read back after a restore (civicloud).",
	"waiver": "Not waivable in practice: add key_ref (env:NAME, file:PATH or vault:PATH).",
}

metadata["CIVIC-ENC-4"] := {
	"title": "SSE-KMS buckets name their key",
	"description": "A bucket encrypted with a KMS key (sse-kms) names the key (kms_key).",
	"severity": "error",
	"source": "EDPB Recommendations 01/2020: keys under the controller's control are a supplementary measure.",
	"waiver": "Waiver approved by the security officer (RSSI) to use the provider's default key.",
}

deny contains finding if {
	some v in lib.volumes
	object.get(v.volume, "encrypted", false) != true
	finding := {
		"id": "CIVIC-ENC-1",
		"msg": concat("", [
			"volume ", v.volume.name, " of server ", v.server,
			" is not encrypted: set encrypted: true (data at rest must be encrypted, GDPR art. 32)",
		]),
		"path": array.concat(v.path, ["encrypted"]),
	}
}

deny contains finding if {
	some i, bucket in lib.buckets
	not object.get(bucket, "encryption", null) in params.bucket_encryption
	finding := {
		"id": "CIVIC-ENC-2",
		"msg": concat("", [
			"bucket ", bucket.name, " has no default encryption: set encryption to one of ",
			lib.human_list(params.bucket_encryption), " (data at rest must be encrypted, GDPR art. 32)",
		]),
		"path": ["storage", "buckets", i, "encryption"],
	}
}

deny contains finding if {
	some i, bucket in lib.buckets
	bucket.encryption == "sse-c"
	object.get(bucket, "key_ref", null) in {null, ""}
	finding := {
		"id": "CIVIC-ENC-3",
		"msg": concat("", [
			"bucket ", bucket.name, " uses sse-c but names no key: set key_ref ",
			"(env:NAME, file:PATH or vault:PATH) so civicloud can supply the key without storing it",
		]),
		"path": ["storage", "buckets", i, "encryption"],
	}
}

deny contains finding if {
	some i, bucket in lib.buckets
	bucket.encryption == "sse-kms"
	object.get(bucket, "kms_key", null) in {null, ""}
	finding := {
		"id": "CIVIC-ENC-4",
		"msg": concat("", [
			"bucket ", bucket.name, " uses sse-kms but names no key: set kms_key ",
			"to the KMS key (ID or alias) the authority controls",
		]),
		"path": ["storage", "buckets", i, "encryption"],
	}
}
