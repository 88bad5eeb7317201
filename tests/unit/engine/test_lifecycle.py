"""Engine conformance: preview, up, no-op, update, replace, delete order, destroy, outputs."""

from __future__ import annotations

import pulumi
from engine_constants import STACK
from engine_programs import two_tier
from testprovider import Network

from civicloud.engine.values import UNKNOWN_DISPLAY


def ops(plan) -> dict[str, str]:
    return {s.name: s.op for s in plan.steps}


def test_preview_on_empty_state_plans_creates_with_unknowns_and_touches_nothing(engine, cloud):
    plan = engine.preview(STACK, two_tier(str(cloud.path)))
    assert ops(plan) == {"net": "create", "srv0": "create"}
    srv = next(s for s in plan.steps if s.name == "srv0")
    assert srv.inputs["parent_id"] == UNKNOWN_DISPLAY  # the network's id is not known yet
    assert plan.outputs == {"network_id": UNKNOWN_DISPLAY}
    assert cloud.calls() == []


def test_up_creates_in_dependency_order_then_reup_is_a_noop(engine, cloud):
    program = two_tier(str(cloud.path), servers=2)
    result = engine.up(STACK, program)
    assert result.ok, result.errors
    assert cloud.names() == {("network", "net"), ("server", "srv0"), ("server", "srv1")}
    net_id = next(rid for rid, r in cloud.resources().items() if r["kind"] == "network")
    assert result.outputs == {"network_id": net_id}
    assert engine.outputs(STACK) == {"network_id": net_id}

    cloud.clear_calls()
    plan = engine.preview(STACK, program)
    assert set(ops(plan).values()) == {"same"}
    again = engine.up(STACK, program)
    assert again.ok
    assert cloud.mutations() == []
    # Nothing changed, so the state did not move: a plan saved before is still valid.
    assert engine.preview(STACK, program).serial == plan.serial


def test_in_place_update_touches_only_the_changed_resource(engine, cloud):
    engine.up(STACK, two_tier(str(cloud.path)))
    cloud.clear_calls()
    changed = two_tier(str(cloud.path), flavor="large")
    plan = engine.preview(STACK, changed)
    assert ops(plan) == {"net": "same", "srv0": "update"}
    assert next(s for s in plan.steps if s.name == "srv0").changed == ["flavor"]
    assert cloud.calls() == []
    assert engine.up(STACK, changed).ok
    assert cloud.mutations() == [("update", "server", "srv0")]
    assert [r["flavor"] for r in cloud.resources().values() if r["kind"] == "server"] == ["large"]


def test_replace_creates_before_deleting_and_moves_dependents(engine, cloud):
    engine.up(STACK, two_tier(str(cloud.path)))
    cloud.clear_calls()
    changed = two_tier(str(cloud.path), cidr="10.1.0.0/24")
    plan = engine.preview(STACK, changed)
    net = next(s for s in plan.steps if s.name == "net")
    assert (net.op, net.replace_fields, net.delete_before_replace) == ("replace", ["cidr"], False)
    result = engine.up(STACK, changed)
    assert result.ok, result.errors
    # New network first, the server moved onto it, the old network deleted last.
    assert cloud.mutations() == [
        ("create", "network", "net"), ("create", "server", "srv0"),
        ("delete", "server", "srv0"), ("delete", "network", "net"),
    ]
    assert cloud.names() == {("network", "net"), ("server", "srv0")}
    assert [r["cidr"] for r in cloud.resources().values() if r["kind"] == "network"] == [
        "10.1.0.0/24"]


def test_delete_before_replace_removes_the_old_resource_and_its_dependents_first(engine, cloud):
    engine.up(STACK, two_tier(str(cloud.path)))
    cloud.clear_calls()
    changed = two_tier(str(cloud.path), zone="b")
    plan = engine.preview(STACK, changed)
    assert {s.name: (s.op, s.delete_before_replace) for s in plan.steps} == {
        "net": ("replace", True), "srv0": ("replace", True)}
    result = engine.up(STACK, changed)
    assert result.ok, result.errors
    assert cloud.mutations() == [
        ("delete", "server", "srv0"), ("delete", "network", "net"),
        ("create", "network", "net"), ("create", "server", "srv0"),
    ]
    assert engine.preview(STACK, changed).changes == []


def test_resource_removed_from_program_is_deleted_after_its_dependents(engine, cloud):
    engine.up(STACK, two_tier(str(cloud.path), servers=2))
    cloud.clear_calls()
    fewer = two_tier(str(cloud.path), servers=1)
    assert ops(engine.preview(STACK, fewer)) == {"net": "same", "srv0": "same", "srv1": "delete"}
    assert engine.up(STACK, fewer).ok
    assert cloud.mutations() == [("delete", "server", "srv1")]


def test_destroy_deletes_everything_in_reverse_dependency_order(engine, cloud):
    engine.up(STACK, two_tier(str(cloud.path), servers=2))
    cloud.clear_calls()
    plan = engine.preview_destroy(STACK)
    assert [(s.op, s.name) for s in plan.steps][-1] == ("delete", "net")
    assert sorted(s.name for s in plan.steps) == ["net", "srv0", "srv1"]
    assert cloud.calls() == []
    result = engine.destroy(STACK)
    assert result.ok, result.errors
    deletes = cloud.mutations()
    assert deletes[-1] == ("delete", "network", "net")
    assert sorted(deletes[:2]) == [("delete", "server", "srv0"), ("delete", "server", "srv1")]
    assert cloud.resources() == {}
    assert engine.outputs(STACK) == {}
    assert engine.preview(STACK, two_tier(str(cloud.path))).summary()["create"] == 2


def test_refresh_reports_drift_then_records_it_and_up_repairs_it(engine, cloud):
    program = two_tier(str(cloud.path), servers=2)
    engine.up(STACK, program)
    ids = {r["name"]: rid for rid, r in cloud.resources().items()}
    cloud.update(ids["srv0"], {"flavor": "huge"})  # changed behind civicloud's back
    cloud.delete(ids["srv1"])  # deleted behind its back
    cloud.clear_calls()

    drift = engine.refresh(STACK, preview=True)
    assert drift.ok and {s.name: (s.op, s.changed) for s in drift.steps} == {
        "net": ("same", []), "srv0": ("update", ["flavor"]), "srv1": ("delete", [])}
    again = engine.refresh(STACK, preview=True)  # the preview wrote nothing: same drift again
    assert {s.name: s.op for s in again.steps} == {s.name: s.op for s in drift.steps}

    assert engine.refresh(STACK).ok
    assert {s.name: s.op for s in engine.preview(STACK, program).steps} == {
        "net": "same", "srv0": "update", "srv1": "create"}
    assert engine.up(STACK, program).ok
    assert sorted(cloud.mutations()) == [("create", "server", "srv1"),
                                         ("update", "server", "srv0")]
    assert {r["flavor"] for r in cloud.resources().values() if r["kind"] == "server"} == {"small"}


def test_preview_and_up_with_refresh_see_and_repair_drift_in_one_run(engine, cloud):
    program = two_tier(str(cloud.path), servers=2)
    engine.up(STACK, program)
    ids = {r["name"]: rid for rid, r in cloud.resources().items()}
    cloud.update(ids["srv0"], {"flavor": "huge"})
    cloud.delete(ids["srv1"])
    serial = engine.checkpoint(STACK).serial

    blind = engine.preview(STACK, program)  # from state alone: nothing to do
    assert set(ops(blind).values()) == {"same"} and blind.notes == []
    plan = engine.preview(STACK, program, refresh=True)
    assert ops(plan) == {"net": "same", "srv0": "update", "srv1": "create"}
    assert sorted(plan.notes) == [
        "Server 'srv0' changed outside civicloud (flavor)",
        "Server 'srv1' deleted outside civicloud"]
    assert engine.checkpoint(STACK).serial == serial  # the preview's refresh wrote nothing

    cloud.clear_calls()
    result = engine.up(STACK, program, refresh=True)
    assert result.ok, result.errors
    assert sorted(cloud.mutations()) == [("create", "server", "srv1"),
                                         ("update", "server", "srv0")]
    assert {s.name: s.op for s in result.steps if s.op != "same"} == {
        "srv0": "update", "srv1": "create"}  # the refresh's own steps are not in the result
    assert not engine.preview(STACK, program, refresh=True).notes


def test_stack_config_reaches_the_program(engine, cloud):
    from civicloud.engine.base import StackRef

    def program() -> None:
        config = pulumi.Config()
        Network(config.require("network"), str(cloud.path), cidr=config.require("cidr"))

    stack = StackRef("enginetest", "dev", {"enginetest:network": "lan",
                                           "enginetest:cidr": "10.7.0.0/24"})
    assert engine.up(stack, program).ok
    assert [(r["name"], r["cidr"]) for r in cloud.resources().values()] == [("lan", "10.7.0.0/24")]
