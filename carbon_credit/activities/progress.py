"""A resident's progress, for their home page: today's points toward each behaviour's daily cap, and their
part in campaigns. Reads only.

Today's figures are the cap rule's own: what the resident already has is ``caps.standing`` (the query
admission runs), and what is left is ``caps.limit`` asked for more than any cap, so this module holds no
copy of how caps are counted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities import caps, policy
from carbon_credit.activities.claims import RESIDENT_BEHAVIOURS
from carbon_credit.activities.models import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings

_MORE_THAN_ANY_CAP = 10**15


@dataclass(frozen=True, slots=True)
class CapProgress:
    """One behaviour today: ``points`` counted toward its daily ``cap`` (both in points), and
    ``declared_left``: what a claim on the resident's word alone may still earn today when its own caps are
    tighter than the behaviour's (None otherwise, or when the behaviour takes no declared claims)."""

    behaviour: str
    points: int
    cap: int
    declared_left: int | None = None

    @property
    def left(self) -> int:
        """Points the behaviour may still earn today."""
        return self.cap - self.points


@dataclass(frozen=True, slots=True)
class CampaignPart:
    """What the resident did in one campaign: activities that earned its bonus, and the bonus points."""

    activities: int
    bonus_points: int


def today_progress(
    *, session: Session, settings: Settings, resident_id: int, now: datetime | None = None
) -> list[CapProgress]:
    """Today's progress toward the daily cap of every resident behaviour that has one (Beijing day)."""
    now = now or clock.now()
    day = clock.local_day(now)
    lines = []
    for behaviour in RESIDENT_BEHAVIOURS:
        cap = settings.daily_caps.get(behaviour, 0)
        if not cap:
            continue
        standing = caps.standing(
            session=session,
            resident_id=resident_id,
            behaviour=behaviour,
            day=day,
            evidence=policy.DECLARED,
            now=now,
        )
        left = _left(standing, behaviour, policy.FULL, settings)
        declared = policy.policy_for(behaviour).levels.get(policy.DECLARED)
        declared_left = _left(standing, behaviour, declared, settings) if declared else None
        tighter = declared_left if declared_left is not None and declared_left < left else None
        lines.append(CapProgress(behaviour, cap - left, cap, tighter))
    return lines


def _left(standing: caps.Standing, behaviour: str, level: policy.Level, settings: Settings) -> int:
    return caps.limit(_MORE_THAN_ANY_CAP, standing, behaviour, level, settings)[0]


def campaign_parts(
    *, session: Session, resident_id: int, campaign_ids: Iterable[int]
) -> dict[int, CampaignPart]:
    """The resident's part in each of the campaigns (credited activities that earned its bonus), in one
    query; a campaign they have no part in is not in the answer."""
    wanted = set(campaign_ids)
    if not wanted:
        return {}
    query = (
        select(
            Activity.campaign_id, func.count(Activity.id), func.coalesce(func.sum(Activity.bonus_points), 0)
        )
        .where(
            Activity.resident_id == resident_id,
            Activity.status == "credited",
            Activity.campaign_id.in_(wanted),
        )
        .group_by(Activity.campaign_id)
    )
    return {cid: CampaignPart(int(n), int(bonus)) for cid, n, bonus in session.execute(query)}
