"""Every staff page as a phone shows it, with data on it: wide tables scroll inside their own
keyboard-reachable container, no empty header cell, a title of its own, and nothing a person should not have
to read (a UTC offset, an ISO time, a Python repr)."""

from __future__ import annotations

import re

import pytest

from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import session_scope

ADMIN = "admin@example.org"
PAGES = (
    "/admin/",
    "/admin/stats",
    "/admin/review",
    "/admin/review?tab=suspicious",
    "/admin/review?tab=flagged",
    "/admin/review/{entry}",
    "/admin/campaigns",
    "/admin/campaigns/new",
    "/admin/imports",
    "/admin/card-claims",
    "/admin/residents",
    "/admin/residents/{admin}",
    "/admin/exports",
    "/admin/audit",
    "/verify",
)


@pytest.fixture
def staff_pages(client, engine, settings, make_resident, login) -> list[str]:
    admin = make_resident(role="admin", email=ADMIN, password="correct-horse-9", display_name="管理员")
    login(ADMIN)
    resident = make_resident(display_name="小李")
    ids = {}
    for key, kg in (("held", "25"), ("small", "1")):
        with session_scope(engine) as session:
            item = ActivityInput(
                resident, "recycling", {"material": "glass", "kg": kg}, "web", key, clock.now()
            )
            ids[key] = record_activity(session=session, settings=settings, item=item).id
    # an audit entry with a time in its before/after
    client.submit(f"/admin/review/{ids['small']}/reject", {"reason": "重复"}, form_page="/admin/review")
    return [page.format(entry=ids["held"], admin=admin) for page in PAGES]


def _visible(page: str) -> str:
    """The page's text outside <details> (technical details may show codes), tags removed."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<details.*?</details>", " ", main, flags=re.S)
    main = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def test_every_staff_page_reads_well_on_a_phone(client, staff_pages):
    titles = set()
    for url in staff_pages:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert not re.search(r"<th[^>]*>\s*</th>", page), f"empty header cell on {url}"
        assert "overflow-auto" not in page, url
        for table in re.finditer(r"<table\b", page):
            opened = page.rfind('<div class="table-scroll" tabindex="0" role="region"', 0, table.start())
            assert opened != -1 and "</div>" not in page[opened : table.start()], f"unscrolled table on {url}"
        title = re.search(r"<title>(.*?)</title>", page).group(1)
        assert title not in titles, f"{url} shares its title: {title}"
        titles.add(title)
        text = _visible(page)
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]\d\d:\d\d\b|\{'", text), url


def test_scroll_regions_have_names_of_their_own(client, staff_pages):
    for url in staff_pages:
        names = re.findall(r'role="region" aria-label="([^"]*)"', client.get(url).get_data(as_text=True))
        assert all(names) and len(names) == len(set(names)), url
