"""One click module per verb group; each module exposes `command` (a click command or group).

Modules are discovered, so adding a verb is adding a file. ORDER fixes the order of
`civicloud --help`; modules not listed come after, alphabetically.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

ORDER = [
    "validate", "plan", "apply", "drift", "destroy", "state", "output", "configure", "inventory",
    "sandbox", "report", "export", "import_", "catalogue", "policy", "template", "init", "local",
]


def _module_names() -> list[str]:
    found = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    ordered = [name for name in ORDER if name in found]
    return ordered + sorted(found - set(ordered))


def register(group: click.Group) -> None:
    for name in _module_names():
        module = importlib.import_module(f"{__name__}.{name}")
        group.add_command(module.command)
