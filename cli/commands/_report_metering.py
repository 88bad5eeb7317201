"""`civicloud report metering` (being written)."""

from __future__ import annotations

import sys

import click


@click.command("metering")
def metering() -> None:
    """Not available yet."""
    click.echo("error: report metering is not available yet", err=True)
    sys.exit(1)
