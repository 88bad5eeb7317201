"""Load tenants, syndicates and catalogues from files and directories, told apart by `kind`,
and check them together (references cross files: a tenant names a backend of the catalogue)."""

from __future__ import annotations

import difflib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError

from civicloud.spec.catalogue import Backend, Catalogue
from civicloud.spec.checks import (
    check_backend,
    check_invalid_tenant,
    check_tenant,
    duplicates,
)
from civicloud.spec.credentials import find_credentials
from civicloud.spec.errors import Path, Problems, SpecError
from civicloud.spec.sourcemap import SourceMap
from civicloud.spec.syndicate import Syndicate
from civicloud.spec.tenant import Tenant
from civicloud.spec.translate import found, translate
from civicloud.spec.yamlsource import YamlDocument, parse_file

KINDS: dict[str, type[BaseModel]] = {"Tenant": Tenant, "Syndicate": Syndicate,
                                     "Catalogue": Catalogue}
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Located:
    """A loaded document: its typed model and where each of its values was written."""

    model: Any
    source: SourceMap


@dataclass
class Bundle:
    """Everything loaded in one run; `problems` says whether it can go on to the policy gate."""

    tenants: list[Located] = field(default_factory=list)
    syndicates: list[Located] = field(default_factory=list)
    catalogues: list[Located] = field(default_factory=list)
    invalid_tenants: list[YamlDocument] = field(default_factory=list)  # checked in part
    problems: Problems = field(default_factory=Problems)
    files: list[str] = field(default_factory=list)

    @property
    def backends(self) -> dict[str, Backend]:
        return {b.name: b for c in self.catalogues for b in c.model.backends}

    @property
    def syndicates_by_name(self) -> dict[str, Syndicate]:
        return {s.model.metadata.name: s.model for s in self.syndicates}

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def discover(paths: Iterable[FsPath]) -> tuple[list[FsPath], list[SpecError]]:
    """Files as given; directories searched recursively for *.yaml and *.yml, in name order."""
    files: list[FsPath] = []
    errors = []
    for path in paths:
        if path.is_dir():
            found_here = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES
                                and p.is_file())
            if not found_here:
                errors.append(SpecError(str(path), 1, 1, (), "no .yaml or .yml file in this "
                                        "directory"))
            files.extend(found_here)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(SpecError(str(path), 1, 1, (), "no such file or directory"))
    return files, errors


def validate_document(doc: YamlDocument, only: str | None = None) -> tuple[Any, list[SpecError]]:
    """The typed model of one document (or None) and its schema errors."""
    src, data = doc.source, doc.data
    if not isinstance(data, dict):
        return None, [src.error((), f"expected a mapping with apiVersion and kind, got "
                                    f"{found(data)}")]
    kind = data.get("kind")
    expected = [only] if only else list(KINDS)
    if kind not in expected:
        if kind is None:
            message = f"missing `kind:` (expected {' or '.join(expected)})"
        else:
            close = difflib.get_close_matches(str(kind), expected, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"expected one of {', '.join(expected)}, got {found(kind)}{hint}"
        return None, [src.error(("kind",), message)]
    model_class = KINDS[kind]
    leaks = find_credentials(data)
    errors = [src.error(path, message, sensitive=True) for path, message in leaks]
    try:
        model = model_class.model_validate(data)
    except ValidationError as exc:
        leaked = [path for path, _ in leaks]
        errors += [e for e in translate(model_class, exc, src)
                   if not any(e.path[: len(p)] == p for p in leaked)]
        return None, errors
    return (None if errors else model), errors


def _load_files(bundle: Bundle, files: Sequence[FsPath], only: str | None = None) -> None:
    for path in files:
        display = str(path)
        bundle.files.append(display)
        documents, errors = parse_file(path, display)
        bundle.problems.extend(errors)
        for doc in documents:
            model, errors = validate_document(doc, only)
            bundle.problems.extend(errors)
            if model is None:
                if isinstance(doc.data, dict) and doc.data.get("kind") == "Tenant":
                    bundle.invalid_tenants.append(doc)
                continue
            target = {"Tenant": bundle.tenants, "Syndicate": bundle.syndicates,
                      "Catalogue": bundle.catalogues}[model.kind]
            target.append(Located(model, doc.source))


def _unique(bundle: Bundle, items: list[Located],
            name_of: Callable[[Located], list[tuple[Path, str]]], what: str) -> None:
    """A name used in two files: reported at the second, with the first file and line."""
    first: dict[str, tuple[SourceMap, Path]] = {}
    for item in items:
        for path, name in name_of(item):
            if name in first:
                src, first_path = first[name]
                where = f"{src.file}:{src.line_of(first_path)}"
                if src is not item.source:
                    bundle.problems.add(item.source.error(
                        path, f"duplicate {what} name {name!r} (first declared at {where})"))
            else:
                first[name] = (item.source, path)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Loading builds many small acyclic objects: the cyclic collector would rescan them all
    again and again (it halved the time of 1,000 tenants)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(paths: Sequence[FsPath], catalogue_paths: Sequence[FsPath] = ()) -> Bundle:
    with _no_cyclic_gc():
        return _load(paths, catalogue_paths)


def _load(paths: Sequence[FsPath], catalogue_paths: Sequence[FsPath]) -> Bundle:
    bundle = Bundle()
    catalogue_files, errors = discover(catalogue_paths)
    bundle.problems.extend(errors)
    _load_files(bundle, catalogue_files, only="Catalogue")
    files, errors = discover(paths)
    bundle.problems.extend(errors)
    already = set(bundle.files)
    _load_files(bundle, [f for f in files if str(f) not in already])

    for cat in bundle.catalogues:
        backends = cat.model.backends
        bundle.problems.extend(duplicates(
            cat.source, [(("backends", i), b.name) for i, b in enumerate(backends)], "backend"))
        for i, backend in enumerate(backends):
            bundle.problems.extend(check_backend(backend, cat.source, ("backends", i)))
    _unique(bundle, bundle.catalogues, lambda c: [(("backends", i, "name"), b.name)
                                                  for i, b in enumerate(c.model.backends)],
            "backend")
    _unique(bundle, bundle.syndicates,
            lambda s: [(("metadata", "name"), s.model.metadata.name)], "syndicate")
    _unique(bundle, bundle.tenants,
            lambda t: [(("metadata", "name"), t.model.metadata.name)], "tenant")

    backends = bundle.backends
    for syn in bundle.syndicates:
        for i, name in enumerate(syn.model.backends or []):
            if name not in backends:
                bundle.problems.add(syn.source.error(
                    ("backends", i), f"backend {name!r} is not in the catalogue"))
    syndicates = bundle.syndicates_by_name
    for tenant in bundle.tenants:
        bundle.problems.extend(check_tenant(tenant.model, tenant.source, backends, syndicates))
    for doc in bundle.invalid_tenants:
        bundle.problems.extend(check_invalid_tenant(doc.data, doc.source, backends))
    bundle.problems.items.sort(key=lambda p: (p.file, p.line, p.column))
    return bundle
