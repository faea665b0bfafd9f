"""Clawback that always works (issue 13, section 3): a rejection after the points were spent lands as a debt
the resident sees with its reason; the debt blocks redemptions until new points repay it; an administrator
voids unused vouchers (points refunded, stock back); the ledger stays exact under a racing redemption."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import select, text

from carbon_credit import ledger, review, rewards
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.ledger import LedgerEntry
from carbon_credit.platform import audit, clock
from carbon_credit.platform.database import alembic_config, migrate, read_session, session_scope
from carbon_credit.platform.errors import DomainError, InsufficientPoints
from carbon_credit.platform.i18n import message
from carbon_credit.rewards import Reward, Voucher

GLASS_10 = {"material": "glass", "kg": "10"}  # credited at once (below the review threshold)


@pytest.fixture
def admin(make_resident):
    return make_resident(role="admin", display_name="管理员")


@pytest.fixture
def reward(engine, make_resident):
    def make(cost: int, stock: int = 10) -> int:
        merchant = make_resident(role="merchant")
        with session_scope(engine) as session:
            row = Reward(name_zh="公交券", name_en="Bus ride", cost=cost, stock=stock, merchant_id=merchant)
            session.add(row)
            session.flush()
            return row.id

    return make


def _record(engine, settings, resident: int, key: str = "glass") -> int:
    with session_scope(engine) as session:
        item = ActivityInput(resident, "recycling", GLASS_10, "web", key, clock.now())
        activity = record_activity(session=session, settings=settings, item=item)
        return activity.id, activity.points


def _redeem(engine, settings, resident: int, reward_id: int, key: str = "k1"):
    with session_scope(engine) as session:
        return rewards.redeem(
            session=session, settings=settings, resident_id=resident, reward_id=reward_id, idempotency_key=key
        )


def _reject(engine, settings, activity_id: int, actor: int, reason: str = "照片与记录不符"):
    with session_scope(engine) as session:
        return review.reject(
            session=session, settings=settings, activity_id=activity_id, actor_id=actor, reason=reason
        )


def _void(engine, resident: int, actor: int, key: str = "void-1", voucher_ids=None) -> dict:
    with session_scope(engine) as session:
        return rewards.void_vouchers(
            session=session,
            actor_id=actor,
            resident_id=resident,
            idempotency_key=key,
            voucher_ids=voucher_ids,
        )


def _balance(engine, resident: int) -> int:
    with read_session(engine) as session:
        return rewards.points_balance(session=session, resident_id=resident)


def _exact(engine) -> None:
    with read_session(engine) as session:
        assert ledger.discrepancies(session=session) == []


def test_fraud_is_not_kept_the_clawback_lands_as_a_debt(engine, settings, make_resident, admin, reward):
    """The exploit: spend the points, then the administrator rejects. Before: refused, the fraud was kept.
    Now: the rejection lands, the balance shows the debt and the resident is told why."""
    resident = make_resident()
    activity_id, points = _record(engine, settings, resident)
    cost = points - 100
    _redeem(engine, settings, resident, reward(cost))
    assert _balance(engine, resident) == 100
    decision = _reject(engine, settings, activity_id, admin, reason="重复登记")
    assert (decision.changed, decision.reversed_points, decision.debt) == (True, points, cost)
    assert _balance(engine, resident) == -cost
    _exact(engine)
    with read_session(engine) as session:
        standing = review.standing(session=session, resident_id=resident)
        notes = review.get_activity(session=session, activity_id=activity_id)
        [entry] = audit.entries(session=session, action="review.reject").items
    assert (standing.balance, standing.debt) == (-cost, cost)
    [why] = standing.reasons
    assert (why.points, why.activity_id, why.reason, why.behaviour) == (
        points,
        activity_id,
        "重复登记",
        "recycling",
    )
    assert notes.status == "rejected"
    assert entry.after["debt"] == cost and entry.after["reversed_points"] == points
    assert _reject(engine, settings, activity_id, admin).changed is False  # no second clawback
    assert _balance(engine, resident) == -cost


def test_a_debt_blocks_redemptions_until_new_points_repay_it(engine, settings, make_resident, admin, reward):
    resident = make_resident()
    activity_id, points = _record(engine, settings, resident)
    cheap = reward(10)
    _redeem(engine, settings, resident, reward(points - 100))
    _reject(engine, settings, activity_id, admin)
    debt = -_balance(engine, resident)
    with pytest.raises(DomainError) as refused:
        _redeem(engine, settings, resident, cheap, key="k2")
    assert refused.value.code == "redeem_blocked_by_debt" and refused.value.params == {"debt": debt}
    assert f"-{debt}" in message(refused.value, "en") and "taken back" in message(refused.value, "en")
    assert f"-{debt}" in message(refused.value, "zh_Hans") and "扣回" in message(refused.value, "zh_Hans")
    _record(engine, settings, resident, key="glass-2")  # new points repay the debt first
    assert _balance(engine, resident) == points - debt
    _redeem(engine, settings, resident, cheap, key="k3")
    assert _balance(engine, resident) == points - debt - 10
    with read_session(engine) as session:
        history = [
            (e.kind, e.balance_after)
            for e in reversed(ledger.entries(session=session, account_id=_account(session, resident)))
        ]
    assert [kind for kind, _ in history] == ["earn", "redeem", "reversal", "earn", "redeem"]
    assert history[2][1] == -debt  # the debt, visible on the clawback's row
    _exact(engine)


def _account(session, resident: int) -> int:
    return ledger.account_id_for(session=session, resident_id=resident)


def test_a_redemption_still_never_overdraws(engine, make_resident):
    resident = make_resident()
    with session_scope(engine) as session:
        account = _account(session, resident)
        ledger.post(session=session, posting=ledger.Posting(account, 50, "earn", "e"))
    for kind in ("redeem", "expiry", "adjustment"):
        with pytest.raises(InsufficientPoints), session_scope(engine) as session:
            ledger.post(session=session, posting=ledger.Posting(account, -60, kind, f"x-{kind}"))
    assert _balance(engine, resident) == 50


def test_the_database_refuses_a_debit_other_than_a_clawback_below_zero(engine, make_resident):
    resident = make_resident()
    with pytest.raises(Exception, match="(?i)check"), session_scope(engine) as session:
        account = _account(session, resident)
        session.add(
            LedgerEntry(account_id=account, kind="redeem", points=-5, balance_after=-5, idempotency_key="raw")
        )
        session.flush()


def test_voiding_unused_vouchers_refunds_them_and_returns_the_stock(
    engine, settings, make_resident, admin, reward
):
    resident = make_resident()
    activity_id, points = _record(engine, settings, resident)
    offer = reward(400, stock=5)
    first = _redeem(engine, settings, resident, offer, key="a")
    second = _redeem(engine, settings, resident, offer, key="b")
    merchant_used = first.code
    with session_scope(engine) as session:
        rewards.use_voucher(session=session, code=merchant_used, staff_id=admin, staff_role="admin")
    _reject(engine, settings, activity_id, admin)
    assert _balance(engine, resident) == -800
    outcome = _void(engine, resident, admin)
    assert (outcome["voided"], outcome["refunded"], outcome["balance"]) == ([second.id], 400, -400)
    assert _void(engine, resident, admin) == outcome  # a replayed request answers the same
    assert _void(engine, resident, admin, key="void-2")["voided"] == []  # nothing left to void
    with read_session(engine) as session:
        assert session.get(Reward, offer).stock == 4
        assert session.get(Voucher, second.id).status == "void"
        assert session.get(Voucher, first.id).status == "used"  # a used voucher stays used
        [entry] = audit.entries(session=session, action="voucher.void").items
        assert entry.before["unused"] == [second.id] and entry.after["balance"] == -400
    with pytest.raises(DomainError) as refused, session_scope(engine) as session:
        rewards.use_voucher(session=session, code=second.code, staff_id=admin, staff_role="admin")
    assert refused.value.code == "voucher_voided"
    assert _balance(engine, resident) == -400
    _exact(engine)


def test_a_clawback_racing_a_redemption_never_overspends(engine, settings, make_resident, admin, reward):
    """A rejection and a redemption of the same account at once, 6 rounds: whichever goes first, the
    clawback lands, no redemption takes the balance below zero, and balance == sum of entries."""
    for round_ in range(6):
        resident = make_resident()
        activity_id, points = _record(engine, settings, resident, key=f"g{round_}")
        offer = reward(points - 10)
        outcomes = _race(
            reject=lambda: _reject(engine, settings, activity_id, admin).reversed_points,  # noqa: B023
            redeem=lambda: _redeem(engine, settings, resident, offer, key=f"r{round_}") and "ok",  # noqa: B023
        )
        assert outcomes["reject"] == points  # the clawback always lands
        assert outcomes["redeem"] in ("ok", "insufficient_points", "redeem_blocked_by_debt"), outcomes
        assert _balance(engine, resident) == (-(points - 10) if outcomes["redeem"] == "ok" else 0)
        with read_session(engine) as session:
            account = _account(session, resident)
            rows = session.execute(select(LedgerEntry).where(LedgerEntry.account_id == account)).scalars()
            rows = list(rows)
        assert all(e.balance_after >= 0 for e in rows if e.kind == "redeem")
        assert sum(e.points for e in rows) == _balance(engine, resident)
    _exact(engine)


def _race(**calls) -> dict[str, object]:
    """Run the calls in threads released together; each outcome is its result or its error code."""
    barrier = threading.Barrier(len(calls))
    outcomes: dict[str, object] = {}

    def run(name: str, call) -> None:
        barrier.wait()
        try:
            outcomes[name] = call()
        except DomainError as error:
            outcomes[name] = error.code

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_migration_keeps_balances_entries_and_vouchers(engine, make_resident):
    """Data written before revision 0009 (balances, entries, a voucher) is unchanged by it, and a clawback
    below zero is possible afterwards."""
    from alembic import command

    command.downgrade(alembic_config(engine), "base")
    migrate(engine, "0008")
    with engine.begin() as conn:
        tables = {name: sa.Table(name, sa.MetaData(), autoload_with=conn) for name in TABLES}
        resident = _fill(conn, tables["residents"], display_name="居民", role="resident", locale="zh_Hans")
        account = _fill(conn, tables["accounts"], resident_id=resident, balance=700)
        entry = dict(account_id=account, idempotency_key="e", kind="earn", points=1000, balance_after=1000)
        earned = _fill(conn, tables["ledger_entries"], **entry)
        entry.update(idempotency_key="r", kind="redeem", points=-300, balance_after=700)
        spent = _fill(conn, tables["ledger_entries"], **entry)
        offer = _fill(conn, tables["rewards"], name_zh="券", name_en="V", cost=300, stock=1)
        voucher = dict(
            code="ABCD", reward_id=offer, resident_id=resident, ledger_entry_id=spent, status="issued"
        )
        _fill(conn, tables["vouchers"], idempotency_key="v", **voucher)
    before = _snapshot(engine)
    migrate(engine, "0009")
    assert _snapshot(engine) == before
    with session_scope(engine) as session:
        ledger.reverse(session=session, entry_id=earned, idempotency_key="after-migration")
        assert ledger.debt_of(session=session, account_id=account).owed == 300
    with engine.begin() as conn:  # back to head for the next test (PostgreSQL keeps one schema per run)
        for name in reversed(TABLES):
            conn.execute(text(f"DELETE FROM {name}"))
    migrate(engine)


TABLES = ("residents", "accounts", "ledger_entries", "rewards", "vouchers")


def _fill(conn, table, **values) -> int:
    """Insert a row, giving every other required column a plain value of its type; returns its id."""
    plain = {sa.Boolean: False, sa.Integer: 0, sa.String: "x", sa.DateTime: clock.now(), sa.JSON: {}}
    for column in table.columns:
        if (
            column.name in values
            or column.nullable
            or column.server_default is not None
            or column.primary_key
        ):
            continue
        values[column.name] = next(v for t, v in plain.items() if isinstance(column.type, t))
    return conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()


def _snapshot(engine) -> dict:
    with engine.connect() as conn:
        return {
            "accounts": sorted(conn.execute(text("SELECT id, balance FROM accounts")).all()),
            "entries": sorted(
                conn.execute(text("SELECT id, points, balance_after, kind FROM ledger_entries")).all()
            ),
            "vouchers": sorted(conn.execute(text("SELECT id, code, status FROM vouchers")).all()),
        }
