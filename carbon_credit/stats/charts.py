"""Server-side SVG charts (pygal), inlined into pages: no CDN, no JavaScript. The one chart module: bar charts
for the administrators' dashboard, line charts for the public campaign pages.

pygal adds a small configuration ``<script>`` even when asked for no scripts, and comments naming itself;
both are removed here, so the markup is static SVG with an accessible name. Every label is text in an
ElementTree, so the serialiser escapes it (a hostile campaign name cannot inject markup).

pygal also appends a legacy import hook (``PluginImportFixer``, for map plugins we do not use) to
``sys.meta_path``; on Python 3.11+ it turns every failed optional import anywhere in the process into an
ImportWarning (an error under the test settings), so it is taken out again on import.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

import pygal
from pygal.style import Style

sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

SVG_NS = "http://www.w3.org/2000/svg"
MAX_X_LABELS = 12
WIDTH = 640
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family='system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
    colors=("#2e7d32", "#1565c0", "#ef6c00"),
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)
_PLAIN = {"style": STYLE, "js": [], "disable_xml_declaration": True}


def bar_chart(title: str, labels: Iterable[str], values: Iterable[float], *, horizontal: bool = False) -> str:
    """A bar chart (horizontal for breakdowns, vertical for time series) as standalone ``<svg>`` markup."""
    labels, values = list(labels), list(values)
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(
        **_PLAIN,
        show_legend=False,
        width=WIDTH,
        height=max(200, 26 * len(labels) + 80) if horizontal else 300,
        x_label_rotation=0 if horizontal or len(labels) <= 8 else 45,
        show_minor_x_labels=len(labels) <= 16,
        x_labels_major_every=max(1, len(labels) // 8) if not horizontal else None,
        truncate_label=24,
        title=title,
    )
    chart.x_labels = labels
    chart.add(title, values)
    return _static(chart.render_tree(), title)


def line_chart_svg(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    width: int = WIDTH,
    height: int = 320,
) -> str:
    """A line chart as standalone ``<svg>`` markup (scales to its container; safe to inline)."""
    chart = pygal.Line(
        **_PLAIN,
        width=width,
        height=height,
        show_dots=len(x_labels) <= 60,
        show_minor_x_labels=False,
        x_label_rotation=0 if len(x_labels) <= 8 else 30,
        legend_at_bottom=True,
        include_x_axis=True,
        truncate_label=-1,
    )
    chart.title = title
    chart.x_labels = list(x_labels)
    step = max(1, -(-len(x_labels) // MAX_X_LABELS))
    chart.x_labels_major = list(x_labels)[::step]
    for label, values in series:
        chart.add(label, list(values))
    return _static(chart.render_tree(), title)


def _static(tree: ET.Element, title: str) -> str:
    """Drop scripts and comments, add an accessible name, serialise without namespace prefixes."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag in ("script", f"{{{SVG_NS}}}script", ET.Comment):
                parent.remove(child)
    tree.set("role", "img")
    tree.set("aria-label", title)
    tree.set("width", "100%")
    tree.attrib.pop("height", None)
    ET.register_namespace("", SVG_NS)
    return ET.tostring(tree, encoding="unicode", short_empty_elements=True)
