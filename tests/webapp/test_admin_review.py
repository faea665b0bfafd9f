"""The review queue pages: an administrator approves, rejects (with a reason) and bulk-approves held entries,
sees photos and suspicious transit scans; nobody else gets in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from carbon_credit import ledger, notifications
from carbon_credit.activities import Activity, ActivityInput, record_activity
from carbon_credit.platform import clock, uploads
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.stops import Stop
from carbon_credit.transit import TransitRejection
from quantification import quantify

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ADMIN = "admin@example.org"
# 25 kg of glass with a photo: evidenced (issue 13), held for review and credited in full on approval
GLASS_25 = quantify("recycling", material="glass", kg="25").grams


@pytest.fixture
def admin(make_resident, login):
    make_resident(role="admin", email=ADMIN, password="correct-horse-9", display_name="管理员")
    login(ADMIN)


@pytest.fixture
def held(engine, app, make_resident):
    """``held(kg=..., photo=False)`` -> id of an entry waiting for review, from a new resident."""
    config = app.extensions["carbon"]["settings"]

    def make(kg="25", photo=False, resident=None, key="k"):
        resident = resident or make_resident(display_name="小李")
        name = uploads.store_photo(settings=config, data=PNG, filename="a.png") if photo else None
        inputs = {"material": "glass", "kg": kg}
        with session_scope(engine) as session:
            item = ActivityInput(resident, "recycling", inputs, "web", key, clock.now(), photo=name)
            return record_activity(session=session, settings=config, item=item).id

    return make


def _activity(engine, activity_id) -> Activity:
    with read_session(engine) as session:
        return session.get(Activity, activity_id)


def _balance(engine, resident) -> int:
    with read_session(engine) as session:
        return ledger.balance(
            session=session, account_id=ledger.account_id_for(session=session, resident_id=resident)
        )


def test_the_queue_lists_held_entries_with_reason_and_thumbnail(client, admin, held):
    big, photo = held(kg="25", key="a"), held(kg="1", photo=True, key="b")
    page = client.get("/admin/review").get_data(as_text=True)
    assert "审核队列" in page and "待审核记录" in page
    assert "共 2 条记录待审核" in page
    assert "数量较大的记录需经管理员审核后发放积分。" in page and "附有照片的记录" in page
    assert f'src="/admin/review/{photo}/photo"' in page and f'value="{big}"' in page
    assert "小李" in page


def test_approving_credits_and_tells_the_resident(client, admin, held, engine):
    activity_id = held(kg="25", photo=True)
    resident = _activity(engine, activity_id).resident_id
    detail = client.get(f"/admin/review/{activity_id}").get_data(as_text=True)
    assert "批准并发放积分" in detail and "普通" in detail
    response = client.submit(f"/admin/review/{activity_id}/approve", form_page=f"/admin/review/{activity_id}")
    assert response.status_code == 302
    assert f"已批准：发放 {GLASS_25} 积分" in client.get(response.location).get_data(as_text=True)
    assert _activity(engine, activity_id).status == "credited" and _balance(engine, resident) == GLASS_25
    again = client.submit(f"/admin/review/{activity_id}/approve", form_page="/admin/review")
    assert again.status_code == 302
    assert "已批准过" in client.get(again.location).get_data(as_text=True)
    assert _balance(engine, resident) == GLASS_25
    with read_session(engine) as session:
        [note] = notifications.recent_for(session=session, resident_id=resident)
    assert note.kind == "review_approved"


def test_rejecting_needs_a_reason_and_records_it(client, admin, held, engine):
    activity_id = held(kg="25")
    url = f"/admin/review/{activity_id}/reject"
    empty = client.submit(url, {"reason": ""}, form_page=f"/admin/review/{activity_id}")
    assert empty.status_code == 400 and _activity(engine, activity_id).status == "pending"
    response = client.submit(url, {"reason": "重量与照片不符"}, form_page=f"/admin/review/{activity_id}")
    assert response.status_code == 302
    found = _activity(engine, activity_id)
    assert (found.status, found.review_note, found.points) == ("rejected", "重量与照片不符", 0)
    detail = client.get(f"/admin/review/{activity_id}").get_data(as_text=True)
    assert "未通过" in detail and "重量与照片不符" in detail and "批准并发放积分" not in detail


def test_rejecting_a_spent_credit_lands_and_says_the_resident_owes_it(client, admin, held, engine):
    """Issue 13 changed this: the rejection used to be refused (400); the clawback now always lands."""
    activity_id = held(kg="10")  # credited at once
    found = _activity(engine, activity_id)
    with session_scope(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=found.resident_id, lock=True)
        ledger.post(session=session, posting=ledger.Posting(account, -found.points, "redeem", "spent"))
    response = client.submit(
        f"/admin/review/{activity_id}/reject", {"reason": "重复"}, form_page=f"/admin/review/{activity_id}"
    )
    assert response.status_code == 302
    assert f"该居民现欠 {found.points} 分" in client.get(response.location).get_data(as_text=True)
    assert _activity(engine, activity_id).status == "rejected"
    assert _balance(engine, found.resident_id) == -found.points


def test_rejecting_a_credited_entry_takes_the_points_back(client, admin, held, engine):
    activity_id = held(kg="10")
    found = _activity(engine, activity_id)
    response = client.submit(
        f"/admin/review/{activity_id}/reject",
        {"reason": "重复登记"},
        form_page=f"/admin/review/{activity_id}",
    )
    assert response.status_code == 302
    assert f"已驳回：扣回 {found.points} 积分" in client.get(response.location).get_data(as_text=True)
    assert _balance(engine, found.resident_id) == 0


def test_bulk_approve_double_submitted_credits_once(client, admin, held, engine, make_resident):
    one, two = make_resident(), make_resident()
    ids = [held(resident=one, key="a", photo=True), held(resident=two, key="b", photo=True)]
    for _ in range(2):
        response = client.submit("/admin/review/bulk-approve", {"ids": ids}, form_page="/admin/review")
        assert response.status_code == 302
    assert (_balance(engine, one), _balance(engine, two)) == (GLASS_25, GLASS_25)
    assert "已批准 0 条记录，2 条未变" in client.get(response.location).get_data(as_text=True)
    nothing = client.submit("/admin/review/bulk-approve", {}, form_page="/admin/review")
    assert "请至少选择一条记录" in client.get(nothing.location).get_data(as_text=True)


def test_the_photo_is_served_to_administrators_only(client, admin, held, register, login):
    activity_id = held(kg="1", photo=True)
    with client.get(f"/admin/review/{activity_id}/photo") as response:
        assert response.status_code == 200 and response.data == PNG
    assert client.get(f"/admin/review/{held(kg='1', key='none')}/photo").status_code == 404
    client.submit("/logout", form_page="/")
    register()
    assert client.get(f"/admin/review/{activity_id}/photo").status_code == 403


def test_suspicious_tab_lists_refused_scans_with_evidence(client, admin, engine, make_resident):
    sly = make_resident(display_name="小赵")
    now = clock.now()
    with session_scope(engine) as session:
        stop = Stop(code="XG001", name_zh="孝感站", name_en="Xiaogan Station", latitude=30.9, longitude=113.9)
        session.add(stop)
        session.flush()
        evidence = {"metres": 20000, "params": {"km": "20.0", "minutes": "5.0", "kmh": "240", "limit": 60}}
        session.add(
            TransitRejection(resident_id=sly, stop_id=stop.id, reason="transit_too_fast", evidence=evidence)
        )
        for n in range(2):
            session.add(
                TransitRejection(
                    resident_id=sly,
                    stop_id=stop.id,
                    reason="transit_cooldown",
                    created_at=now - timedelta(hours=n),
                )
            )
    page = client.get("/admin/review?tab=suspicious").get_data(as_text=True)
    assert page.count('data-testid="suspicious-row"') == 3
    assert "速度不合理" in page and "重复扫码上车" in page and "小赵" in page and "孝感站" in page
    assert "平均时速 240 公里" in page and "20 公里" in page  # the evidence in words, not "metres 20000"
    assert "{'" not in page and "metres" not in page
    assert re.search(r"最近 7 天被拒绝的扫码：3 次", page)
    only_fast = client.get("/admin/review?tab=suspicious&reason=transit_too_fast").get_data(as_text=True)
    assert only_fast.count('data-testid="suspicious-row"') == 1


def test_a_refused_scan_seconds_after_the_tap_in_reads_less_than_a_minute(
    client, admin, engine, make_resident
):
    sly = make_resident(display_name="小赵")
    with session_scope(engine) as session:
        stop = Stop(code="XG001", name_zh="孝感站", name_en="Xiaogan Station", latitude=30.9, longitude=113.9)
        session.add(stop)
        session.flush()
        params = {"km": "3.0", "minutes": 1, "kmh": "1350", "limit": 60}
        evidence = {"metres": 3000, "mode": "bus", "basis": "route", "elapsed_s": 8, "from_stop_id": stop.id}
        session.add(
            TransitRejection(
                resident_id=sly,
                stop_id=stop.id,
                reason="transit_too_fast",
                evidence={**evidence, "params": params},
            )
        )
    page = client.get("/admin/review?tab=suspicious").get_data(as_text=True)
    assert "1 分钟内行驶了 3.0 公里，平均时速 1350 公里" in page and "0.0 分钟" not in page
    shown = page.split('data-testid="evidence">')[1].split("</dl>")[0]
    for label, words in (("测得距离", "3 公里"), ("出行方式", "乘公交车"), ("用时", "不到 1 分钟")):
        assert re.search(rf"<dt>{label}</dt>\s*<dd>{words}</dd>", shown), label
    assert "距离测量方式" in shown and "沿线路里程" in shown
    technical = page.split('data-testid="technical">')[1].split("</details>")[0]
    assert "<code>from_stop_id</code>" in technical and "from_stop_id" not in shown  # ids: collapsed
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    english = client.get("/admin/review?tab=suspicious").get_data(as_text=True)
    assert "3.0 km within 1 min is 1350 km/h on average" in english
    assert "less than a minute" in english and "How the distance was measured" in english


def test_the_entry_page_says_the_inputs_as_the_resident_page_does(client, admin, engine, app, make_resident):
    """A held tree planting: the inputs and details in words, ids and codes only in the technical details."""
    config = app.extensions["carbon"]["settings"]
    resident = make_resident(display_name="小王")
    name = uploads.store_photo(settings=config, data=PNG, filename="t.png")
    details = {"species": "fruit", "planted_on": "2026-03-12"}
    with session_scope(engine) as session:
        item = ActivityInput(
            resident, "tree_planting", {"trees": 3}, "web", "t", clock.now(), photo=name, details=details
        )
        activity_id = record_activity(session=session, settings=config, item=item).id
    page = client.get(f"/admin/review/{activity_id}").get_data(as_text=True)
    assert '<span data-testid="what">种下 3 棵树</span>' in page
    shown = page.split('data-testid="inputs">')[1].split("</dl>")[0]
    for label, words in (
        ("棵数", "3 棵"),
        ("计入年数", "1 年"),
        ("树种类别", "果树"),
        ("种植日期", "2026-03-12"),
    ):
        assert re.search(rf"<dt>{label}</dt>\s*<dd>{words}</dd>", shown), label
    assert "<code>" not in shown and "{'" not in page and "fruit" not in shown
    technical = page.split('data-testid="technical">')[1].split("</details>")[0]
    assert f"<code>id</code></dt><dd>{activity_id}</dd>" in technical and "<code>formula</code>" in technical
    assert page.count('data-testid="technical"') == 1  # one collapsed section for the entry
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    english = client.get(f"/admin/review/{activity_id}").get_data(as_text=True)
    assert '<span data-testid="what">3 trees planted</span>' in english
    assert re.search(r"<dt>Species group</dt>\s*<dd>Fruit tree</dd>", english)


def _card(page: str, activity_id: int) -> str:
    """One pending card of the queue page."""
    return page.split(f'id="entry-{activity_id}"')[1].split("</article>")[0]


def test_each_pending_card_says_what_who_when_and_why_in_plain_words(client, admin, held, engine):
    activity_id = held(kg="25", photo=True)
    found = _activity(engine, activity_id)
    card = _card(client.get("/admin/review").get_data(as_text=True), activity_id)
    assert '<h2 data-testid="what">回收玻璃 25 公斤</h2>' in card  # what, as the resident's page says it
    assert "小李" in card and "普通" in card  # who, with the trust level
    assert f'data-testid="when">{clock.local_text(found.occurred_at)}<' in card  # when, Beijing time
    assert f"<strong>最多 {GLASS_25:,}</strong>" in card  # points once approved (the daily cap may cut)
    assert "附有照片的记录需经管理员审核后发放积分。" in card  # why it is held
    assert not re.search(r"\+\d\d:\d\d|\{'|\[S\]|review_photo", card)


def test_approve_and_reject_from_the_card(client, admin, held, engine):
    keep, drop = held(kg="25", key="keep"), held(kg="25", key="drop")
    page = client.get("/admin/review").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    actions = {}
    for activity_id in (keep, drop):
        card = _card(page, activity_id)
        assert 'data-testid="approve"' in card and 'data-testid="reject"' in card
        assert re.search(r"<textarea [^>]*name=\"reason\"[^>]*required", card)  # a reason is asked for
        actions[activity_id] = re.findall(r'<form method="post" action="([^"]+)"', card)
    assert actions[keep] == [f"/admin/review/{keep}/approve", f"/admin/review/{keep}/reject"]
    approved = client.post(actions[keep][0], data={"csrf_token": csrf})
    assert approved.status_code == 302 and approved.location.endswith("/admin/review")
    rejected = client.post(actions[drop][1], data={"csrf_token": csrf, "reason": "照片看不清"})
    assert rejected.status_code == 302
    assert _activity(engine, keep).status == "credited"
    assert (_activity(engine, drop).status, _activity(engine, drop).review_note) == ("rejected", "照片看不清")
    after = client.get("/admin/review").get_data(as_text=True)
    assert 'data-testid="pending-row"' not in after and "暂无待审核记录" in after
    # the same button again (a double tap, or a second reviewer): nothing more is credited
    credited = _balance(engine, _activity(engine, keep).resident_id)
    assert credited > 0
    assert client.post(actions[keep][0], data={"csrf_token": csrf}).status_code == 302
    assert _balance(engine, _activity(engine, keep).resident_id) == credited
    assert client.post(actions[keep][0], data={}).status_code == 400  # CSRF stays on


def test_bulk_approval_is_kept_beside_the_cards(client, admin, held, engine):
    ids = [held(kg="25", key="a"), held(kg="25", key="b")]
    page = client.get("/admin/review").get_data(as_text=True)
    assert 'id="bulk-approve"' in page and 'data-testid="bulk-approve"' in page
    for activity_id in ids:
        assert f'name="ids" value="{activity_id}" form="bulk-approve"' in _card(page, activity_id)
    client.submit("/admin/review/bulk-approve", {"ids": ids}, form_page="/admin/review")
    assert {_activity(engine, i).status for i in ids} == {"credited"}


def test_the_review_pages_have_no_empty_header_cells(client, admin, held):
    activity_id = held(kg="25")
    for url in ("/admin/review", "/admin/review?tab=suspicious", "/admin/review?tab=flagged"):
        assert not re.search(r"<th[^>]*>\s*</th>", client.get(url).get_data(as_text=True)), url
    detail = client.get(f"/admin/review/{activity_id}").get_data(as_text=True)
    assert "玻璃 25 公斤" in detail and "技术细节" in detail and "{'" not in detail


def test_pages_in_english(client, admin, held):
    held(kg="25")
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    page = client.get("/admin/review").get_data(as_text=True)
    assert "Pending entries" in page and "Large entries are checked by an administrator" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/review"),
        ("get", "/admin/review?tab=suspicious"),
        ("get", "/admin/review/1"),
        ("get", "/admin/review/1/photo"),
        ("post", "/admin/review/1/approve"),
        ("post", "/admin/review/1/reject"),
        ("post", "/admin/review/bulk-approve"),
    ],
)
def test_residents_and_merchants_are_refused(client, register, make_resident, login, method, path):
    make_resident(role="merchant", email="shop@example.org", password="correct-horse-9")
    for sign_in in (register, lambda: login("shop@example.org")):
        sign_in()
        if method == "get":
            assert client.get(path).status_code == 403
        else:
            assert client.submit(path, {"reason": "x", "ids": [1]}, form_page="/").status_code == 403
        client.submit("/logout", form_page="/")
