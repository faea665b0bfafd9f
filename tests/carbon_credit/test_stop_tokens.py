"""The code printed under a stop's QR code (typed when the camera cannot be used), and where printed links
point."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from carbon_credit.demo.transit import seed_demo_transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import ConfigError, Settings, is_loopback_url, link_base
from carbon_credit.stops import (
    Stop,
    checkin_url,
    manual_code,
    rotate_stop_token,
    set_stop_active,
    sign_stop,
    token_for_typed,
)

MANUAL = re.compile(r"^(\S+) ([0-9A-HJKMNP-TV-Z]{6})$")


@pytest.fixture
def demo(engine) -> dict[str, Stop]:
    with session_scope(engine) as session:
        seed_demo_transit(session=session)
    with read_session(engine) as session:
        return {s.code: s for s in session.execute(select(Stop)).scalars()}


def typed(engine, settings, text: str) -> str:
    with read_session(engine) as session:
        return token_for_typed(session=session, settings=settings, typed=text)


def refusal(engine, settings, text: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        typed(engine, settings, text)
    return caught.value


def full_width(text: str) -> str:
    """What a Chinese keyboard in full-width mode types: ＸＧ１－０１　..."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_the_manual_code_is_the_stop_code_and_six_check_characters(engine, settings, demo):
    stop = demo["XG1-01"]
    code = manual_code(stop, settings)
    assert MANUAL.match(code) and code.startswith("XG1-01 ")
    assert manual_code(stop, settings.with_overrides(qr_signing_key="another-key")) != code
    assert len({manual_code(s, settings).split()[1] for s in demo.values()}) == len(demo)


def test_a_typed_code_is_read_whatever_the_case_spaces_separators_or_width(engine, settings, demo):
    stop = demo["XG3-02"]
    token = sign_stop(stop.id, stop.token_version, settings.qr_signing_key)
    code = manual_code(stop, settings)
    check = code.split()[1]
    for variant in (
        code,
        code.lower(),
        code.replace(" ", ""),
        f"  xg3 02 {check[:3]} {check[3:]} ",
        f"XG3-02·{check}",
        full_width(code),
        full_width(code.lower()),
        f"XG3-02 {check.replace('0', 'O').replace('1', 'I')}",
    ):
        assert typed(engine, settings, variant) == token, variant


def test_a_pasted_poster_address_gives_its_token_whatever_the_host(engine, settings, demo):
    stop = demo["XG1-01"]
    token = sign_stop(stop.id, stop.token_version, settings.qr_signing_key)
    for pasted in (f"https://cc.example.cn/s/{token}", f"http://127.0.0.1:5000/s/{token}?from=poster", token):
        assert typed(engine, settings, pasted) == token
    forged = refusal(engine, settings, "https://cc.example.cn/s/" + sign_stop(stop.id, 1, "guessed-key"))
    assert forged.code == "invalid_stop_token"


def test_a_wrong_code_is_refused_as_wrong(engine, settings, demo):
    code = manual_code(demo["XG1-01"], settings)
    wrong_check = code[:-1] + ("2" if code[-1] != "2" else "3")
    other_stops_check = "XG1-02 " + code.split()[1]
    for text in (
        wrong_check,
        other_stops_check,
        "XG9-99 ABCDEF",
        "XG1-01",
        "",
        "!!!",
        "孝感火车站",
        "x" * 500,
    ):
        assert refusal(engine, settings, text).code == "stop_code_wrong", text


def test_an_old_code_dies_with_its_poster_and_a_switched_off_stop_refuses_its_code(
    engine, settings, demo, make_resident
):
    stop, admin = demo["XG1-01"], make_resident(role="admin")
    old = manual_code(stop, settings)
    with session_scope(engine) as session:
        rotated = rotate_stop_token(session=session, actor_id=admin, stop_id=stop.id, idempotency_key="r")
        new = manual_code(rotated, settings)
    assert new != old and new.startswith("XG1-01 ")
    error = refusal(engine, settings, old)
    assert (error.code, error.params["reason"]) == ("invalid_stop_token", "transit_token_rotated")
    assert typed(engine, settings, new) == sign_stop(stop.id, 2, settings.qr_signing_key)
    with session_scope(engine) as session:
        set_stop_active(session=session, actor_id=admin, stop_id=stop.id, active=False, idempotency_key="off")
    error = refusal(engine, settings, new)
    assert (error.code, error.params["reason"]) == ("invalid_stop_token", "transit_stop_inactive")


def test_links_use_public_base_url_when_set_else_the_requests_host(engine, settings, demo):
    stop = demo["XG1-01"]
    token = sign_stop(stop.id, stop.token_version, settings.qr_signing_key)
    assert settings.public_base_url == ""
    assert checkin_url(stop, settings, "https://stops.example.cn/") == f"https://stops.example.cn/s/{token}"
    assert checkin_url(stop, settings) == f"/s/{token}"
    public = settings.with_overrides(public_base_url="https://cc.example.cn")
    assert checkin_url(stop, public, "http://10.0.0.5:8000/") == f"https://cc.example.cn/s/{token}"
    assert link_base(public) == "https://cc.example.cn" and link_base(settings) == ""


def test_public_base_url_is_not_set_by_default_and_must_be_a_web_address():
    assert Settings.from_env({}).public_base_url == ""
    assert Settings.from_env({"PUBLIC_BASE_URL": " https://cc.example.cn/ "}).public_base_url == (
        "https://cc.example.cn"
    )
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        Settings.from_env({"PUBLIC_BASE_URL": "cc.example.cn"})


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:5000", True),
        ("http://127.8.9.10/", True),
        ("http://[::1]:5000/", True),
        ("http://localhost/", True),
        ("http://LOCALHOST:8000", True),
        ("http://app.localhost/", True),
        ("https://cc.example.cn", False),
        ("http://192.168.1.20:5000/", False),
        ("http://[2001:db8::1]/", False),
        ("", False),
    ],
)
def test_loopback_addresses_are_recognised(url, loopback):
    assert is_loopback_url(url) is loopback
