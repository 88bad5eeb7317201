"""Dependency order over recorded resources (creation order; deletion is its reverse)."""

from __future__ import annotations

from collections.abc import Iterable
from graphlib import TopologicalSorter

from civicloud.engine.state.model import ResourceState


def creation_order(resources: Iterable[ResourceState]) -> list[ResourceState]:
    """Dependencies before dependents; ties keep the input order. Dependencies on resources
    outside the set are ignored (they are not being ordered)."""
    items = list(resources)
    by_urn: dict[str, list[ResourceState]] = {}
    for r in items:
        by_urn.setdefault(r.urn, []).append(r)
    sorter: TopologicalSorter[int] = TopologicalSorter()
    index = {id(r): i for i, r in enumerate(items)}
    for i, r in enumerate(items):
        deps = [index[id(d)] for u in r.all_dependencies() for d in by_urn.get(u, []) if d is not r]
        # A replaced (delete: true) copy goes after the live copy it was replaced by.
        if r.delete:
            deps += [index[id(d)] for d in by_urn.get(r.urn, []) if not d.delete]
        sorter.add(i, *deps)
    sorter.prepare()
    order: list[int] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return [items[i] for i in order]


def deletion_order(resources: Iterable[ResourceState]) -> list[ResourceState]:
    return list(reversed(creation_order(resources)))


def dependents_of(urn: str, resources: Iterable[ResourceState]) -> list[ResourceState]:
    """Every resource that depends on `urn`, directly or not, in deletion order."""
    items = list(resources)
    found: set[str] = {urn}
    changed = True
    while changed:
        changed = False
        for r in items:
            if r.urn not in found and r.all_dependencies() & found:
                found.add(r.urn)
                changed = True
    return deletion_order(r for r in items if r.urn in found and r.urn != urn)
