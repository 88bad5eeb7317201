"""Parse YAML files into plain values plus a SourceMap per document.

We compose nodes with libyaml (PyYAML's C parser: ~30x faster than ruamel.yaml's round-trip
loader, measured 0.35 ms vs 10.8 ms for examples/vence-community.yaml, which matters for
1,000 tenants) and build the values ourselves, so that:
- every key and item gets its line/column,
- duplicate keys are errors instead of silently keeping the last one,
- plain scalars follow YAML 1.2 (`NO` is Norway, not false; `yes`/`on` stay text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml

from civicloud.spec.errors import Path, SpecError
from civicloud.spec.sourcemap import SourceMap

_STD_TAG = "tag:yaml.org,2002:"
_TAGS = {yaml.ScalarNode: _STD_TAG + "str", yaml.SequenceNode: _STD_TAG + "seq",
         yaml.MappingNode: _STD_TAG + "map"}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Composes nodes only: plain scalars are resolved by `_plain_scalar` (YAML 1.2), so the
    YAML 1.1 resolver, a Python call per scalar even in the C loader, is skipped."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return _TAGS[kind]

_MAX_NODES = 200_000  # guards against alias bombs ("billion laughs")

# YAML 1.2 core schema for plain (unquoted) scalars.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


@dataclass
class YamlDocument:
    data: Any
    source: SourceMap


class _Problem(Exception):
    def __init__(self, mark: Any, path: Path, message: str) -> None:
        super().__init__(message)
        self.mark, self.path, self.message = mark, path, message


def _plain_scalar(text: str) -> Any:
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text) or _INF.match(text) or _NAN.match(text):
        return float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                     .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))
    return text


def _is_merge(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == "<<" and not node.style


class _Builder:
    def __init__(self) -> None:
        self.positions: dict[Path, tuple[int, int]] = {(): (1, 1)}
        self.count = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _Problem(node.start_mark, path, "document too large (too many aliases?)")
        if not node.tag.startswith(_STD_TAG):
            raise _Problem(node.start_mark, path, f"unsupported YAML tag {node.tag!r}")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.style:  # quoted or block scalar: always text
            return node.value
        return _plain_scalar(node.value)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        # `<<: *anchor` merge keys first, so that explicit keys then override them.
        for key_node, value_node in node.value:
            if _is_merge(key_node):
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) \
                    else [value_node]
                for mapping in sources:
                    if not isinstance(mapping, yaml.MappingNode):
                        raise _Problem(mapping.start_mark, path, "'<<' must merge a mapping")
                    result.update(self._mapping(mapping, path))
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if _is_merge(key_node):
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Problem(key_node.start_mark, path, "a key must be plain text")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise _Problem(key_node.start_mark, (*path, key),
                               f"duplicate key {key!r} (first written on line {first_line[key]})")
            first_line[key] = line
            self.positions[(*path, key)] = (line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, (*path, key))
        return result


def _mark_error(display: str, mark: Any, path: Path, message: str) -> SpecError:
    if mark is None:
        return SpecError(display, 1, 1, path, message)
    return SpecError(display, mark.line + 1, mark.column + 1, path, message)


def parse_text(text: str, display: str) -> tuple[list[YamlDocument], list[SpecError]]:
    """All documents of one file, or the first problem found (YAML can't resume after one)."""
    documents: list[YamlDocument] = []
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is None:
                continue
            builder = _Builder()
            data = builder.build(node, ())
            documents.append(YamlDocument(data, SourceMap(display, builder.positions)))
    except _Problem as problem:
        return [], [_mark_error(display, problem.mark, problem.path, problem.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context_mark:
            detail += f" ({exc.context} on line {exc.context_mark.line + 1})"
        return [], [_mark_error(display, mark, (), f"YAML syntax error: {detail}")]
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        return [], [SpecError(display, line, column, (),
                              f"not valid YAML text: {exc.reason} (character {exc.character!r})")]
    except yaml.YAMLError as exc:
        return [], [SpecError(display, 1, 1, (), f"YAML syntax error: {exc}")]
    except RecursionError:
        return [], [SpecError(display, 1, 1, (), "YAML nested too deeply")]
    return documents, []


def parse_file(path: FsPath, display: str) -> tuple[list[YamlDocument], list[SpecError]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [], [SpecError(display, 1, 1, (), f"not UTF-8 text (byte {exc.start})")]
    except OSError as exc:
        return [], [SpecError(display, 1, 1, (), f"cannot read the file: {exc.strerror}")]
    return parse_text(text, display)
