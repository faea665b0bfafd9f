"""Anomalies surface by themselves: the daily check that flags accounts for review, with its reasons
(docs/review.md, "Anomaly flags"). Each reason is one function over the last :data:`WINDOW_DAYS` Beijing days
(ending yesterday) that returns ``{resident_id: params}``:

- ``anomaly.points_above_median``: credited points more than :data:`MEDIAN_FACTOR` times the median of the
  resident's district (districts with at least :data:`MIN_PEERS` earning residents; at least
  :data:`MIN_POINTS` points), the practice of Travel Smart's farmed tap-ins;
- ``anomaly.claims_at_cap``: :data:`CAP_HITS` or more entries cut by the daily cap;
- ``anomaly.impossible_trips``: :data:`TRANSIT_REFUSALS` or more transit scans refused as impossible (too
  fast, repeated tap-ins, over the daily trip cap, tap-out at the tap-in stop);
- ``anomaly.shared_card``: a transit card claimed in the window by several accounts (``transit.CardClaim``):
  each of them is flagged.

Refused backdating attempts are not checked: admission records no refusals yet. A resident with an open
flag is not flagged again; a period is flagged once (unique resident and ``day_to``), so a second run the
same day adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.platform import clock
from carbon_credit.residents import Resident
from carbon_credit.review.models import AccountFlag
from carbon_credit.transit import CardClaim, TransitRejection

WINDOW_DAYS = 7
MEDIAN_FACTOR = 10
MIN_PEERS = 5
MIN_POINTS = 10_000
CAP_HITS = 5
TRANSIT_REFUSALS = 3
IMPOSSIBLE = ("transit_too_fast", "transit_cooldown", "transit_daily_cap", "transit_same_stop")

Check = Callable[[Session, date, date], dict[int, dict[str, Any]]]


def window(now: datetime) -> tuple[date, date]:
    """The Beijing days the check looks at: the :data:`WINDOW_DAYS` days ending yesterday."""
    day_to = clock.local_day(now) - timedelta(days=1)
    return day_to - timedelta(days=WINDOW_DAYS - 1), day_to


def flag_anomalies(*, session: Session, now: datetime | None = None) -> int:
    """Flag every account with a reason in the window (see the module docstring); returns how many."""
    day_from, day_to = window(now or clock.now())
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for code, check in CHECKS.items():
        for resident_id, params in check(session, day_from, day_to).items():
            found[resident_id].append({"code": code, "params": params})
    already = set(
        session.execute(
            select(AccountFlag.resident_id).where(
                AccountFlag.resident_id.in_(list(found)),
                (AccountFlag.status == "open") | (AccountFlag.day_to == day_to),
            )
        ).scalars()
    )
    new = [r for r in sorted(found) if r not in already]
    for resident_id in new:
        session.add(
            AccountFlag(
                resident_id=resident_id,
                day_from=day_from,
                day_to=day_to,
                reasons=found[resident_id],
                created_at=now or clock.now(),
            )
        )
    session.flush()
    return len(new)


def points_above_median(session: Session, day_from: date, day_to: date) -> dict[int, dict[str, Any]]:
    """Residents whose credited points are far above their district's median for the window."""
    query = (
        select(Activity.resident_id, Resident.district_id, func.sum(Activity.points))
        .join(Resident, Resident.id == Activity.resident_id)
        .where(Activity.status == "credited", Activity.local_day.between(day_from, day_to))
        .group_by(Activity.resident_id, Resident.district_id)
    )
    districts: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for resident_id, district_id, points in session.execute(query):
        if points:
            districts[district_id].append((resident_id, int(points)))
    found = {}
    for rows in districts.values():
        if len(rows) < MIN_PEERS:
            continue
        middle = median(points for _, points in rows)
        for resident_id, points in rows:
            if points >= MIN_POINTS and points > MEDIAN_FACTOR * middle:
                found[resident_id] = {"points": points, "median": int(middle), "factor": MEDIAN_FACTOR}
    return found


def claims_at_cap(session: Session, day_from: date, day_to: date) -> dict[int, dict[str, Any]]:
    """Residents with many entries cut by the daily cap in the window."""
    hits = func.count(Activity.id)
    query = (
        select(Activity.resident_id, hits)
        .where(Activity.note.like("daily_cap:%"), Activity.local_day.between(day_from, day_to))
        .group_by(Activity.resident_id)
        .having(hits >= CAP_HITS)
    )
    return {resident_id: {"count": count} for resident_id, count in session.execute(query)}


def impossible_trips(session: Session, day_from: date, day_to: date) -> dict[int, dict[str, Any]]:
    """Residents with several transit scans refused as impossible in the window."""
    since, until = _bounds(day_from, day_to)
    count = func.count(TransitRejection.id)
    query = (
        select(TransitRejection.resident_id, count)
        .where(
            TransitRejection.resident_id.is_not(None),
            TransitRejection.reason.in_(IMPOSSIBLE),
            TransitRejection.created_at >= since,
            TransitRejection.created_at < until,
        )
        .group_by(TransitRejection.resident_id)
        .having(count >= TRANSIT_REFUSALS)
    )
    return {resident_id: {"count": n} for resident_id, n in session.execute(query)}


def shared_card(session: Session, day_from: date, day_to: date) -> dict[int, dict[str, Any]]:
    """Residents who claimed, in the window, a card that another account claimed too (any claim status)."""
    since, until = _bounds(day_from, day_to)
    query = select(CardClaim.card, CardClaim.resident_id).where(
        CardClaim.created_at >= since, CardClaim.created_at < until
    )
    claimants: dict[str, set[int]] = defaultdict(set)
    for card, resident_id in session.execute(query.distinct()):
        claimants[card].add(resident_id)
    found = {}
    for card, residents in claimants.items():
        for resident_id in residents if len(residents) > 1 else ():
            found[resident_id] = {"card": f"…{card[-4:]}", "accounts": len(residents)}
    return found


def _bounds(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    """The window's Beijing days as UTC times [from, to)."""
    since = clock.as_utc(datetime.combine(day_from, time.min))
    return since, clock.as_utc(datetime.combine(day_to + timedelta(days=1), time.min))


CHECKS: dict[str, Check] = {
    "anomaly.points_above_median": points_above_median,
    "anomaly.claims_at_cap": claims_at_cap,
    "anomaly.impossible_trips": impossible_trips,
    "anomaly.shared_card": shared_card,
}
