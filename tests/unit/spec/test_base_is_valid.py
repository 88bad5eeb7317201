from spec_cases import BASE

from civicloud.spec import bundle_policy_inputs


def test_the_base_tenant_loads_cleanly(load_text):
    bundle, problems = load_text(BASE)
    assert problems == []
    [tenant] = bundle.tenants
    assert tenant.model.metadata.name == "vence"
    # Defaults are filled in, with the values the policy gate relies on.
    server = tenant.model.compute.servers[0]
    assert server.volumes[0].encrypted is True and server.public_ip is False
    assert tenant.model.storage.buckets[0].public_access is False


def test_positions_point_at_keys_and_items(load_text):
    bundle, _ = load_text(BASE)
    source = bundle.tenants[0].source
    assert source.locate(("storage", "buckets", 0, "encryption"))[1:] == (41, 7)
    assert source.locate(("compute", "servers", 0))[1:] == (29, 7)
    # A default has no position: it falls back to the nearest written ancestor.
    assert source.locate(("compute", "servers", 0, "public_ip"))[1:] == (29, 7)
    assert source.locate(("access", "users"))[1:] == (1, 1)


def test_policy_input_has_the_agreed_shape(load_text):
    bundle, _ = load_text(BASE)
    [document] = bundle_policy_inputs(bundle)
    assert set(document) == {"tenant", "backends", "syndicate", "members"}
    assert document["tenant"]["storage"]["buckets"][0]["encryption"] == "sse-s3"
    assert set(document["backends"]) == {"local-openstack", "local-s3-fr"}
    assert document["backends"]["local-s3-fr"]["country"] == "FR"
    assert document["syndicate"] is None
    assert document["members"] == [document["tenant"]]
    rule = document["tenant"]["compute"]["security_groups"][0]["rules"][0]
    assert rule["remote"] == "10.0.0.0/8" and rule["port_max"] is None
