"""The statistics page: administrators only; totals equal the credited activities; charts are inline SVG,
each with a table; range and granularity filters; Chinese by default, English on request."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from carbon_credit import stats
from carbon_credit.activities import Activity, ActivityInput, record_activity
from carbon_credit.platform.database import read_session, session_scope

ADMIN = "admin@example.org"
NOV_2 = datetime(2026, 11, 2, 4, tzinfo=UTC)
NOV_10 = datetime(2026, 11, 10, 4, tzinfo=UTC)
DEC_1 = datetime(2026, 11, 30, 17, tzinfo=UTC)  # 1 December in Shanghai
RANGE = "/admin/stats?day_from=2026-11-01&day_to=2026-12-31"


@pytest.fixture
def admin(make_resident, login):
    make_resident(role="admin", email=ADMIN, password="correct-horse-9", display_name="管理员")
    login(ADMIN)


@pytest.fixture
def activities(engine, settings, make_resident):
    resident = make_resident(district_code="yunmeng")
    for key, behaviour, inputs, when in (
        ("a", "transit", {"mode": "bus", "km": "8"}, NOV_2),
        ("b", "walking", {"steps": 7000}, NOV_10),
        ("c", "recycling", {"material": "pet", "kg": "2"}, DEC_1),
    ):
        with session_scope(engine) as session:
            channel = "qr" if behaviour == "transit" else "web"  # trips come only from QR pairs and imports
            item = ActivityInput(resident, behaviour, inputs, channel, key, when)
            record_activity(session=session, settings=settings, item=item, now=when)
    stats.forget_active_residents()
    with read_session(engine) as session:
        return session.execute(select(func.count(Activity.id), func.sum(Activity.points))).one()


def test_only_administrators_see_statistics(client, register):
    assert client.get("/admin/stats").status_code == 302  # to the login page
    register()
    assert client.get("/admin/stats").status_code == 403


def test_totals_charts_and_tables(client, admin, activities):
    count, points = activities
    page = client.get(RANGE).get_data(as_text=True)
    assert "<h1>统计</h1>" in page
    assert re.search(r'data-testid="total-activities">3<', page) and count == 3
    assert f'data-testid="total-points">{points:,}<' in page
    assert 'data-testid="active-residents">1<' in page
    for key in ("series", "behaviour", "district", "channel", "evidence", "campaign", "redemptions"):
        section = page.split(f'data-testid="chart-{key}"')[1].split("</section>")[0]
        assert "<svg" in section and f'data-testid="table-{key}"' in section, key
    assert "<script" not in page
    assert "云梦县" in page and "绿色出行" in page and "网页" in page
    assert "2026-11-02" in page.split('data-testid="table-series"')[1]


def test_the_reportable_total_counts_verified_and_evidenced_only(client, admin, activities):
    page = client.get(RANGE).get_data(as_text=True)
    evidence = page.split('data-testid="table-evidence"')[1].split("</table>")[0]
    assert "已核验" in evidence and "本人申报" in evidence
    # the QR bus trip only: walking and recycling on the web are declared
    assert re.search(r'data-testid="reportable-co2">215 (g|克)<', page)  # grams, as symbol or word
    assert "可申报" in page


def test_week_and_month_grouping(client, admin, activities):
    weeks = (
        client.get(RANGE + "&granularity=week").get_data(as_text=True).split('data-testid="table-series"')[1]
    )
    rows = re.findall(r'<th scope="row">(\d{4}-\d\d-\d\d)</th><td>(\d+)</td>', weeks.split("</table>")[0])
    assert ("2026-11-02", "1") in rows and ("2026-11-09", "1") in rows and ("2026-11-30", "1") in rows
    assert all(datetime.fromisoformat(day).weekday() == 0 for day, _ in rows)
    months = (
        client.get(RANGE + "&granularity=month").get_data(as_text=True).split('data-testid="table-series"')[1]
    )
    rows = re.findall(r'<th scope="row">([\d-]+)</th><td>(\d+)</td>', months.split("</table>")[0])
    assert rows == [("2026-11", "2"), ("2026-12", "1")]


def test_a_bad_range_is_explained_and_the_default_range_shown(client, admin, activities):
    response = client.get("/admin/stats?day_from=2026-12-31&day_to=2026-11-01")
    assert response.status_code == 400
    assert "日期范围无效" in response.get_data(as_text=True)
    assert client.get("/admin/stats?day_from=soon").status_code == 400
    assert client.get("/admin/stats").status_code == 200


def test_statistics_in_english(client, admin, activities):
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    page = client.get(RANGE).get_data(as_text=True)
    assert "<h1>Statistics</h1>" in page and "Yunmeng County" in page and "Show as a table" in page


def test_on_a_phone_each_chart_is_named_once_with_its_table_in_a_scroll_container(client, admin, activities):
    page = client.get(RANGE).get_data(as_text=True)
    assert not re.search(r"<th[^>]*>\s*</th>", page)
    for key in ("series", "behaviour", "district", "channel", "evidence", "campaign", "redemptions"):
        section = page.split(f'data-testid="chart-{key}"')[1].split("</section>")[0]
        heading = re.search(r"<h2>([^<]+)</h2>", section).group(1)
        svg = re.search(r"<svg.*?</svg>", section, flags=re.S).group(0)
        assert heading not in re.sub(r'aria-label="[^"]*"|<style.*?</style>', "", svg, flags=re.S), key
        assert f'class="table-scroll" tabindex="0" role="region" aria-label="{heading}"' in section, key
    assert "No data" not in page
