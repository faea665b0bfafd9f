"""The notifications outbox reaches residents through the real python-telegram-bot path (fake Bot API)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, update

from bot import notifier
from carbon_credit import notifications
from carbon_credit.notifications import Notification
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident


def queue(engine, resident: int, kind: str, key: str, **params) -> None:
    with session_scope(engine) as session:
        notifications.notify(
            session=session,
            resident_id=resident,
            kind=kind,
            params={"message": f"notify.{kind}", **params},
            dedupe_key=key,
        )


def link_telegram(engine, resident: int, telegram_id: int, locale: str = "zh_Hans") -> None:
    with session_scope(engine) as session:
        session.execute(
            update(Resident).where(Resident.id == resident).values(telegram_id=telegram_id, locale=locale)
        )


def unsent(engine) -> list[int]:
    with read_session(engine) as session:
        return list(session.execute(select(Notification.id).where(Notification.sent_at.is_(None))).scalars())


CAMPAIGN = {"campaign_id": 1, "name_zh": "低碳日", "name_en": "Low-carbon day", "ends_on": "2026-06-15"}


@pytest.mark.asyncio
async def test_one_pass_sends_each_pending_notification_in_the_residents_language_then_marks_it_sent(
    make_app, bot_api, engine, make_resident
):
    chinese, english, web_only = make_resident(), make_resident(), make_resident()
    link_telegram(engine, chinese, 7101)
    link_telegram(engine, english, 7102, locale="en")
    for resident in (chinese, english, web_only):
        queue(engine, resident, "campaign_started", f"c:{resident}", **CAMPAIGN)
    async with make_app() as app:
        assert await notifier.send_pending(app) == 2
        assert await notifier.send_pending(app) == 0  # nothing twice
    sent = [(p["chat_id"], p["text"]) for p in bot_api.sent()]
    assert [chat for chat, _ in sent] == ["7101", "7102"]
    assert "低碳日" in sent[0][1] and "2026-06-15" in sent[0][1]
    assert "Low-carbon day" in sent[1][1]
    assert unsent(engine) == []  # the resident without Telegram too: the web shows it


@pytest.mark.asyncio
async def test_a_weekly_summary_reads_as_a_sentence(make_app, bot_api, engine, make_resident):
    resident = make_resident()
    link_telegram(engine, resident, 7103, locale="en")
    params = {"week": "2026-W23", "activities": 3, "points": 420, "kg": "0.4", "balance": 1200}
    queue(engine, resident, "weekly_summary", "w:1", **params)
    async with make_app() as app:
        await notifier.send_pending(app)
    (message,) = bot_api.sent()
    assert message["text"] == (
        "📊 Last week (2026-W23): 3 low-carbon actions, 420 points earned, about 0.4 kg CO2e avoided. "
        "Your balance: 1200 points."
    )


@pytest.mark.asyncio
async def test_the_loop_started_by_post_init_sends_and_stops_on_shutdown(
    make_app, bot_api, engine, make_resident
):
    resident = make_resident()
    link_telegram(engine, resident, 7104)
    queue(engine, resident, "campaign_ended", "e:1", **CAMPAIGN)
    async with make_app() as app:
        await app.post_init(app)
        for _ in range(100):
            if bot_api.sent():
                break
            await asyncio.sleep(0.05)
        await notifier.stop(app)
    assert [p["chat_id"] for p in bot_api.sent()] == ["7104"]
    assert unsent(engine) == []
