"""The notifications outbox: one notification per event (dedupe key), the sender's batch, recent ones."""

from __future__ import annotations

from datetime import date

from carbon_credit import notifications
from carbon_credit.platform.database import read_session, session_scope


def _notify(engine, resident, key, kind="review_approved", **params):
    with session_scope(engine) as session:
        found = notifications.notify(
            session=session, resident_id=resident, kind=kind, params=params, dedupe_key=key
        )
        return None if found is None else found.id


def test_the_same_event_is_queued_once(engine, make_resident):
    resident = make_resident()
    first = _notify(engine, resident, "review:1:approved", day=date(2026, 6, 5), points=120)
    assert first is not None
    assert _notify(engine, resident, "review:1:approved", day=date(2026, 6, 5), points=999) is None
    with read_session(engine) as session:
        [only] = notifications.recent_for(session=session, resident_id=resident)
    assert (only.id, only.params) == (first, {"day": "2026-06-05", "points": 120})


def test_pending_then_mark_sent(engine, make_resident):
    one, two = make_resident(), make_resident()
    ids = [_notify(engine, r, f"k{n}", day="2026-06-05", points=n) for n, r in enumerate((one, two, one))]
    with read_session(engine) as session:
        assert [n.id for n in notifications.pending(session=session)] == ids
        assert [n.id for n in notifications.pending(session=session, limit=2)] == ids[:2]
    with session_scope(engine) as session:
        assert notifications.mark_sent(session=session, ids=ids[:2]) == 2
        assert notifications.mark_sent(session=session, ids=ids[:2]) == 0  # already sent
    with read_session(engine) as session:
        assert [n.id for n in notifications.pending(session=session)] == ids[2:]
        assert [n.id for n in notifications.recent_for(session=session, resident_id=one)] == [ids[2], ids[0]]


def test_render_in_both_languages(engine, make_resident):
    resident = make_resident()
    _notify(engine, resident, "r", kind="review_rejected", day="2026-06-05", reason="照片看不清")
    with read_session(engine) as session:
        [found] = notifications.recent_for(session=session, resident_id=resident)
    assert notifications.render(found) == "您在 2026-06-05 提交的记录未通过审核，原因：照片看不清"
    assert (
        notifications.render(found, "en") == "Your entry of 2026-06-05 was not approved. Reason: 照片看不清"
    )
