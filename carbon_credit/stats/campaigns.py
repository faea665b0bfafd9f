"""Campaign figures for the public pages: live totals, a day-by-day series, the opt-in leaderboard, and the
residents' privacy choices that govern it (docs/campaigns.md).

Totals, the breakdowns and the series are read from DailyRollup (rows with ``campaign_id`` = the campaign,
i.e. credited activities that earned its bonus). Participants need distinct residents, which a rollup cannot
give: they are counted from the activities table (``campaign_id`` is indexed), as is the leaderboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities import REPORTABLE_LEVELS, Activity, DailyRollup
from carbon_credit.campaigns import Campaign, get_campaign, status
from carbon_credit.platform import clock
from carbon_credit.platform.errors import NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import District, Resident, set_consent

MAX_SERIES_DAYS = 400  # a chart longer than this shows its last days only
LEADERBOARD_SIZE = 10


@dataclass(frozen=True)
class Breakdown:
    """One line of a breakdown: the key (behaviour, or district names), activities, grams, bonus."""

    key: str
    activities: int
    grams: int
    bonus_points: int
    name_zh: str = ""
    name_en: str = ""


@dataclass
class CampaignTotals:
    """A campaign's live figures: sums, participants, breakdowns and the daily series."""

    activities: int = 0
    grams: int = 0
    points: int = 0
    bonus_points: int = 0
    participants: int = 0
    by_behaviour: list[Breakdown] = field(default_factory=list)
    by_district: list[Breakdown] = field(default_factory=list)
    by_day: list[tuple[date, int, int]] = field(default_factory=list)  # (day, activities, grams)
    by_evidence: list[Breakdown] = field(default_factory=list)  # key: verified, evidenced, declared

    @property
    def reportable_grams(self) -> int:
        """Grams CO2e of the campaign's verified and evidenced activities (the reportable total)."""
        return sum(b.grams for b in self.by_evidence if b.key in REPORTABLE_LEVELS)


@dataclass(frozen=True)
class Leader:
    """A leaderboard line; ``name`` is None for residents who did not opt in (show them masked)."""

    rank: int
    name: str | None
    tail: str
    grams: int
    activities: int


def public_campaigns(*, session: Session, now: datetime | None = None) -> dict[str, list[Campaign]]:
    """Campaigns for the public list: ``running``, ``upcoming`` and ``past`` (newest first); a campaign
    cancelled before it started is not shown."""
    now = now or clock.now()
    groups: dict[str, list[Campaign]] = {"running": [], "upcoming": [], "past": []}
    query = select(Campaign).order_by(Campaign.starts_at.desc(), Campaign.id.desc())
    for campaign in session.execute(query).scalars():
        state = status(campaign, now)
        if state == "ended" and campaign.starts_at > now:
            continue
        groups["past" if state == "ended" else state].append(campaign)
    return groups


def totals(
    *, session: Session, campaign_id: int, settings: Settings | None = None, now: datetime | None = None
) -> CampaignTotals:
    """Live totals of a campaign: CO2e, points, bonus, participants, breakdowns and a daily series of
    Beijing days (``settings`` is not needed any more: the day is always Beijing's)."""
    campaign = get_campaign(session=session, campaign_id=campaign_id)
    mine = DailyRollup.campaign_id == campaign_id
    by_behaviour = _by_behaviour(session, mine)
    points = session.execute(select(func.coalesce(func.sum(DailyRollup.points), 0)).where(mine)).scalar_one()
    return CampaignTotals(
        activities=sum(b.activities for b in by_behaviour),
        grams=sum(b.grams for b in by_behaviour),
        points=int(points),
        bonus_points=sum(b.bonus_points for b in by_behaviour),
        participants=_participants(session, campaign_id),
        by_behaviour=by_behaviour,
        by_district=_by_district(session, mine),
        by_day=_series(session, campaign, now or clock.now()),
        by_evidence=_by_evidence(session, mine),
    )


_SUMS = (func.sum(DailyRollup.activities), func.sum(DailyRollup.grams), func.sum(DailyRollup.bonus_points))


def _by_behaviour(session: Session, mine) -> list[Breakdown]:
    query = select(DailyRollup.behaviour, *_SUMS).where(mine).group_by(DailyRollup.behaviour)
    rows = [Breakdown(key, int(n), int(grams), int(bonus)) for key, n, grams, bonus in session.execute(query)]
    return sorted(rows, key=lambda b: (-b.grams, b.key))


def _by_evidence(session: Session, mine) -> list[Breakdown]:
    query = select(DailyRollup.evidence, *_SUMS).where(mine).group_by(DailyRollup.evidence)
    rows = [Breakdown(key, int(n), int(grams), int(bonus)) for key, n, grams, bonus in session.execute(query)]
    return sorted(rows, key=lambda b: (-b.grams, b.key))


def _by_district(session: Session, mine) -> list[Breakdown]:
    query = (
        select(DailyRollup.district_id, District.name_zh, District.name_en, *_SUMS)
        .outerjoin(District, District.id == DailyRollup.district_id)
        .where(mine)
        .group_by(DailyRollup.district_id, District.name_zh, District.name_en)
    )
    rows = [
        Breakdown(str(district_id), int(n), int(grams), int(bonus), zh or "", en or "")
        for district_id, zh, en, n, grams, bonus in session.execute(query)
    ]
    return sorted(rows, key=lambda b: (-b.grams, b.key))


def leaderboard(*, session: Session, campaign_id: int, limit: int = LEADERBOARD_SIZE) -> list[Leader]:
    """Top residents by CO2e avoided in the campaign; only those who opted in are named."""
    grams = func.sum(Activity.grams)
    query = (
        select(Activity.resident_id, grams, func.count(Activity.id))
        .where(Activity.campaign_id == campaign_id, Activity.status == "credited")
        .group_by(Activity.resident_id)
        .order_by(grams.desc(), Activity.resident_id)
        .limit(limit)
    )
    rows = session.execute(query).all()
    people = {
        r.id: r
        for r in session.execute(select(Resident).where(Resident.id.in_([row[0] for row in rows]))).scalars()
    }
    leaders = []
    for rank, (resident_id, total, count) in enumerate(rows, start=1):
        person = people[resident_id]
        name = person.display_name if person.leaderboard_opt_in else None
        leaders.append(Leader(rank, name, f"{resident_id % 100:02d}", int(total), int(count)))
    return leaders


def privacy(*, session: Session, resident_id: int) -> tuple[bool, bool]:
    """The resident's choices: (shown by name on leaderboards, receives the weekly summary)."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    return resident.leaderboard_opt_in, resident.weekly_summary_opt_in


def set_privacy(
    *, session: Session, resident_id: int, leaderboard_opt_in: bool, weekly_summary_opt_in: bool
) -> None:
    """Record the resident's choices (both off by default: nobody is named without asking), as consent
    records with their history (carbon_credit.residents.set_consent keeps the opt-in columns in step)."""
    if session.get(Resident, resident_id) is None:
        raise NotFound(what="resident", resident_id=resident_id)
    for purpose, granted in (("leaderboard", leaderboard_opt_in), ("weekly_summary", weekly_summary_opt_in)):
        set_consent(
            session=session, resident_id=resident_id, purpose=purpose, granted=bool(granted), channel="web"
        )


def _participants(session: Session, campaign_id: int) -> int:
    query = select(func.count(func.distinct(Activity.resident_id))).where(
        Activity.campaign_id == campaign_id, Activity.status == "credited"
    )
    return int(session.execute(query).scalar_one())


def _series(session: Session, campaign: Campaign, now: datetime) -> list[tuple[date, int, int]]:
    """Every Beijing day from the start to the end (or today, if earlier), zeros included."""
    first = clock.local_day(campaign.starts_at)
    last = clock.local_day(min(campaign.ends_at - timedelta(microseconds=1), max(now, campaign.starts_at)))
    first = max(first, last - timedelta(days=MAX_SERIES_DAYS - 1))
    query = (
        select(DailyRollup.local_day, func.sum(DailyRollup.activities), func.sum(DailyRollup.grams))
        .where(DailyRollup.campaign_id == campaign.id)
        .group_by(DailyRollup.local_day)
    )
    found = {day: (int(count), int(grams)) for day, count, grams in session.execute(query)}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, *found.get(day, (0, 0))) for day in days]
