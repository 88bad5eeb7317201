"""Interactive answers in a terminal (questionary): defaults pre-filled, values checked as typed."""

from __future__ import annotations

from datetime import date
from typing import Any

import questionary

from civicloud.templates.library import Template
from civicloud.templates.manifest import Parameter
from civicloud.templates.values import ValueProblem, display, parse_value


def pick_template(templates: list[Template], lang: str) -> Template:
    choices = [questionary.Choice(f"{t.name} — {t.manifest.title.get(lang)}", value=t)
               for t in templates]
    return questionary.select("Template:", choices=choices).unsafe_ask()


def ask(param: Parameter, lang: str, today: date) -> Any:
    """The typed value of one parameter; KeyboardInterrupt if the member gives up (Ctrl-C)."""
    default = None if param.required else parse_value(param, param.default, today)
    shown = display(default) if default is not None else None
    message = f"{param.name} — {param.help.get(lang)}"
    if param.type == "enum":
        choices = [display(c) for c in param.choices or []]
        answer = questionary.select(message, choices=choices, default=shown).unsafe_ask()
    elif param.type == "bool":
        answer = questionary.confirm(message, default=bool(default)).unsafe_ask()
    else:
        def check(text: str) -> bool | str:
            try:
                parse_value(param, text, today)
            except ValueProblem as problem:
                return str(problem)
            return True

        answer = questionary.text(message, default=shown or "", validate=check).unsafe_ask()
    return parse_value(param, answer, today)


def confirm(message: str) -> bool:
    return questionary.confirm(message, default=True).unsafe_ask()
