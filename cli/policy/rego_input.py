"""Builds rego-cpp input documents from Python values, fast (the gate sets one per tenant).

regopy's own `Input(value)` walks the value with abstract-class isinstance checks and copies every
string into a fresh C buffer: ~3 ms for a tenant's input, more than most rules cost. This builder
calls the same C functions (regoInput*) with a type switch and encodes each distinct string once.

Strings are passed in the JSON-escaped form rego-cpp stores them in (see rego.py), and null object
members are left out (fewer nodes; rules read a missing key and a null one alike).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import regopy
from regopy import rego_shared

_lib = rego_shared.rego
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
# Strings seen so far, encoded for rego-cpp. Tenant inputs repeat the same keys and most values;
# the cache is emptied when it grows past this many entries.
_CACHE_LIMIT = 200_000
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def escape(text: str) -> str:
    """text in the JSON-escaped form rego-cpp keeps strings in."""
    return json.dumps(text, ensure_ascii=False)[1:-1] if _NEEDS_ESCAPE.search(text) else text


class InputBuilder:
    """Turns JSON-like values (dict, list, tuple, set, str, int, float, bool, None, date) into
    regopy Input objects."""

    def __init__(self) -> None:
        self._strings: dict[str, bytes] = {}

    def build(self, value: Any) -> regopy.Input:
        handle = _lib.regoNewInput()
        try:
            failed = self._add(handle, value)
        except BaseException:
            _lib.regoFreeInput(handle)
            raise
        if failed:
            _lib.regoFreeInput(handle)
            raise ValueError("rego-cpp refused a value of the input document")
        # An Input that owns the handle (and frees it), without walking the value again.
        built = regopy.Input.__new__(regopy.Input)
        built._impl = handle
        return built

    def _encoded(self, text: str) -> bytes:
        encoded = self._strings.get(text)
        if encoded is None:
            if len(self._strings) >= _CACHE_LIMIT:
                self._strings.clear()
            encoded = self._strings[text] = escape(text).encode("utf-8")
        return encoded

    def _add(self, handle: int, value: Any) -> int:
        """Pushes value onto the input stack; a non-zero result means rego-cpp failed."""
        kind = type(value)
        if kind is str:
            return _lib.regoInputString(handle, self._encoded(value))
        if kind is dict:
            failed = 0
            members = 0
            for key, item in value.items():
                if item is None:
                    continue
                failed |= _lib.regoInputString(handle, self._encoded(str(key)))
                failed |= self._add(handle, item)
                failed |= _lib.regoInputObjectItem(handle)
                members += 1
            return failed | _lib.regoInputObject(handle, members)
        if kind is list or kind is tuple:
            failed = 0
            for item in value:
                failed |= self._add(handle, item)
            return failed | _lib.regoInputArray(handle, len(value))
        if kind is bool:
            return _lib.regoInputBoolean(handle, value)
        if kind is int:
            if not _INT64_MIN <= value <= _INT64_MAX:  # ctypes would silently wrap it around
                raise ValueError(f"the number {value} does not fit a 64-bit integer")
            return _lib.regoInputInt(handle, value)
        if kind is float:
            return _lib.regoInputFloat(handle, value)
        if value is None:
            return _lib.regoInputNull(handle)
        return self._add_other(handle, value)

    def _add_other(self, handle: int, value: Any) -> int:
        if isinstance(value, datetime | date):
            return self._add(handle, value.isoformat())
        if isinstance(value, set | frozenset):
            failed = 0
            for item in value:
                failed |= self._add(handle, item)
            return failed | _lib.regoInputSet(handle, len(value))
        if isinstance(value, dict):
            return self._add(handle, dict(value))
        if isinstance(value, str):  # a str subclass (an enum): its plain value
            return self._add(handle, str.__str__(value))
        if isinstance(value, bool):
            return self._add(handle, bool(value))
        if isinstance(value, int):
            return self._add(handle, int(value))
        if isinstance(value, float):
            return self._add(handle, float(value))
        if isinstance(value, list | tuple):
            return self._add(handle, list(value))
        raise TypeError(f"cannot pass a {type(value).__name__} to Rego")

