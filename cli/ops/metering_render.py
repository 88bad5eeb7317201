"""The metering report as a table (people), CSV (spreadsheets), JSON (scripts) or one
self-contained HTML page (inline CSS and SVG, no external asset)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from typing import Any

from civicloud.ops.metering import Period, SyndicateUsage, TenantUsage, figure, quantities
from civicloud.ops.report_svg import bar_chart, format_bytes

METHOD = [
    ("Servers", "Nova's usage API: hours each instance existed in the period, running or "
                "stopped, deleted ones included; priced per server-hour at vCPUs x vcpu_hour "
                "+ RAM GB x ram_gb_hour. Root disks are not priced."),
    ("Volumes", "Cinder has no usage API: each volume the project holds now, size x hours it "
                "existed in the period / 730, at volume_gb_month. Volumes deleted before the "
                "report are not counted."),
    ("Buckets", "S3 keeps no history: bytes stored now (every version) x the part of the "
                "period the bucket existed, at object_gb_month. A snapshot estimate."),
    ("Units", "A month is 730 hours, a GB is 2^30 bytes, times are UTC, euros exclude VAT. "
              "Prices: the catalogue entry of the backend each resource lives on."),
]
CSV_FIELDS = ["from", "to", "syndicate", "tenant", "kind", "name", "backend", "quantity", "unit",
              "unit_price_eur", "eur", "vcpu_hours", "ram_gb_hours", "servers", "size_gb",
              "bytes", "objects", "hours"]


def eur(value: float) -> str:
    return "<0.01" if 0 < value < 0.005 else f"{value:,.2f}"


def quantity(value: float, unit: str) -> str:
    return f"{value:.2f} {unit}" if unit == "server-hours" else f"{value:.4f} {unit}"


def short_quantity(value: float, unit: str) -> str:
    return f"{value:.2f} h" if unit == "server-hours" else f"{value:.4f} GB-mo"


def unit_price(line: Any) -> str:
    return f"{line.unit_price_eur:g}/h" if line.kind == "server" \
        else f"{line.unit_price_eur:g}/GB-mo"


def what(line: Any) -> str:
    """The line's own detail, in words."""
    d = line.detail
    if line.kind == "server":
        names = d["servers"][:3] + ([f"{len(d['servers']) - 3} more"]
                                    if len(d["servers"]) > 3 else [])
        return f"{d['vcpus']} vCPU, {d['ram_mb'] / 1024:g} GB RAM: {', '.join(names)}"
    if line.kind == "volume":
        return f"{d['size_gb']:g} GB x {d['hours']:.1f} h"
    return f"{format_bytes(d['bytes'])} now, {d['objects']} objects x {d['hours']:.1f} h"


def member_rows(s: SyndicateUsage) -> list[tuple[str, list[TenantUsage]]]:
    """Each member on its own, then all of them (the syndicate's total)."""
    return [(m.tenant, [m]) for m in s.members] + [("total", s.members)]


def eur_by_kind(usages: list[TenantUsage]) -> dict[str, float]:
    totals = {"server": 0.0, "volume": 0.0, "bucket": 0.0}
    for u in usages:
        for kind, value in u.eur_by_kind().items():
            totals[kind] += value
    return totals


def to_json(usages: list[TenantUsage], syndicates: list[SyndicateUsage],
            period: Period) -> str:
    return json.dumps({"period": period.to_dict(), "currency": "EUR", "vat": "excluded",
                       "tenants": [u.to_dict() for u in usages],
                       "syndicates": [s.to_dict() for s in syndicates],
                       "total_eur": figure(sum(u.total_eur for u in usages))},
                      indent=2, ensure_ascii=False)


def to_csv(usages: list[TenantUsage], period: Period) -> str:
    """One row per priced line (pivot on `syndicate` for the syndicate view)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for u in usages:
        for line in u.lines:
            row = {**line.to_dict(), "from": period.start.isoformat(),
                   "to": period.end.isoformat(), "syndicate": u.syndicate or "",
                   "tenant": u.tenant}
            if "servers" in row:
                row["servers"] = " ".join(row["servers"])
            writer.writerow(row)
    return out.getvalue()


def to_table(usages: list[TenantUsage], syndicates: list[SyndicateUsage],
             period: Period) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, width=max(140, shutil.get_terminal_size().columns),
                      highlight=False, no_color=True, force_terminal=False)
    console.print(f"Metering {period.start:%Y-%m-%d %H:%M} -> {period.end:%Y-%m-%d %H:%M} UTC "
                  f"({period.hours:.1f} h); EUR excluding VAT", markup=False)
    for u in usages:
        console.print()
        if not u.deployed:
            console.print(f"Tenant {u.tenant}: not deployed (no state): nothing metered",
                          markup=False)
            continue
        table = Table(title=f"Tenant {u.tenant}" + (f" (syndicate {u.syndicate})"
                                                    if u.syndicate else ""),
                      title_justify="left", box=box.SIMPLE_HEAD)
        for column, justify in (("kind", "left"), ("name", "left"), ("backend", "left"),
                                ("quantity", "right"), ("unit price", "right"),
                                ("EUR", "right"), ("detail", "left")):
            table.add_column(column, justify=justify,  # type: ignore[arg-type]
                             no_wrap=column != "detail")
        for line in u.lines:
            table.add_row(line.kind, line.name, line.backend,
                          short_quantity(line.quantity, line.unit), unit_price(line),
                          eur(line.eur), what(line))
        table.add_section()
        table.add_row("total", "", "", "", "", eur(u.total_eur), "")
        console.print(table)
        for note in u.notes:
            console.print(f"  note: {note}", markup=False)
    for s in syndicates:
        console.print()
        table = Table(title=f"Syndicate {s.name}: its members summed", title_justify="left",
                      box=box.SIMPLE_HEAD)
        for column in ("member", "server-hours", "volume GB-mo", "bucket data", "objects",
                       "EUR servers", "EUR volumes", "EUR buckets", "EUR"):
            table.add_column(column, justify="left" if column == "member" else "right")
        for label, part in member_rows(s):
            q, k = quantities(part), eur_by_kind(part)
            if label == "total":
                table.add_section()
            table.add_row(label, f"{q['server_hours']:.2f}", f"{q['volume_gb_months']:.4f}",
                          format_bytes(q["bucket_bytes"]), f"{q['bucket_objects']:.0f}",
                          eur(k["server"]), eur(k["volume"]), eur(k["bucket"]),
                          eur(sum(k.values())))
        console.print(table)
    console.print()
    console.print(f"Total: {eur(sum(u.total_eur for u in usages))} EUR for {len(usages)} "
                  "tenant(s).\nServers from Nova's usage API; volumes from their size and "
                  "age; buckets are a snapshot estimate (bytes now x time existed).",
                  markup=False)
    return out.getvalue()


TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>civicloud metering {{ period.start.strftime('%Y-%m-%d') }} to {{
  period.end.strftime('%Y-%m-%d') }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:70rem;
  color:#1d2430;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #dde3ea}
.sub{color:#5b6675}.total{font-size:1.3rem;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{padding:.35rem .6rem;border-bottom:1px solid #e5e9ef;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.sum td{font-weight:600;border-top:2px solid #c9d1db}
.note{color:#8a5a00;background:#fff7e0;padding:.3rem .6rem;border-radius:4px;margin:.2rem 0}
.kind{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.85em;color:#fff}
.server{background:#2f6fb3}.volume{background:#2e8b57}.bucket{background:#a0622d}
svg text{font-size:12px;fill:#1d2430}dl{display:grid;grid-template-columns:8rem 1fr;gap:.3rem}
dt{font-weight:600}
</style></head><body>
<h1>Metering report</h1>
<p class="sub">{{ period.start.strftime('%Y-%m-%d %H:%M') }} &rarr;
 {{ period.end.strftime('%Y-%m-%d %H:%M') }} UTC ({{ '%.1f' % period.hours }} h)
 &middot; {{ usages|length }} tenant(s) &middot; EUR excluding VAT</p>
<p class="total">Total: {{ eur(total) }} EUR</p>
{% for s in syndicates %}
<h2>Syndicate {{ s.name }}</h2>
{{ bars(s) | safe }}
<table><tr><th>member</th><th class="n">server-hours</th><th class="n">volume GB-months</th>
<th class="n">bucket data</th><th class="n">objects</th><th class="n">EUR servers</th>
<th class="n">EUR volumes</th><th class="n">EUR buckets</th><th class="n">EUR</th></tr>
{% for label, part in rows(s) %}{% set q = quantities(part) %}{% set k = eur_by_kind(part) %}
<tr{% if label == 'total' %} class="sum"{% endif %}><td>{{ label }}</td>
<td class="n">{{ '%.2f' % q.server_hours }}</td><td class="n">{{ '%.4f' % q.volume_gb_months }}</td>
<td class="n">{{ size(q.bucket_bytes) }}</td><td class="n">{{ '%d' % q.bucket_objects }}</td>
<td class="n">{{ eur(k.server) }}</td><td class="n">{{ eur(k.volume) }}</td>
<td class="n">{{ eur(k.bucket) }}</td><td class="n">{{ eur(k.server + k.volume + k.bucket) }}</td>
</tr>{% endfor %}</table>
{% endfor %}
{% for u in usages %}
<h2>Tenant {{ u.tenant }}{% if u.syndicate %} <span class="sub">(syndicate {{ u.syndicate
}})</span>{% endif %}</h2>
{% if not u.deployed %}<p>Not deployed (no state): nothing metered.</p>{% else %}
<table><tr><th>kind</th><th>name</th><th>backend</th><th class="n">quantity</th>
<th class="n">unit price</th><th class="n">EUR</th><th>detail</th></tr>
{% for line in u.lines %}
<tr><td><span class="kind {{ line.kind }}">{{ line.kind }}</span></td><td>{{ line.name }}</td>
<td>{{ line.backend }}</td><td class="n">{{ quantity(line.quantity, line.unit) }}</td>
<td class="n">{{ unit_price(line) }}</td><td class="n">{{ eur(line.eur) }}</td>
<td>{{ what(line) }}</td></tr>{% endfor %}
<tr class="sum"><td colspan="5">total</td><td class="n">{{ eur(u.total_eur) }}</td><td></td></tr>
</table>{% for note in u.notes %}<p class="note">{{ note }}</p>{% endfor %}{% endif %}
{% endfor %}
<h2>How the figures are measured</h2>
<dl>{% for term, text in method %}<dt>{{ term }}</dt><dd>{{ text }}</dd>{% endfor %}</dl>
</body></html>
"""


def bars(s: SyndicateUsage) -> str:
    """Spend per member as horizontal SVG bars (inline: the page needs nothing else)."""
    return bar_chart("spend per member", [("EUR", "#2f6fb3")],
                     [(m.tenant, [m.total_eur]) for m in s.members],
                     fmt=lambda v: f"{eur(v)} EUR")


def to_html(usages: list[TenantUsage], syndicates: list[SyndicateUsage],
            period: Period) -> str:
    from jinja2 import Environment

    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(TEMPLATE).render(
        usages=usages, syndicates=syndicates, period=period, method=METHOD,
        total=sum(u.total_eur for u in usages), eur=eur, size=format_bytes, quantity=quantity,
        what=what, bars=bars, unit_price=unit_price, quantities=quantities,
        eur_by_kind=eur_by_kind, rows=member_rows)
