"""Voiding vouchers: after a clawback, an administrator may void a resident's unused vouchers (bought with
points that were taken back). A voided voucher can never be used; its points come back to the account as a
reversal of the redeem entry (so they repay the debt first) and the reward's stock returns.

One audited, idempotent administrator command (``platform.commands.run``, action ``voucher.void``, target the
resident): a replayed key answers the first outcome; voiding is also idempotent by the voucher's state (the
conditional UPDATE ``status = 'issued'`` decides, so a voucher used at that moment stays used).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.platform import clock, commands
from carbon_credit.rewards.models import Reward, Voucher

_rewards = Reward.__table__
_vouchers = Voucher.__table__


def void_vouchers(
    *,
    session: Session,
    actor_id: int,
    resident_id: int,
    idempotency_key: str,
    voucher_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> dict:
    """Void the resident's unused vouchers (all of them, or those of ``voucher_ids``), refund their points
    and return their stock; returns ``{"target_id", "voided": [ids], "refunded": points, "balance"}``."""
    now = now or clock.now()
    wanted = sorted(set(voucher_ids)) if voucher_ids is not None else None

    def apply() -> commands.Change:
        account_id = ledger.lock_accounts(session=session, resident_ids=[resident_id])[resident_id]
        held = unused_vouchers(session=session, resident_id=resident_id, voucher_ids=wanted)
        before = {
            "balance": ledger.balance(session=session, account_id=account_id),
            "unused": [v.id for v in held],
        }
        voided = [v for v in held if _void_one(session, v, now)]
        refunded = sum(v.cost for v in voided)
        after_balance = ledger.balance(session=session, account_id=account_id)
        after = {"balance": after_balance, "unused": [v.id for v in held if v not in voided]}
        outcome = {"voided": [v.id for v in voided], "refunded": refunded, "balance": after_balance}
        return commands.Change(resident_id, before, after, outcome)

    return commands.run(
        session=session,
        actor_id=actor_id,
        action="voucher.void",
        target_type="resident",
        idempotency_key=idempotency_key,
        asked=(resident_id, wanted),
        apply=apply,
    )


@dataclass(frozen=True, slots=True)
class HeldVoucher:
    """An unused voucher with what it cost (the points a void refunds)."""

    id: int
    ledger_entry_id: int
    reward_id: int
    cost: int


def unused_vouchers(
    *, session: Session, resident_id: int, voucher_ids: Iterable[int] | None = None
) -> list[HeldVoucher]:
    """The resident's vouchers not used nor voided yet (optionally only those of ``voucher_ids``)."""
    query = (
        select(Voucher, ledger.LedgerEntry.points)
        .join(ledger.LedgerEntry, ledger.LedgerEntry.id == Voucher.ledger_entry_id)
        .where(Voucher.resident_id == resident_id, Voucher.status == "issued")
    )
    if voucher_ids is not None:
        query = query.where(Voucher.id.in_(list(voucher_ids)))
    rows = session.execute(query.order_by(Voucher.id)).all()
    return [HeldVoucher(v.id, v.ledger_entry_id, v.reward_id, -points) for v, points in rows]


def _void_one(session: Session, held: HeldVoucher, now: datetime) -> bool:
    """Void one voucher if it is still unused: refund (reverse its redeem entry) and return one to stock."""
    marked = session.execute(
        update(_vouchers)
        .where(_vouchers.c.id == held.id, _vouchers.c.status == "issued")
        .values(status="void", voided_at=now)
    )
    if marked.rowcount != 1:
        return False
    key = f"voucher_void:{held.id}"
    ledger.reverse(
        session=session, entry_id=held.ledger_entry_id, idempotency_key=key, memo="voucher void", at=now
    )
    session.execute(
        update(_rewards).where(_rewards.c.id == held.reward_id).values(stock=_rewards.c.stock + 1)
    )
    return True
