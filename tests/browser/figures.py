"""The figures of the last browser test run, as Markdown tables (for a closing note or a review):

    .venv/bin/python -m tests.browser.figures

Reads test-artifacts/browser/: each journey's <width>x<height>/<journey>.json (per step: top bar and tab
bar height, smallest text, tap targets under 44 px, overflow, checkboxes), 390x844/pages.json (the crawl:
axe violations and layout problems per page) and page-weight.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def journeys() -> list[str]:
    lines = []
    for path in sorted(ARTIFACTS.glob("*x*/*.json")):
        if path.name == "pages.json":
            continue
        lines += [f"\n### {path.stem} at {path.parent.name}\n", *_steps(json.loads(path.read_text("utf-8")))]
    return lines


def _steps(steps: dict) -> list[str]:
    lines = [
        "| step | top bar px | tab bar px | smallest text px | tap targets < 44 px | overflow px | "
        "checkboxes not square | screenshot |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for step, f in steps.items():
        lines.append(
            f"| {step} | {f['top_bar_px']} | {f['tab_bar_px']} | {f['smallest_text_px']} "
            f"| {f['tap_targets_small']} of {f['tap_targets']} | {f['overflow_px']} "
            f"| {f['checkboxes_not_square']} of {f['checkboxes']} | {step}.png |"
        )
    return lines


def crawl() -> list[str]:
    path = ARTIFACTS / "390x844" / "pages.json"
    if not path.exists():
        return []
    pages = json.loads(path.read_text("utf-8"))
    lines = [
        f"\n### Every page at 390x844 ({len(pages)} pages)\n",
        "| who | page | axe violations | tap targets < 44 px | smallest text px | top bar px | overflow px |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in pages:
        axe = "; ".join(line.split(" -- ")[0] for line in p["axe"]) or "0"
        lines.append(
            f"| {p['who']} | {p['path']} | {axe} | {p.get('tap_targets_small')} "
            f"| {p.get('smallest_text_px')} | {p.get('top_bar_px')} | {p.get('overflow_px')} |"
        )
    return lines


def weights() -> list[str]:
    path = ARTIFACTS / "page-weight.json"
    if not path.exists():
        return []
    figures = json.loads(path.read_text("utf-8"))
    lines = ["\n### Page weight (first visit, fresh cache)\n", "| page | bytes transferred | repeat visit |"]
    lines.append("|---|---|---|")
    for name, f in figures.items():
        again = [r for r in f["repeat_visit"] if r["kind"] != "Document" and not r["cached"] and r["status"]]
        repeat = "HTML only" if not again else f"{len(again)} static files fetched again"
        lines.append(f"| {name} | {f['first_visit_bytes']} | {repeat} |")
    return lines


if __name__ == "__main__":
    sys.stdout.write("\n".join(journeys() + crawl() + weights()) + "\n")
