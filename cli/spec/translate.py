"""Pydantic's errors in civicloud's words: field path, what was expected, what was found."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from civicloud.spec.errors import Path, SpecError
from civicloud.spec.sourcemap import SourceMap


def found(value: Any) -> str:
    """How a value is shown after 'got'."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping (key: value)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    return repr(value)


def _unwrap(annotation: Any) -> list[Any]:
    """The classes an annotation can hold: Optional, list, dict and Annotated peeled off."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict):
        args = typing.get_args(annotation)
        if origin is dict:
            args = args[1:]
        return [c for a in args for c in _unwrap(a)]
    return [annotation]


def model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class describing the mapping at `path` (list indexes and dict keys skipped)."""
    current: type[BaseModel] | None = root
    for part in path:
        if current is None or isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        models = [c for c in _unwrap(field.annotation)
                  if isinstance(c, type) and issubclass(c, BaseModel)]
        current = models[0] if models else None
    return current


def _did_you_mean(root: type[BaseModel], path: Path) -> str:
    model = model_at(root, path[:-1])
    if model is None:
        return ""
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(path[-1]), known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (expected one of: {', '.join(known)})"


def _choices(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


_TYPE_NAMES = {
    "int": "a whole number", "float": "a number", "bool": "true or false", "string": "text",
    "list": "a list", "dict": "a mapping (key: value)", "model": "a mapping (key: value)",
    "date": "a date written YYYY-MM-DD",
}
_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
           "less_than_equal": "<="}


def _message(root: type[BaseModel], error: dict[str, Any], path: Path) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    got = found(value)
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return f"unknown field {path[-1]!r}{_did_you_mean(root, path)}"
    if kind == "literal_error":
        return f"expected one of {_choices(ctx.get('expected', ''))}, got {got}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind in _BOUNDS:
        limit = next(iter(ctx.values()))
        return f"expected a number {_BOUNDS[kind]} {limit}, got {got}"
    if kind.startswith(("date_", "datetime_")):
        return f"expected a date written YYYY-MM-DD, got {got}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty" if ctx.get("min_length") == 1 else \
            f"expected at least {ctx.get('min_length')} items, got {got}"
    if kind in ("too_long", "string_too_long"):
        return f"expected at most {ctx.get('max_length')}, got {got}"
    base = kind.split("_")[0]
    if kind == "int_from_float":
        return f"expected a whole number, got {got}"
    if base in _TYPE_NAMES:
        hint = ""
        if base == "string" and isinstance(value, int | float | bool):
            hint = f" (YAML reads it as a {'boolean' if isinstance(value, bool) else 'number'}: " \
                   "put it in quotes)"
        return f"expected {_TYPE_NAMES[base]}, got {got}{hint}"
    return f"{error['msg']}, got {got}"


def translate(root: type[BaseModel], exc: ValidationError, source: SourceMap) -> list[SpecError]:
    problems = []
    for error in exc.errors(include_url=False):
        path = tuple(p for p in error["loc"] if p != "[key]")
        problems.append(source.error(path, _message(root, error, path)))
    return problems
