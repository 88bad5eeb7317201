"""Render a template's tenant spec (Jinja2, StrictUndefined) with typed parameter values."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import jinja2

from civicloud.templates.library import Template


class RenderError(Exception):
    """The template itself is wrong (syntax error, undefined name): names file and line."""


# Text that YAML reads as text without quotes, in 1.2 (civicloud) and 1.1 (Ansible) alike.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")
_SPECIAL = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _yaml_scalar(value: Any) -> str:
    """A value as a YAML scalar: other text double-quoted (JSON's escapes are YAML's), so that
    an answer such as `Commune d'Èze: 2` can never change the document's structure."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises here: a misspelt parameter name is an error
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and _PLAIN.fullmatch(value) and value.lower() not in _SPECIAL:
        return value
    return json.dumps(value, ensure_ascii=False)


def _environment(template: Template) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template.directory),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # YAML, not HTML: values are quoted by the `yaml` filter instead
    )
    env.filters["yaml"] = _yaml_scalar
    return env


def render(template: Template, values: dict[str, Any]) -> str:
    path = template.tenant_file
    try:
        return _environment(template).get_template(path.name).render(values)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{path}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{path}: {exc.message} (not a parameter of "
                          f"{template.directory / 'template.yaml'})") from None


def header(template: Template, values: dict[str, Any]) -> str:
    """Comment lines saying where the tenant file came from, to put on top of it."""
    answers = "\n".join(f"#   {k}: {_yaml_scalar(v)}" for k, v in values.items())
    return (f"# Made with `civicloud init` from the template {template.name!r} "
            f"(version {template.manifest.version}),\n"
            f"# {template.manifest.title.en}. Parameters:\n{answers}\n"
            "# Edit freely, then `civicloud validate` this file again.\n")
