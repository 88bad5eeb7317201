from datetime import date

import pytest
from pydantic import ValidationError

from civicloud.templates.manifest import Parameter
from civicloud.templates.values import ValueProblem, display, enumerated, parse_value

HELP = {"fr": "aide", "en": "help"}
TODAY = date(2026, 11, 25)


def param(**fields) -> Parameter:
    return Parameter.model_validate({"name": "p", "help": HELP, **fields})


def test_int_from_text_and_bounds():
    p = param(type="int", min=1, max=3, default=1)
    assert parse_value(p, "2") == 2
    with pytest.raises(ValueProblem, match="at most 3, got 4"):
        parse_value(p, "4")
    with pytest.raises(ValueProblem, match="whole number"):
        parse_value(p, "two")


def test_bool_accepts_french_and_english_words():
    p = param(type="bool", default=False)
    assert parse_value(p, "oui") is True
    assert parse_value(p, "No") is False
    with pytest.raises(ValueProblem, match="true or false"):
        parse_value(p, "maybe")


def test_enum_matches_choices_as_text():
    p = param(type="enum", choices=["sse-s3", "sse-kms"], default="sse-s3")
    assert parse_value(p, "sse-kms") == "sse-kms"
    with pytest.raises(ValueProblem, match="one of sse-s3, sse-kms, got 'none'"):
        parse_value(p, "none")
    assert enumerated(p) == ["sse-s3", "sse-kms"]


def test_dates_relative_to_today_with_relative_bounds():
    p = param(type="date", default="today+60", min="today+1", max="today+90")
    assert parse_value(p, "today+60", TODAY) == date(2027, 1, 24)
    assert parse_value(p, "2026-12-01", TODAY) == date(2026, 12, 1)
    with pytest.raises(ValueProblem, match="at most 2027-02-23"):
        parse_value(p, "2027-06-01", TODAY)
    with pytest.raises(ValueProblem, match="YYYY-MM-DD"):
        parse_value(p, "31/12/2026", TODAY)
    assert display(date(2027, 1, 2)) == "2027-01-02"


def test_string_pattern_is_a_full_match():
    p = param(type="string", pattern="[a-z][a-z0-9-]{1,30}", example="vence")
    assert parse_value(p, "vence-web") == "vence-web"
    with pytest.raises(ValueProblem, match="matching"):
        parse_value(p, "Vence web")
    assert enumerated(p) is None


@pytest.mark.parametrize(("fields", "message"), [
    ({"type": "enum", "default": "a"}, "needs `choices`"),
    ({"type": "int", "default": 5, "max": 3}, "default: expected at most 3"),
    ({"type": "string"}, "needs an `example`"),
    ({"type": "string", "pattern": "[a-z]+", "example": "Vence"}, "example: expected text"),
    ({"type": "bool", "pattern": "x", "default": True}, "`pattern` is for string"),
    ({"type": "string", "pattern": "(", "default": "a"}, "not a valid regular expression"),
])
def test_inconsistent_parameters_are_refused(fields, message):
    with pytest.raises(ValidationError, match=message):
        param(**fields)
