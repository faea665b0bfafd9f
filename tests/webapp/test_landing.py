"""The landing page shows live totals, in Chinese by default and English on request."""

from __future__ import annotations

import re

from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.platform.database import session_scope


def test_empty_platform_shows_zero_totals_in_chinese(client):
    page = client.get("/").get_data(as_text=True)
    assert "孝感碳普惠" in page and 'lang="zh-Hans"' in page
    assert 'data-testid="participants">0<' in page
    assert "孝南区" in page and "孝昌县" in page


def test_totals_follow_recorded_activities(client, engine, settings, make_resident):
    resident = make_resident(district_code="yunmeng")
    with session_scope(engine) as session:
        item = ActivityInput(resident, "recycling", {"material": "aluminium_cans", "kg": "2"}, "web", "k1")
        record_activity(session=session, settings=settings, item=item)
    page = client.get("/?lang=en").get_data(as_text=True)
    # 2 kg x 9.13 t/short ton x 1000 / 907.18474 = 20,128 g
    assert 'data-testid="total-co2">20.1 kg<' in page
    assert 'data-testid="participants">1<' in page
    assert "Recycling" in page and "Yunmeng County" in page


def test_language_choice_is_remembered_in_a_cookie(client):
    response = client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    assert response.status_code == 302 and "lang=en" in response.headers["Set-Cookie"]
    assert "Xiaogan Carbon Inclusion" in client.get("/").get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_cli_migrates_and_seeds_demo_data_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.xiaogan.local" in first.output and "resident@demo.xiaogan.local" in first.output
    figures = re.compile(r'data-testid="[a-z0-9-]+">[^<]*<')
    after_first = figures.findall(app.test_client().get("/").get_data(as_text=True))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert figures.findall(app.test_client().get("/").get_data(as_text=True)) == after_first
    assert 'data-testid="participants">32<' in after_first


def test_form_fields_carry_no_empty_autocomplete_and_the_language_switch_says_its_language(client):
    """Screen readers read the switch in its own language; a field without a hint gets no ``None``."""
    page = client.get("/login").get_data(as_text=True)
    assert 'autocomplete="None"' not in page
    assert 'lang="en"' in page and 'data-testid="language-switch"' in page


def test_a_visitor_is_invited_to_register_and_the_tables_scroll_by_keyboard(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/register" role="button">创建账号</a>' in page
    assert page.count('class="table-scroll" tabindex="0" role="region"') == 3


def test_the_landing_page_leads_to_the_running_campaign(client, make_campaign):
    assert 'data-testid="running-campaigns"' not in client.get("/").get_data(as_text=True)
    campaign_id = make_campaign()
    page = client.get("/").get_data(as_text=True)
    assert "进行中" in page and f'href="/campaigns/{campaign_id}">全国低碳日</a>' in page
