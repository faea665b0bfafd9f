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

import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

import pygal
from pygal.style import Style

sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

SVG_NS = "http://www.w3.org/2000/svg"
MAX_X_LABELS = 6  # x labels named on a time axis: six fit a phone's width
# Drawn at about a phone's width, so text keeps its drawn size there: shown 350 px wide (a 390 px screen less
# the page's margins), 14 px text is 12.25 px; on wide screens the chart grows to MAX_SHOWN_WIDTH at most.
WIDTH = 400
SHOWN_ON_A_PHONE = 350
MAX_SHOWN_WIDTH = 640
FONT_SIZE = 14
# Okabe & Ito (2008), "Color Universal Design": told apart with every common colour-vision deficiency.
# Blue first: a single-series chart is blue (5:1 against white); the second series vermillion.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
DASHES = (None, "8,4", "2,3", "8,3,2,3")  # lines told apart without colour too
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family='system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
    foreground="#1f1f1f",
    foreground_strong="#000000",
    foreground_subtle="#595959",
    colors=OKABE_ITO,
    opacity="1",
    opacity_hover="1",
    stroke_width="2",
    **{
        f"{part}_font_size": FONT_SIZE
        for part in ("label", "major_label", "value", "value_label", "tooltip", "title", "legend", "no_data")
    },
)
_PLAIN = {"style": STYLE, "js": [], "disable_xml_declaration": True}


def bar_chart(
    title: str,
    labels: Iterable[str],
    values: Iterable[float],
    *,
    horizontal: bool = False,
    empty: str = "",
) -> str:
    """A bar chart (horizontal for breakdowns, vertical for time series) as standalone ``<svg>`` markup.

    ``title`` is the chart's accessible name only: the page's heading names the chart, so it is not drawn.
    ``empty`` is drawn when there are no values."""
    labels, values = _short_days(list(labels)), list(values)
    truncate = 10 if horizontal else 12
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(
        **_PLAIN,
        show_legend=False,
        width=WIDTH,
        height=max(200, 32 * len(labels) + 80) if horizontal else 300,
        x_label_rotation=0 if horizontal or max(map(len, labels), default=0) <= 5 else 45,
        show_minor_x_labels=horizontal or len(labels) <= MAX_X_LABELS,
        x_labels_major_every=None if horizontal else -(-len(labels) // MAX_X_LABELS) or None,
        truncate_label=truncate,
        no_data_text=empty,
        margin=12,
        margin_left=12 + (_wide_text_extra(labels, truncate) if horizontal else 0),
        margin_right=12 if horizontal else 24,
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
    height: int = 300,
    empty: str = "",
) -> str:
    """A line chart as standalone ``<svg>`` markup (scales to its container; safe to inline). ``title`` is
    its accessible name, not drawn (the page's heading names the chart); each series has its own colour
    and dash pattern."""
    chart = pygal.Line(
        **_PLAIN,
        width=width,
        height=height,
        show_dots=len(x_labels) <= 31,
        dots_size=3,
        show_minor_x_labels=False,
        x_label_rotation=0 if len(x_labels) <= 4 else 30,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        include_x_axis=True,
        truncate_label=-1,
        truncate_legend=-1,
        no_data_text=empty,
        margin=12,
        margin_right=28,  # room for the last day's label, centred on the plot's edge
    )
    chart.x_labels = list(x_labels)
    step = max(1, -(-len(x_labels) // MAX_X_LABELS))
    chart.x_labels_major = list(x_labels)[::step]
    for index, (label, values) in enumerate(series):
        dash = DASHES[index % len(DASHES)]
        chart.add(label, list(values), stroke_style={"width": 2, **({"dasharray": dash} if dash else {})})
    return _static(chart.render_tree(), title)


def _short_days(labels: list[str]) -> list[str]:
    """Days of one year as ``11-09`` (the year is in the table beside the chart): short labels fit a phone
    without turning them sideways."""
    if labels and all(re.fullmatch(r"\d{4}-\d\d-\d\d", label) for label in labels):
        if len({label[:4] for label in labels}) == 1:
            return [label[5:] for label in labels]
    return labels


def _wide_text_extra(labels: list[str], truncate: int) -> int:
    """Pixels pygal's label margin misses for Chinese text: it takes every character as 0.6 em wide, a Chinese
    character is 1 em (so labels like 垃圾回收 were cut at the left edge)."""
    extra = 0.0
    for label in labels:
        shown = label[:truncate]
        wide = sum(unicodedata.east_asian_width(char) in "WF" for char in shown)
        extra = max(extra, wide * 0.4 * FONT_SIZE)
    return round(extra)


def _static(tree: ET.Element, title: str) -> str:
    """Drop scripts and comments, add an accessible name, serialise without namespace prefixes."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag in ("script", f"{{{SVG_NS}}}script", ET.Comment):
                parent.remove(child)
    tree.set("role", "img")
    tree.set("aria-label", title)
    tree.set("width", "100%")
    tree.set("style", f"max-width: {MAX_SHOWN_WIDTH}px")
    tree.attrib.pop("height", None)
    ET.register_namespace("", SVG_NS)
    return ET.tostring(tree, encoding="unicode", short_empty_elements=True)
