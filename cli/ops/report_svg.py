"""Charts for the reports (compliance, metering) as inline SVG, drawn here in Python: the HTML
stays one self-contained file (no script, no external asset) that prints the same in a browser
and in a PDF. Pure functions: data in, SVG text out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

WIDTH = 720
LABEL_W = 150  # left column: the bar's label
VALUE_W = 120  # right column: the bar's total
ROW_H = 26
BAR_H = 16
TOP = 30  # the legend's line
LABEL_CHARS = 22  # longer labels are cut (the bar's tooltip keeps the whole label)


def format_bytes(value: float) -> str:
    """1536 -> '1.5 KiB' (binary units, as volumes are sized)."""
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
    size, unit = float(value), 0
    while size >= 1024 and unit < len(units) - 1:
        size, unit = size / 1024, unit + 1
    return f"{int(size)} B" if unit == 0 else f"{size:.1f} {units[unit]}"


def bar_chart(title: str, series: Sequence[tuple[str, str]],
              bars: Sequence[tuple[str, Sequence[float]]],
              fmt: Callable[[float], str] = lambda v: f"{v:g}") -> str:
    """Horizontal stacked bars: `series` is (name, colour) per part, `bars` (label, values in
    series order). Bars share one scale (the largest total spans the plot area)."""
    plot_w = WIDTH - LABEL_W - VALUE_W
    height = TOP + max(1, len(bars)) * ROW_H + 8
    out = [f'<svg width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="sans-serif" font-size="12">',
           f"<title>{escape(title)}</title>"]
    x = LABEL_W
    for name, colour in series:  # legend
        out.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{escape(colour)}"/>')
        out.append(f'<text x="{x + 16}" y="18">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    largest = max((sum(values) for _, values in bars), default=0)
    if not bars or largest <= 0:
        out.append(f'<text x="{LABEL_W}" y="{TOP + 16}" fill="#555">nothing to show</text>')
    else:
        for row, (label, values) in enumerate(bars):
            y = TOP + row * ROW_H
            short = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"
            out.append(f'<text x="{LABEL_W - 8}" y="{y + 13}" text-anchor="end">'
                       f"{escape(short)}</text>")
            x_pos = float(LABEL_W)
            for (name, colour), value in zip(series, values, strict=True):
                width = plot_w * value / largest
                if width > 0:
                    out.append(f'<rect x="{x_pos:.1f}" y="{y}" width="{width:.1f}" '
                               f'height="{BAR_H}" fill="{escape(colour)}">'
                               f"<title>{escape(label)}, {escape(name)}: {escape(fmt(value))}"
                               "</title></rect>")
                x_pos += width
            out.append(f'<text x="{x_pos + 6:.1f}" y="{y + 13}">{escape(fmt(sum(values)))}</text>')
    out.append("</svg>")
    return "\n".join(out)
