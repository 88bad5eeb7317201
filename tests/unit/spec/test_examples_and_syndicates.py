"""The examples load cleanly, and syndicate members are assembled for the policy gate."""

from __future__ import annotations

from civicloud.paths import project_path
from civicloud.spec import bundle_policy_inputs, load

EXAMPLES = project_path("examples")
CATALOGUES = [project_path("catalogue")]


def test_every_example_and_catalogue_loads_without_problems():
    bundle = load([EXAMPLES], CATALOGUES)
    assert [str(p) for p in bundle.problems.items] == []
    assert {t.model.type for t in bundle.tenants} == {"community", "hybrid", "sandbox"}
    assert len(bundle.backends) > 10  # local.yaml and providers-eu.yaml


def test_syndicate_members_share_one_input():
    bundle = load([EXAMPLES / "vence-community.yaml", EXAMPLES / "syndicate"], CATALOGUES)
    inputs = {i["tenant"]["metadata"]["name"]: i for i in bundle_policy_inputs(bundle)}
    assert set(inputs) == {"vence", "grasse", "cagnes"}
    vence = inputs["vence"]
    assert vence["syndicate"]["metadata"]["name"] == "sictiam"
    assert vence["syndicate"]["quotas"]["instances"] == 12
    assert [m["metadata"]["name"] for m in vence["members"]] == ["vence", "cagnes", "grasse"]
    assert vence["members"] is inputs["grasse"]["members"]  # built once, shared
    assert set(vence["backends"]) == {"local-openstack", "local-s3-fr"}
    assert set(inputs["cagnes"]["backends"]) == {"local-openstack"}


def test_a_member_whose_syndicate_is_missing_gets_a_warning_not_an_error():
    bundle = load([EXAMPLES / "vence-community.yaml"], CATALOGUES)
    assert bundle.ok
    [warning] = bundle.problems.warnings
    assert warning.path == ("metadata", "syndicate")
    [document] = bundle_policy_inputs(bundle)
    assert document["syndicate"] is None


def test_a_backend_outside_the_syndicate_list_is_an_error(tmp_path):
    tenant = (EXAMPLES / "syndicate" / "grasse.yaml").read_text()
    (tmp_path / "grasse.yaml").write_text(tenant.replace("backend: local-s3-fr",
                                                         "backend: local-s3-de"))
    bundle = load([tmp_path, EXAMPLES / "syndicate" / "sictiam.yaml"], CATALOGUES)
    assert [p.detail for p in bundle.problems.errors] == [
        "storage.backend: syndicate 'sictiam' allows only these backends: local-openstack, "
        "local-s3-fr"]


def test_a_deprecated_backend_warns_and_a_shut_down_one_is_an_error(tmp_path):
    tenant = (EXAMPLES / "syndicate" / "cagnes.yaml").read_text().replace("  syndicate: sictiam\n",
                                                                          "")
    for backend, severity in (("fuga-nl-openstack", "warning"), ("betacloud-de-openstack",
                                                                 "error")):
        (tmp_path / "t.yaml").write_text(tenant.replace("backend: local-openstack",
                                                        f"backend: {backend}"))
        bundle = load([tmp_path / "t.yaml"], CATALOGUES)
        assert [(p.severity, p.path) for p in bundle.problems.items] == [
            (severity, ("compute", "backend"))]


def test_two_tenants_with_one_name_in_two_files(tmp_path):
    text = (EXAMPLES / "syndicate" / "cagnes.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    bundle = load([tmp_path, EXAMPLES / "syndicate" / "sictiam.yaml"], CATALOGUES)
    [error] = bundle.problems.errors
    assert error.file.endswith("b.yaml")
    assert error.message.startswith("duplicate tenant name 'cagnes' (first declared at ")
