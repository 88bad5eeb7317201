"""A thin adapter over regopy (rego-cpp): one place for its API and its quirks.

Quirks of regopy 1.5 this module works around (checked on this machine):
- `Interpreter.set_input(dict)` stores strings as given while rego-cpp keeps strings JSON-escaped,
  so a value holding a quote or a backslash compares wrong and breaks the output JSON: strings
  are escaped first, by rego_input.py, which also builds the input faster than regopy
  (`set_input_term`, which parses JSON text, is slower still).
- Printing an `Output` that is not ok crashes the process: the error text is read from the
  interpreter instead, and the log level is NONE so that rego-cpp prints nothing on stdout.
- Compile errors come as an S-expression,
  `(error <n>:<file>|<offset>|<length> (errormsg <n>:<text>)`, with byte offsets into the
  module; they are turned into file:line:column messages here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import regopy
from regopy.rego_shared import rego_get_error

from civicloud.policy.rego_input import InputBuilder


class RegoCompileError(Exception):
    """A module does not compile; str() is `file:line:col: message` lines."""


class RegoEvalError(Exception):
    """A query failed at evaluation time, or produced output that is not JSON."""


@dataclass(frozen=True)
class SourceError:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


_ERROR_HEAD = re.compile(rb"\(error (\d+):")


def _length_prefixed(raw: bytes, start: int, length: int) -> tuple[str, int]:
    return raw[start : start + length].decode("utf-8", "replace"), start + length


def parse_compile_errors(text: str, sources: dict[str, str]) -> list[SourceError]:
    """Reads rego-cpp's error S-expression into located errors (line and column are 1-based)."""
    raw = text.encode("utf-8")
    errors = []
    for head in _ERROR_HEAD.finditer(raw):
        name, pos = _length_prefixed(raw, head.end(), int(head.group(1)))
        where = re.match(rb"\|(\d+)\|(\d+)", raw[pos:])
        msg = re.search(rb"\(errormsg (\d+):", raw[pos:])
        if not msg:
            continue
        message, _ = _length_prefixed(raw, pos + msg.end(), int(msg.group(1)))
        line, column = 1, 1
        if where and name in sources:
            before = sources[name].encode("utf-8")[: int(where.group(1))]
            line = before.count(b"\n") + 1
            column = len(before) - (before.rfind(b"\n") + 1) + 1
        errors.append(SourceError(name, line, column, message))
    # rego-cpp often repeats an error for the enclosing construct: keep the first of each message.
    unique = {(e.file, e.message): e for e in reversed(errors)}
    return sorted(unique.values(), key=lambda e: (e.file, e.line, e.column))


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot pass a {type(value).__name__} to Rego")


def to_json(value: Any) -> str:
    """JSON for rego-cpp: dates as ISO strings, non-ASCII kept (rego-cpp mis-reads \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


class Rego:
    """An interpreter loaded with modules and data; queries return plain Python values."""

    def __init__(self) -> None:
        self._interp = regopy.Interpreter()
        self._interp.log_level = regopy.LogLevel.NONE
        self._sources: dict[str, str] = {}
        self._inputs = InputBuilder()

    def add_module(self, name: str, source: str) -> None:
        self._sources[name] = source
        try:
            self._interp.add_module(name, source)
        except regopy.RegoError as exc:
            raise self._compile_error(exc, f"{name}: does not compile") from None

    def add_data(self, data: dict[str, Any]) -> None:
        self._interp.add_data_json(to_json(data))

    def set_input(self, value: Any) -> None:
        try:
            self._interp.set_input(self._inputs.build(value))
        except (TypeError, ValueError, regopy.RegoError) as exc:
            raise RegoEvalError(f"the input document cannot be passed to Rego: {exc}") from None

    def query(self, query: str) -> Any:
        """Value bound to `x` by a query such as `x := data.pkg.rule`; None when undefined."""
        return self._binding(lambda: self._interp.query(query))

    def prepare(self, query: str) -> regopy.Bundle:
        """Compiles a query once, to run it on many inputs with `run`."""
        try:
            return self._interp.build(query, [])
        except regopy.RegoError as exc:
            raise self._compile_error(exc, "the policies do not compile together") from None

    def run(self, bundle: regopy.Bundle) -> Any:
        return self._binding(lambda: self._interp.query_bundle(bundle))

    def prepare_entrypoints(self, rules: list[str]) -> regopy.Bundle:
        """Compiles rules (`data.<package>.<rule>` references) once, to run each with `run_rule`.

        Compiling is what costs memory in rego-cpp (the test fixtures take ~300 MB, not given
        back): one compilation for many rules, never one query per rule.
        """
        entrypoints = [rule.removeprefix("data.").replace(".", "/") for rule in rules]
        try:
            return self._interp.build(None, entrypoints)
        except regopy.RegoError as exc:
            raise self._compile_error(exc, "the policies do not compile together") from None

    def run_rule(self, bundle: regopy.Bundle, rule: str) -> Any:
        """The value of one rule prepared by `prepare_entrypoints`; None when undefined."""
        entrypoint = rule.removeprefix("data.").replace(".", "/")
        return self._binding(lambda: self._interp.query_bundle_entrypoint(bundle, entrypoint), 0)

    def _compile_error(self, exc: regopy.RegoError, fallback: str) -> RegoCompileError:
        located = parse_compile_errors(str(exc), self._sources)
        return RegoCompileError("\n".join(map(str, located)) or fallback)

    def _binding(self, evaluate: Callable[[], regopy.Output], expression: int | None = None) -> Any:
        try:
            output = evaluate()
        except json.JSONDecodeError:
            raise RegoEvalError(
                "the rules produced output that is not valid JSON (rego-cpp 1.5 does this when "
                "sprintf formats a computed string: build messages with concat)"
            ) from None
        if not output.ok():
            first_line = rego_get_error(self._interp._impl).strip().splitlines()[:1]
            raise RegoEvalError(first_line[0] if first_line else "evaluation failed")
        if not output.results:
            return None
        if expression is not None:
            expressions = output.results[0].expressions
            return expressions[expression] if len(expressions) > expression else None
        return output.results[0].bindings.get("x")
