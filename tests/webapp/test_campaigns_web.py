"""Campaign pages: the public list and detail (no login), the privacy choices, and the admin screens."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from carbon_credit import campaigns, residents
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.campaigns import Campaign, CampaignInput
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.models import AuditEntry
from carbon_credit.residents import Resident

WALK = {"steps": "5000"}  # 100 points
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def admin(make_resident, login):
    """An administrator, signed in."""
    admin_id = make_resident(role="admin", email="admin@example.org", password="correct-horse-9")
    login("admin@example.org")
    return admin_id


@pytest.fixture
def running(engine, settings, make_resident):
    """``running(budget=...)`` -> id of a campaign running now (bonus 50 per activity)."""

    def make(budget=10_000, name_zh="全国低碳日", bonus=50, district_ids=()):
        actor = make_resident(role="admin")
        now = clock.now()
        data = CampaignInput(
            name_zh,
            "Low-Carbon Day",
            "low_carbon_day",
            now - timedelta(days=2),
            now + timedelta(days=2),
            budget,
            100,
            bonus,
            [],
            list(district_ids),
        )
        with session_scope(engine) as session:
            return campaigns.create_campaign(
                session=session, settings=settings, actor_id=actor, data=data, idempotency_key="k"
            ).id

    return make


def _walk(engine, settings, resident, key):
    with session_scope(engine) as session:
        return record_activity(
            session=session, settings=settings, item=ActivityInput(resident, "walking", WALK, "web", key)
        )


def _opt_in(engine, resident):
    with session_scope(engine) as session:
        session.get(Resident, resident).leaderboard_opt_in = True


def _form(start="2026-06-05T00:00", end="2026-06-06T00:00", **overrides):
    data = {
        "idempotency_key": "form-key-1",
        "name_zh": "世界环境日",
        "name_en": "World Environment Day",
        "kind": "environment_day",
        "starts_at": start,
        "ends_at": end,
        "multiplier_percent": "150",
        "bonus_points": "0",
        "budget_points": "5000",
    }
    data.update(overrides)
    return data


# --- Public pages ----------------------------------------------------------------------------------------


def test_the_public_page_shows_live_totals_a_chart_a_table_and_the_budget(
    client, engine, settings, make_resident, running
):
    campaign_id = running(budget=120)
    people = [make_resident(), make_resident(district_code="hanchuan")]
    for n, who in enumerate(people * 2):
        _walk(engine, settings, who, f"w{n}")
    page = client.get(f"/campaigns/{campaign_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "全国低碳日" in html
    assert re.search(r'data-testid="total-participants">2<', html)
    assert re.search(r'data-testid="total-activities">3<', html)  # the 4th earned no bonus: budget spent
    assert re.search(r'data-testid="total-co2">300 克<', html)
    assert re.search(r'data-testid="total-bonus">120<', html)
    assert "<svg" in html and "<script" not in html
    today = clock.now().astimezone(SHANGHAI).date().isoformat()
    assert re.search(rf"<td>{today}</td><td>3</td><td>300 克</td>", html)
    assert "孝南区" in html and "汉川市" in html  # by district
    assert 'data-testid="budget-exhausted"' in html and "奖励预算已用完" in html


def test_the_list_shows_running_and_past_campaigns(client, engine, settings, make_resident, running):
    running(name_zh="节能宣传周")
    actor = make_resident(role="admin")
    past = CampaignInput(
        "去年环境日",
        "Env Day 2025",
        "environment_day",
        clock.now() - timedelta(days=9),
        clock.now() - timedelta(days=8),
        10,
        100,
        5,
    )
    with session_scope(engine) as session:
        campaigns.create_campaign(
            session=session, settings=settings, actor_id=actor, data=past, idempotency_key="p"
        )
    html = client.get("/campaigns").get_data(as_text=True)
    running_part, past_part = html.split('data-testid="campaigns-past"')
    assert "节能宣传周" in running_part and "去年环境日" in past_part


def test_the_leaderboard_names_only_residents_who_opted_in_and_escapes_names(
    client, engine, settings, make_resident, running
):
    campaign_id = running()
    shown = make_resident(display_name="<script>alert(1)</script>")
    hidden = make_resident(display_name="不想公开的人")
    _opt_in(engine, shown)
    _walk(engine, settings, shown, "a")
    _walk(engine, settings, hidden, "b")
    html = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    board = html.split('data-testid="leaderboard"')[1].split("</table>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in board and "<script>" not in html
    assert "不想公开的人" not in html
    assert f"居民 ***{hidden % 100:02d}" in board


def test_the_public_page_speaks_english_when_asked(client, running):
    campaign_id = running()
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    html = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Low-Carbon Day" in html and "Leaderboard" in html and "National Low-Carbon Day" in html


def test_an_unknown_campaign_is_404(client):
    assert client.get("/campaigns/999").status_code == 404


def test_residents_choose_leaderboard_and_weekly_summary(client, engine, register):
    assert client.get("/account/leaderboard").status_code == 302  # login first
    register(login="13800138000")
    assert "在活动排行榜上显示我的昵称" in client.get("/account/leaderboard").get_data(as_text=True)
    response = client.submit("/account/leaderboard", {"leaderboard": "y", "weekly_summary": "y"})
    assert response.status_code == 302
    with read_session(engine) as session:
        me = session.execute(select(Resident).where(Resident.phone == "13800138000")).scalar_one()
    assert (me.leaderboard_opt_in, me.weekly_summary_opt_in) == (True, True)
    client.submit("/account/leaderboard", {})
    with read_session(engine) as session:
        me = session.get(Resident, me.id)
    assert (me.leaderboard_opt_in, me.weekly_summary_opt_in) == (False, False)


def test_a_running_campaign_is_on_home_with_a_join_button_that_leads_to_taking_part(
    client, engine, settings, register, running
):
    campaign_id = running(budget=1_000)
    register(login="13800138000")
    home = client.get("/me").get_data(as_text=True)
    card = home.split('data-testid="campaign"')[1].split("</article>")[0]
    assert "全国低碳日" in card and 'data-testid="budget"' in card and "剩余 1,000" in card
    join = re.search(r'<a href="([^"]+)" role="button" data-testid="join-campaign">参加</a>', card)
    assert join and join.group(1) == f"/campaigns/{campaign_id}#take-part"
    page = client.get(join.group(1).split("#")[0]).get_data(as_text=True)
    part = page.split('<section id="take-part"')[1].split("</section>")[0]
    assert "无需报名" in part and 'href="/log/recycling"' in part and 'href="/log/trees"' in part
    assert 'href="/chat"' in part  # walking and electricity: the chat
    me = _me(engine)
    _walk(engine, settings, me, "joined")
    home = client.get("/me").get_data(as_text=True)
    assert "您已参加：已有 1 次行为获得奖励，共奖励 50 点。" in home
    assert "继续赚奖励" in home and "剩余 950" in home
    assert 'data-testid="campaign-joined"' in client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)


def test_home_shows_only_campaigns_open_to_the_residents_district(client, engine, register, running):
    with read_session(engine) as session:
        hanchuan = residents.district_by_code(session=session, code="hanchuan").id
    running(name_zh="汉川专属活动", district_ids=[hanchuan])
    register(login="13800138000")  # in 孝南区
    home = client.get("/me").get_data(as_text=True)
    assert "汉川专属活动" not in home and "暂无进行中的活动" in home
    detail = client.get("/campaigns").get_data(as_text=True)
    assert "汉川专属活动" in detail  # the public list still shows it, and its page says who may take part


def test_the_chart_does_not_repeat_the_heading_and_its_table_scrolls(client, running):
    campaign_id = running(name_zh="节能宣传周")
    page = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert page.count(">节能宣传周<") == 1  # the h1 only: the chart is named for what it shows
    assert 'aria-label="节能宣传周：每日减排量（CO2e）与行为次数"' in page
    table = page.split('<div class="table-scroll" tabindex="0" role="region"')[1]
    assert table.index('data-testid="by-day"') < table.index("</div>")


def _me(engine) -> int:
    with read_session(engine) as session:
        return session.execute(select(Resident.id).where(Resident.phone == "13800138000")).scalar_one()


# --- Administration ---------------------------------------------------------------------------------------


def test_admins_create_edit_and_end_campaigns_with_audit_entries(client, engine, admin):
    assert client.get("/admin/campaigns").status_code == 200
    response = client.submit("/admin/campaigns/new", _form())
    assert response.status_code == 302, response.get_data(as_text=True)
    with read_session(engine) as session:
        campaign = session.execute(select(Campaign)).scalar_one()
    assert campaign.starts_at.astimezone(SHANGHAI).hour == 0 and campaign.multiplier_percent == 150
    edit = f"/admin/campaigns/{campaign.id}/edit"
    assert "世界环境日" in client.get(edit).get_data(as_text=True)
    response = client.submit(
        edit, _form(name_zh="世界环境日（延长）", end="2026-06-07T00:00", bonus_points="20")
    )
    assert response.status_code == 302
    listing = client.get("/admin/campaigns").get_data(as_text=True)
    assert "世界环境日（延长）" in listing and "<progress" in listing
    assert (
        client.submit(
            f"/admin/campaigns/{campaign.id}/end", {"idempotency_key": "end-1"}, form_page="/admin/campaigns"
        ).status_code
        == 302
    )
    with read_session(engine) as session:
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.actor_id).order_by(AuditEntry.id)
        ).all()
        ended = session.get(Campaign, campaign.id)
    assert actions == [("campaign.create", admin), ("campaign.update", admin), ("campaign.end", admin)]
    assert not ended.is_active


def test_a_double_submitted_form_creates_one_campaign(client, engine, admin):
    for _ in range(2):
        assert client.submit("/admin/campaigns/new", _form()).status_code == 302
    with read_session(engine) as session:
        assert len(session.execute(select(Campaign)).all()) == 1


@pytest.mark.parametrize(
    ("overrides", "chinese"),
    [
        ({"end": "2026-06-04T00:00"}, "结束时间必须晚于开始时间"),
        ({"multiplier_percent": "90"}, "倍数必须在 100% 到 10000% 之间"),
        ({"multiplier_percent": "100", "bonus_points": "0"}, "至少一项"),
        ({"budget_points": "abc"}, "请输入整数"),
        ({"start": "tomorrow"}, "请输入日期和时间"),
    ],
)
def test_admin_validation_errors_are_in_chinese(client, engine, admin, overrides, chinese):
    response = client.submit("/admin/campaigns/new", _form(**overrides))
    assert response.status_code == 400
    assert chinese in response.get_data(as_text=True)
    with read_session(engine) as session:
        assert session.execute(select(Campaign)).first() is None


def test_the_budget_cannot_be_set_below_what_was_paid(
    client, engine, settings, make_resident, admin, running
):
    campaign_id = running()
    _walk(engine, settings, make_resident(), "w")
    now = clock.now().astimezone(SHANGHAI)
    form = _form(
        start=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        end=(now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        budget_points="10",
    )
    response = client.submit(f"/admin/campaigns/{campaign_id}/edit", form)
    assert response.status_code == 400
    assert "积分预算不能低于已发放的 50 积分" in response.get_data(as_text=True)


def test_residents_get_403_and_visitors_are_sent_to_log_in(client, register):
    assert client.get("/admin/campaigns").status_code == 302
    register()
    for path in ("/admin/campaigns", "/admin/campaigns/new", "/admin/campaigns/1/edit"):
        assert client.get(path).status_code == 403, path
    assert client.submit("/admin/campaigns/1/end", {}, form_page="/").status_code == 403
