"""What every page must be on a phone and on a desktop, measured in the browser as drawn (measure.js):

- no horizontal overflow: the document is no wider than the window (``scrollWidth <= innerWidth``);
- on phones, the top bar (the first ``header`` outside the page content) and the bottom tab bar (a ``nav``
  fixed at the bottom of the window) at most 64 px tall each; a signed-in resident's page has the tab bar;
- tap targets at least 44x44 px: every visible link, button, input, select, textarea and summary; a checkbox
  or radio counts with its label. Exempt (WCAG 2.5.8 "inline"): an ``a`` displayed inline inside a
  ``p``/``li``/``td``/``dd`` that has words of its own outside any link, i.e. a link in running text;
- no visible text under 11 px (each text node's computed font size; SVG text as drawn; text that is
  hidden, aria-hidden, visually hidden or inside a closed ``<details>`` does not count);
- checkboxes and radios square (width and height within 1 px); a checkbox with ``role="switch"`` is drawn
  as a switch and is not measured.

``Steps`` runs them at each step of a journey with a full-page screenshot, keeps going, and fails at the
end with every problem, each naming the screen size, the step, the element (selector and text) and its size.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
MEASURE = (Path(__file__).parent / "measure.js").read_text(encoding="utf-8")
MIN_TARGET = 44
MIN_TEXT = 11
MAX_CHROME = 64


@dataclass(frozen=True)
class Screen:
    """A viewport the journeys run at; ``folder`` names its screenshots' directory."""

    name: str
    width: int
    height: int
    phone: bool

    @property
    def folder(self) -> str:
        return f"{self.width}x{self.height}"

    def context_args(self) -> dict:
        """Arguments for ``browser.new_context``: the size, Chinese, touch on phones."""
        return {
            "viewport": {"width": self.width, "height": self.height},
            "locale": "zh-CN",
            "has_touch": self.phone,
        }

    def __str__(self) -> str:
        return f"{self.name} {self.folder}"


PHONE = Screen("phone", 390, 844, phone=True)
DESKTOP = Screen("desktop", 1280, 800, phone=False)
SCREENS = [PHONE, DESKTOP]


def measure(page) -> dict:
    """The figures measure.js returns for the page as drawn now."""
    return page.evaluate(MEASURE)


def problems(figures: dict, screen: Screen, *, tab_bar: bool = False) -> list[str]:
    """Every failed check on one measured page, one line each (offenders indented below)."""
    found = []
    width = figures["window"]["width"]
    if figures["scrollWidth"] > width:
        found.append(
            _listed(
                f"horizontal overflow: the page is {figures['scrollWidth']} px wide in a "
                f"{width} px window; sticking out",
                figures["sticking"],
                _edges,
            )
        )
    if screen.phone:
        found += _chrome(figures, tab_bar)
    found += [_listed(f"tap targets under {MIN_TARGET}x{MIN_TARGET} px", figures["smallTargets"], _size)]
    found += [_listed(f"text under {MIN_TEXT} px", figures["smallText"], _font)]
    found += [_listed("checkboxes/radios not square", figures["stretched"], _size)]
    return [line for line in found if line]


def _chrome(figures: dict, tab_bar: bool) -> list[str]:
    found = []
    header, bar = figures["header"], figures["tabBar"]
    if header and header["height"] > MAX_CHROME:
        found.append(f"top bar {header['selector']} is {header['height']} px tall (at most {MAX_CHROME})")
    if bar and bar["height"] > MAX_CHROME:
        found.append(f"bottom tab bar {bar['selector']} is {bar['height']} px tall (at most {MAX_CHROME})")
    if tab_bar and not bar:
        found.append("no bottom tab bar (a nav fixed at the bottom of the window) on a resident's page")
    return found


def _listed(title: str, items: list[dict], show) -> str:
    """``title (n):`` then one indented line per offender; identical lines once, with ``(xN)``."""
    if not items:
        return ""
    counts = Counter(show(item) for item in items)
    lines = [f"{line} (x{n})" if n > 1 else line for line, n in counts.items()]
    shown = "".join(f"\n      {line}" for line in lines[:12])
    more = f"\n      ... and {len(lines) - 12} more" if len(lines) > 12 else ""
    return f"{title} ({len(items)}):{shown}{more}"


def _size(item: dict) -> str:
    return f"{item['selector']} {item['text']!r}: {item['size']}"


def _font(item: dict) -> str:
    return f"{item['selector']} {item['text']!r}: {item['size']} px"


def _edges(item: dict) -> str:
    return f"{item['selector']} {item['text']!r}: from x={item['left']} to x={item['right']}"


def summary(figures: dict) -> dict:
    """The figures worth reporting for one page."""
    smallest = figures["smallest"] or {}
    return {
        "url": figures["url"],
        "title": figures["title"],
        "overflow_px": max(0, figures["scrollWidth"] - figures["window"]["width"]),
        "top_bar_px": (figures["header"] or {}).get("height"),
        "tab_bar_px": (figures["tabBar"] or {}).get("height"),
        "smallest_text_px": smallest.get("size"),
        "smallest_text": f"{smallest.get('selector')} {smallest.get('text')!r}" if smallest else None,
        "tap_targets": figures["targets"],
        "tap_targets_small": len(figures["smallTargets"]),
        "inline_links_exempt": figures["exempt"],
        "checkboxes": figures["checkboxes"],
        "checkboxes_not_square": len(figures["stretched"]),
    }


class Steps:
    """A journey's steps at one screen size: ``steps.check(page, "05-tapped-in")`` saves
    test-artifacts/browser/<width>x<height>/<step>.png, measures the page and records its problems;
    ``steps.assert_clean()`` at the end fails with all of them. The figures of every step go to
    test-artifacts/browser/<width>x<height>/<journey>.json."""

    def __init__(self, screen: Screen, journey: str):
        self.screen = screen
        self.journey = journey
        self.folder = ARTIFACTS / screen.folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.records: list[tuple[str, dict, list[str]]] = []

    def shot(self, page, step: str) -> Path:
        """A full-page screenshot of the step, without checks (a page that is not ours to judge)."""
        path = self.folder / f"{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def check(self, page, step: str, *, tab_bar: bool = False) -> list[str]:
        """Screenshot, measure and record the current page; returns its problems."""
        self.shot(page, step)
        figures = measure(page)
        found = problems(figures, self.screen, tab_bar=tab_bar and self.screen.phone)
        self.records.append((step, figures, found))
        self.save()
        return found

    def save(self) -> None:
        figures = {step: {**summary(f), "problems": found} for step, f, found in self.records}
        path = self.folder / f"{self.journey}.json"
        path.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")

    def report(self) -> str:
        """Every step's problems, grouped by step, for a failure message."""
        lines = []
        for step, figures, found in self.records:
            if found:
                lines.append(f"[{self.screen}] step {step} ({_path(figures['url'])}):")
                lines += [f"    {line}" for line in found]
        return "\n".join(lines)

    def assert_clean(self) -> None:
        """Fail with every problem found at every step."""
        failed = self.report()
        if failed:
            message = f"layout checks failed ({self.screen}, screenshots in {self.folder}):\n{failed}"
            pytest.fail(message, pytrace=False)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3] if url.count("/") >= 3 else url
