"""Drift's comparison logic: state records vs what the backends answered (no backend here)."""

from __future__ import annotations

from civicloud.engine.state.model import ResourceState
from civicloud.ops.drift import compare, field_diffs, live_policy_input
from civicloud.ops.live import Live

T = "pulumi-python:dynamic/civicloud:"


def record(kind: str, urn_name: str, id_: str, **outputs) -> ResourceState:
    return ResourceState(urn=f"urn:pulumi:t::civicloud::{T}{kind}::{urn_name}", type=f"{T}{kind}",
                         custom=True, id=id_, outputs=outputs)


GROUP = record("SecurityGroup", "t-web", "sg1", name="t-web", description="")
RULE = record("SecurityGroupRule", "t-web-in", "r1", direction="ingress", protocol="tcp",
              port_min=443, port_max=443, remote="10.0.0.0/8")
SERVER = record("Server", "t-app", "s1", name="t-app", flavor="m1.small", address="10.0.0.5")
BUCKET = record("Bucket", "t-data", "t-data", encryption="sse-s3", versioning=False,
                password="[secret]")
QUOTA = record("Quota", "t-quota-compute", "p/compute", limits={"cores": 4, "instances": 2})
RECORDS = [GROUP, RULE, SERVER, BUCKET, QUOTA]


def live_as_recorded() -> Live:
    return Live(found={
        GROUP.urn: {"name": "t-web", "description": ""},
        RULE.urn: {"direction": "ingress", "protocol": "tcp", "port_min": 443, "port_max": 443,
                   "remote": "10.0.0.0/8", "security_group_id": "sg1"},
        SERVER.urn: {"name": "t-app", "flavor": "m1.small", "status": "ACTIVE"},
        BUCKET.urn: {"encryption": "sse-s3", "versioning": False},
        QUOTA.urn: {"limits": {"cores": 4, "instances": 2}},
    }, unrecorded={"SecurityGroupRule": {}, "Server": {}})


def test_no_drift_when_the_backends_hold_what_state_recorded():
    # "status" and "address" are not both in state and live: never compared.
    assert compare(RECORDS, live_as_recorded()) == []


def test_each_out_of_band_change_is_reported_exactly():
    live = live_as_recorded()
    live.found[SERVER.urn] = None
    live.found[BUCKET.urn] = {"encryption": None, "versioning": False}
    live.found[QUOTA.urn] = {"limits": {"cores": 10, "instances": 2}}
    live.unrecorded["SecurityGroupRule"] = {"r9": {
        "direction": "ingress", "protocol": "tcp", "port_min": 22, "port_max": 22,
        "remote": "0.0.0.0/0", "remote_group_id": None, "security_group_id": "sg1"}}
    changes = [(c.op, c.kind, c.name, c.fields) for c in compare(RECORDS, live)]
    assert changes == [
        ("-", "Server", "t-app", {}),
        ("~", "Bucket", "t-data", {"encryption": ("sse-s3", None)}),
        ("~", "Quota", "t-quota-compute", {"limits.cores": (4, 10)}),
        ("+", "SecurityGroupRule", "t-web: ingress tcp 22 from 0.0.0.0/0",
         {"direction": (None, "ingress"), "protocol": (None, "tcp"), "port_min": (None, 22),
          "port_max": (None, 22), "remote": (None, "0.0.0.0/0"),
          "security_group_id": (None, "sg1")}),
    ]


def test_what_neutron_makes_by_itself_is_not_drift():
    live = live_as_recorded()
    live.unrecorded["SecurityGroupRule"] = {
        "e1": {"direction": "egress", "protocol": None, "port_min": None, "port_max": None,
               "remote": None, "remote_group_id": None, "security_group_id": "sg1"},
        "d1": {"direction": "ingress", "protocol": None, "remote_group_id": "dflt",
               "security_group_id": "dflt"},  # in the project's `default` group
    }
    live.unrecorded["SecurityGroup"] = {"dflt": {"name": "default", "description": "x"}}
    assert compare(RECORDS, live) == []


def test_secrets_are_never_compared():
    assert field_diffs({"password": "[secret]"}, {"password": "hunter2"}, ("password",)) == {}


def test_policy_input_takes_the_live_encryption_and_quotas():
    policy_input = {"tenant": {"metadata": {"name": "t"},
                               "storage": {"buckets": [{"name": "data", "encryption": "sse-s3"}]},
                               "compute": {"quotas": {"cores": 4, "instances": 2}}},
                    "backends": {}}
    live = live_as_recorded()
    live.found[BUCKET.urn] = {"encryption": None}
    live.found[QUOTA.urn] = {"limits": {"cores": 10, "instances": 2}}
    doc = live_policy_input(policy_input, RECORDS, live)
    assert doc["tenant"]["storage"]["buckets"][0]["encryption"] == "none"
    assert doc["tenant"]["compute"]["quotas"] == {"cores": 10, "instances": 2}
    assert policy_input["tenant"]["compute"]["quotas"]["cores"] == 4  # the original is intact
