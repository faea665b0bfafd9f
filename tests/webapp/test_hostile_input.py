"""Hostile input in every form and filter that takes text: SQL and HTML injection strings, Unicode edge cases,
control characters, overlong and oversized input, on both databases.

Each submission must end one of two ways: refused with a clear message on the page (the form again, 200 or
400, and the row count of every table unchanged), or stored verbatim and shown escaped on every page that
shows it. Never a 500. Other bad files (non-workbooks, a stops zip bomb, a 50 MB import) are covered in
test_admin_stops.py and test_admin_imports.py; the JSON API in test_api.py and test_api_fuzz.py.
"""

from __future__ import annotations

import html
import io
import re
import secrets
import zipfile
from pathlib import Path

import openpyxl
import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlmodel import SQLModel

from carbon_credit.activities.models import Activity
from carbon_credit.activities.recording import ActivityInput, record_activity
from carbon_credit.campaigns.models import Campaign
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import current_notice
from carbon_credit.residents.models import ApiToken, Resident
from carbon_credit.stops import imports as stop_import
from carbon_credit.stops.models import Route, Stop
from tests.webapp.conftest import PASSWORD
from webapp.forms import Form

MARKUP = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
}
TEXT = {
    "sql-quote": "'; DROP TABLE residents; --",
    "sql-or": '" OR 1=1 --',
    **MARKUP,
    "rtl-override": "invoice\u202etxt.exe",
    "zero-width-joiner": "👩\u200d🔬 ZWJ",
    "emoji": "🌳🚌♻️🌏",
    "combining": "Z\u0351\u0352\u0353\u0354\u0355 ok\u0301",
    "bad-utf8": "\ufffd\ufffd",  # what a lone surrogate or a stray byte becomes in a form post
}
CONTROL = {"nul": "ab\x00cd", "escape": "ab\x1b[2Jcd"}
TOO_LONG = "长" * 10_000
HIDDEN = re.compile(r'name="(\w+)" type="hidden" value="([^"]*)"')
REFUSED_MESSAGE = re.compile(r'data-testid="form-error"|class="field-error"')
RAW = [re.escape(v) for v in MARKUP.values()] + [r"<img src=x onerror", r"<script>alert"]


# ---- helpers ----------------------------------------------------------------------------------------------


def row_counts(engine) -> dict[str, int]:
    """Rows in every table: a refused submission must leave all of them as they were."""
    with read_session(engine) as db:
        return {
            t.name: db.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }


def assert_inert(page: str) -> None:
    """No submitted markup survives unescaped."""
    for raw in RAW:
        assert not re.search(raw, page), f"unescaped {raw!r} in the page"


def submit(client, engine, path: str, data: dict, *, form_page: str | None = None, message=True) -> str:
    """Submit once; returns "stored" (a redirect, or 201 with the result) or "refused" (the form again with
    a message, nothing stored)."""
    before = row_counts(engine)
    response = client.submit(path, data, form_page=form_page)
    page = response.get_data(as_text=True)
    assert response.status_code < 500, (path, data, page[-500:])
    assert_inert(page)
    if response.status_code == 201 or 300 <= response.status_code < 400:
        return "stored"
    assert response.status_code in (200, 400), (path, data, response.status_code)
    assert REFUSED_MESSAGE.search(page) or not message, f"no message on the refused form: {page[-1500:]}"
    assert row_counts(engine) == before, f"{path} refused {data!r} but stored part of it"
    return "refused"


def hidden_key(client, path: str, name: str = "key") -> str:
    found = re.search(
        rf'name="{name}" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True)
    )
    return found.group(1) if found else secrets.token_urlsafe(12)


def check_field(client, engine, path, make_data, stored_value, pages, *, form_page=None, must_store=True):
    """Every payload into one field: control characters and 10,000 characters are refused; injection and
    Unicode strings, when stored, are stored verbatim and shown escaped on ``pages``."""
    for n, value in enumerate([*TEXT.values(), *CONTROL.values(), TOO_LONG]):
        verdict = submit(client, engine, path, make_data(value, n), form_page=form_page)
        if value in CONTROL.values() or value is TOO_LONG:
            assert verdict == "refused", (path, value)
        elif verdict == "stored":
            assert stored_value(value) == value.strip(), (path, value)
            shown = []
            for url in pages():
                page = client.get(url)
                assert page.status_code == 200, url
                assert_inert(page.get_data(as_text=True))
                shown.append(unescape_quotes(page.get_data(as_text=True)))
            if value in MARKUP.values():  # shown as text somewhere (the Chinese pages show only name_zh)
                assert any(html.escape(value, quote=False) in text for text in shown), (path, value)
        else:
            assert not must_store, f"{path} refused ordinary text {value!r}"


def unescape_quotes(page: str) -> str:
    """Quotes may be escaped either way; angle brackets must be."""
    return page.replace("&#34;", '"').replace("&#39;", "'").replace("&quot;", '"').replace("&#x27;", "'")


def scalar(engine, query):
    with read_session(engine) as db:
        return db.execute(query).scalar_one()


def latest(engine, column):
    return scalar(engine, select(column).order_by(column.table.c.id.desc()).limit(1))


@pytest.fixture
def admin(app, make_resident, login):
    make_resident(role="admin", email="admin@hostile.test", password=PASSWORD, display_name="管理员")
    login("admin@hostile.test")


# ---- every form is a plain-text form ----------------------------------------------------------------------


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_in_the_app_refuses_control_characters(app):
    """A new form that skipped the base class would pass NUL on to PostgreSQL (a 500)."""
    ours = [c for c in _subclasses(FlaskForm) if c.__module__.startswith("webapp.")]
    assert len(ours) >= 25
    assert [c.__qualname__ for c in ours if not issubclass(c, Form)] == []


# ---- resident forms ---------------------------------------------------------------------------------------


def test_register_display_name(client, engine, consent_fields):
    def data(value, n):
        client.post("/logout", data={"csrf_token": client.csrf_token("/")})
        return {
            **consent_fields(),
            "login": f"1390000{n:04d}",
            "display_name": value,
            "district": "xiaonan",
            "password": PASSWORD,
            "confirm": PASSWORD,
        }

    def pages():  # registration never signs in: log in to see the name
        client.submit("/login", {"login": latest(engine, Resident.phone), "password": PASSWORD})
        return ["/me", "/account"]

    check_field(
        client,
        engine,
        "/register",
        data,
        lambda v: latest(engine, Resident.display_name),
        pages,
    )


def test_register_and_login_refuse_hostile_logins(client, engine, register):
    register(login="13800138000")
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    for value in [*TEXT.values(), *CONTROL.values(), TOO_LONG, "１３８００１３８０００"]:
        fields = {
            "login": value,
            "display_name": "x",
            "district": "",
            "password": PASSWORD,
            "confirm": PASSWORD,
        }
        assert submit(client, engine, "/register", fields) == "refused"
        assert submit(client, engine, "/login", {"login": value, "password": PASSWORD}) == "refused"
        assert submit(client, engine, "/login", {"login": "13800138000", "password": value}) == "refused"


def test_change_password_refuses_hostile_current_passwords(client, engine, register):
    register()
    for value in [*TEXT.values(), *CONTROL.values(), TOO_LONG]:
        fields = {"current": value, "new": "another-horse-7", "confirm": "another-horse-7"}
        assert submit(client, engine, "/account/password", fields) == "refused"


def test_token_name(client, engine, register):
    register()

    def data(value, n):
        return {"name": value, "idempotency_key": hidden_key(client, "/account/tokens", "idempotency_key")}

    check_field(
        client,
        engine,
        "/account/tokens",
        data,
        lambda v: latest(engine, ApiToken.name),
        lambda: ["/account/tokens"],
    )


def test_chat_messages_are_shown_escaped_and_control_characters_stored_nowhere(client, engine, register):
    register()
    for value in TEXT.values():
        response = client.submit(
            "/chat", {"text": value, "idempotency_key": secrets.token_urlsafe(12)}, form_page="/chat"
        )
        assert response.status_code == 303
        page = client.get("/chat").get_data(as_text=True)
        assert_inert(page)
        assert html.escape(value, quote=False) in unescape_quotes(page)
    for value in [*CONTROL.values(), TOO_LONG]:
        before = row_counts(engine)
        response = client.submit(
            "/chat", {"text": value, "idempotency_key": secrets.token_urlsafe(12)}, form_page="/chat"
        )
        assert response.status_code < 500 and row_counts(engine) == before
        page = client.get("/chat").get_data(as_text=True)
        assert value not in page
        assert '<p class="flash error" role="status">' in page  # told why nothing was sent


NUMBERS = ["２", "٢", "²", "1e309", "NaN", "-1", "0x10", "9" * 400, "2\x00", "2 kg"]


def test_recycling_weights_in_any_script_are_a_number_or_a_clear_refusal(client, engine, register):
    register()
    for value in [*NUMBERS, *TEXT.values()]:
        fields = {"material": "pet", "kg": value, "idempotency_key": secrets.token_urlsafe(12)}
        if submit(client, engine, "/log/recycling", fields) == "stored":
            assert value in ("２", "٢"), f"{value!r} was taken as a weight"
            assert latest(engine, Activity.inputs)["kg"] == "2"  # any script's digit 2 is the number 2
    for value in [*TEXT.values(), *CONTROL.values()]:
        fields = {"material": value, "kg": "2", "idempotency_key": secrets.token_urlsafe(12)}
        assert submit(client, engine, "/log/recycling", fields) == "refused"


def test_tree_counts_and_dates_in_any_script(client, engine, register):
    register()
    today = clock.now().date().isoformat()
    for value in NUMBERS:
        fields = {
            "trees": value,
            "species": "broadleaf",
            "planted_on": today,
            "idempotency_key": secrets.token_urlsafe(12),
        }
        if submit(client, engine, "/log/trees", fields) == "stored":
            assert value in ("２", "٢"), f"{value!r} was taken as a number of trees"
    for value in ["２０２６-０１-０１", "2026-13-45", "<script>alert(1)</script>", "2026-01-01\x00", "0"]:
        key = secrets.token_urlsafe(12)
        fields = {"trees": "1", "species": "broadleaf", "planted_on": value, "idempotency_key": key}
        assert submit(client, engine, "/log/trees", fields) == "refused"


def test_hidden_idempotency_keys_with_control_characters_are_refused(client, engine, register):
    """Only a hand-made request carries these (the page generates the key), so no message is owed."""
    register()
    for value in CONTROL.values():
        fields = {"material": "pet", "kg": "2", "idempotency_key": value}
        assert submit(client, engine, "/log/recycling", fields, message=False) == "refused"
        fields = {"name": "script", "idempotency_key": value}
        assert submit(
            client, engine, "/account/tokens", fields, form_page="/account/tokens", message=False
        ) == ("refused")


def test_transit_card_numbers(client, engine, register):
    register()
    for value in [*TEXT.values(), *CONTROL.values(), TOO_LONG, "１２３４５６７８９０"]:
        assert submit(client, engine, "/account/card", {"action": "link", "card": value}) == "refused"


def test_voucher_codes_at_the_counter(client, engine, make_resident, login):
    make_resident(role="merchant", email="shop@hostile.test", password=PASSWORD)
    login("shop@hostile.test")
    for value in [*TEXT.values(), *CONTROL.values(), TOO_LONG]:
        assert submit(client, engine, "/verify", {"code": value}) == "refused"


# ---- admin forms ------------------------------------------------------------------------------------------


def campaign(value: str, n: int, field: str) -> dict:
    data = {
        "idempotency_key": f"campaign-{field}-{n}",
        "name_zh": "世界环境日",
        "name_en": "World Environment Day",
        "kind": "environment_day",
        "starts_at": "2026-06-05T00:00",
        "ends_at": "2026-06-06T00:00",
        "multiplier_percent": "150",
        "bonus_points": "0",
        "budget_points": "5000",
    }
    return {**data, field: value}


@pytest.mark.parametrize("field", ["name_zh", "name_en"])
def test_campaign_names(client, engine, admin, field):
    def shown():
        campaign_id = latest(engine, Campaign.id)
        return [
            "/admin/campaigns",
            "/campaigns",
            f"/campaigns/{campaign_id}",
            f"/admin/campaigns/{campaign_id}/edit",
        ]

    column = getattr(Campaign, field)
    check_field(
        client,
        engine,
        "/admin/campaigns/new",
        lambda v, n: campaign(v, n, field),
        lambda v: latest(engine, column),
        shown,
    )


def test_campaign_numbers_in_any_script(client, engine, admin):
    for n, value in enumerate(
        ["１０００", "9999999999999", "²", "-5", "1e3", "5000\x00", "99999999999999999999"]
    ):
        verdict = submit(client, engine, "/admin/campaigns/new", campaign(value, n, "budget_points"))
        assert verdict == "refused" or value == "１０００", value


def stop(value: str, n: int, field: str, client) -> dict:
    data = {
        "code": f"H-{n:02d}",
        "name_zh": "槐荫公园",
        "name_en": "Huaiyin Park",
        "district": "xiaonan",
        "latitude": "30.9321",
        "longitude": "113.9165",
        "mode": "bus",
        "idempotency_key": hidden_key(client, "/admin/stops/new", "idempotency_key"),
    }
    return {**data, field: value}


@pytest.mark.parametrize("field", ["name_zh", "name_en", "code"])
def test_stop_names_and_codes(client, engine, admin, field):
    def shown():
        stop_id = latest(engine, Stop.id)
        return ["/admin/stops", f"/admin/stops/{stop_id}/edit", f"/admin/stops/{stop_id}/poster"]

    check_field(
        client,
        engine,
        "/admin/stops/new",
        lambda v, n: stop(v, n, field, client),
        lambda v: latest(engine, getattr(Stop, field)),
        shown,
        must_store=field != "code",
    )


@pytest.mark.parametrize("field", ["latitude", "longitude"])
def test_stop_coordinates_in_any_script(client, engine, admin, field):
    for n, value in enumerate(["３０.9321", "NaN", "inf", "1e309", "30,93", "30.9321\x00", "<b>30</b>"]):
        verdict = submit(client, engine, "/admin/stops/new", stop(value, n, field, client))
        assert verdict == "refused" or value == "３０.9321", value


@pytest.mark.parametrize("field", ["name_zh", "code", "stops"])
def test_route_names_codes_and_stop_lists(client, engine, admin, field):
    with session_scope(engine) as db:
        db.add_all(
            [
                Stop(code=f"S-{n}", name_zh="站", name_en="Stop", latitude=30.92, longitude=113.9)
                for n in (1, 2)
            ]
        )

    def data(value, n):
        fields = {"code": f"R{n}", "name_zh": "一路", "name_en": "Line 1", "mode": "bus", "is_active": "y"}
        return {
            **fields,
            "stops": "S-1, 0\nS-2, 800",
            field: value,
            "idempotency_key": hidden_key(client, "/admin/routes/new", "idempotency_key"),
        }

    check_field(
        client,
        engine,
        "/admin/routes/new",
        data,
        lambda v: latest(engine, getattr(Route, field, Route.code)),
        lambda: ["/admin/routes"],
        must_store=field == "name_zh",
    )


def test_review_rejection_reasons_reach_the_resident_escaped(
    app, client, engine, settings, admin, make_resident
):
    resident = make_resident(email="held@hostile.test", password=PASSWORD)
    owner = app.test_client()
    owner.submit("/login", {"login": "held@hostile.test", "password": PASSWORD})
    for n, value in enumerate([*TEXT.values(), *CONTROL.values(), TOO_LONG]):
        with session_scope(engine) as db:
            inputs = {"material": "glass", "kg": "25"}  # over the review threshold: held
            item = ActivityInput(resident, "recycling", inputs, "web", f"h{n}", clock.now())
            entry_id = record_activity(session=db, settings=settings, item=item).id
        path = f"/admin/review/{entry_id}/reject"
        verdict = submit(client, engine, path, {"reason": value}, form_page=f"/admin/review/{entry_id}")
        with read_session(engine) as db:
            entry = db.get(Activity, entry_id)
        if value in CONTROL.values() or value is TOO_LONG:
            assert verdict == "refused" and entry.status == "pending"
            continue
        assert verdict == "stored" and entry.review_note == value.strip()
        page = owner.get(f"/activities/{entry_id}").get_data(as_text=True)
        assert_inert(page)
        assert html.escape(value, quote=False) in unescape_quotes(page)


# ---- filters in query strings -----------------------------------------------------------------------------

FILTERS = [
    "/admin/stops?q={}",
    "/admin/stops?route={}",
    "/admin/stops?district={}",
    "/admin/review?page={}",
    "/admin/audit?page={}",
    "/history?page={}",
    "/admin/audit?actor={}",
    "/admin/audit?action={}",
    "/admin/review?reason={}",
    "/admin/stats?behaviour={}",
    "/history?date_from={}",
    "/rewards?page={}",
]


QUERY_VALUES = [
    "%00",  # NUL
    "a%00b",
    "%1B",  # ESC
    "%ED%A0%80",  # a lone surrogate, as bytes
    "%EF%BC%92",  # full-width 2
    "%C2%B2",  # superscript 2: str.isdigit() says yes, int() says no
    "%F0%90%A9%80",  # Kharosthi digit one: the same, and NFKC leaves it as it is
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "%27%3B%20DROP%20TABLE%20residents%3B%20--",
    "9" * 30,  # beyond any integer column
]


@pytest.mark.parametrize("template", FILTERS)
def test_filters_echo_hostile_text_escaped_and_never_fail(client, admin, template):
    for value in QUERY_VALUES:
        response = client.get(template.format(value))
        assert response.status_code < 500, (template, value)
        assert_inert(response.get_data(as_text=True))


# ---- oversized bodies -------------------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """A request body that records how much of it the app read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.read_bytes += len(line)
        return line


@pytest.mark.parametrize("path", ["/log/trees", "/register", "/admin/stops/new"])
def test_a_body_over_the_upload_limit_is_refused_with_413_before_it_is_read(app, client, engine, admin, path):
    limit = app.config["MAX_CONTENT_LENGTH"]
    token = client.csrf_token(path)
    boundary = "hostile-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="big.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + b"\x89PNG"
        + b"\0" * (limit + 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    stream = CountingStream(body)
    before = row_counts(engine)
    response = client.post(
        path,
        input_stream=stream,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Content-Length": str(len(body))},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "上传的文件太大。" in page and "<!doctype html>" in page.lower()  # the app's page, in Chinese
    assert stream.read_bytes < 64 * 1024, f"read {stream.read_bytes} bytes of a refused body"
    assert row_counts(engine) == before
    uploads = Path(app.extensions["carbon"]["settings"].upload_folder)
    assert not [p for p in uploads.rglob("*") if p.is_file()]


# ---- sessions and ids -------------------------------------------------------------------------------------


def test_nothing_planted_in_a_session_before_login_survives_it(client, register, login):
    phone = register()
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["new_api_token"] = "cc_planted"
    old_csrf = client.csrf_token("/login")
    login(phone)
    with client.session_transaction() as session:
        assert "planted" not in session and "new_api_token" not in session
        assert session.get("_user_id")
    stale = client.post(
        "/account/tokens", data={"csrf_token": old_csrf, "name": "x", "idempotency_key": "k1"}
    )
    assert stale.status_code == 400  # the pre-login CSRF token died with the pre-login session


IDS = [
    "/activities/{}",
    "/campaigns/{}",
    "/admin/stops/{}/edit",
    "/admin/routes/{}/edit",
    "/admin/review/{}",
    "/admin/imports/{}",
    "/admin/exports/{}",
    "/admin/campaigns/{}/edit",
]


@pytest.mark.parametrize("template", IDS)
def test_an_id_beyond_what_the_database_holds_is_a_404(client, admin, template):
    assert client.get(template.format(2**31)).status_code == 404
    assert client.get(template.format(10**30)).status_code == 404


def test_a_reward_id_beyond_what_the_database_holds_is_a_404(client, register):
    register()
    for reward_id in (2**31, 10**30):
        response = client.get(f"/rewards/{reward_id}/redeem")
        assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


# ---- bytes that are not text, and text inside uploaded files ---------------------------------------------


def test_a_form_post_that_is_not_utf8_reaches_no_service_as_broken_text(client, engine):
    """A lone surrogate (as CESU-8 bytes), a stray byte or an overlong encoding cannot reach a service as
    such: Werkzeug keeps each invalid byte as its %XX text, which is stored and shown like any other."""
    token = client.csrf_token("/register").encode()
    body = b"&".join(
        [
            b"csrf_token=" + token,
            b"login=13900009999",
            b"display_name=%ED%A0%80%FF%C0%AFok",
            b"district=",
            b"password=" + PASSWORD.encode(),
            b"confirm=" + PASSWORD.encode(),
            b"birth_year=1990",
            b"accept_notice=y",
            b"notice_version=" + current_notice().version.encode(),
        ]
    )
    response = client.post("/register", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    name = latest(engine, Resident.display_name)
    assert name == "%ED%A0%80%FF%C0%AFok" and all(not 0xD800 <= ord(c) <= 0xDFFF for c in name)
    client.submit("/login", {"login": "13900009999", "password": PASSWORD})  # registration never signs in
    assert name in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("name", [CONTROL["nul"], CONTROL["escape"], MARKUP["script"], TEXT["sql-quote"]])
def test_text_inside_an_imported_stops_file(client, engine, admin, name):
    """A CSV cell with NUL must be a listed error, not a 500 on PostgreSQL; markup in a cell is previewed
    escaped and, once confirmed, stored verbatim."""
    row = f"HX-01,{name},Stop,xiaonan,30.9262,113.9021,bus,,,,,"  # a stop on no route
    data = f"{','.join(stop_import.COLUMNS)}\r\n{row}\r\n".encode()
    before = row_counts(engine)
    response = client.submit(
        "/admin/stops/import", {"file": (io.BytesIO(data), "stops.csv")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert_inert(page)
    if name in CONTROL.values():
        assert response.status_code == 400 and "/admin/stops/import/confirm" not in page
        assert REFUSED_MESSAGE.search(page) and row_counts(engine) == before
        return
    assert response.status_code == 200 and "/admin/stops/import/confirm" in page, page[-800:]
    confirm = client.post("/admin/stops/import/confirm", data=dict(HIDDEN.findall(page)))
    assert confirm.status_code in (200, 302)
    assert scalar(engine, select(Stop.name_zh).where(Stop.code == "HX-01")) == name
    assert_inert(client.get("/admin/stops").get_data(as_text=True))


@pytest.mark.parametrize("cell", [CONTROL["nul"], CONTROL["escape"], MARKUP["script"]])
def test_text_inside_an_imported_trips_file(client, engine, admin, cell):
    """Operator trip files: a hostile card number or stop code is a listed problem, never a 500."""
    data = (
        "card_number,boarding_stop,alighting_stop,boarding_time,alighting_time\n"
        f"8888{cell},A{cell},B,2026-01-01 08:00:00,2026-01-01 08:10:00\n"
    ).encode()
    response = client.submit(
        "/admin/imports/upload",
        {"file": (io.BytesIO(data), "trips.csv"), "idempotency_key": "hostile-trips"},
        form_page="/admin/imports",
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        assert_inert(page.get_data(as_text=True))


def test_a_zip_bomb_posing_as_a_trips_workbook_is_refused_before_its_rows_are_counted(client, engine, admin):
    """Operator trip files come from outside; the upload counts their rows, so a workbook that expands
    to gigabytes would have held the request (the stops import had this check, trips did not)."""
    book = openpyxl.Workbook()
    book.active.append(["card_number", "boarding_stop", "alighting_stop", "boarding_time", "alighting_time"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/media/zeros.bin"] = bytes(101 * 1024 * 1024)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    before = row_counts(engine)
    response = client.submit(
        "/admin/imports/upload",
        {"file": (io.BytesIO(bomb.getvalue()), "trips.xlsx"), "idempotency_key": "hostile-bomb"},
        form_page="/admin/imports",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "解压后过大" in response.get_data(as_text=True)
    assert row_counts(engine) == before
