"""The input builder gives rego-cpp the document regopy's own Input would, strings escaped."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum

import pytest
import regopy

from civicloud.policy.rego import Rego, RegoEvalError
from civicloud.policy.rego_input import InputBuilder, escape


class Kind(StrEnum):
    S3 = "s3"


def read_back(value):
    rego = Rego()
    rego.set_input(value)
    return rego.query("x := input")


def through_regopy(value):
    """The same value through regopy's Input, strings escaped by hand: the reference."""
    def escaped(v):
        if isinstance(v, str):
            return escape(v)
        if isinstance(v, dict):
            return {escape(k): escaped(x) for k, x in v.items() if x is not None}
        if isinstance(v, list | tuple):
            return [escaped(x) for x in v]
        return v
    interpreter = regopy.Interpreter()
    interpreter.set_input(regopy.Input(escaped(value)))
    return json.loads(str(interpreter.query("x := input")))["bindings"]["x"]


DOCUMENT = {
    "tenant": {
        "metadata": {"name": "vence", "authority": 'Commune d\'Èze "village" \\ 1\n'},
        "quotas": {"instances": 4, "ram_gb": 1.5, "floating_ips": 0},
        "flags": [True, False, None],
        "absent": None,
        "nested": [[], {}, [{"a": [1, 2, (3, 4)]}]],
        "emoji": "données ✓",
    },
}


def test_same_document_as_regopy():
    assert read_back(DOCUMENT) == through_regopy(DOCUMENT)


def test_values_read_back_as_written():
    assert read_back(DOCUMENT) == {"tenant": {
        "metadata": {"name": "vence", "authority": 'Commune d\'Èze "village" \\ 1\n'},
        "quotas": {"instances": 4, "ram_gb": 1.5, "floating_ips": 0},
        "flags": [True, False, None],
        "nested": [[], {}, [{"a": [1, 2, [3, 4]]}]],
        "emoji": "données ✓",
    }}


def test_dates_enums_and_sets():
    value = {"until": date(2026, 12, 31), "at": datetime(2026, 1, 2, 3, 4, 5), "kind": Kind.S3,
             "tags": {"a", "b"}}
    assert read_back(value) == {"until": "2026-12-31", "at": "2026-01-02T03:04:05",
                                "kind": "s3", "tags": ["a", "b"]}


def test_strings_compare_as_written_in_rules():
    rego = Rego()
    rego.set_input({"name": 'say "hi"\\'})
    assert rego.query('x := input.name == "say \\"hi\\"\\\\"') is True


def test_a_value_rego_cannot_hold_is_an_evaluation_error():
    with pytest.raises(RegoEvalError, match="cannot be passed"):
        Rego().set_input({"x": object()})
    with pytest.raises(RegoEvalError, match="cannot be passed"):
        Rego().set_input({"x": 2**70})


def test_builder_reuses_encoded_strings():
    builder = InputBuilder()
    for _ in range(3):
        builder.build({"name": "vence", "names": ["vence", "nice"]})
    assert set(builder._strings) == {"name", "vence", "names", "nice"}
