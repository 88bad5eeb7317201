"""`civicloud report metering`: per tenant and period, what was used, priced; and each
syndicate's members summed."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import click

from civicloud import exitcodes
from civicloud.commands._options import all_option, spec_options, state_option, tenant_paths
from civicloud.commands._run import aware, engine_errors
from civicloud.commands._tenants import load_jobs

WHEN = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])


@click.command("metering")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="TENANT_FILE|DIR...")
@all_option("Meter")
@click.option("--from", "start", type=WHEN, metavar="DATE",
              help="Start of the period (YYYY-MM-DD[THH:MM], UTC, included). Default: the "
                   "first day of the current month.")
@click.option("--to", "end", type=WHEN, metavar="DATE",
              help="End of the period (UTC, excluded: --to 2026-12-01 stops at midnight, "
                   "so November is --from 2026-11-01 --to 2026-12-01). Default: now. A "
                   "period reaching into the future stops now.")
@spec_options
@state_option
@click.option("-o", "--output", type=click.Choice(["table", "csv", "json", "html"]),
              default="table", show_default=True,
              help="table for people, csv for spreadsheets (one row per priced line), json "
                   "for scripts, html: one self-contained page.")
@click.option("--output-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the report to FILE instead of stdout.")
def metering(paths: tuple[Path, ...], all_dir: Path | None, start: datetime | None,
             end: datetime | None, catalogues: tuple[Path, ...], policy_dirs: tuple[Path, ...],
             now: datetime | None, state_url: str | None, output: str,
             output_file: Path | None) -> None:
    """Meter each tenant over a period and price it with the catalogue.

    Per tenant: server-hours by flavor (Nova's usage API: hours each server
    existed in the period, running or stopped, deleted ones included),
    volume GB-months (each volume's size x the hours it existed in the
    period; Cinder has no usage history, so volumes deleted before the
    report are not counted), bucket GB-months and object counts (a snapshot
    estimate: bytes stored now, every version, x the part of the period
    the bucket existed: S3 keeps no history). Each line is priced with the
    catalogue prices of the backend it lives on (vcpu_hour, ram_gb_hour,
    volume_gb_month, object_gb_month; EUR excluding VAT; a month is 730 h,
    a GB 2^30 bytes). Tenants whose metadata.syndicate names a syndicate
    are also summed per syndicate.

    Read-only: reads the state (no passphrase needed) and the backends.
    A tenant never applied is listed as not deployed.

    \b
    Exit codes: 0 ok, 1 runtime failure (a backend unreachable),
                2 invalid input (a tenant file, or a period that is empty
                or starts in the future).

    \b
    Examples:
      civicloud report metering examples/vence-community.yaml
      civicloud report metering --all tenants/ --from 2026-11-01 --to 2026-12-01
      civicloud report metering --all tenants/ -o csv > usage-2026-11.csv
      civicloud report metering --all tenants/ -o html --output-file metering.html
      civicloud report metering tenants/grasse.yaml -o json | jq '.tenants[0].total_eur'
    """
    from civicloud.ops.metering import Period, by_syndicate, meter_stack
    from civicloud.ops.metering_render import to_csv, to_html, to_json, to_table

    paths = tenant_paths(paths, all_dir)
    moment = aware(now) or datetime.now(UTC)
    begin = aware(start) or moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    try:
        period = Period.of(begin, aware(end) or moment, now=moment)
    except ValueError as exc:
        click.echo(click.style(f"error: {exc}", fg="red"), err=True)
        sys.exit(exitcodes.INVALID_INPUT)
    _, jobs = load_jobs(paths, catalogues, "json" if output == "json" else "text")
    click.echo(f"metering {len(jobs)} tenant(s) from {period.start:%Y-%m-%d %H:%M} to "
               f"{period.end:%Y-%m-%d %H:%M} UTC (state, Nova usage, Cinder, S3)...", err=True)
    with engine_errors():
        from civicloud.engine.embedded import EmbeddedEngine
        from civicloud.engine.state.location import parse_state_url

        engine = EmbeddedEngine(parse_state_url(state_url).store())
        with ThreadPoolExecutor(max_workers=min(4, len(jobs))) as pool:
            usages = list(pool.map(lambda job: meter_stack(engine, job, period), jobs))
    syndicates = by_syndicate(usages)
    text = {"table": lambda: to_table(usages, syndicates, period),
            "csv": lambda: to_csv(usages, period),
            "json": lambda: to_json(usages, syndicates, period),
            "html": lambda: to_html(usages, syndicates, period)}[output]()
    if output_file:
        output_file.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"report written to {output_file}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    sys.exit(exitcodes.OK)
