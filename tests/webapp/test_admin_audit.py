"""The audit log viewer: every review decision is listed with who did it and what changed (times in Beijing
time, the table in a keyboard-reachable scroll container), filters by actor, action, target type and dates
narrow the list, pages of 50; only administrators get in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from carbon_credit.activities import Activity, ActivityInput, local_day, record_activity
from carbon_credit.platform import audit, clock
from carbon_credit.platform.database import read_session, session_scope
from webapp.admin.audit import diff_rows

ADMIN = "admin@example.org"


@pytest.fixture
def admin(make_resident, login):
    admin_id = make_resident(role="admin", email=ADMIN, password="correct-horse-9", display_name="审核员甲")
    login(ADMIN)
    return admin_id


@pytest.fixture
def held(engine, app, make_resident):
    config = app.extensions["carbon"]["settings"]

    def make(key: str) -> int:
        resident = make_resident()
        with session_scope(engine) as session:
            item = ActivityInput(
                resident, "recycling", {"material": "glass", "kg": "25"}, "web", key, clock.now()
            )
            return record_activity(session=session, settings=config, item=item).id

    return make


def app_settings(client):
    return client.application.extensions["carbon"]["settings"]


def _entries(page: str) -> int:
    return page.count('data-testid="audit-entry"')


def test_each_decision_is_listed_with_a_readable_diff(client, admin, held):
    approved, rejected = held("a"), held("b")
    client.submit(f"/admin/review/{approved}/approve", form_page=f"/admin/review/{approved}")
    client.submit(
        f"/admin/review/{rejected}/reject", {"reason": "照片模糊"}, form_page=f"/admin/review/{rejected}"
    )
    page = client.get("/admin/audit").get_data(as_text=True)
    assert _entries(page) == 2 and "共 2 条" in page
    assert "review.approve" in page and "review.reject" in page and "审核员甲" in page
    assert (
        '<th scope="row"><code>status</code></th><td>pending</td><td><strong>credited</strong></td>' in page
    )
    assert '<th scope="row"><code>review_note</code></th><td>—</td><td><strong>照片模糊</strong></td>' in page
    assert "未变更的字段" in page  # e.g. campaign_id, folded away


def test_times_in_the_diff_are_beijing_time_and_its_tables_scroll_by_keyboard(client, admin, held, engine):
    """The decision's reviewed_at is stored as ISO-8601 with its offset; people read 2026-12-06 23:15."""
    approved = held("a")
    client.submit(f"/admin/review/{approved}/approve", form_page=f"/admin/review/{approved}")
    with read_session(engine) as session:
        reviewed_at = session.get(Activity, approved).reviewed_at
    page = client.get("/admin/audit").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text) and "+00:00" not in text
    row = re.search(
        r'<th scope="row"><code>reviewed_at</code></th><td>—</td><td><strong>([^<]+)</strong>', page
    )
    assert row and row.group(1) == clock.local_text(reviewed_at)
    # the diff table sits in a scroll container a keyboard can reach, each with its own name
    regions = re.findall(r'<div class="table-scroll" tabindex="0" role="region" aria-label="([^"]+)">', page)
    assert len(regions) == 1 and "<th></th>" not in page


def test_diff_values_read_for_people():
    assert diff_rows({"at": "2026-12-06T15:23:00+00:00"}, {"at": None}) == [
        ("at", "2026-12-06 23:23", "—", True)
    ]
    assert diff_rows(None, {"when": {"ends": "2026-12-06T16:00:00Z"}, "day": "2026-12-06"}) == [
        ("when", "—", '{"ends": "2026-12-07 00:00"}', True),
        ("day", "—", "2026-12-06", True),
    ]


def test_filters(client, admin, held, engine, make_resident):
    other = make_resident(role="admin", email="boss@example.org", display_name="审核员乙")
    activity_id = held("a")
    client.submit(f"/admin/review/{activity_id}/approve", form_page=f"/admin/review/{activity_id}")
    with session_scope(engine) as session:
        audit.record(
            session=session, actor_id=other, action="campaign.create", target_type="campaign", target_id=1
        )
    assert _entries(client.get("/admin/audit?action=review.approve").get_data(as_text=True)) == 1
    assert _entries(client.get("/admin/audit?target_type=campaign").get_data(as_text=True)) == 1
    by_boss = client.get("/admin/audit?actor=boss@example.org").get_data(as_text=True)
    assert _entries(by_boss) == 1 and "campaign.create" in by_boss
    assert _entries(client.get(f"/admin/audit?actor={admin}").get_data(as_text=True)) == 1
    assert _entries(client.get("/admin/audit?actor=nobody@example.org").get_data(as_text=True)) == 0
    today = local_day(clock.now(), app_settings(client))
    tomorrow = today + timedelta(days=1)
    assert _entries(client.get(f"/admin/audit?day_from={today}&day_to={today}").get_data(as_text=True)) == 2
    assert _entries(client.get(f"/admin/audit?day_from={tomorrow}").get_data(as_text=True)) == 0
    bad_date = client.get("/admin/audit?day_from=not-a-date")
    assert bad_date.status_code == 200 and _entries(bad_date.get_data(as_text=True)) == 2


def test_pages_of_fifty(client, admin, engine):
    with session_scope(engine) as session:
        for n in range(55):
            audit.record(session=session, actor_id=None, action="job.run", target_type="job", target_id=n)
    first = client.get("/admin/audit?action=job.run").get_data(as_text=True)
    assert _entries(first) == 50 and "第 1 / 2 页" in first and "系统" in first
    assert re.search(r'href="/admin/audit\?(page=2&amp;action=job.run|action=job.run&amp;page=2)"', first)
    second = client.get("/admin/audit?action=job.run&page=2").get_data(as_text=True)
    assert _entries(second) == 5 and "#0" in second


def test_only_administrators_see_the_log(client, register):
    assert client.get("/admin/audit").status_code == 302  # anonymous: to the login page
    register()
    assert client.get("/admin/audit").status_code == 403
