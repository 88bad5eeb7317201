"""Finds the policy files: the project's policies/ plus an authority's own --policy-dir folders.

A policy folder holds Rego files (`*.rego`; `*_test.rego` are unit tests) and an optional data/
folder of parameters (`*.yaml`, `*.yml`, `*.json`), each file becoming `data.params.<file stem>`.
A later folder's parameters are merged over an earlier one's, key by key, so an authority overrides
one value without copying the whole file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from civicloud.paths import project_path
from civicloud.policy.errors import PolicyError

PACKAGE_PREFIX = "civicloud."
_PACKAGE = re.compile(r"^package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
_DATA_SUFFIXES = (".yaml", ".yml", ".json")


def builtin_policy_dir() -> Path:
    return project_path("policies")


@dataclass(frozen=True)
class RegoFile:
    path: Path
    package: str
    source: str

    @property
    def is_test(self) -> bool:
        return self.path.name.endswith("_test.rego")

    @property
    def family(self) -> str:
        """`civicloud.location` -> `location`; `civicloud.nice.backup` -> `nice.backup`."""
        return self.package.removeprefix(PACKAGE_PREFIX)


@dataclass(frozen=True)
class PolicySet:
    files: tuple[RegoFile, ...]
    params: dict[str, Any]

    @property
    def rule_files(self) -> list[RegoFile]:
        return [f for f in self.files if not f.is_test]

    @property
    def test_files(self) -> list[RegoFile]:
        return [f for f in self.files if f.is_test]


def load_policy_set(policy_dirs: Sequence[Path] = ()) -> PolicySet:
    """The project's policies followed by each folder of policy_dirs, in order."""
    files: list[RegoFile] = []
    params: dict[str, Any] = {}
    for folder in [builtin_policy_dir(), *map(Path, policy_dirs)]:
        if not folder.is_dir():
            raise PolicyError(f"{folder}: policy folder not found (check --policy-dir)")
        rego_paths = sorted(folder.glob("*.rego"))
        if not rego_paths:
            raise PolicyError(f"{folder}: no .rego file in this policy folder (check --policy-dir)")
        files.extend(_read_rego(path) for path in rego_paths)
        for path in sorted((folder / "data").glob("*")):
            if path.suffix in _DATA_SUFFIXES:
                params[path.stem] = _merged(params.get(path.stem), _read_params(path))
    return PolicySet(tuple(files), params)


def _read_rego(path: Path) -> RegoFile:
    source = path.read_text(encoding="utf-8")
    match = _PACKAGE.search(source)
    if not match:
        raise PolicyError(f"{path}:1:1: no `package` declaration")
    package = match.group(1)
    rego_file = RegoFile(path, package, source)
    if not rego_file.is_test and not package.startswith(PACKAGE_PREFIX):
        line = source.count("\n", 0, match.start()) + 1
        raise PolicyError(
            f"{path}:{line}:1: package {package} is outside civicloud.*: rules must live in a "
            f"package civicloud.<family> to be evaluated"
        )
    return rego_file


def _read_params(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise PolicyError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None


def _merged(base: Any, override: Any) -> Any:
    """override merged over base, recursively for mappings (lists and scalars are replaced)."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{k: _merged(base.get(k), v) for k, v in override.items()}}
    return override
