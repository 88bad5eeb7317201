"""Parameter values: typed from YAML (manifest defaults), from `--set key=value` or from a prompt,
checked against the parameter's validation, and enumerated for `template check`."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from civicloud.templates.manifest import Parameter

ParameterType = Literal["string", "int", "bool", "enum", "date"]

_TRUE = {"true", "yes", "y", "oui", "o", "1"}
_FALSE = {"false", "no", "n", "non", "0"}
_RELATIVE = re.compile(r"today(?:\s*\+\s*(\d+))?")


class ValueProblem(ValueError):
    """A value that does not fit its parameter: the message says what was expected."""


def parse_value(param: Parameter, raw: Any, today: date | None = None) -> Any:
    """The typed value of `raw` (text or a YAML value), or ValueProblem."""
    today = today or date.today()
    value = _typed(param, raw, today)
    _check(param, value, today)
    return value


def _typed(param: Parameter, raw: Any, today: date) -> Any:
    kind = param.type
    if kind == "enum":
        for choice in param.choices or []:
            if raw == choice or str(raw) == str(choice):
                return choice
        raise ValueProblem(f"expected one of {', '.join(map(str, param.choices or []))}, "
                           f"got {raw!r}")
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueProblem(f"expected true or false (yes/no, oui/non), got {raw!r}")
    if kind == "int":
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"[-+]?\d+", raw.strip()):
            return int(raw)
        raise ValueProblem(f"expected a whole number, got {raw!r}")
    if kind == "date":
        return _date(raw, today)
    if not isinstance(raw, str) or not raw.strip():
        raise ValueProblem(f"expected some text, got {raw!r}")
    return raw.strip()


def _date(raw: Any, today: date) -> date:
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    relative = _RELATIVE.fullmatch(text)
    if relative:
        return today + timedelta(days=int(relative.group(1) or 0))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"expected a date YYYY-MM-DD (or today+DAYS), got {raw!r}") from None


def _check(param: Parameter, value: Any, today: date) -> None:
    if param.pattern is not None and not re.fullmatch(param.pattern, value):
        raise ValueProblem(f"expected text matching {param.pattern}, got {value!r}")
    low = _bound(param, param.min, today)
    high = _bound(param, param.max, today)
    if low is not None and value < low:
        raise ValueProblem(f"expected at least {low}, got {value}")
    if high is not None and value > high:
        raise ValueProblem(f"expected at most {high}, got {value}")


def _bound(param: Parameter, bound: Any, today: date) -> Any:
    if bound is None:
        return None
    return _date(bound, today) if param.type == "date" else int(bound)


def enumerated(param: Parameter) -> list[Any] | None:
    """Every value of an enum or bool parameter; None for the others (they take one value)."""
    if param.type == "enum":
        return list(param.choices or [])
    if param.type == "bool":
        return [False, True]
    return None


def display(value: Any) -> str:
    """A value as the member would type it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
