"""Reading campaigns: one, all, those running now, and those that could pay a bonus for a set of activities
(from a per-process cache, :func:`running_for`); and a campaign's state as people see it."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, event, select
from sqlmodel import Session

from carbon_credit.campaigns.models import Campaign
from carbon_credit.platform import clock
from carbon_credit.platform.errors import NotFound


def get_campaign(*, session: Session, campaign_id: int) -> Campaign:
    """One campaign, or NotFound."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(what="campaign", campaign_id=campaign_id)
    return campaign


def list_campaigns(*, session: Session) -> list[Campaign]:
    """Every campaign, newest start first."""
    return list(session.execute(select(Campaign).order_by(Campaign.starts_at.desc(), Campaign.id)).scalars())


def active_campaigns(*, session: Session, now: datetime | None = None) -> list[Campaign]:
    """Campaigns running now (active and within their period), soonest-ending first; a campaign whose
    budget is spent is still listed (``is_exhausted`` tells)."""
    now = now or clock.now()
    query = select(Campaign).where(Campaign.is_active, Campaign.starts_at <= now, Campaign.ends_at > now)
    return list(session.execute(query.order_by(Campaign.ends_at, Campaign.id)).scalars())


RUNNING_TTL_S = 5.0  # another worker process sees a campaign change within this many seconds
LOOKBACK = timedelta(days=40)  # a cached list covers activities back to this before it was read


@dataclass(frozen=True, slots=True)
class Running:
    """A running campaign as the bonus rule reads it (a snapshot; ``spent_points`` as of the reading: the
    budget itself is taken by an exact conditional UPDATE, ``budget.reserve``)."""

    id: int
    starts_at: datetime
    ends_at: datetime
    behaviours: tuple[str, ...]
    district_ids: tuple[int, ...]
    multiplier_percent: int
    bonus_points: int
    budget_points: int
    spent_points: int


_table = Campaign.__table__
_RUNNING = select(
    *(_table.c[name] for name in Running.__slots__),
).where(
    _table.c.is_active.is_(True),
    _table.c.spent_points < _table.c.budget_points,
    _table.c.ends_at > bindparam("horizon"),
)
# Per process and database (an engine's connection pool): (monotonic time read, horizon, campaigns). A write
# that changes a campaign clears it (``forget_running``), a reservation updates its campaign's spent points
# once committed (``learn_spent``); the TTL bounds what a change in another process leaves stale.
_cache: WeakKeyDictionary = WeakKeyDictionary()
_lock = threading.Lock()
_WATCH = "campaigns.running"  # Session.info key: what this session's transaction did to the cache


def running_for(session: Session, facts: Sequence[dict[str, Any]]) -> list[Running]:
    """Active campaigns with budget left whose period overlaps the activities' times (none for no
    activities), from the per-process cache (read again after :data:`RUNNING_TTL_S` or a change)."""
    if not facts:
        return []
    first = min(f["occurred_at"] for f in facts)
    last = max(f["occurred_at"] for f in facts)
    running = [c for c in _running(session, first) if c.spent_points < c.budget_points]
    return [c for c in running if c.starts_at <= last and c.ends_at > first]


def learn_spent(session: Session, campaign_id: int, spent: int) -> None:
    """A reservation left the campaign at ``spent`` points: the cached copy takes it when this transaction
    commits (a rollback leaves it as it was), so this process's next offer sees what is left."""
    spent_by = _watch(session)["spent"]
    spent_by[campaign_id] = max(spent, spent_by.get(campaign_id, 0))


def forget_running(session: Session | None = None) -> None:
    """Drop the cached running campaigns (every process reads them again within :data:`RUNNING_TTL_S`).
    With ``session``: again when its transaction ends, so a reading taken before it committed (or of what
    it rolled back) is not kept."""
    _cache.clear()
    if session is not None:
        _watch(session)["forget"] = True


def _running(session: Session, first: datetime) -> tuple[Running, ...]:
    database = _database(session)
    cached = _cache.get(database)
    if cached is not None and time.monotonic() - cached[0] < RUNNING_TTL_S and first >= cached[1]:
        return cached[2]
    horizon = min(first, clock.now()) - LOOKBACK
    rows = session.connection().execute(_RUNNING, {"horizon": horizon})
    found = tuple(Running(*r[:3], tuple(r[3] or ()), tuple(r[4] or ()), *r[5:]) for r in rows)
    _cache[database] = (time.monotonic(), horizon, found)
    _watch(session)["loaded"] = True  # it may hold this transaction's own writes: dropped if rolled back
    return found


def _database(session: Session):
    bind = session.get_bind()
    return getattr(bind, "engine", bind).pool  # an engine's pool, shared with its option engines


def _watch(session: Session) -> dict[str, Any]:
    watch = session.info.get(_WATCH)
    if watch is None:
        watch = session.info[_WATCH] = {"database": _database(session)}
        _reset(watch)
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_rollback", _rolled_back)
    return watch


def _reset(watch: dict[str, Any]) -> None:
    watch.update(spent={}, forget=False, loaded=False)


def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: wait for the transaction's COMMIT
    watch = session.info[_WATCH]
    if watch["forget"]:
        _cache.clear()
    elif watch["spent"]:
        with _lock:
            cached = _cache.get(watch["database"])
            if cached is not None:
                spent_by = watch["spent"]
                learnt = tuple(_with_spent(c, spent_by.get(c.id)) for c in cached[2])
                _cache[watch["database"]] = (cached[0], cached[1], learnt)
    _reset(watch)


def _rolled_back(session: Session) -> None:
    watch = session.info[_WATCH]
    if watch["forget"] or watch["loaded"]:
        _cache.clear()
    _reset(watch)


def _with_spent(campaign: Running, spent: int | None) -> Running:
    return campaign if spent is None else replace(campaign, spent_points=max(campaign.spent_points, spent))


def open_to(campaign: Campaign, district_id: int | None) -> bool:
    """Whether residents of the district take part (an empty list of districts: every district)."""
    return not campaign.district_ids or (district_id or 0) in campaign.district_ids


def is_exhausted(campaign: Campaign) -> bool:
    """The budget is spent: no more bonuses (base credits continue)."""
    return campaign.spent_points >= campaign.budget_points


def status(campaign: Campaign, now: datetime | None = None) -> str:
    """``upcoming``, ``running`` or ``ended`` (an ended-early or cancelled campaign is ``ended``)."""
    now = now or clock.now()
    if not campaign.is_active or now >= campaign.ends_at:
        return "ended"
    return "upcoming" if now < campaign.starts_at else "running"
