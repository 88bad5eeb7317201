"""Options and helpers shared by `civicloud template` and `civicloud init`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from civicloud import exitcodes
from civicloud.paths import project_path
from civicloud.spec import report as spec_report
from civicloud.templates.library import Library, open_library


def default_lang() -> str:
    return "fr" if os.environ.get("LANG", "").lower().startswith("fr") else "en"


def templates_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--templates", "template_dirs", multiple=True, envvar="CIVICLOUD_TEMPLATES",
        type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="DIR",
        help="Your syndicate's templates directory (repeatable; or $CIVICLOUD_TEMPLATES, "
             "':'-separated), beside the project's templates/. Its policy.yaml may restrict "
             "which templates members may use.")(func)


def lang_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--lang", type=click.Choice(["fr", "en"]), default=default_lang,
                        show_default="fr if $LANG is French, else en",
                        help="Language of titles, descriptions and help.")(func)


def library_or_exit(template_dirs: tuple[Path, ...]) -> Library:
    """The project's templates and the syndicate's; bad manifests stop the run (exit 2)."""
    library = open_library([project_path("templates"), *template_dirs])
    if library.problems:
        files = len({p.file for p in library.problems})
        click.echo(spec_report.to_text(library.problems, files, advice="fix the templates"),
                   err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    return library
