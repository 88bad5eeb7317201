"""`civicloud report compliance`: per tenant, every rule with its result on the live tenant,
the evidence read back from the backends, waivers, where the data live, and drift."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from civicloud import exitcodes
from civicloud.commands._options import all_option, spec_options, state_option, tenant_paths
from civicloud.commands._run import aware, engine_errors
from civicloud.commands._tenants import load_jobs


@click.command("compliance")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="TENANT_FILE|DIR...")
@all_option("Report on")
@spec_options
@state_option
@click.option("-o", "--output", type=click.Choice(["html", "json", "pdf"]), default="html",
              show_default=True,
              help="html for people (one self-contained file), json for scripts, pdf to file "
                   "or print (needs Chromium).")
@click.option("--output-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the report to FILE (required for pdf; html and json go to stdout "
                   "otherwise).")
def compliance(paths: tuple[Path, ...], all_dir: Path | None, catalogues: tuple[Path, ...],
               policy_dirs: tuple[Path, ...], now: datetime | None, state_url: str | None,
               output: str, output_file: Path | None) -> None:
    """Report each tenant's compliance, as the backends hold it now.

    For every tenant: each policy rule with its result (passed, violation,
    waived, warning) judged on the *live* tenant and the *current* backend
    catalogue; the evidence read back from the backends (each bucket's
    default encryption, versioning, object lock, region and size; each
    volume's type and whether Cinder encrypts it; each server's flavor and
    status); the waivers with approver, reason and expiry; where each piece
    of data lives (provider, region, country, jurisdiction, qualifications);
    and the drift since the last apply. The HTML opens with a summary for a
    DPO, has charts (rule results, data per country) and no external asset.

    Read-only: nothing is written to the backends nor to the state. A tenant
    never applied is judged on its file and says so.

    \b
    Exit codes: 0 every tenant compliant (waived rules allowed),
                1 runtime failure (a backend unreachable, Chromium missing
                for pdf), 2 invalid input, 3 a tenant violates a rule (the
                report is still written).

    \b
    Examples:
      civicloud report compliance --all tenants/ -o html > compliance.html
      civicloud report compliance tenants/vence.yaml -o json | jq '.tenants[].verdict'
      civicloud report compliance --all tenants/ -o pdf --output-file audit-2026.pdf
      civicloud report compliance --all tenants/ --now 2026-12-31 -o html \\
          --output-file waivers-at-year-end.html
    """
    from civicloud.ops.compliance_render import RenderError, to_html, to_json, to_pdf

    paths = tenant_paths(paths, all_dir)
    if output == "pdf" and output_file is None:
        raise click.UsageError("-o pdf needs --output-file FILE (a PDF is not written to a "
                               "terminal)")
    _, jobs = load_jobs(paths, catalogues, "json" if output == "json" else "text")
    click.echo(f"reading {len(jobs)} tenant(s) from state and backends...", err=True)
    with engine_errors():
        import civicloud.stacks.resources  # noqa: F401  (providers, for the per-resource reads)
        from civicloud.engine.embedded import EmbeddedEngine
        from civicloud.engine.state.location import parse_state_url
        from civicloud.ops.compliance import collect

        engine = EmbeddedEngine(parse_state_url(state_url).store())
        doc = collect(engine, jobs, policy_dirs, aware(now))
    try:
        if output == "pdf":
            to_pdf(to_html(doc), output_file)
        else:
            text = to_json(doc) if output == "json" else to_html(doc)
            if output_file:
                output_file.write_text(text + "\n", encoding="utf-8")
            else:
                click.echo(text)
    except (RenderError, OSError) as exc:
        click.echo(click.style(f"error: {exc}", fg="red"), err=True)
        sys.exit(exitcodes.FAILURE)
    s = doc["summary"]
    where = f" written to {output_file}" if output_file else ""
    click.echo(f"{s['tenants']} tenant(s): {s['compliant']} compliant, {s['with_violations']} "
               f"with violations, {s['waived_findings']} waived rule result(s), {s['drifted']} "
               f"drifted{where}", err=True)
    sys.exit(exitcodes.POLICY_DENIED if s["verdict"] == "violations" else exitcodes.OK)
