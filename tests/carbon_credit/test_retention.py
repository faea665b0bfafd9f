"""Retention (issue 15): each rule deletes what is older than its policy and keeps what is newer; the
activities and the ledger stay; a second run deletes nothing more; the daily job runs once a day."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carbon_credit import jobs, privacy, review
from carbon_credit.activities import Activity, ActivityInput, record_activity
from carbon_credit.chat import ChatSession
from carbon_credit.ledger import LedgerEntry
from carbon_credit.platform import clock, uploads
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.models import IdempotencyRecord
from carbon_credit.platform.settings import ConfigError, Settings
from carbon_credit.transit import CardTrip

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64
NOTHING = {"photos": 0, "chat_sessions": 0, "chat_replies": 0, "operator_rows": 0}
NOTHING |= {"orphan_photos": 0, "inactive_notices": 0, "inactive_pseudonymised": 0}  # test_inactivity.py


@pytest.fixture
def config(settings, tmp_path):
    return settings.with_overrides(upload_folder=str(tmp_path / "uploads"))


def _retain(engine, config, now):
    with session_scope(engine) as session:
        return privacy.apply_retention(session=session, settings=config, now=now)


def _photo_entry(engine, config, resident: int, admin: int, key: str, reviewed_at) -> tuple[int, str]:
    """A recycling entry with a photo, approved by an administrator at ``reviewed_at``."""
    photo = uploads.store_photo(settings=config, data=JPEG, filename=f"{key}.jpg")
    item = ActivityInput(resident, "recycling", {"material": "pet", "kg": "2"}, "web", key, photo=photo)
    with session_scope(engine) as session:
        activity_id = record_activity(session=session, settings=config, item=item).id
        review.approve(
            session=session, settings=config, activity_id=activity_id, actor_id=admin, now=reviewed_at
        )
    return activity_id, photo


def _count(engine, model) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_photos_go_180_days_after_review_and_the_activities_and_ledger_stay(engine, config, make_resident):
    now = clock.now()
    admin, resident = make_resident(role="admin"), make_resident()
    old_id, old_photo = _photo_entry(engine, config, resident, admin, "old", now - timedelta(days=181))
    new_id, new_photo = _photo_entry(engine, config, resident, admin, "new", now - timedelta(days=179))
    entries = _count(engine, LedgerEntry)

    assert _retain(engine, config, now) == {**NOTHING, "photos": 1}

    folder = Path(config.upload_folder)
    assert not (folder / old_photo).exists() and (folder / new_photo).exists()
    with read_session(engine) as session:
        old, new = session.get(Activity, old_id), session.get(Activity, new_id)
        assert old.photo is None and new.photo == new_photo
        assert old.status == new.status == "credited" and old.points == new.points > 0
        assert old.reviewed_at is not None
    assert _count(engine, LedgerEntry) == entries
    assert _retain(engine, config, now) == NOTHING  # a second run deletes nothing more


def test_photos_waiting_for_review_are_kept(engine, config, make_resident):
    resident = make_resident()
    photo = uploads.store_photo(settings=config, data=JPEG, filename="waiting.jpg")
    item = ActivityInput(resident, "recycling", {"material": "pet", "kg": "2"}, "web", "w", photo=photo)
    with session_scope(engine) as session:
        record_activity(session=session, settings=config, item=item)
    assert _retain(engine, config, clock.now() + timedelta(days=400))["photos"] == 0
    assert (Path(config.upload_folder) / photo).exists()


def test_chat_transcripts_and_replies_go_after_30_days(engine, config, make_resident):
    now = clock.now()
    resident = make_resident()
    transcript = {"transcript": [{"from": "resident", "text": "余额"}], "pending": {"id": "x"}}
    with session_scope(engine) as session:
        old = ChatSession(channel="web", external_id=str(resident), resident_id=resident, state="confirm",
                          data=transcript, updated_at=now - timedelta(days=31))  # fmt: skip
        new = ChatSession(channel="telegram", external_id="777", resident_id=resident, state="confirm",
                          data=transcript, updated_at=now - timedelta(days=29))  # fmt: skip
        session.add_all([old, new])
        for scope, key, days in (("chat-web", "a", 31), ("chat-telegram", "b", 29), ("rewards", "c", 31)):
            made = now - timedelta(days=days)
            record = IdempotencyRecord(scope=scope, owner_id=resident, key=key, fingerprint="f", outcome={})
            record.created_at = made
            session.add(record)
        session.flush()
        old_id, new_id = old.id, new.id

    assert _retain(engine, config, now) == {**NOTHING, "chat_sessions": 1, "chat_replies": 1}

    with read_session(engine) as session:
        old, new = session.get(ChatSession, old_id), session.get(ChatSession, new_id)
        assert (old.data, old.state, old.resident_id) == ({}, "idle", resident)  # still linked
        assert (new.data, new.state) == (transcript, "confirm")
        scopes = session.execute(select(IdempotencyRecord.scope).order_by(IdempotencyRecord.scope)).scalars()
        assert list(scopes) == ["chat-telegram", "rewards"]
    assert _retain(engine, config, now) == NOTHING


def test_raw_operator_trip_rows_go_after_365_days(engine, config):
    now = clock.now()
    with session_scope(engine) as session:
        for card, days in (("1001", 366), ("1002", 364)):
            session.add(CardTrip(card=card, boarding_stop="A", boarded_at=now - timedelta(days=days)))

    assert _retain(engine, config, now) == {**NOTHING, "operator_rows": 1}

    with read_session(engine) as session:
        assert list(session.execute(select(CardTrip.card)).scalars()) == ["1002"]
    assert _retain(engine, config, now) == NOTHING


def test_the_daily_job_runs_once_a_day_with_the_configured_periods(engine, config, make_resident):
    now = clock.now()
    with session_scope(engine) as session:
        session.add(CardTrip(card="1001", boarding_stop="A", boarded_at=now - timedelta(days=20)))
    job = next(job for job in jobs.JOBS if job.id == "apply-retention")
    short = config.with_overrides(operator_rows_retention_days=10)
    assert job.trigger == "cron" and job.func(engine, short, now=now) == {**NOTHING, "operator_rows": 1}
    assert job.func(engine, short, now=now + timedelta(minutes=5)) is None  # the same Beijing day


def test_retention_periods_are_read_from_the_environment_and_must_be_positive():
    settings = Settings.from_env({"PHOTO_RETENTION_DAYS": "90", "CHAT_RETENTION_DAYS": "7"})
    assert (settings.photo_retention_days, settings.chat_retention_days) == (90, 7)
    assert settings.operator_rows_retention_days == 365
    for variable in ("PHOTO_RETENTION_DAYS", "CHAT_RETENTION_DAYS", "OPERATOR_ROWS_RETENTION_DAYS"):
        with pytest.raises(ConfigError, match=variable):
            Settings.from_env({variable: "0"})
    with pytest.raises(ConfigError, match="CHAT_RETENTION_DAYS"):
        Settings().with_overrides(chat_retention_days=-1)


def test_photo_files_no_activity_names_go_a_day_after_they_were_written(engine, config, make_resident):
    admin, resident = make_resident(role="admin"), make_resident()
    now = clock.now()
    _, kept = _photo_entry(engine, config, resident, admin, "named", reviewed_at=now)
    orphan = uploads.store_photo(settings=config, data=JPEG, filename="refused.jpg")
    fresh = uploads.store_photo(settings=config, data=JPEG, filename="uploading.jpg")
    folder = Path(config.upload_folder)
    (folder / "exports").mkdir()  # another kind of file in the folder is never touched
    for name, age in ((kept, 3), (orphan, 3), (fresh, 0)):  # written days ago, by the (maybe moved) clock
        written = (now - timedelta(days=age)).timestamp()
        os.utime(folder / name, (written, written))
    assert _retain(engine, config, now) == {**NOTHING, "orphan_photos": 1}
    assert sorted(p.name for p in folder.iterdir()) == sorted([kept, fresh, "exports"])
    assert _retain(engine, config, now) == NOTHING
