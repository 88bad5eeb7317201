"""The manifest of a template (`templates/<name>/template.yaml`): what it is for, which backends it
may use, and the parameters a member answers. Field names are the YAML keys."""

# Mutable defaults are safe on pydantic models (copied per instance).
# ruff: noqa: RUF012

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import model_validator

from civicloud.spec.fields import Model, Name, Text
from civicloud.spec.tenant import Classification
from civicloud.templates.values import ParameterType, ValueProblem, parse_value

MANIFEST_FILE = "template.yaml"
TENANT_FILE = "tenant.yaml.j2"


class Localized(Model):
    """A text in French and English (members read the one of their language)."""

    fr: Text
    en: Text

    def get(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


class Parameter(Model):
    name: str                  # used in the template as {{ name }}
    type: ParameterType
    help: Localized
    default: Any = None        # absent: the member must answer
    example: Any = None        # used by `template check` when there is no default
    pattern: str | None = None  # string: a regular expression the whole value matches
    min: Any = None            # int: smallest value; date: earliest (YYYY-MM-DD or today+N)
    max: Any = None            # int: largest value; date: latest
    choices: list[Any] | None = None  # enum: the allowed values

    @property
    def required(self) -> bool:
        return self.default is None

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"name: expected a lowercase identifier such as storage_backend, "
                             f"got {self.name!r}")
        if self.type == "enum" and not self.choices:
            raise ValueError("an enum parameter needs `choices`")
        if self.type != "enum" and self.choices is not None:
            raise ValueError(f"`choices` is for enum parameters, this one is {self.type}")
        if self.pattern is not None and self.type != "string":
            raise ValueError(f"`pattern` is for string parameters, this one is {self.type}")
        if (self.min is not None or self.max is not None) and self.type not in ("int", "date"):
            raise ValueError(f"`min`/`max` are for int and date parameters, this one is "
                             f"{self.type}")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern: not a valid regular expression: {exc}") from None
        if self.default is None and self.example is None:
            raise ValueError("a parameter without `default` needs an `example` "
                             "(the value `civicloud template check` renders it with)")
        unbounded = self.model_copy(update={"min": None, "max": None})
        for field, checked_by in (("min", unbounded), ("max", unbounded), ("default", self),
                                  ("example", self)):
            value = getattr(self, field)
            if value is not None:
                try:
                    parse_value(checked_by, value)
                except ValueProblem as problem:
                    raise ValueError(f"{field}: {problem}") from None
        return self


class Manifest(Model):
    apiVersion: Literal["civicloud/v1"]
    kind: Literal["Template"]
    name: Name
    version: int = 1
    title: Localized
    description: Localized
    classifications: list[Classification]   # the classifications its tenants may have
    backends: list[Name]                    # the backends its tenants may use
    parameters: list[Parameter] = []

    @model_validator(mode="after")
    def _unique_parameters(self) -> Manifest:
        names = [p.name for p in self.parameters]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"parameter names must be unique: {', '.join(twice)} appear twice")
        return self

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)
