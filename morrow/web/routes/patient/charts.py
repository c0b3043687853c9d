"""Progress charts: matplotlib (Agg) SVG, made safe to inline under our CSP (no style attributes or
<style> elements: they become SVG presentation attributes), with a <title> and <desc> for screen readers."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from morrow.services.patient_views import Point

_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.S)


@dataclass(frozen=True)
class Series:
    label: str
    points: list[Point]
    colour: str
    marker: str


def _attributes(match: re.Match[str]) -> str:
    parts = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            parts.append(f' {name.strip()}="{escape(value.strip())}"')
    return "".join(parts)


def csp_safe(svg: str) -> str:
    svg = svg[svg.index("<svg") :]
    svg = _METADATA.sub("", _STYLE_ELEMENT.sub("", svg))
    return _STYLE_ATTR.sub(_attributes, svg)


def chart(chart_id: str, title: str, description: str, series: list[Series], y_label: str) -> str:
    """One inline SVG chart; every point is a marker with id `<chart_id>-<series>-<n>`."""
    figure, axis = plt.subplots(figsize=(7, 3), dpi=72)
    try:
        for n, line in enumerate(series):
            if not line.points:
                continue
            xs: list[Any] = [p.day for p in line.points]
            ys = [p.value for p in line.points]
            axis.plot(xs, ys, color=line.colour, linewidth=1.5, label=line.label)
            for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
                (dot,) = axis.plot([x], [y], marker=line.marker, color=line.colour, markersize=6, linestyle="none")
                dot.set_gid(f"{chart_id}-{n}-{i}")
        axis.set_ylabel(y_label)
        axis.grid(True, alpha=0.3)
        if any(line.points for line in series):
            axis.legend(loc="upper left", fontsize=9)
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    finally:
        plt.close(figure)
    svg = csp_safe(buffer.getvalue())
    head_end = svg.index(">") + 1
    labelled = svg[: head_end - 1] + f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
    return (
        labelled
        + f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        + svg[head_end:]
    )
