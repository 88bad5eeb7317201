"""Pre-approved tenant templates (the syndicate's "appstore"): manifests, rendering, checks.

    library = open_library([project_path("templates")])
    template = library.templates["communal-website"]
    text = render(template, {"tenant_name": "vence", ...})
    outcomes = check_templates([template], catalogues, policy_dirs, now)
"""

from civicloud.templates.check import Outcome, check_templates, combinations
from civicloud.templates.library import Library, Template, open_library
from civicloud.templates.manifest import Manifest, Parameter
from civicloud.templates.render import RenderError, header, render
from civicloud.templates.values import ValueProblem, display, parse_value

__all__ = [
    "Library", "Manifest", "Outcome", "Parameter", "RenderError", "Template", "ValueProblem",
    "check_templates", "combinations", "display", "header", "open_library", "parse_value",
    "render",
]
