"""Every page a visitor, a resident, an administrator and a merchant can reach, crawled on a phone (390x844)
once the demo data and a few more things exist (a trip, an entry held for review, a voucher, a running
campaign, audit entries): no axe-core violation of any impact, <html lang> right (zh-Hans, en after
switching), a title of its own, the layout checks of checks.py, no broken link, and every resident page
two taps from /me at most. (Codes and raw values outside <details>: tests/webapp/test_plain_language.py.)

One crawl for all these tests, in the SQLite pass only: axe-core and a screenshot on the first page of each
URL shape, the other checks also on more activities and review entries (crawl.SAME_SHAPE). Screenshots:
test-artifacts/browser/390x844/pages/; figures: test-artifacts/browser/390x844/pages.json."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from tests.browser import data
from tests.browser.checks import ARTIFACTS, PHONE
from tests.browser.crawl import Visited, crawl, path_shape, violation_lines

NEIGHBOUR = "yunmeng@demo.xiaogan.local"
PEOPLE = [
    # who, login, where the crawl starts, the paths it stays inside, whether pages have the tab bar
    ("visitor", None, ["/", "/login", "/register"], "/", False),
    ("resident", data.RESIDENT, ["/me"], "/", True),
    ("admin", data.ADMIN, ["/admin/"], "/admin", False),
    ("merchant", data.MERCHANT, ["/verify"], "/verify", False),
]


class Crawl:
    """Every visited page, and <html lang> on the start pages after switching to English."""

    def __init__(self):
        self.pages: list[Visited] = []
        self.english: dict[str, str | None] = {}


@pytest.fixture(scope="module")
def crawled(browser, demo_server) -> Crawl:
    """The crawl of every person's pages, then /me and /admin/ after switching to English."""
    server = demo_server
    resident = data.person(server, data.RESIDENT)
    data.trip(server, resident)
    data.held_entry(server, data.person(server, NEIGHBOUR), "crawl-held")
    data.voucher(server, resident, "crawl-voucher")
    data.running_campaign(server)
    shutil.rmtree(ARTIFACTS / PHONE.folder / "pages", ignore_errors=True)  # no screenshot of an older run
    result = Crawl()
    for who, login, start, inside, tab_bar in PEOPLE:
        context = browser.new_context(**PHONE.context_args())
        context.add_init_script(AXE_SCRIPT)
        page = context.new_page()
        if login:
            data.sign_in(page, server, login)
        result.pages += crawl(page, server.url, who, start, inside=inside, tab_bar=tab_bar)
        if who in ("resident", "admin"):
            page.goto(f"{server.url}{start[0]}")
            page.click("[data-testid=language-switch]")
            page.wait_for_load_state()
            result.english[f"{who} {start[0]}"] = page.locator("html").get_attribute("lang")
        context.close()
    _save(result)
    return result


def _save(result: Crawl) -> None:
    figures = [
        {
            "who": p.who,
            "path": p.path,
            "status": p.status,
            "axe_ran": p.full,
            "taps": p.taps,
            "title": p.title,
            "lang": p.lang,
            "axe": violation_lines(p),
            "layout": p.layout,
            "seconds": p.seconds,
            **p.figures,
        }
        for p in result.pages
    ]
    path = ARTIFACTS / PHONE.folder / "pages.json"
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


def _html(crawled: Crawl) -> list[Visited]:
    return [p for p in crawled.pages if p.html]


def _report(pages: list[Visited], lines_of) -> str:
    blocks = []
    for p in pages:
        lines = lines_of(p)
        if lines:
            blocks.append(f"{p.path} ({p.who}):" + "".join(f"\n    {line}" for line in lines))
    return "\n".join(blocks)


def test_every_page_was_reached(crawled):
    """No link answers with an error, and the crawl reached the pages with data on them."""
    broken = [f"{p.path} ({p.who}): HTTP {p.status}" for p in crawled.pages if p.status >= 400]
    if broken:
        pytest.fail("links that answer with an error:\n" + "\n".join(broken), pytrace=False)
    reached = {path_shape(p.url).lstrip("/") for p in crawled.pages}
    wanted = ["me", "activities/N", "vouchers/X", "campaigns/N", "admin/review/N", "admin/audit", "verify"]
    missing = [w for w in wanted if w not in reached]
    if missing:
        reached_list = ", ".join(sorted(reached))
        pytest.fail(f"the crawl never reached /{', /'.join(missing)} (reached {reached_list})", pytrace=False)


def test_every_resident_page_within_two_taps_of_home(crawled):
    far = [f"{p.path}: {p.taps} taps" for p in _html(crawled) if p.who == "resident" and p.taps > 2]
    if far:
        pytest.fail("resident pages more than two taps from /me:\n" + "\n".join(far), pytrace=False)


def test_no_axe_violations(crawled):
    failed = _report(_html(crawled), violation_lines)
    if failed:
        pytest.fail(f"axe-core violations (390x844):\n{failed}", pytrace=False)


def test_html_lang(crawled):
    wrong = [f"{p.path} ({p.who}): lang={p.lang!r}" for p in _html(crawled) if p.lang != "zh-Hans"]
    if wrong:
        pytest.fail("pages in Chinese without <html lang=zh-Hans>:\n" + "\n".join(wrong), pytrace=False)
    english = {where: lang for where, lang in crawled.english.items() if lang != "en"}
    if english:
        pytest.fail(f"after switching to English, <html lang> is not en: {english}", pytrace=False)


def test_every_page_has_a_title_of_its_own(crawled):
    shapes_by_title = defaultdict(set)
    for p in _html(crawled):
        shapes_by_title[p.title].add(path_shape(p.url))
    shared = {title: sorted(shapes) for title, shapes in shapes_by_title.items() if len(shapes) > 1}
    if shared:
        lines = [f"{title!r}: {', '.join(shapes)}" for title, shapes in shared.items()]
        pytest.fail("pages sharing one <title>:\n" + "\n".join(lines), pytrace=False)
    untitled = [p.path for p in _html(crawled) if not p.title.strip()]
    if untitled:
        pytest.fail(f"pages without a title: {untitled}", pytrace=False)


def test_every_page_fits_a_phone(crawled):
    failed = _report(_html(crawled), lambda p: p.layout)
    if failed:
        pytest.fail(f"layout checks failed on a phone (390x844):\n{failed}", pytrace=False)
