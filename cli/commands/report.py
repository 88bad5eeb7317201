"""`civicloud report`: what the syndicate shows an auditor, a DPO or its member communes.

One sub-command per report, each in its own module (`_report_<name>.py`)."""

from __future__ import annotations

import click

from civicloud.commands._report_compliance import compliance
from civicloud.commands._report_metering import metering


@click.group("report")
def command() -> None:
    """Reports on deployed tenants: compliance (for a DPO or an audit) and
    metering (what each tenant and member commune uses, priced).

    \b
    Examples:
      civicloud report compliance --all tenants/ -o html > compliance.html
      civicloud report metering --all tenants/ --from 2026-11-01 --to 2026-12-01
    """


command.add_command(compliance)
command.add_command(metering)
