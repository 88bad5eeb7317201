"""Every kind of bad input gives file:line:column, the field path, expected and found."""

from __future__ import annotations

import pytest
from spec_cases import BASE, mutate

NETWORK_2 = """  networks:
    - name: backend
      subnets:
        - name: backend-v4
          cidr: 10.20.0.0/24
    - name: dmz
      subnets:
        - name: dmz-v4
          cidr: 10.20.0.128/25
"""

CASES = [
    # (id, broken text, expected message with its location)
    ("enum", mutate("encryption: sse-s3", "encryption: none"),
     "t.yaml:41:7: storage.buckets[0].encryption: expected one of sse-s3, sse-kms, sse-c, "
     "got 'none'"),
    ("unknown key with did-you-mean", mutate("      flavor: m1.small", "      flavour: m1.small"),
     "t.yaml:30:7: compute.servers[0].flavour: unknown field 'flavour' (did you mean 'flavor'?)"),
    ("missing required field", mutate("      flavor: m1.small\n", ""),
     "t.yaml:29:7: compute.servers[0].flavor: required field is missing"),
    ("missing metadata field", mutate("  contact: dsi@vence.example\n", ""),
     "t.yaml:3:1: metadata.contact: required field is missing"),
    ("wrong type", mutate("size_gb: 10", "size_gb: ten"),
     "t.yaml:36:24: compute.servers[0].volumes[0].size_gb: expected a whole number, got 'ten'"),
    ("number where text is expected", mutate("image: debian-12", "image: 12"),
     "t.yaml:31:7: compute.servers[0].image: expected text, got 12 (YAML reads it as a number: "
     "put it in quotes)"),
    ("boolean as text", mutate("versioning: true", "versioning: 'yes'"),
     "t.yaml:42:7: storage.buckets[0].versioning: expected true or false, got 'yes'"),
    ("bad CIDR", mutate("cidr: 10.20.0.0/24", "cidr: 10.20.0.0/33"),
     "t.yaml:17:11: compute.networks[0].subnets[0].cidr: expected a network in CIDR notation "
     "such as 10.20.0.0/24, got '10.20.0.0/33'"),
    ("CIDR with host bits", mutate("cidr: 10.20.0.0/24", "cidr: 10.20.0.1/24"),
     "t.yaml:17:11: compute.networks[0].subnets[0].cidr: '10.20.0.1/24' has host bits set: "
     "did you mean 10.20.0.0/24?"),
    ("overlapping subnets", BASE.replace(BASE[BASE.index("  networks:"):BASE.index("  routers:")],
                                         NETWORK_2),
     "t.yaml:21:11: compute.networks[1].subnets[0].cidr: 10.20.0.128/25 overlaps subnet "
     "'backend-v4' (10.20.0.0/24, line 17)"),
    ("server on a network that does not exist", mutate("network: backend", "network: frontend"),
     "t.yaml:32:7: compute.servers[0].network: network 'frontend' does not exist "
     "(declared: backend)"),
    ("router on a subnet that does not exist", mutate("[backend-v4]", "[front-v4]"),
     "t.yaml:20:17: compute.routers[0].subnets[0]: subnet 'front-v4' does not exist "
     "(declared: backend-v4)"),
    ("security group not declared", mutate("security_groups: [web]", "security_groups: [db]"),
     "t.yaml:33:25: compute.servers[0].security_groups[0]: security group 'db' does not exist "
     "(declared: web)"),
    ("keypair not declared", mutate("keypair: admin", "keypair: root"),
     "t.yaml:34:7: compute.servers[0].keypair: keypair 'root' does not exist (declared: admin)"),
    ("backend not in the catalogue", mutate("backend: local-s3-fr", "backend: local-s3-it"),
     "t.yaml:38:3: storage.backend: backend 'local-s3-it' does not exist (declared: "
     "local-openstack, local-s3-de, local-s3-fr)"),
    ("backend of the wrong kind", mutate("backend: local-openstack", "backend: local-s3-fr"),
     "t.yaml:12:3: compute.backend: compute needs an openstack backend, but 'local-s3-fr' is of "
     "kind s3"),
    ("duplicate names", mutate("      volumes:\n", "      volumes:\n        - {name: data, "
                                                    "size_gb: 5}\n"),
     "t.yaml:37:12: compute.servers[0].volumes[1].name: duplicate volume name 'data' "
     "(first declared on line 36)"),
    ("duplicate YAML key", mutate("  name: vence\n", "  name: vence\n  name: nice\n"),
     "t.yaml:5:3: metadata.name: duplicate key 'name' (first written on line 4)"),
    ("bad SIREN", mutate('"210601522"', '"210601523"'),
     "t.yaml:7:3: metadata.siren: '210601523' is not a valid SIREN (its check digit is wrong: "
     "typo?)"),
    ("DNS-unsafe name", mutate("name: vence", "name: Vence_06"),
     "t.yaml:4:3: metadata.name: expected a DNS-safe name"),
    ("YAML syntax error", mutate("  routers:\n", "  routers: [\n"),
     "t.yaml:19:5: YAML syntax error: did not find expected node content (while parsing a flow "
     "node on line 19)"),
    ("tab indentation", mutate("  routers:\n", "\trouters:\n"),
     "t.yaml:18:1: YAML syntax error: found a tab character that violates indentation"),
    ("unsupported tag", mutate("image: debian-12", "image: !env IMAGE"),
     "t.yaml:31:14: compute.servers[0].image: unsupported YAML tag '!env'"),
    ("unknown kind", mutate("kind: Tenant", "kind: Tennant"),
     "t.yaml:2:1: kind: expected one of Tenant, Syndicate, Catalogue, got 'Tennant' "
     "(did you mean 'Tenant'?)"),
    ("wrong apiVersion", mutate("civicloud/v1", "civicloud/v2"),
     "t.yaml:1:1: apiVersion: expected one of civicloud/v1, got 'civicloud/v2'"),
    ("not a mapping", "- just\n- a list\n",
     "t.yaml:1:1: expected a mapping with apiVersion and kind, got a list"),
    ("sandbox section on a community tenant", mutate("type: community\n", "type: community\n"
                                                     "sandbox: {expires: 2026-12-01, budget_eur: 1,"
                                                     " owner: a@b.example}\n"),
     "t.yaml:10:1: sandbox: only a tenant of type sandbox has a `sandbox:` section"),
    ("sandbox tenant without sandbox section", mutate("type: community", "type: sandbox"),
     "t.yaml:9:1: type: a sandbox tenant needs a `sandbox:` section"),
    ("bad date", mutate("type: community\n", "type: sandbox\nsandbox: {expires: 2026-02-30, "
                                             "budget_eur: 100, owner: a@b.example}\n"),
     "t.yaml:10:11: sandbox.expires: expected a date written YYYY-MM-DD, got '2026-02-30'"),
    ("object lock without versioning", mutate("versioning: true", "object_lock: {mode: "
                                              "COMPLIANCE, days: 30}"),
     "t.yaml:42:7: storage.buckets[0].object_lock: object_lock needs versioning: true"),
    ("lower-case country", mutate("classification: personal\n", "classification: personal\n"
                                  "residency: {countries: [fr]}\n"),
     "t.yaml:11:25: residency.countries[0]: expected a country code in capitals, got 'fr' "
     "(write FR)"),
    ("remote and remote_group together", mutate("remote: 10.0.0.0/8", "remote: 10.0.0.0/8, "
                                                "remote_group: web"),
     "t.yaml:24:11: compute.security_groups[0].rules[0]: give either remote (a CIDR) or "
     "remote_group (a security group), not both"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_located(load_text, text, expected):
    bundle, problems = load_text(text)
    assert not bundle.ok
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)


def test_all_errors_of_a_file_are_reported_at_once(load_text):
    text = mutate("encryption: sse-s3", "encryption: none",
                  mutate("flavor: m1.small", "flavour: m1.small",
                         mutate('"210601522"', '"210601523"')))
    _, problems = load_text(text)
    assert [p.split(":")[1] for p in problems] == ["7", "29", "30", "41"]


def test_credentials_are_refused_and_never_echoed(load_text):
    text = mutate("  contact: dsi@vence.example\n",
                  "  contact: dsi@vence.example\n  password: hunter2-s3cr3t\n")
    _, problems = load_text(text)
    assert problems == [
        "t.yaml:9:3: metadata.password: 'password' looks like a credential: credentials never "
        "belong in civicloud files: OpenStack credentials live in clouds.yaml (the catalogue "
        "names the entry with `cloud:`), S3 keys in the credentials profile (`profile:`), SSE-C "
        "keys behind `key_ref:`"
    ]
    assert "hunter2" not in "".join(problems)


def test_a_private_key_is_refused(load_text):
    public_key = BASE.splitlines()[26].split(": ", 1)[1]
    text = mutate(public_key, '"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk=\\n"')
    _, problems = load_text(text)
    assert len(problems) == 1
    assert problems[0].startswith("t.yaml:27:7: compute.keypairs[0].public_key: this value looks "
                                  "like a private key")
    assert "b3BlbnNzaC1rZXk" not in problems[0]


def test_a_public_key_with_altered_data_is_refused_with_its_line(load_text):
    # Well-formed text whose key blob is not an ed25519 key: Nova would refuse it mid-apply.
    public_key = BASE.splitlines()[26].split(": ", 1)[1]
    bad = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGh0b3JzZS1iYXR0ZXJ5LXN0YXBsZS1jb3JyZWN0 ops@x"
    _, problems = load_text(mutate(public_key, bad))
    assert len(problems) == 1
    assert problems[0].startswith("t.yaml:27:7: compute.keypairs[0].public_key: the key data "
                                  "of this ssh-ed25519 public key is not valid")
