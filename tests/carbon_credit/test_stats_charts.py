"""The charts as a phone shows them: the page's heading names each chart (no title drawn inside the SVG),
every text at least 11 px once the SVG is scaled to a phone's width, and a palette told apart by
colour-blind people (Okabe-Ito)."""

from __future__ import annotations

import re

import pytest

from carbon_credit import stats
from carbon_credit.stats.charts import MAX_SHOWN_WIDTH, OKABE_ITO, SHOWN_ON_A_PHONE

PHONE_TEXT_MIN = 11  # px, as the issue asks
DAYS = [f"11-{d:02d}" for d in range(1, 31)]


def _charts() -> dict[str, str]:
    return {
        "time series": stats.bar_chart("减排量（千克）", [f"2026-{d}" for d in DAYS], range(30)),
        "breakdown": stats.bar_chart(
            "按区县",
            ["孝南区", "云梦县", "一个名字很长很长很长很长的社区活动"],
            [3.5, 1.2, 0.4],
            horizontal=True,
        ),
        "campaign": stats.line_chart_svg(
            title="孝感绿色出行周",
            x_labels=DAYS,
            series=[("减排量（千克）", [d * 1.5 for d in range(30)]), ("活动次数", list(range(30)))],
        ),
        "empty": stats.bar_chart("空", [], [], empty="此范围内没有数据"),
    }


@pytest.mark.parametrize("name", ["time series", "breakdown", "campaign", "empty"])
def test_text_stays_readable_at_a_phones_width(name):
    svg = _charts()[name]
    width = float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg).group(1))
    sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)px", svg)]
    assert sizes, "the chart's text sizes are set in its style"
    shown = [size * SHOWN_ON_A_PHONE / width for size in sizes]
    assert min(shown) >= PHONE_TEXT_MIN, (name, width, min(sizes))
    assert f"max-width: {MAX_SHOWN_WIDTH}px" in svg and 'width="100%"' in svg  # not huge on a desk either


@pytest.mark.parametrize("name", ["time series", "breakdown", "campaign"])
def test_no_title_drawn_the_accessible_name_kept(name):
    svg = _charts()[name]
    assert 'class="title"' not in re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    assert re.search(r'role="img" aria-label="[^"]+"', svg)
    if name == "campaign":  # the campaign page's h1 names it; the chart does not say it again
        assert "孝感绿色出行周" not in re.sub(r'aria-label="[^"]*"', "", svg)


def test_the_palette_is_okabe_ito():
    svg = _charts()["campaign"]
    colours = re.findall(r"\.color-(\d+)[^{]*\{[^}]*?fill:\s*(#[0-9A-Fa-f]{6})", svg)
    assert colours and {c.upper() for _, c in colours} <= {c.upper() for c in OKABE_ITO}
    assert (
        dict(colours)["0"].upper() == OKABE_ITO[0].upper()
        and dict(colours)["1"].upper() == OKABE_ITO[1].upper()
    )
    assert "stroke-dasharray" in svg  # the second line is dashed: told apart without colour too
    assert not re.search(r"opacity:\s*\.7", svg)  # colours drawn as they are, not washed out


def test_an_empty_chart_says_so_in_the_readers_words():
    svg = _charts()["empty"]
    assert "此范围内没有数据" in svg and "No data" not in svg
