"""Deleting an account (PIPL Art. 47): every contact, card number, chat id, name and photo of the resident
leaves the database (every text and JSON column of every table is searched), while the public totals, a
campaign's totals and the auditor export's sums stay the same; the login, token, session and chat link stop;
a wrong password or word, or a failure half-way, leaves the account whole; the contact can register again."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import JSON, String, Text, cast, select
from sqlmodel import SQLModel

from carbon_credit import chat, exports, privacy, residents, rewards, stats, transit
from carbon_credit.activities import Activity, ActivityInput, record_activity
from carbon_credit.campaigns import Campaign
from carbon_credit.platform import audit, clock, uploads
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.privacy import deletion_steps
from carbon_credit.rewards import Reward, Voucher
from carbon_credit.stops import Route, RouteStop, Stop

PASSWORD = "violet-harbour-lantern-58"
PHONE, EMAIL, CARD, TELEGRAM = "13987650123", "wang.unique@example.org", "31049999000777", 7770001234
NAME = "王独一无二"
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


@pytest.fixture
def config(settings, tmp_path):
    return settings.with_overrides(upload_folder=str(tmp_path / "uploads"))


def _text_columns():
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            kind = getattr(column.type, "impl", column.type)  # SQLModel's AutoString decorates String
            if isinstance(kind, String | JSON):  # Text is a String too
                yield table, column


def traces(engine, values) -> list[tuple[str, str]]:
    """Every (table.column, value) where one of ``values`` appears in a text or JSON column."""
    found = []
    with read_session(engine) as db:
        for table, column in _text_columns():
            for value in values:
                query = select(table.c.id if "id" in table.c else column).where(
                    cast(column, Text).like(f"%{value}%")
                )
                if db.execute(query.limit(1)).first() is not None:
                    found.append((f"{table.name}.{column.name}", value))
    return found


def _stops(session) -> None:
    """Bus route R1: A -(3 km)- B."""
    made = {}
    for code, lat, lon in [("A", 30.9262, 113.9021), ("B", 30.9390, 113.9230)]:
        stop = Stop(code=code, name_zh=code, name_en=code, latitude=lat, longitude=lon, mode="bus")
        session.add(stop)
        session.flush()
        made[code] = stop.id
    route = Route(code="R1", name_zh="R1", name_en="R1", mode="bus")
    session.add(route)
    session.flush()
    for position, (code, metres) in enumerate([("A", 0), ("B", 3000)], 1):
        session.add(
            RouteStop(route_id=route.id, stop_id=made[code], position=position, metres_from_start=metres)
        )


def _operator_trip(engine, config, admin: int, now: datetime) -> None:
    """An operator file with one trip on the resident's card, imported and credited."""
    boarded = now - timedelta(hours=3)
    local = [
        (t + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
        for t in (boarded, boarded + timedelta(minutes=15))
    ]
    header = "card_number,boarding_stop,alighting_stop,boarding_time,alighting_time"
    data = f"{header}\n{CARD},A,B,{local[0]},{local[1]}\n"
    with session_scope(engine) as session:
        batch, _ = transit.create_batch(
            session=session,
            settings=config,
            actor_id=admin,
            filename="t.csv",
            data=data.encode(),
            idempotency_key="u1",
        )
    transit.process_batch(engine=engine, settings=config, batch_id=batch.id, now=now)


def _say(engine, config, incoming) -> str:
    with session_scope(engine) as db:
        return "\n".join(r.text for r in chat.handle(session=db, settings=config, incoming=incoming))


@pytest.fixture
def world(engine, config, make_resident):
    """The resident to delete (phone, e-mail, card with a claim and an imported trip, Telegram link and
    chats on both channels, an API token, a photo, a campaign activity, an unused voucher) and a neighbour."""
    now = clock.now()
    admin = make_resident(role="admin")
    me = make_resident(display_name=NAME, email=EMAIL, phone=PHONE, password=PASSWORD)
    other = make_resident(display_name="邻居")
    with session_scope(engine) as session:
        _stops(session)
        campaign = Campaign(
            name_zh="绿色出行周", name_en="Green week", starts_at=now - timedelta(days=2),
            ends_at=now + timedelta(days=5), budget_points=100_000, multiplier_percent=150,
        )  # fmt: skip
        reward = Reward(name_zh="公交券", name_en="Bus ride", cost=1, stock=5)
        session.add_all([campaign, reward])
        session.flush()
        transit.link_card(session=session, resident_id=me, card=CARD)
        session.add(transit.CardClaim(resident_id=me, card=CARD, status="linked", proof="trip"))
        link = chat.create_link_code(session=session, resident_id=me)
        chat.link_telegram(session=session, code=link.code, telegram_user_id=TELEGRAM)
        chat.create_link_code(session=session, resident_id=me)  # one more code, unused
        _, token = residents.create_token(session=session, resident_id=me, name="我的脚本")
    _operator_trip(engine, config, admin, now)
    photo = uploads.store_photo(settings=config, data=JPEG, filename="bottles.jpg")
    with session_scope(engine) as session:
        for who, key in ((me, "walk"), (other, "walk")):
            item = ActivityInput(who, "walking", {"steps": 9000}, "web", key, now - timedelta(hours=1))
            record_activity(session=session, settings=config, item=item)
        item = ActivityInput(me, "recycling", {"material": "pet", "kg": "2"}, "web", "pet", now, photo=photo)
        record_activity(session=session, settings=config, item=item)
        voucher = rewards.redeem(
            session=session, settings=config, resident_id=me, reward_id=reward.id, idempotency_key="v1"
        )
    _say(engine, config, chat.Incoming("telegram", str(TELEGRAM), text="余额", update_key="t1"))
    _say(engine, config, chat.Incoming("web", str(me), text="余额", update_key="w1", resident_id=me))
    return {"me": me, "other": other, "campaign": campaign.id, "reward": reward.id, "voucher": voucher.id,
            "token": token, "photo": photo, "now": now}  # fmt: skip


def _delete(engine, config, me, password=PASSWORD, confirmation="删除"):
    with session_scope(engine) as session:
        return privacy.delete_account(
            session=session, settings=config, resident_id=me, password=password,
            confirmation=confirmation, channel="web",
        )  # fmt: skip


def _figures(engine, world, tmp_path: Path, name: str):
    """Public totals, the campaign's totals, and the auditor export's activity sums and ledger rows."""
    day = clock.local_day(world["now"])
    path = tmp_path / f"{name}.xlsx"
    with read_session(engine) as session:
        public = stats.totals(session=session)
        campaign = stats.campaign_totals(session=session, campaign_id=world["campaign"])
        exports.auditor_export(
            session=session, day_from=day - timedelta(days=1), day_to=day + timedelta(days=1), path=path
        )
    book = openpyxl.load_workbook(path)
    activities, ledger = [list(book[s].iter_rows(values_only=True)) for s in book.sheetnames[:2]]
    grams_col, points_col = 10, 11
    activity_sums = (
        len(activities),
        sum(r[grams_col] or 0 for r in activities[1:]),
        sum(r[points_col] or 0 for r in activities[1:]),
    )
    ledger_rows = {row[0]: row[4] for row in ledger[1:]}  # entry id -> points
    campaign_sums = (
        campaign.activities,
        campaign.grams,
        campaign.points,
        campaign.bonus_points,
        campaign.participants,
    )
    return public, campaign_sums, activity_sums, ledger_rows


def test_deletion_erases_every_trace_and_keeps_every_total(engine, config, world, tmp_path):
    secrets_ = [PHONE, EMAIL, CARD, str(TELEGRAM), NAME, world["photo"]]
    assert {value for _, value in traces(engine, secrets_)} == set(secrets_)  # the search finds them first
    before = _figures(engine, world, tmp_path, "before")
    assert before[0].grams > 0 and before[1][0] >= 2  # the walk and the imported trip count for the campaign

    done = _delete(engine, config, world["me"])

    assert traces(engine, secrets_) == []
    assert not (Path(config.upload_folder) / world["photo"]).exists()
    after = _figures(engine, world, tmp_path, "after")
    assert after[0] == before[0] and after[1] == before[1] and after[2] == before[2]
    # every ledger entry stays as it was; the only new ones refund the cancelled voucher
    assert {k: v for k, v in after[3].items() if k in before[3]} == before[3]
    assert sorted(v for k, v in after[3].items() if k not in before[3]) == [1]
    with read_session(engine) as session:
        me = session.get(residents.Resident, world["me"])
        assert me.display_name == done.pseudonym and done.pseudonym.startswith("已注销用户 ")
        assert (me.email, me.phone, me.password_hash, me.telegram_id, me.transit_card) == (None,) * 5
        assert me.is_active is False
        assert session.get(Voucher, world["voucher"]).status == "void"
        assert session.get(Reward, world["reward"]).stock == 5  # the cancelled voucher's stock is back
        kept = session.execute(select(Activity).where(Activity.resident_id == world["me"])).scalars().all()
        assert len(kept) == 3 and {a.channel for a in kept} == {"web", "import"}
        other = session.get(residents.Resident, world["other"])
        assert other.display_name == "邻居" and other.is_active


def test_afterwards_login_token_session_and_chat_link_fail(engine, config, world):
    with read_session(engine) as session:
        version = session.get(residents.Resident, world["me"]).session_version
    _delete(engine, config, world["me"])
    refusals = []
    for login in (PHONE, EMAIL, "13900000000"):  # the old contacts, and one that never had an account
        with pytest.raises(DomainError) as refused, read_session(engine) as session:
            residents.authenticate(session=session, settings=config, login=login, password=PASSWORD)
        refusals.append(refused.value.code)
    assert refusals == ["bad_credentials"] * 3
    with read_session(engine) as session:
        with pytest.raises(DomainError, match="invalid_token"):
            residents.owner_of_token(session=session, token=world["token"])
        assert residents.signed_in(session=session, resident_id=world["me"], version=version) is None
        assert residents.signed_in(session=session, resident_id=world["me"], version=version + 1) is None
    stranger = _say(engine, config, chat.Incoming("telegram", "5550001", text="余额"))
    assert _say(engine, config, chat.Incoming("telegram", str(TELEGRAM), text="余额")) == stranger


def test_the_contact_can_register_again_as_a_new_account(engine, config, world):
    _delete(engine, config, world["me"])
    for login in (PHONE, EMAIL):
        with session_scope(engine) as session:
            again = residents.register(
                session=session, settings=config, login=login, password=PASSWORD, display_name="新的我",
                district_code=None, birth_year=1990, accepted_notice=residents.current_notice().version,
            )  # fmt: skip
            assert again is not None and again.id != world["me"]
        with read_session(engine) as session:
            found = residents.authenticate(session=session, settings=config, login=login, password=PASSWORD)
            assert found.id == again.id and found.display_name == "新的我"
            assert rewards.points_balance(session=session, resident_id=found.id) == 0


def _whole(engine, world, config) -> None:
    """The account is as it was: it signs in, its token works, its card and voucher and photo are there."""
    with read_session(engine) as session:
        found = residents.authenticate(session=session, settings=config, login=PHONE, password=PASSWORD)
        assert found.id == world["me"] and found.display_name == NAME and found.is_active
        assert found.transit_card == CARD and found.telegram_id == TELEGRAM
        assert residents.owner_of_token(session=session, token=world["token"]).id == world["me"]
        assert session.get(Voucher, world["voucher"]).status == "issued"
        assert session.get(Reward, world["reward"]).stock == 4
    assert (Path(config.upload_folder) / world["photo"]).exists()


@pytest.mark.parametrize(
    ("password", "confirmation", "code"),
    [
        ("not-the-password-9", "删除", "deletion_wrong_password"),
        (PASSWORD, "删 除了", "deletion_not_confirmed"),
        (PASSWORD, "", "deletion_not_confirmed"),
        (PASSWORD, "yes", "deletion_not_confirmed"),
    ],
)
def test_a_wrong_password_or_word_deletes_nothing_and_says_why(
    engine, config, world, password, confirmation, code
):
    with pytest.raises(DomainError) as refused:
        _delete(engine, config, world["me"], password=password, confirmation=confirmation)
    assert refused.value.code == code
    _whole(engine, world, config)


@pytest.mark.parametrize("word", ["DELETE", "delete", " 删除 "])
def test_either_word_confirms(engine, config, world, word):
    assert _delete(engine, config, world["me"], confirmation=word).resident_id == world["me"]


def test_a_failure_half_way_leaves_the_account_whole(engine, config, world, monkeypatch):
    def cut_off(*_args, **_kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(deletion_steps, "erase_chat", cut_off)  # after vouchers, photos and cards
    with pytest.raises(RuntimeError):
        _delete(engine, config, world["me"])
    _whole(engine, world, config)


def test_deletion_is_audited_without_personal_data(engine, config, world):
    _delete(engine, config, world["me"])
    with read_session(engine) as session:
        [entry] = audit.entries(session=session, action="account.delete").items
    assert entry.actor_id == entry.target_id == world["me"]
    assert entry.after["channel"] == "web" and entry.after["vouchers_cancelled"] == [world["voucher"]]
    assert entry.after["photos"] == entry.after["cards"] == 1 and entry.after["tokens"] == 1


def test_the_chat_points_to_the_web_page_and_deletes_nothing(engine, config, world):
    for text, expected in (
        ("删除我的账号", "/account/delete"),
        ("I want to delete my account", "/account/delete"),
    ):
        answer = _say(engine, config, chat.Incoming("telegram", str(TELEGRAM), text=text))
        assert expected in answer
    answer = _say(
        engine, config, chat.Incoming("web", str(world["me"]), text="注销账户", resident_id=world["me"])
    )
    assert "/account/delete" in answer and "删除" in answer
    with read_session(engine) as session:
        assert session.get(residents.Resident, world["me"]).is_active
