"""Scanning a stop's QR code with a phone: log in if needed, one button, the outcome in the right language."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from carbon_credit import transit
from carbon_credit.activities import Activity
from carbon_credit.demo.transit import seed_demo_transit
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents.accounts import find_by_login
from carbon_credit.stops import Stop, checkin_url, manual_code, rotate_stop_token, sign_stop
from carbon_credit.transit import TapIn, TransitRejection

KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


@pytest.fixture
def stops(engine, settings):
    """The demo network; returns stop code -> check-in path (/s/<token>) as printed on its poster."""
    with session_scope(engine) as session:
        seed_demo_transit(session=session)
    with read_session(engine) as session:
        found = session.execute(select(Stop)).scalars()
        urls = {s.code: checkin_url(s, settings) for s in found}
    return {code: url.removeprefix(settings.public_base_url) for code, url in urls.items()}


@pytest.fixture
def resident(register, engine):
    """A resident signed up (and logged in) through the pages; returns their id."""
    login = register()
    with read_session(engine) as session:
        return find_by_login(session=session, login=login).id


def page_key(client, path: str) -> str:
    found = KEY.search(client.get(path).get_data(as_text=True))
    assert found, f"no idempotency key on {path}"
    return found.group(1)


def press(client, path: str, key: str | None = None):
    """Press the big button on the check-in page (with the key shown on the page unless given)."""
    return client.submit(path, {"idempotency_key": key or page_key(client, path)})


def rows(engine, model, **where):
    with read_session(engine) as session:
        query = select(model).where(*(getattr(model, k) == v for k, v in where.items()))
        return list(session.execute(query).scalars())


def tap_in_earlier(engine, settings, resident: int, path: str, minutes: int) -> None:
    """A tap-in made ``minutes`` ago (the web always uses the real clock)."""
    with session_scope(engine) as session:
        transit.scan(
            session=session,
            settings=settings,
            resident_id=resident,
            token=path.removeprefix("/s/"),
            idempotency_key="earlier",
            now=clock.now() - timedelta(minutes=minutes),
        )


def test_the_check_in_page_names_the_stop_and_offers_one_button(client, stops, resident):
    page = client.get(stops["XG1-01"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "孝感火车站" in text and "Xiaogan Railway Station" in text
    assert "在此上车打卡" in text and text.count('type="submit" data-testid="scan-button"') == 1


def test_tap_in_on_the_web_then_tap_out_credits_the_trip(client, engine, settings, stops, resident):
    tapped = press(client, stops["XG1-01"])
    assert tapped.status_code == 200
    assert "已上车打卡" in tapped.get_data(
        as_text=True
    ) and "下车时请扫描下车站点的二维码" in tapped.get_data(as_text=True)
    [tap] = rows(engine, TapIn, resident_id=resident)
    with session_scope(engine) as session:  # the bus ride took 15 minutes
        session.get(TapIn, tap.id).tapped_in_at = clock.now() - timedelta(minutes=15)
    page = client.get(stops["XG1-04"]).get_data(as_text=True)
    assert "孝感火车站" in page and "在此下车打卡" in page
    done = press(client, stops["XG1-04"])
    text = done.get_data(as_text=True)
    [activity] = rows(engine, Activity, resident_id=resident)
    assert activity.channel == "qr" and activity.points > 0
    assert "行程已计积分" in text
    assert f'data-testid="points">{activity.points}<' in text
    assert f"{rows(engine, TapIn)[0].metres / 1000:.1f} 公里" in text
    assert (
        f"/activities/{activity.id}" in text or "resident.activity" not in client.application.view_functions
    )


def test_a_double_tapped_button_taps_in_once_and_credits_once(client, engine, settings, stops, resident):
    key = page_key(client, stops["XG1-01"])
    first, second = press(client, stops["XG1-01"], key), press(client, stops["XG1-01"], key)
    assert first.status_code == second.status_code == 200
    assert "已上车打卡" in second.get_data(as_text=True)  # not "cancelled"
    [tap] = rows(engine, TapIn, resident_id=resident)
    assert tap.status == "open"
    with session_scope(engine) as session:
        session.get(TapIn, tap.id).tapped_in_at = clock.now() - timedelta(minutes=20)
    key = page_key(client, stops["XG1-06"])
    press(client, stops["XG1-06"], key)
    again = press(client, stops["XG1-06"], key)
    assert "行程已计积分" in again.get_data(as_text=True)
    assert len(rows(engine, Activity, resident_id=resident)) == 1


def test_a_rule_refusal_is_shown_with_its_reason(client, engine, settings, stops, resident):
    tap_in_earlier(engine, settings, resident, stops["XG1-01"], minutes=1)
    refused = press(client, stops["XG1-06"])  # several km in one minute
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "未计积分" in text and "超过该交通方式的合理上限 60 公里/小时" in text
    assert [r.reason for r in rows(engine, TransitRejection)] == ["transit_too_fast"]
    assert rows(engine, Activity) == []


def test_a_forged_code_gets_a_clear_400_page_and_nothing_but_a_rejection(client, engine, stops, resident):
    forged = "/s/" + sign_stop(1, 1, "not-our-key")
    page = client.get(forged)
    assert page.status_code == 400 and "这个站点二维码无效" in page.get_data(as_text=True)
    assert 'href="/scan"' in page.get_data(as_text=True)  # a way on: scan again, or home
    assert 'href="/me"' in page.get_data(as_text=True)
    posted = client.submit(forged, {"idempotency_key": "k-forged"}, form_page=stops["XG1-01"])
    assert posted.status_code == 400 and "未记录任何积分" in posted.get_data(as_text=True)
    [rejection] = rows(engine, TransitRejection)
    assert (rejection.reason, rejection.resident_id) == ("invalid_stop_token", resident)
    assert rows(engine, TapIn) == [] and rows(engine, Activity) == []


def test_a_replaced_poster_gets_a_400_page(client, engine, stops, resident, make_resident):
    old, admin = stops["XG1-01"], make_resident(role="admin")
    with session_scope(engine) as session:
        stop = session.execute(select(Stop).where(Stop.code == "XG1-01")).scalar_one()
        rotate_stop_token(session=session, actor_id=admin, stop_id=stop.id, idempotency_key="rotate")
    page = client.get(old)
    assert page.status_code == 400 and "该站点的二维码海报已更换" in page.get_data(as_text=True)
    assert client.submit(old, {"idempotency_key": "k"}, form_page="/").status_code == 400
    assert rows(engine, TapIn) == []


def test_a_visitor_logs_in_and_lands_back_on_the_check_in(client, engine, settings, stops, make_resident):
    make_resident(email="rider@example.org", password="correct-horse-9")
    path = stops["XG3-02"]
    redirected = client.get(path)
    assert redirected.status_code == 302
    assert redirected.headers["Location"] == f"/login?next={quote(path, safe='')}"
    login = client.submit(
        redirected.headers["Location"], {"login": "rider@example.org", "password": "correct-horse-9"}
    )
    assert login.status_code == 302 and login.headers["Location"] == path
    assert "交通大道" in client.get(path).get_data(as_text=True)


def test_an_anonymous_post_changes_nothing(client, engine, stops):
    response = client.submit(stops["XG1-01"], {"idempotency_key": "k"}, form_page="/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert rows(engine, TapIn) == []


def test_the_page_is_in_english_when_the_resident_chose_english(client, engine, stops, resident):
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    page = client.get(stops["XG1-01"]).get_data(as_text=True)
    assert "Tap in here" in page and "Xiaogan Railway Station" in page
    assert "Tapped in" in press(client, stops["XG1-01"]).get_data(as_text=True)
    assert "Tapping out at the same stop cancels" in client.get(stops["XG1-01"]).get_data(as_text=True)
    cancelled = press(client, stops["XG1-01"]).get_data(as_text=True)
    assert "Tap-in cancelled" in cancelled and "You tapped out at the stop where you tapped in" in cancelled
    assert 'data-next="scan"' in cancelled and 'href="/scan"' in cancelled


# --- the scan page, the typed code and what to do next ----------------------------------------------------


def stop_named(engine, code: str) -> Stop:
    with read_session(engine) as session:
        return session.execute(select(Stop).where(Stop.code == code)).scalar_one()


def full_width(text: str) -> str:
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_the_scan_page_explains_the_camera_and_offers_the_typed_code_form(client, stops, resident):
    page = client.get("/scan")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "浏览器只允许 HTTPS 网址的网页使用相机" in text and "localhost" in text
    assert 'data-testid="code-form"' in text and 'name="code"' in text and "输入二维码下方的号码" in text
    assert re.search(r'<script type="module" src="/static/scan(\.[0-9a-f]{8})?\.js"', text)
    assert re.search(r'data-reader="/static/vendor/qr-scanner/qr-scanner\.min(\.[0-9a-f]{8})?\.js"', text)
    assert "camera=(self)" in page.headers["Permissions-Policy"]
    assert "worker-src 'self' blob:" in page.headers["Content-Security-Policy"]
    # the reader loads on the scan page only, and every other page keeps the camera off
    other = client.get(stops["XG1-01"])
    assert "/static/scan." not in other.get_data(as_text=True) and "qr-scanner" not in other.get_data(
        as_text=True
    )
    assert "camera=()" in other.headers["Permissions-Policy"]


def test_the_code_under_the_qr_code_opens_the_stops_check_in_page_without_javascript(
    client, engine, settings, stops, resident
):
    code = manual_code(stop_named(engine, "XG1-01"), settings)
    check = code.split()[1]
    for typed in (code, code.lower().replace(" ", ""), full_width(code), f" xg1 01 {check} "):
        got = client.get("/scan", query_string={"code": typed})
        assert (got.status_code, got.headers["Location"]) == (303, stops["XG1-01"]), typed
    posted = client.submit("/scan", {"code": code})
    assert (posted.status_code, posted.headers["Location"]) == (303, stops["XG1-01"])
    pasted = client.get("/scan", query_string={"code": "https://cc.example.cn" + stops["XG1-01"]})
    assert pasted.headers["Location"] == stops["XG1-01"]
    assert "在此上车打卡" in client.get(pasted.headers["Location"]).get_data(as_text=True)
    assert rows(engine, TapIn) == []  # opening the stop's page taps in nobody


def test_a_wrong_or_old_code_is_refused_clearly_and_records_nothing(
    client, engine, settings, stops, resident, make_resident
):
    stop = stop_named(engine, "XG1-01")
    right = manual_code(stop, settings)
    wrong = right[:-1] + ("2" if right[-1] != "2" else "3")
    page = client.get("/scan", query_string={"code": wrong})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "这个号码不对" in text and f'value="{wrong}"' in text
    assert 'aria-invalid="true"' in text
    with session_scope(engine) as session:
        rotate_stop_token(
            session=session, actor_id=make_resident(role="admin"), stop_id=stop.id, idempotency_key="r"
        )
    old = client.get("/scan", query_string={"code": right})
    assert old.status_code == 400 and "该站点的二维码海报已更换" in old.get_data(as_text=True)
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    english = client.get("/scan", query_string={"code": wrong}).get_data(as_text=True)
    assert "That code is not right" in english and "only on pages served over HTTPS" in english
    assert rows(engine, TransitRejection) == [] and rows(engine, TapIn) == []


def test_typed_codes_are_rate_limited_like_check_ins(client, app, stops, resident):
    app.extensions["carbon"]["settings"] = app.extensions["carbon"]["settings"].with_overrides(
        checkin_rate_limit="3 per minute"
    )
    answers = [client.get("/scan", query_string={"code": f"XG1-01 AAAAA{n}"}).status_code for n in range(4)]
    assert answers == [400, 400, 400, 429]
    assert client.get("/scan").status_code == 200  # the page itself is never limited


def test_the_tap_in_page_says_which_stop_when_and_what_to_do_next(client, engine, stops, resident):
    text = press(client, stops["XG1-01"]).get_data(as_text=True)
    [tap] = rows(engine, TapIn, resident_id=resident)
    assert f"您于 {clock.local_text(tap.tapped_in_at)} 在“孝感火车站”上车打卡。" in text
    assert "下车时请扫描下车站点的二维码" in text
    assert 'data-next="scan"' in text and 'href="/scan" role="button"' in text


def test_a_tap_out_at_a_stop_of_another_route_says_why_and_offers_tapping_in_again_here(
    client, engine, stops, resident
):
    press(client, stops["XG1-01"])  # the railway station, bus 1
    refused = press(client, stops["XG8-05"])  # Yintai City, bus 8 only, seconds later
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "未计积分" in text
    assert "超过该交通方式的合理上限 60 公里/小时，未计积分。" in text
    assert 'data-next="tap_in_here"' in text and "在此重新上车打卡" in text
    assert f'href="{stops["XG8-05"]}" role="button"' in text
    [rejection] = rows(engine, TransitRejection)
    assert f"如果您认为有误，请把参考编号 R{rejection.id} 告诉工作人员。" in text
    again = press(client, stops["XG8-05"])  # the button works at once: a new trip from here
    assert "已上车打卡" in again.get_data(as_text=True) and "银泰城" in again.get_data(as_text=True)


def test_a_tap_out_after_the_tap_in_expired_says_so_and_gives_a_reference(
    client, engine, settings, stops, resident
):
    tap_in_earlier(engine, settings, resident, stops["XG1-01"], minutes=200)
    page = client.get(stops["XG1-04"]).get_data(as_text=True)
    assert "您之前的上车打卡超时未下车打卡，已失效" in page  # said before the button is pressed
    text = press(client, stops["XG1-04"]).get_data(as_text=True)
    [expired] = rows(engine, TransitRejection)
    assert (
        "已上车打卡" in text
        and "上车打卡 180 分钟内未扫码下车，已失效。所以这次扫码在本站开始了新的行程。" in text
    )
    assert f"参考编号 R{expired.id}" in text and 'href="/scan" role="button"' in text
