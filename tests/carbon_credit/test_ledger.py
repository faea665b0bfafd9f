"""The points ledger: exact, append-only, idempotent, never overdrawn by a redemption."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from carbon_credit import ledger
from carbon_credit.ledger import LedgerEntry, Posting
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import IdempotencyConflict, InsufficientPoints, InvalidAmount, NotFound


def _account(engine) -> int:
    with session_scope(engine) as session:
        return ledger.open_account(session=session).id


def _post(engine, account_id, points, kind, key):
    with session_scope(engine) as session:
        return ledger.post(session=session, posting=Posting(account_id, points, kind, key))


def _balance(engine, account_id) -> int:
    with read_session(engine) as session:
        return ledger.balance(session=session, account_id=account_id)


def _entry_count(engine, account_id) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).where(LedgerEntry.account_id == account_id)).scalar_one()


def test_credit_then_debit_moves_balance_and_records_balance_after(engine):
    account = _account(engine)
    _post(engine, account, 500, "earn", "e1")
    entry = _post(engine, account, -120, "redeem", "r1")
    assert entry.balance_after == 380
    assert _balance(engine, account) == 380


def test_debit_beyond_balance_is_refused_and_changes_nothing(engine):
    account = _account(engine)
    _post(engine, account, 100, "earn", "e1")
    with pytest.raises(InsufficientPoints) as caught:
        _post(engine, account, -101, "redeem", "r1")
    assert caught.value.params == {"needed": 101, "balance": 100}
    assert _balance(engine, account) == 100
    assert _entry_count(engine, account) == 1


def test_same_key_twice_gives_one_entry_and_the_same_result(engine):
    account = _account(engine)
    first = _post(engine, account, 300, "earn", "bot-update-42")
    second = _post(engine, account, 300, "earn", "bot-update-42")
    assert second.id == first.id and second.balance_after == first.balance_after == 300
    assert _entry_count(engine, account) == 1
    assert _balance(engine, account) == 300


def test_reusing_a_key_for_a_different_posting_is_refused(engine):
    account = _account(engine)
    _post(engine, account, 300, "earn", "k")
    with pytest.raises(IdempotencyConflict):
        _post(engine, account, 301, "earn", "k")
    assert _balance(engine, account) == 300


@pytest.mark.parametrize(
    ("points", "kind"),
    [
        (0, "earn"),
        (1.5, "earn"),
        (True, "earn"),
        (-5, "earn"),
        (5, "redeem"),
        (5, "expiry"),
        (10**13, "earn"),
        (5, "gift"),
    ],
)
def test_bad_amounts_and_kinds_are_refused(engine, points, kind):
    account = _account(engine)
    with pytest.raises(InvalidAmount):
        _post(engine, account, points, kind, f"bad-{points}-{kind}")
    assert _entry_count(engine, account) == 0


def test_unknown_account_is_not_found(engine):
    with pytest.raises(NotFound):
        _post(engine, 999_999, -1, "redeem", "nobody")


def test_reversal_writes_the_opposite_entry_and_keeps_history(engine):
    account = _account(engine)
    earned = _post(engine, account, 250, "earn", "e1")
    with session_scope(engine) as session:
        reversal = ledger.reverse(
            session=session, entry_id=earned.id, idempotency_key="rev-e1", memo="rejected"
        )
    assert (reversal.points, reversal.kind, reversal.ref_id) == (-250, "reversal", earned.id)
    assert _balance(engine, account) == 0
    assert _entry_count(engine, account) == 2


def test_reversing_a_spent_credit_always_lands_as_a_debt(engine):
    """Issue 13: a clawback always lands; where the points were spent the account owes them (a debt)."""
    account = _account(engine)
    earned = _post(engine, account, 250, "earn", "e1")
    _post(engine, account, -200, "redeem", "r1")
    with session_scope(engine) as session:
        reversal = ledger.reverse(session=session, entry_id=earned.id, idempotency_key="rev-e1")
    assert (reversal.points, reversal.balance_after) == (-250, -200)
    with read_session(engine) as session:
        debt = ledger.debt_of(session=session, account_id=account)
        assert (debt.balance, debt.owed, [e.id for e in debt.causes]) == (-200, 200, [reversal.id])
        assert ledger.discrepancies(session=session) == []
    with pytest.raises(InsufficientPoints):
        _post(engine, account, -1, "redeem", "r2")
    _post(engine, account, 300, "earn", "e2")  # new points repay the debt
    with read_session(engine) as session:
        assert ledger.debt_of(session=session, account_id=account) == ledger.Debt(100)


def test_bulk_credits_keep_running_balances(engine):
    account, other = _account(engine), _account(engine)
    _post(engine, account, 10, "earn", "seed")
    postings = [Posting(account, 5, "earn", f"b{i}") for i in range(3)] + [Posting(other, 7, "earn", "o1")]
    with session_scope(engine) as session:
        assert set(ledger.post_many(session=session, postings=postings)) == {"b0", "b1", "b2", "o1"}
    with read_session(engine) as session:
        history = ledger.entries(session=session, account_id=account)
        assert [e.balance_after for e in reversed(history)] == [10, 15, 20, 25]
        assert ledger.discrepancies(session=session) == []
    assert _balance(engine, other) == 7


def test_bulk_credits_interleaved_over_accounts_follow_each_accounts_postings(engine):
    """post_many over three accounts, their postings interleaved and the first posted to the highest id:
    each account's entries have increasing ids and running balances in its postings' order, from the
    balance it had; the ids returned are the entries' by key. An unknown account refuses the whole batch
    and moves nothing, even when the caller commits afterwards."""
    low, middle, high = (_account(engine) for _ in range(3))
    _post(engine, middle, 100, "earn", "seed")
    order = [high, low, middle, high, high, middle, low, high, middle]
    postings = [
        Posting(account, 10 * n + 1, "earn", f"m{n}", "activity_batch", n or None, None if n % 2 else "m")
        for n, account in enumerate(order)
    ]
    with session_scope(engine) as session:
        returned = ledger.post_many(session=session, postings=postings)
    with read_session(engine) as session:
        entry = LedgerEntry
        query = select(entry.idempotency_key, entry.id, entry.balance_after, entry.ref_id, entry.memo)
        stored = {row[0]: row[1:] for row in session.execute(query.where(entry.ref_type == "activity_batch"))}
        assert ledger.discrepancies(session=session) == []
    assert returned == {key: row[0] for key, row in stored.items()}
    assert [stored[p.idempotency_key][2:] for p in postings] == [(p.ref_id, p.memo) for p in postings]
    for account, before in ((low, 0), (middle, 100), (high, 0)):
        mine = [p for p in postings if p.account_id == account]
        ids = [stored[p.idempotency_key][0] for p in mine]
        running = [before + sum(p.points for p in mine[: n + 1]) for n in range(len(mine))]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert [stored[p.idempotency_key][1] for p in mine] == running
        assert _balance(engine, account) == running[-1]
    balances = [_balance(engine, a) for a in (low, middle, high)]
    unknown = [
        Posting(high, 5, "earn", "u1"),
        Posting(999_999, 5, "earn", "u2"),
        Posting(low, 5, "earn", "u3"),
    ]
    with session_scope(engine) as session:
        with pytest.raises(NotFound) as refused:
            ledger.post_many(session=session, postings=unknown)
    assert refused.value.params == {"what": "account", "account_id": 999_999}
    assert [_balance(engine, a) for a in (low, middle, high)] == balances
    assert sum(_entry_count(engine, a) for a in (low, middle, high)) == len(postings) + 1


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["earn", "redeem", "reversal"]), st.integers(min_value=1, max_value=10_000)),
    min_size=1,
    max_size=25,
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_random_sequences_keep_balance_equal_to_sum_and_redemptions_never_overdraw(engine, operations):
    account = _account(engine)
    model_balance = 0
    posted: list[int] = []
    for index, (kind, amount) in enumerate(operations):
        key = f"a{account}-{index}"
        try:
            if kind == "earn":
                posted.append(_post(engine, account, amount, "earn", key).id)
            elif kind == "redeem":
                assert _post(engine, account, -amount, "redeem", key).balance_after >= 0
            elif posted:
                with session_scope(engine) as session:
                    ledger.reverse(
                        session=session, entry_id=posted.pop(amount % len(posted)), idempotency_key=key
                    )
        except InsufficientPoints:
            pass
        with read_session(engine) as session:
            model_balance = ledger.balance(session=session, account_id=account)
            total = session.execute(
                select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
                    LedgerEntry.account_id == account
                )
            ).scalar_one()
        assert model_balance == total  # below zero only after a clawback (a debt)


def test_concurrent_redemptions_never_overspend(engine):
    """20 threads each redeem 100 points from a balance of 700: exactly 7 succeed."""
    account = _account(engine)
    _post(engine, account, 700, "earn", "seed")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def redeem(n: int) -> None:
        barrier.wait()
        try:
            _post(engine, account, -100, "redeem", f"redeem-{n}")
            result = "ok"
        except InsufficientPoints:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=redeem, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 7 and outcomes.count("refused") == 13
    assert _balance(engine, account) == 0
    assert _entry_count(engine, account) == 8


def test_concurrent_retries_of_one_key_post_once(engine):
    """A double tap: 10 threads post the same idempotency key at once -> one entry."""
    account = _account(engine)
    barrier = threading.Barrier(10)
    ids: list[int] = []

    def tap() -> None:
        barrier.wait()
        ids.append(_post(engine, account, 150, "earn", "double-tap").id)

    threads = [threading.Thread(target=tap) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1 and len(ids) == 10
    assert _balance(engine, account) == 150


REDEEM_IN_A_PROCESS = """
import sys, time
from carbon_credit import ledger
from carbon_credit.platform.database import make_engine, session_scope
from carbon_credit.platform.errors import InsufficientPoints
url, account, key, start_at = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
engine = make_engine(url)
with engine.connect():
    pass
while time.time() < start_at:
    time.sleep(0.001)
try:
    with session_scope(engine) as session:
        ledger.post(session=session, posting=ledger.Posting(account, -100, "redeem", key))
    print("ok")
except InsufficientPoints:
    print("refused")
"""


def test_concurrent_redemptions_from_separate_processes_never_overspend(engine, settings):
    """8 OS processes (like 8 gunicorn workers) each redeem 100 from a balance of 300: exactly 3 succeed."""
    import subprocess
    import sys
    import time

    account = _account(engine)
    _post(engine, account, 300, "earn", "seed")
    start_at = str(time.time() + 3)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                REDEEM_IN_A_PROCESS,
                settings.database_url,
                str(account),
                f"p{n}",
                start_at,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    results = [p.communicate(timeout=60) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in results]
    outcomes = sorted(out.strip() for out, _ in results)
    assert outcomes == ["ok"] * 3 + ["refused"] * 5
    assert _balance(engine, account) == 0
