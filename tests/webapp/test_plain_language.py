"""Plain language on every page: a crawl of every HTML page reachable by links from ``/``, ``/me`` and
``/admin/`` (the demo data, signed in as the demo resident, as the demo administrator, and signed out) that
fails when a page shows people an evidence marker (``[S]`` ``[V]`` ``[D]`` ``[M]``), a Python repr (``{'``,
``[{'``), or a machine time (a UTC offset such as ``+00:00``, an ISO time such as ``T08:15``) outside a
``<details>`` "technical details" section. Scripts, styles and ``<details>`` elements are removed before
the visible text is read; the JSON API and the exports are not HTML pages and are not checked.

Links are followed with GET only, on the same host; logging out, downloads (spreadsheets, images, photos,
QR codes) and the API are skipped. Each page shape (its path with numbers as ``N``) is visited at most
``PER_SHAPE`` times, so paged lists do not make the crawl endless."""

from __future__ import annotations

import html
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from carbon_credit.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo
from carbon_credit.platform.database import session_scope

PER_SHAPE = 12
MAX_PAGES = 800
SKIPPED = re.compile(
    r"(^/static/|^/api/|^/logout|/photo\b|\.(xlsx|csv|png|jpe?g|webp|svg|ico|json|js|css|webmanifest)$"
    r"|/qr(\.png)?$|/download$)",
)
PROBLEMS = {
    "evidence marker": re.compile(r"\[[SVDM]\]"),
    "Python repr": re.compile(r"\[\{'|\{'"),
    "UTC offset": re.compile(
        r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\+\d{2}:\d{2}|\d{2}:\d{2}:\d{2}(?:\.\d+)?-\d{2}:\d{2}"
    ),
    "ISO time": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
}
HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
INNER_DETAILS = re.compile(r"<details\b(?:(?!<details\b).)*?</details\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


class Links(HTMLParser):
    """The ``href`` of every ``<a>`` on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.found.append(href)


def visible_text(page: str) -> str:
    """The text a person sees without opening a ``<details>``: no scripts, styles, comments or details."""
    page = HIDDEN.sub(" ", page)
    while True:
        stripped = INNER_DETAILS.sub(" ", page)
        if stripped == page:
            break
        page = stripped
    return html.unescape(TAG.sub(" ", page))


def problems(page: str) -> list[str]:
    """What a page shows that people should not see, each with a little of the text around it."""
    text = " ".join(visible_text(page).split())
    found = []
    for name, pattern in PROBLEMS.items():
        for match in list(pattern.finditer(text))[:2]:
            context = text[max(match.start() - 40, 0) : match.end() + 40]
            found.append(f"{name}: …{context}…")
    return found


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(client, starts: list[str], hosts: set[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Every HTML page reachable from ``starts`` by GET links on ``hosts``; (pages seen, problems by page)."""
    queue, seen, shapes = deque(starts), set(starts), Counter()
    pages: list[str] = []
    offending: dict[str, list[str]] = {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code >= 500:
            offending[url] = [f"status {response.status_code}"]
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        pages.append(url)
        found = problems(page)
        if found:
            offending[url] = found
        parser = Links()
        parser.feed(page)
        for href in parser.found:
            target = _same_host(url, href, hosts)
            if target is None or target in seen or SKIPPED.search(urlsplit(target).path):
                continue
            key = shape(urlsplit(target).path)
            if shapes[key] >= PER_SHAPE:
                continue
            shapes[key] += 1
            seen.add(target)
            queue.append(target)
    return pages, offending


def _same_host(base: str, href: str, hosts: set[str]) -> str | None:
    """The path and query of a link on this site, or None for another site, a mail link or an anchor."""
    absolute = urldefrag(urljoin(f"http://localhost{base}", href)).url
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc not in hosts:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def demo_app(app):
    """The app with the demo data (the demo people, their week, campaigns, vouchers, a review item...)."""
    carbon = app.extensions["carbon"]
    with session_scope(carbon["engine"]) as session:
        seed_demo(session=session, settings=carbon["settings"])
    return app


def _hosts(app) -> set[str]:
    public = app.extensions["carbon"]["settings"].public_base_url or ""
    return {"localhost", urlsplit(public).netloc} - {""}


def _sign_in(client, role: str) -> None:
    login = next(email for person_role, _, email, _ in DEMO_PEOPLE if person_role == role)
    response = client.submit("/login", {"login": login, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def _report(offending: dict[str, list[str]]) -> str:
    lines = [f"{len(offending)} page(s) show people what belongs in technical details:"]
    for url, found in sorted(offending.items()):
        lines.append(f"  {url}")
        lines.extend(f"      {problem}" for problem in found)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("role", "locale", "starts"),
    [
        ("resident", "zh_Hans", ["/me", "/"]),
        ("resident", "en", ["/me", "/"]),
        ("admin", "zh_Hans", ["/admin/", "/me", "/"]),
        (None, "zh_Hans", ["/"]),
    ],
    ids=["resident", "resident-en", "admin", "visitor"],
)
def test_no_page_shows_markers_reprs_or_machine_times(demo_app, role, locale, starts):
    client = demo_app.test_client()
    if role:
        _sign_in(client, role)
    if locale == "en":
        client.submit("/lang", {"lang": "en", "next": "/me"}, form_page="/me")
    pages, offending = crawl(client, starts, _hosts(demo_app))
    assert len(pages) >= (20 if role else 3), pages  # the crawl reached the site, not just its start
    assert not offending, _report(offending)


def test_the_checks_see_what_people_see_and_ignore_technical_details():
    page = """<main><p>2026-12-06 08:15 乘公交车 8.2 公里</p>
      <script>var t = "2026-12-06T08:15:00+00:00"</script>
      <details><summary>技术细节</summary><p>[S] {'mode': 'bus'} 2026-12-06T08:15:00+00:00</p>
      <details><p>[V]</p></details></details><time datetime="2026-12-06T08:15:00+08:00">12-06</time></main>"""
    assert problems(page) == []
    shown = problems("<p>legs [{&#39;mode&#39;: &#39;bus&#39;}] [D] at 2026-12-06 15:23:00+00:00</p>")
    assert [problem.split(":")[0] for problem in shown] == ["evidence marker", "Python repr", "UTC offset"]
    assert problems("<p>2026-12-06T15:23</p>")[0].startswith("ISO time")


def test_an_activity_page_leads_with_one_sentence_and_keeps_the_audit_trail_in_technical_details(demo_app):
    client = demo_app.test_client()
    _sign_in(client, "resident")
    history = client.get("/history?behaviour=transit").get_data(as_text=True)
    first = re.search(r'href="(/activities/\d+)">(乘[^<]+ 公里[^<]*)</a>', history)
    assert first, "the history names each trip in words"
    page = client.get(first.group(1)).get_data(as_text=True)
    sentence = re.search(r'data-testid="sentence">([^<]+)<', page).group(1)
    assert re.fullmatch(
        r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} 乘.+ 公里.*→ 减排 \d+ 克 CO2e = \d+ 点(，另得活动奖励 \d+ 点)?",
        sentence,
    ), sentence
    assert first.group(2) in sentence
    assert page.index('data-testid="sentence"') < page.index('data-testid="evidence-why"')
    assert "每人每公里比开小汽车少排放" in page and "来源：深圳市生态环境局" in page and "2021 年" in page
    details = page[page.index('<details class="technical"') : page.index("</details>")]
    assert "<details open" not in page and "<summary>技术细节</summary>" in details
    for testid in ("methodology", "version", "formula", "factors", "inputs"):
        assert f'data-testid="{testid}"' in details, testid
    assert 'data-testid="points"' in page and 'data-testid="grams"' in page and "克</span>" in page
