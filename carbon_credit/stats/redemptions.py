"""Redemption figures for the dashboard: vouchers issued per period and the points they cost, and each
reward's remaining stock."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.ledger import LedgerEntry
from carbon_credit.platform import clock
from carbon_credit.rewards import Reward, Voucher
from carbon_credit.stats.periods import day_bounds, period_label, period_start, period_starts


@dataclass(frozen=True, slots=True)
class Redemptions:
    """Vouchers issued in one period and the points they cost."""

    key: date
    label: str
    vouchers: int
    points: int


@dataclass(frozen=True, slots=True)
class RewardStock:
    """A reward's remaining stock and how many vouchers were issued for it (ever, and in the range)."""

    reward_id: int
    label: str
    stock: int
    issued_total: int
    issued_in_range: int
    is_active: bool


def redemptions_by_period(
    *, session: Session, day_from: date, day_to: date, granularity: str = "day"
) -> list[Redemptions]:
    """Vouchers issued per period and the points they cost (from their ledger entries), zero-filled."""
    start, end = day_bounds(day_from, day_to)
    query = (
        select(Voucher.issued_at, LedgerEntry.points)
        .join(LedgerEntry, LedgerEntry.id == Voucher.ledger_entry_id)
        .where(Voucher.issued_at >= start, Voucher.issued_at < end)
    )
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for issued_at, points in session.execute(query):
        bucket = counts[period_start(clock.local_day(issued_at), granularity)]
        bucket[0] += 1
        bucket[1] += -int(points)
    return [
        Redemptions(p, period_label(p, granularity), *counts.get(p, (0, 0)))
        for p in period_starts(day_from, day_to, granularity)
    ]


def vouchers_per_reward(*, session: Session, day_from: date, day_to: date) -> dict[int, int]:
    """Vouchers issued in the range, by reward id."""
    start, end = day_bounds(day_from, day_to)
    query = (
        select(Voucher.reward_id, func.count(Voucher.id))
        .where(Voucher.issued_at >= start, Voucher.issued_at < end)
        .group_by(Voucher.reward_id)
    )
    return dict(session.execute(query).all())


def reward_stock(
    *, session: Session, locale: str = "zh_Hans", issued_in_range: dict[int, int] | None = None
) -> list[RewardStock]:
    """Every reward with its stock and vouchers issued, lowest stock of the active ones first."""
    query = select(Voucher.reward_id, func.count(Voucher.id)).group_by(Voucher.reward_id)
    issued = dict(session.execute(query).all())
    rewards = session.scalars(select(Reward).order_by(Reward.is_active.desc(), Reward.stock, Reward.id)).all()
    return [
        RewardStock(
            r.id,
            r.name_en if locale == "en" else r.name_zh,
            r.stock,
            int(issued.get(r.id, 0)),
            int((issued_in_range or {}).get(r.id, 0)),
            r.is_active,
        )
        for r in rewards
    ]
