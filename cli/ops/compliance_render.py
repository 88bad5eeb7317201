"""The compliance report as JSON (the model as is), self-contained HTML (Jinja2, inline CSS and
SVG charts, no script and no external asset) and PDF (the HTML printed by headless Chromium)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from civicloud.ops.report_svg import bar_chart, format_bytes

TEMPLATE = "compliance.html.j2"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_TIMEOUT_S = 120
RESULT_SERIES = [("passed", "#2e7d32"), ("waived", "#f9a825"), ("warnings", "#90a4ae"),
                 ("violations", "#c62828")]


class RenderError(RuntimeError):
    """A report could not be written (Chromium missing or failing)."""


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)


def _eur(value: float) -> str:
    return "< 0.01 EUR" if 0 < value < 0.005 else f"{value:,.2f} EUR"


def charts(doc: dict[str, Any]) -> dict[str, str | None]:
    """The report's inline SVG charts (None: no data for that chart)."""
    results = bar_chart(
        "Rule results per tenant", RESULT_SERIES,
        [(t["tenant"], [t["counts"]["pass"], t["counts"]["waived"], t["counts"]["warn"],
                        t["counts"]["deny"]]) for t in doc["tenants"]],
        fmt=lambda v: f"{v:g} rules")
    countries = doc["data_per_country"]
    data = bar_chart(
        "Data per country", [("object storage (stored)", "#1565c0"),
                             ("volumes (provisioned)", "#6a1b9a")],
        [(c, [v["object_bytes"], v["volume_bytes"]]) for c, v in countries.items()],
        fmt=format_bytes) if countries else None
    spend = doc.get("spend_per_member")
    spending = bar_chart("Spend per member (EUR excl. VAT)", [("spend", "#00838f")],
                         [(m, [v]) for m, v in sorted(spend["eur"].items())],
                         fmt=_eur) if spend and spend["eur"] else None
    return {"results": results, "data": data, "spend": spending}


def to_html(doc: dict[str, Any]) -> str:
    import jinja2
    from markupsafe import Markup

    source = resources.files("civicloud.ops.reports").joinpath(TEMPLATE).read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["bytes"] = lambda v: "—" if v is None else format_bytes(v)
    # The SVG is built by report_svg from escaped text: marked safe, never re-escaped.
    svg = {k: v and Markup(v) for k, v in charts(doc).items()}
    return env.from_string(source).render(doc=doc, charts=svg)


def find_chromium() -> str | None:
    """$CIVICLOUD_CHROMIUM, else the first Chromium/Chrome on PATH."""
    explicit = os.environ.get("CIVICLOUD_CHROMIUM")
    if explicit:
        return shutil.which(explicit)
    return next((p for name in CHROMIUM_NAMES if (p := shutil.which(name))), None)


def run_chromium(html_file: Path, *args: str) -> None:
    """Headless Chromium on a local file, with a throwaway profile and no network chatter."""
    binary = find_chromium()
    if binary is None:
        raise RenderError("PDF needs Chromium, which was not found on PATH: install it "
                          "(Debian: apt-get install chromium) or set CIVICLOUD_CHROMIUM")
    with tempfile.TemporaryDirectory(prefix="civicloud-chromium-") as profile:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", f"--user-data-dir={profile}", *args,
                   html_file.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False,
                                  timeout=CHROMIUM_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise RenderError(f"Chromium did not finish within {CHROMIUM_TIMEOUT_S} s") from None
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise RenderError(f"Chromium failed (exit {done.returncode}): {tail}")


def to_pdf(html: str, out: Path) -> None:
    """Prints the HTML to `out` with headless Chromium."""
    with tempfile.TemporaryDirectory(prefix="civicloud-report-") as work:
        page = Path(work) / "compliance.html"
        page.write_text(html, encoding="utf-8")
        out.unlink(missing_ok=True)
        run_chromium(page, "--no-pdf-header-footer", f"--print-to-pdf={out.resolve()}")
    if not out.is_file() or out.read_bytes()[:4] != b"%PDF":
        raise RenderError(f"Chromium wrote no PDF to {out}")
