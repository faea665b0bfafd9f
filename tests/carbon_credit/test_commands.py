"""The one audited, idempotent administrator command: done once per key, audited with the change,
replayed for a retry, refused for the same key with another request, and safe when two copies race."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from carbon_credit.platform import commands
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import IdempotencyConflict
from carbon_credit.platform.models import AuditEntry


def _run(engine, actor, key, asked, calls, pause=0.0):
    def apply():
        calls.append(key)
        time.sleep(pause)
        return commands.Change(target_id=len(calls), after={"name": asked}, outcome={"name": asked})

    with session_scope(engine) as session:
        return commands.run(
            session=session,
            actor_id=actor,
            action="test.create",
            target_type="thing",
            idempotency_key=key,
            asked=(asked,),
            apply=apply,
        )


def _audit_count(engine) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_a_command_is_done_and_audited_once_and_a_retry_replays_it(engine, make_resident):
    actor, calls = make_resident(role="admin"), []
    first = _run(engine, actor, "k1", "站点A", calls)
    again = _run(engine, actor, "k1", "站点A", calls)
    assert first == again == {"target_id": 1, "name": "站点A"}
    assert calls == ["k1"] and _audit_count(engine) == 1
    other = _run(engine, make_resident(role="admin"), "k1", "站点A", calls)  # keys belong to their actor
    assert other["target_id"] == 2 and _audit_count(engine) == 2


def test_the_same_key_for_another_request_is_refused_and_changes_nothing(engine, make_resident):
    actor, calls = make_resident(role="admin"), []
    _run(engine, actor, "k1", "站点A", calls)
    with pytest.raises(IdempotencyConflict):
        _run(engine, actor, "k1", "站点B", calls)
    assert calls == ["k1"] and _audit_count(engine) == 1


def test_a_failed_command_leaves_its_key_free(engine, make_resident):
    actor = make_resident(role="admin")

    def fail():
        raise ValueError("refused")

    with pytest.raises(ValueError), session_scope(engine) as session:
        commands.run(
            session=session,
            actor_id=actor,
            action="test.create",
            target_type="thing",
            idempotency_key="k1",
            asked=("x",),
            apply=fail,
        )
    calls = []
    assert _run(engine, actor, "k1", "x", calls)["target_id"] == 1 and _audit_count(engine) == 1


def test_two_copies_racing_act_once(engine, make_resident):
    actor, calls, results = make_resident(role="admin"), [], []
    threads = [
        threading.Thread(target=lambda: results.append(_run(engine, actor, "k1", "x", calls, pause=0.3)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert calls == ["k1"] and len(results) == 2 and results[0] == results[1]
    assert _audit_count(engine) == 1
