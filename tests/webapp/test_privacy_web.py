"""The privacy pages as a resident meets them: the notice linked from every page, registration with the
notice accepted and the age asked, the consent switches with their history, and the gate after a new
notice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from carbon_credit import residents
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session
from carbon_credit.residents import ConsentRecord, Resident
from carbon_credit.residents import notices as notice_data
from tests.webapp.conftest import PASSWORD


def _text(response) -> str:
    return response.get_data(as_text=True)


def _fields(login: str, **more) -> dict:
    base = {"login": login, "display_name": "小李", "district": "", "password": PASSWORD, "confirm": PASSWORD}
    return {**base, **more}


def test_the_notice_is_public_in_both_languages_and_linked_from_every_page(client):
    page = _text(client.get("/privacy"))
    assert "个人信息保护告知" in page and "行踪轨迹" in page and residents.current_notice().version in page
    assert 'href="/privacy"' in _text(client.get("/")) and 'href="/privacy"' in _text(client.get("/login"))
    client.submit("/lang", {"lang": "en", "next": "/privacy"})
    assert "privacy notice" in _text(client.get("/privacy")) and "sensitive personal information" in _text(
        client.get("/privacy")
    )


def test_registration_records_the_notice_and_leaves_trips_off(client, engine, consent_fields):
    response = client.submit("/register", _fields("13900139000", **consent_fields(trips=False)))
    assert response.status_code == 302
    with read_session(engine) as session:
        resident = session.execute(select(Resident).where(Resident.phone == "13900139000")).scalar_one()
        consents = residents.consents_of(session=session, resident_id=resident.id)
    assert [(r.purpose, r.channel, r.notice_version) for r in consents.history] == [
        ("notice", "web", residents.current_notice().version)
    ]
    assert consents.state["trips"] is False


def test_registration_without_the_notice_or_under_14_creates_nothing(client, engine, consent_fields):
    unticked = {**consent_fields(), "accept_notice": ""}
    refused = client.submit("/register", _fields("13900139001", **unticked))
    assert refused.status_code == 400 and "请先阅读并同意" in _text(refused)
    young = str(clock.local_day(clock.now()).year - 10)
    child = client.submit("/register", _fields("13900139002", **{**consent_fields(), "birth_year": young}))
    assert child.status_code == 400 and "未满 14 周岁需要监护人同意" in _text(child)
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Resident)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(ConsentRecord)).scalar_one() == 0


def test_switching_trips_on_and_off_takes_effect_and_is_listed(client, engine, register):
    register(login="13900139003", trips=False)
    page = _text(client.get("/account/privacy"))
    assert "乘车行程" in page and "敏感个人信息" in page
    client.submit("/account/privacy", {"trips": "y"})
    client.submit("/account/privacy", {})
    with read_session(engine) as session:
        resident = session.execute(select(Resident.id).where(Resident.phone == "13900139003")).scalar_one()
        assert not residents.has_consent(session=session, resident_id=resident, purpose="trips")
    history = _text(client.get("/account/privacy"))
    assert history.count("<td>乘车行程</td>") == 2 and "已同意" in history


def test_a_new_notice_version_is_asked_for_once_then_the_resident_goes_on(
    client, register, tmp_path, monkeypatch
):
    register(login="13900139004")
    assert client.get("/me").status_code == 200
    today = clock.local_day(clock.now())
    for version, effective in (("2026-12-v1", today - timedelta(days=30)), ("2099-v2", today)):
        (tmp_path / f"{version}.toml").write_text(
            f'version = "{version}"\neffective = {effective.isoformat()}\n'
            '[zh]\ntitle = "新版告知"\nsections = [["收集", "手机号"]]\n'
            '[en]\ntitle = "New notice"\nsections = [["We collect", "Your number"]]\n',
            encoding="utf-8",
        )
    monkeypatch.setattr(notice_data, "NOTICE_DIR", tmp_path)
    gated = client.get("/me")
    assert gated.status_code == 303 and gated.headers["Location"].startswith("/privacy/accept?next=/me")
    assert client.get("/privacy").status_code == 200  # the notice itself stays readable
    assert "新版告知" in _text(client.get("/privacy/accept?next=/me"))
    accepted = client.submit("/privacy/accept?next=/me", {"notice_version": "2099-v2"})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/me"
    assert client.get("/me").status_code == 200
