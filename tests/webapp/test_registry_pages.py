"""The public registry pages (issue 16): /registry lists each batch with the registry's own figures, the
CSV and XLSX say the same, a certificate's verification page shows the same figures as its batch (and is
printable), an unknown certificate is a clear 404 page in Chinese and in English, and a resident donates
points to an event and finds the certificate in their list (and from the chat, after a confirmation)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from carbon_credit import chat, ledger, registry, review
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.chat import registry_chat, sessions
from carbon_credit.chat.turn import Turn
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.registry import Certificate
from carbon_credit.residents import Resident, find_by_login

BUS = {"mode": "bus", "km": "8"}
JUNE = (date(2026, 6, 1), date(2026, 6, 30))
T = 1_000_000


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


def trips(engine, settings, resident: int, days=(3, 10, 17, 24), month: int = 6) -> list[int]:
    """Verified bus trips (an operator's import) on June's (or ``month``'s) ``days``, recorded as if on those
    days."""
    made = []
    for n in days:
        day = date(2026, month, n)
        with session_scope(engine) as session:
            item = ActivityInput(
                resident, "transit", BUS, "import", f"trip-{resident}-{month}-{n}", noon(day)
            )
            made.append(record_activity(session=session, settings=settings, item=item, now=noon(day)).id)
    return made


def issued_batch(
    engine, settings, admin: int, *, exclude: dict | None = None, period=JUNE, key: str = ""
) -> registry.Batch:
    """June (or ``period``) pooled, verified (less ``exclude``) and issued, through the registry's commands;
    ``key`` tells the commands of another batch apart."""
    with session_scope(engine) as session:
        batch = registry.pool(
            session=session,
            settings=settings,
            actor_id=admin,
            period_start=period[0],
            period_end=period[1],
            idempotency_key="pool" + key,
        )
        registry.verify(
            session=session,
            actor_id=admin,
            batch_id=batch.id,
            verifier="湖北某核证机构",
            report_ref="HB-V-001",
            verified_on=period[1] + timedelta(days=20),
            exclusions=exclude or {},
            idempotency_key="verify" + key,
        )
        return registry.issue(
            session=session,
            actor_id=admin,
            batch_id=batch.id,
            issuance_ref="HB-ISS-7",
            issued_on=period[1] + timedelta(days=32),
            idempotency_key="issue" + key,
        )


@pytest.fixture
def chain(engine, settings, make_resident):
    """An issued batch with a sale and a retirement certificate for the buyer: (batch, certificate serial)."""
    admin = make_resident(role="admin")
    trips(engine, settings, make_resident())
    batch = issued_batch(engine, settings, admin)
    with session_scope(engine) as session:
        sale = registry.sell(
            session=session,
            actor_id=admin,
            batch_id=batch.id,
            buyer="孝感某热电公司",
            grams=400,
            price_fen=4350,
            sold_on=date(2026, 8, 2),
            contract_ref="HT-1",
            idempotency_key="sell",
        )
        made = registry.retire(
            session=session,
            actor_id=admin,
            grams=300,
            beneficiary="孝感某热电公司",
            purpose="2026 年度排放抵消",
            retired_on=date(2026, 8, 3),
            idempotency_key="retire",
            sale_id=sale.id,
        )
        return batch, made.serial


@pytest.fixture
def event(engine, make_resident):
    """An event taking donations until a week from today: its slug."""
    today = clock.local_day(clock.now())
    with session_scope(engine) as session:
        return registry.open_event(
            session=session,
            actor_id=make_resident(role="admin"),
            slug="marathon",
            name_zh="孝感马拉松",
            name_en="Xiaogan Marathon",
            target_grams=2 * T,
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=7),
            idempotency_key="event",
        ).slug


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_public_registry_shows_each_batch_with_the_registrys_figures(client, engine, chain):
    batch, _serial = chain
    page = text(client.get("/registry"))
    with read_session(engine) as session:
        (view,) = registry.batches(session)
        totals = registry.registry_totals(session)
    row = page.split(f'data-testid="batch-{batch.serial}"', 1)[1].split("</tr>", 1)[0]
    assert registry.tonnes_text(view.grams) in row  # e.g. 0.004632 t
    assert "湖北某核证机构" in row and "HB-ISS-7" in row and "已签发" in row
    assert f'data-testid="sold">{registry.tonnes_text(400)}' in row
    assert f'data-testid="retired">{registry.tonnes_text(0)}' in row  # retired for a buyer: from the sale
    assert f'data-testid="available">{registry.tonnes_text(view.available_grams)}' in row
    assert f'data-testid="total-issued">{registry.tonnes_text(totals.issued)}' in page
    assert view.batch.verified_grams == sum(g for _m, _v, g in view.mix)  # the mix is of its records
    english = text(client.get("/registry?lang=en"))
    assert "Registry of reductions" in english and ">Issued<" in english


def test_the_certificate_page_shows_the_same_figures_as_its_batch(client, engine, chain):
    batch, serial = chain
    page = text(client.get(f"/registry/certificates/{serial}"))
    assert "此证书有效" in page
    assert f'data-testid="quantity">{registry.tonnes_text(300)}' in page
    assert f"/registry/batches/{batch.serial}" in page and "孝感某热电公司" in page and "2026-08-03" in page
    assert "<svg" in page and "@page" not in page  # the QR code inline; the print rules in their stylesheet
    batch_page = text(client.get(f"/registry/batches/{batch.serial}"))
    drawn = batch_page.split(f"/registry/certificates/{serial}", 1)[1].split("</tr>", 1)[0]
    assert registry.tonnes_text(300) in drawn
    with read_session(engine) as session:
        detail = registry.batch(session, batch.serial)
    assert f'data-testid="issued">{registry.tonnes_text(detail.batch.issued_grams)}' in batch_page
    assert (
        'data-testid="available">' in batch_page
        and registry.tonnes_text(detail.available_grams) in batch_page
    )


def test_a_correction_names_the_batch_it_was_deducted_from(client, engine, settings, make_resident):
    """A June trip clawed back after June's batch was issued is a correction on June's page, deducted when
    July's batch is issued: June's page names July's batch and links to it."""
    admin, resident = make_resident(role="admin"), make_resident()
    june = trips(engine, settings, resident)
    first = issued_batch(engine, settings, admin)
    with session_scope(engine) as session:
        review.reject(
            session=session, settings=settings, activity_id=june[0], actor_id=admin, reason="重复记录"
        )
    page = text(client.get(f"/registry/batches/{first.serial}"))
    assert "待从下一个批次扣减" in page
    trips(engine, settings, resident, days=(6, 13), month=7)
    second = issued_batch(engine, settings, admin, period=(date(2026, 7, 1), date(2026, 7, 31)), key="-july")
    page = client.get(f"/registry/batches/{first.serial}").get_data(as_text=True)
    assert f'href="/registry/batches/{second.serial}" data-testid="deducted-in"' in page
    assert "已扣减，扣减批次" in page


def test_a_certificate_prints_on_a4_and_fits_a_phone(client, chain):
    _batch, serial = chain
    page = text(client.get(f"/registry/certificates/{serial}"))
    css_url = re.search(r'href="(/static/registry-print\.[0-9a-f]+\.css)"', page).group(1)
    css = text(client.get(css_url))
    assert "@page { size: A4 portrait" in css and "max-width: 479.98px" in css
    assert 'name="viewport"' in page


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["未找到编号为 XGC-2026-999999 的注销证书", "证书编号"]),
        ("en", ["No retirement certificate has the number XGC-2026-999999", "Certificate number"]),
    ],
)
def test_an_unknown_certificate_is_a_clear_404_page(client, lang, words):
    response = client.get(f"/registry/certificates/xgc-2026-999999?lang={lang}")
    assert response.status_code == 404
    page = text(response)
    assert all(word in page for word in words), page
    assert 'data-testid="registry-not-found"' in page
    assert client.get("/registry/certificates/<script>").status_code == 404
    for missing in ("/registry/batches/XG-2099-01-0001", "/registry/events/no-such-event"):
        assert 'data-testid="registry-not-found"' in text(client.get(f"{missing}?lang={lang}"))
    found = client.get("/registry/certificates?serial=+XGC-2026-999999+")
    assert found.status_code == 302 and found.headers["Location"].endswith(
        "/registry/certificates/XGC-2026-999999"
    )


def test_the_csv_and_xlsx_say_what_the_page_says(client, engine, chain):
    with read_session(engine) as session:
        (view,) = registry.batches(session)
    b = view.batch
    response = client.get("/registry.csv?lang=en")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text(response).lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Serial"] == b.serial and row["Status"] == "Issued" and row["Verifier"] == "湖北某核证机构"
    assert Decimal(row["Issued (t)"]) * T == b.issued_grams
    assert Decimal(row["Sold (t)"]) * T == 400 and Decimal(row["Available (t)"]) * T == view.available_grams
    with client.get("/registry.xlsx?lang=en") as response:
        workbook = load_workbook(io.BytesIO(response.data))
    header, *data = list(workbook.active.iter_rows(values_only=True))
    assert len(data) == 1
    cells = dict(zip(header, data[0], strict=True))
    assert cells["Serial"] == b.serial and cells["Issuance reference"] == "HB-ISS-7"
    assert round(Decimal(str(cells["Issued (t)"])) * T) == b.issued_grams
    assert round(Decimal(str(cells["Available (t)"])) * T) == view.available_grams


def test_a_resident_donates_points_and_sees_the_certificate(
    app, client, engine, settings, register, chain, event
):
    login = register(name="小李")
    with read_session(engine) as session:
        me = find_by_login(session=session, login=login).id
    trips(engine, settings, me, days=(21,))  # points to give (June 21 is not in the batch)
    balance = _balance(engine, me)
    assert 'data-testid="donate-form"' in text(client.get(f"/registry/events/{event}"))
    confirm = text(client.get(f"/registry/events/{event}/donate?points=100"))
    assert (
        'data-testid="confirm-donate"' in confirm
        and f'data-testid="balance-after">{balance - 100:,}' in confirm
    )
    done = client.submit(
        f"/registry/events/{event}/donate",
        {"points": "100", "idempotency_key": "donate-1"},
        form_page=f"/registry/events/{event}/donate?points=100",
    )
    assert done.status_code == 302
    serial = done.headers["Location"].rsplit("/", 1)[1]
    page = text(client.get(done.headers["Location"]))
    assert "此证书有效" in page and "孝感马拉松" in page and "小李" not in page and "孝感市民 P" in page
    assert serial in text(client.get("/account/certificates"))
    assert _balance(engine, me) == balance - 100
    again = client.submit(
        f"/registry/events/{event}/donate",
        {"points": "100", "idempotency_key": "donate-1"},
        form_page=f"/registry/events/{event}/donate?points=100",
    )
    assert again.headers["Location"].endswith(serial) and _balance(engine, me) == balance - 100


def test_a_donation_beyond_the_balance_is_refused_and_spends_nothing(client, engine, register, chain, event):
    login = register()
    with read_session(engine) as session:
        me = find_by_login(session=session, login=login).id
    response = client.submit(
        f"/registry/events/{event}/donate",
        {"points": "500", "idempotency_key": "k-1"},
        form_page=f"/registry/events/{event}/donate?points=500",
    )
    assert response.status_code == 400
    assert "积分不足" in text(response) or "还需要" in text(response)
    assert _balance(engine, me) == 0 and _certificates(engine) == 1  # the buyer's only
    assert client.get(f"/registry/events/{event}/donate?points=abc").status_code == 400


def test_the_home_card_and_the_landing_section_show_the_open_event(app, client, register, chain, event):
    register()
    with app.test_request_context("/me"):
        from flask import render_template

        card = render_template("registry/_home_card.html")
        landing = render_template("registry/_landing.html")
    assert "孝感马拉松" in card and f"/registry/events/{event}" in card
    assert "/registry" in landing and "孝感马拉松" in landing


def test_a_resident_donates_from_the_chat_after_confirming(engine, settings, make_resident, chain, event):
    resident = make_resident(display_name="小张")
    trips(engine, settings, resident, days=(22,))
    with session_scope(engine) as session:
        turn = _turn(session, settings, resident)
        (offered,) = registry_chat.offer(turn)
        assert "孝感马拉松" in offered.text
        give = next(b.data for row in offered.buttons for b in row if b.data.endswith("-100"))
        (asked,) = registry_chat.choose(turn, give.removeprefix("give:"))
        assert "100 积分" in asked.text and turn.state == "confirm" and turn.pending["kind"] == "donate"
        assert [b.data for b in asked.buttons[0]] == [f"ok:{turn.pending['id']}", "no"]
        assert _certificates(engine) == 1  # nothing retired before the confirmation
        action = turn.consume()
        (done,) = registry_chat.donated(turn, action, first=True)
        (again,) = registry_chat.donated(turn, action, first=False)
    serial = done.text.split("：")[-1].rstrip("。")
    assert serial.startswith("XGC-") and serial in again.text and _certificates(engine) == 2


def test_donating_through_the_chat_engine(engine, settings, make_resident, chain, event):
    resident = make_resident()
    trips(engine, settings, resident, days=(23,))

    def say(text=None, button=None):
        incoming = chat.Incoming("web", str(resident), text=text, button=button, resident_id=resident)
        with session_scope(engine) as session:
            return chat.handle(session=session, settings=settings, incoming=incoming)

    offered = say("捐赠积分")[-1]
    give = next(b.data for row in offered.buttons for b in row if b.data.endswith("-100"))
    assert "ok:" in say(button=give)[-1].buttons[0][0].data and _certificates(engine) == 1
    done = say("确认")[-1]
    assert "XGC-" in done.text and _certificates(engine) == 2


def _turn(session, settings, resident: int) -> Turn:
    """A chat turn of the resident on the web chat (as the engine begins one)."""
    incoming = chat.Incoming("web", str(resident), text="捐赠积分", resident_id=resident)
    row = sessions.open_session(session=session, incoming=incoming)
    person = session.get(Resident, resident)
    return Turn.begin(
        db=session,
        settings=settings,
        chat=row,
        incoming=incoming,
        now=clock.now(),
        locale="zh_Hans",
        resident=person,
    )


def _balance(engine, resident: int) -> int:
    with read_session(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident)
        return ledger.balance(session=session, account_id=account)


def _certificates(engine) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count(Certificate.id))).scalar_one()
