"""Dependency order over recorded resources (creation order; deletion is its reverse)."""

from __future__ import annotations

from collections.abc import Iterable
from graphlib import TopologicalSorter

from civicloud.engine.state.model import ResourceState


def _edges(items: list[ResourceState]) -> dict[int, list[int]]:
    """index -> indexes of what it needs to exist first. Dependencies on resources outside the
    set are ignored (they are not being ordered)."""
    by_urn: dict[str, list[int]] = {}
    for i, r in enumerate(items):
        by_urn.setdefault(r.urn, []).append(i)
    edges: dict[int, list[int]] = {}
    for i, r in enumerate(items):
        deps = [j for u in r.all_dependencies() for j in by_urn.get(u, []) if j != i]
        if r.delete:  # a replaced copy sorts after the live copy that replaced it
            deps += [j for j in by_urn.get(r.urn, []) if j != i and not items[j].delete]
        edges[i] = deps
    return edges


def _batches(graph: dict[int, list[int]]) -> list[list[int]]:
    sorter: TopologicalSorter[int] = TopologicalSorter()
    for node, before in graph.items():
        sorter.add(node, *before)
    sorter.prepare()
    batches: list[list[int]] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        batches.append(ready)
        sorter.done(*ready)
    return batches


def creation_order(resources: Iterable[ResourceState]) -> list[ResourceState]:
    """Dependencies before dependents; ties keep the input order."""
    items = list(resources)
    return [items[i] for batch in _batches(_edges(items)) for i in batch]


def deletion_waves(resources: Iterable[ResourceState]) -> list[list[ResourceState]]:
    """Groups to delete one after the other; within a group nothing depends on anything else,
    so a group's deletes can run in parallel."""
    items = list(resources)
    dependents: dict[int, list[int]] = {i: [] for i in range(len(items))}
    for i, deps in _edges(items).items():
        for j in deps:
            dependents[j].append(i)
    return [[items[i] for i in batch] for batch in _batches(dependents)]


def deletion_order(resources: Iterable[ResourceState]) -> list[ResourceState]:
    return [r for wave in deletion_waves(resources) for r in wave]


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
