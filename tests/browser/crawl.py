"""Crawl the pages one person can reach by following same-host links, one page per URL shape
(/activities/7 and /activities/8 are one shape), and check each: axe-core, <html lang>, the title and the
layout checks of checks.py."""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

from tests.browser.checks import ARTIFACTS, PHONE, measure, problems, summary

# axe-core (bundled by axe-playwright-python) with its default rules; the crawl's contexts add it to every
# page with add_init_script, three times cheaper than sending it to each page as Axe().run does.
AXE_RUN = "axe.run(document, {resultTypes: ['violations']}).then(results => results.violations)"
IGNORED_KEYS = {"next"}  # /login?next=/rewards/4/redeem is /login
MAX_PAGES = 90  # per person: a runaway crawl (a link that makes new URLs) stops here
# Pages of one shape visited: one, but for the shapes whose pages differ by what they show (an activity of
# each behaviour, review entries in each state).
SAME_SHAPE = {"/activities/N": 6, "/admin/review/N": 3}
SKIPPED = re.compile(
    r"^/(static|api)/|/(logout|lang|healthz|readyz)$|/download$|/photo$|\.(png|xlsx|csv|json|txt|js|css)$"
)


@dataclass
class Visited:
    """One crawled page and what was found on it."""

    who: str
    url: str
    shape: str
    status: int
    html: bool = False
    full: bool = False  # axe-core ran and a screenshot was taken (the first page of its shape)
    taps: int = 0  # links followed from where the crawl started
    title: str = ""
    lang: str | None = None
    violations: list[dict] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


def shape(url: str) -> str:
    """The URL with its ids, tokens and codes replaced: one page of each shape is crawled."""
    parts = urlsplit(url)
    segments = [_general(segment) for segment in parts.path.split("/")]
    query = sorted(
        (key, re.sub(r"\d+", "N", value)) for key, value in parse_qsl(parts.query) if key not in IGNORED_KEYS
    )
    return "/".join(segments) + (f"?{urlencode(query)}" if query else "")


def path_shape(url: str) -> str:
    """The shape without its query: pages that must have titles of their own."""
    return shape(url).split("?", 1)[0]


def _general(segment: str) -> str:
    if re.fullmatch(r"\d+", segment):
        return "N"
    if re.fullmatch(r"[A-Za-z0-9_-]{12,}", segment) and (re.search(r"\d", segment) or segment.isupper()):
        return "X"  # a stop token (letters and digits) or a voucher code (may be capitals only)
    return segment


def crawl(page, base: str, who: str, start: list[str], *, inside: str = "/", tab_bar: bool = False):
    """Visit ``start`` and every same-host page linked from them whose path starts with ``inside``: the
    first page of each shape with every check, the more pages of a shape that SAME_SHAPE asks for with all
    but axe-core and the screenshot."""
    queue = deque((f"{base}{s}", True, 0) for s in start)
    seen = Counter(shape(url) for url, _full, _depth in queue)
    queued = {url for url, _full, _depth in queue}
    visited, checked = [], set()
    while queue and len(visited) < MAX_PAGES:
        url, full, depth = queue.popleft()
        found = _visit(page, url, who, tab_bar, full)
        found.taps = depth
        if found.shape != shape(url) and found.shape in checked:
            continue  # redirected to a page already checked (/rewards/4/redeem -> /login)
        visited.append(found)
        checked.add(found.shape)
        for link in _links(page, base) if found.html else []:
            key = shape(link)
            wanted = SAME_SHAPE.get(key, 1)
            if link not in queued and seen[key] < wanted and urlsplit(link).path.startswith(inside):
                queued.add(link)
                seen[key] += 1
                queue.append((link, seen[key] == 1, depth + 1))
    return visited


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url = urldefrag(href).url
        if url.startswith(base + "/") and not SKIPPED.search(urlsplit(url).path):
            found.append(url)
    return found


def _visit(page, url: str, who: str, tab_bar: bool, full: bool) -> Visited:
    clock = _Stopwatch()
    response = clock.time("load", page.goto, url)
    found = Visited(who, page.url, shape(page.url), response.status if response else 0, seconds=clock.seconds)
    kind = response.headers.get("content-type", "") if response else ""
    found.html = found.status < 400 and "text/html" in kind
    if not found.html:
        return found
    found.title = page.title()
    found.lang = page.locator("html").get_attribute("lang")
    found.full = full
    if full:
        found.violations = clock.time("axe", page.evaluate, AXE_RUN)
    figures = clock.time("measure", measure, page)
    found.figures = summary(figures)
    found.layout = problems(figures, PHONE, tab_bar=tab_bar)
    if not full:
        return found
    folder = ARTIFACTS / PHONE.folder / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", found.shape).strip("-") or "home"
    clock.time("screenshot", page.screenshot, path=str(folder / f"{who}-{slug}.png"), full_page=True)
    return found


class _Stopwatch:
    """Seconds spent per phase of a page's checks (pages.json shows them, for the time budget)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def time(self, phase: str, call, *args, **kwargs):
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.seconds[phase] = round(time.perf_counter() - started, 2)


def violation_lines(found: Visited) -> list[str]:
    """One line per axe violation: rule, impact, help, the first elements it names."""
    lines = []
    for v in found.violations:
        targets = ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:3])
        more = f" and {len(v['nodes']) - 3} more" if len(v["nodes"]) > 3 else ""
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']} -- at {targets}{more}")
    return lines
