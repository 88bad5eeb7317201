"""The compliance report's SVG charts and HTML (pure rendering, no browser here)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from test_compliance import BUCKET, VOLUME, drift_of, finding, gate

from civicloud.ops.compliance import build
from civicloud.ops.compliance_render import charts, to_html
from civicloud.ops.report_svg import bar_chart, format_bytes


def test_format_bytes_uses_binary_units():
    assert [format_bytes(v) for v in (0, 1023, 1536, 20 * 1024**3)] == \
        ["0 B", "1023 B", "1.5 KiB", "20.0 GiB"]


def test_bars_share_one_scale_and_stack_their_parts():
    svg = bar_chart("Data", [("objects", "#111"), ("volumes", "#222")],
                    [("FR", [300, 100]), ("DE", [200, 0])])
    root = ElementTree.fromstring(svg)  # well-formed XML, so valid inline SVG
    assert root.find("title").text == "Data"
    bars = [r for r in root.iter("rect") if r.find("title") is not None]
    widths = {r.find("title").text: float(r.get("width")) for r in bars}
    assert widths["FR, objects: 300"] == 3 * widths["FR, volumes: 100"]
    fr = widths["FR, objects: 300"] + widths["FR, volumes: 100"]
    assert fr == 2 * widths["DE, objects: 200"]
    assert "DE, volumes: 0" not in widths  # an empty part draws nothing
    assert [t.text for t in root.iter("text")][-2:] == ["DE", "200"]


def test_labels_are_escaped_and_long_ones_cut():
    svg = bar_chart("<b>", [("a&b", "#111")], [("x" * 40 + "<script>", [1])])
    root = ElementTree.fromstring(svg)
    assert "<script>" not in svg and "<b>" not in svg
    labels = [t.text for t in root.iter("text")]
    assert "x" * 21 + "…" in labels


def test_no_data_says_so():
    assert "nothing to show" in bar_chart("Data", [("a", "#111")], [])


def report() -> dict:
    spec = {"provider": "luks", "cipher": "aes-xts-plain64", "key_size": 256,
            "control_location": "front-end"}
    return build([drift_of()], gate([finding("CIVIC-ENC-2", "deny")]),
                 datetime(2026, 11, 25, tzinfo=UTC), {BUCKET.urn: {"objects": 1, "bytes": 2048}},
                 {VOLUME.urn: {"encrypted": True, "type_encryption": spec}})


def test_html_is_self_contained_and_shows_summary_before_details():
    html = to_html(report())
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert html.index("Summary") < html.index("Tenant t —") < html.index("The rules")
    assert "CIVIC-ENC-2 says no" in html and "aes-xts-plain64" in html
    assert html.count("<svg") == 2  # rule results and data per country; no spend data


def test_spend_chart_when_metering_gives_spend():
    doc = {**report(), "spend_per_member": {"from": "2026-10-26T00:00:00+00:00",
                                            "to": "2026-11-25T00:00:00+00:00",
                                            "eur": {"vence": 12.5, "biot": 0.0004}}}
    svg = charts(doc)["spend"]
    assert svg is not None and "12.50 EUR" in svg and "&lt; 0.01 EUR" in svg
    assert "From 2026-10-26 to 2026-11-25" in to_html(doc)


def test_pdf_without_chromium_is_a_clear_error(tmp_path, monkeypatch):
    from civicloud.ops.compliance_render import RenderError, to_pdf

    monkeypatch.setenv("CIVICLOUD_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(RenderError, match=r"PDF needs Chromium.*apt-get install chromium"):
        to_pdf("<p>report</p>", tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_cli_refuses_pdf_to_stdout_and_no_tenant_as_invalid_input():
    from click.testing import CliRunner

    from civicloud.commands.report import command

    runner = CliRunner()
    pdf = runner.invoke(command, ["compliance", "examples/vence-community.yaml", "-o", "pdf"])
    assert pdf.exit_code == 2 and "--output-file" in pdf.output
    nothing = runner.invoke(command, ["compliance"])
    assert nothing.exit_code == 2 and "--all DIR" in nothing.output
