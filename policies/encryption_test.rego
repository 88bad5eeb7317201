package civicloud.encryption_test

import data.civicloud.encryption
import data.civicloud.fixtures_test as fx
import rego.v1

test_encrypted_volumes_and_buckets_pass if {
	t := fx.tenant
	findings := encryption.deny with input.tenant as t
	count(findings) == 0
}

test_enc1_unencrypted_volume if {
	t := fx.patched(fx.tenant, {"/compute/servers/1/volumes/0/encrypted": false})
	findings := encryption.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-ENC-1"}
	fx.paths_of(findings, "CIVIC-ENC-1") == {["compute", "servers", 1, "volumes", 0, "encrypted"]}
}

test_enc1_volume_without_the_flag if {
	t := fx.patched(fx.tenant, {"/compute/servers/0/volumes/0": {"name": "data", "size_gb": 10}})
	findings := encryption.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-ENC-1"}
}

test_enc2_bucket_without_encryption if {
	t := fx.patched(fx.tenant, {"/storage/buckets/0/encryption": null})
	findings := encryption.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-ENC-2"}
	fx.paths_of(findings, "CIVIC-ENC-2") == {["storage", "buckets", 0, "encryption"]}
}

test_enc2_unknown_mode if {
	t := fx.patched(fx.tenant, {"/storage/buckets/1/encryption": "none"})
	findings := encryption.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-ENC-2"}
}

test_enc3_sse_c_without_key_ref if {
	t := fx.patched(fx.tenant, {"/storage/buckets/0/encryption": "sse-c"})
	findings := encryption.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-ENC-3"}
}

test_enc3_sse_c_with_key_ref_passes if {
	t := fx.patched(fx.tenant, {"/storage/buckets/0/encryption": "sse-c", "/storage/buckets/0/key_ref": "env:VENCE_KEY"})
	findings := encryption.deny with input.tenant as t
	count(findings) == 0
}

test_enc4_sse_kms_without_key if {
	t := fx.patched(fx.tenant, {"/storage/buckets/1/kms_key": null})
	findings := encryption.deny with input.tenant as t
	fx.ids(findings) == {"CIVIC-ENC-4"}
}
