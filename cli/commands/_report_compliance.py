"""`civicloud report compliance` (being written)."""

from __future__ import annotations

import sys

import click


@click.command("compliance")
def compliance() -> None:
    """Not available yet."""
    click.echo("error: report compliance is not available yet", err=True)
    sys.exit(1)
