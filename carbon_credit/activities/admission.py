"""Admission: the one place that decides what a resident's claim earns, for every channel (web, API, chat,
QR, bulk) and for the chat's preview, so that what a resident is shown is what is credited.

For one claim it decides, in this order: the evidence level and the claim window (``claims.check``: a
level the behaviour accepts, a day within the window); the quantified grams and points (``points_for``); the
level's share of them (policy.py: a declared claim earns a share); the review hold (the review rule at the
resident's trust level: a held claim is credited nothing until approved); the caps (caps.py: the behaviour's
daily cap and the level's daily and monthly caps, on the day claimed and the day recorded); the campaign
bonus (the best running campaign's, within its budget). When less than the quantified points is credited,
``Admission.note`` says why (``review_*``, ``daily_cap:<cap>``, ``monthly_cap:<cap>`` or
``declared_share:<percent>``). Admission reads and never writes: recording (``recording.py``) stores and
credits its decision under the account lock; :func:`preview` shows it without a lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from carbon_credit import campaigns
from carbon_credit.activities import caps, claims, policy, trust
from carbon_credit.activities.accounts import districts_of
from carbon_credit.activities.claims import ActivityInput, Claim
from carbon_credit.activities.review_rule import review_reason
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings
from quantification import Result

PREVIEW_KEY = "preview"  # a preview is never stored: any valid key will do


@dataclass(frozen=True, slots=True)
class Admission:
    """What a claim is worth and what it will be credited: ``points`` now (0 while held for review) and
    ``bonus_points`` from campaign ``campaign_id``. Why ``points`` is less than ``points_quantified``: the
    evidence level's ``share`` (percent), the ``review`` hold, the cap (``cap_note``)."""

    behaviour: str
    result: Result
    occurred_at: datetime
    local_day: date
    points_quantified: int
    points: int
    review: str | None = None  # the review rule's reason: held until an administrator approves
    cap_note: str | None = None  # ``daily_cap:<cap>`` or ``monthly_cap:<cap>``: the cap that cut ``points``
    campaign_id: int | None = None
    bonus_points: int = 0
    evidence: str = policy.DECLARED
    share: int = 100  # percent of the quantified points the evidence level earns
    details: Mapping[str, Any] | None = None  # facts admission adds to the activity (the tree-year)

    @property
    def status(self) -> str:
        """``pending`` (held for review) or ``credited``."""
        return "pending" if self.review else "credited"

    @property
    def earned(self) -> int:
        """The evidence level's share of the quantified points, before any cap."""
        return self.points_quantified * self.share // 100

    @property
    def cap(self) -> int:
        """The cap that cut ``points`` (0: not cut)."""
        return int(self.cap_note.split(":", 1)[1]) if self.cap_note else 0

    @property
    def note(self) -> str | None:
        """Why less than the quantified points is credited now (stored as the activity's ``note``)."""
        shared = f"declared_share:{self.share}" if self.share < 100 else None
        return self.review or self.cap_note or shared

    @property
    def capped_points(self) -> int:
        """The points a cap keeps back (0 when not capped)."""
        return self.earned - self.points if self.cap_note else 0

    @property
    def total(self) -> int:
        """Everything credited now: the points and the campaign bonus."""
        return self.points + self.bonus_points


def points_for(grams: int, settings: Settings) -> int:
    """Grams CO2e -> points (default 1 point = 1 g). Rounded down: the platform never invents a point."""
    return grams * settings.points_per_gram_num // settings.points_per_gram_den


def preview(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    behaviour: str,
    inputs: Mapping[str, Any],
    channel: str = "bot",
    now: datetime | None = None,
) -> Admission:
    """What recording this claim now would credit, read only (no lock, nothing written): the chat shows it
    before the resident confirms, and confirming records through the same :func:`admit`."""
    item = ActivityInput(resident_id, behaviour, inputs, channel, PREVIEW_KEY)
    district = districts_of(session=session, resident_ids=[resident_id]).get(resident_id)
    return admit(session=session, settings=settings, item=item, district_id=district, now=now)


def admit(
    *,
    session: Session,
    settings: Settings,
    item: ActivityInput,
    district_id: int | None,
    now: datetime | None = None,
) -> Admission:
    """Decide one claim (see the module docstring); InvalidActivity for a claim that cannot be recorded."""
    now = now or clock.now()
    claim = claims.check(item, settings, now)
    standing = caps.standing(
        session=session,
        resident_id=item.resident_id,
        behaviour=item.behaviour,
        day=claim.local_day,
        evidence=claim.evidence,
        now=now,
        own_claim=item.channel not in policy.EVIDENCE_CHANNELS,
    )
    return decide(
        session=session, settings=settings, item=item, claim=claim, standing=standing, district_id=district_id
    )


def decide(
    *,
    session: Session,
    settings: Settings,
    item: ActivityInput,
    claim: Claim,
    standing: caps.Standing,
    district_id: int | None,
) -> Admission:
    """:func:`admit`'s decision for a claim already checked, on the standing already read (recording reads
    it in the statement of its idempotency check, ``caps.standing_sql``)."""
    decided = _decide(item, claim, settings, standing)
    return _priced(session, [decided], [district_id])[0]


def approved(*, session: Session, settings: Settings, activity: Any) -> tuple[int, str | None]:
    """(points, note) for a held activity an administrator approves: its evidence level's share, cut by the
    caps as admission counts them: the day it was claimed for and, for a resident's own claim, the day it was
    recorded (so approving backdated claims cannot multiply a cap either)."""
    level = policy.policy_for(activity.behaviour).level(activity.evidence)
    standing = caps.standing(
        session=session,
        resident_id=activity.resident_id,
        behaviour=activity.behaviour,
        day=activity.local_day,
        evidence=activity.evidence,
        now=activity.created_at,  # the recorded day's credits; trust levels are not asked for here
        own_claim=activity.channel not in policy.EVIDENCE_CHANNELS,
    )
    earned = policy.shared(activity.points_quantified, level)
    points, cap_note = caps.limit(earned, standing, activity.behaviour, level, settings)
    return points, cap_note or (f"declared_share:{level.percent}" if level.percent < 100 else None)


def admit_many(
    *,
    session: Session,
    settings: Settings,
    claimed: Sequence[tuple[ActivityInput, Claim]],
    districts: Mapping[int, int | None],
    now: datetime,
) -> list[Admission]:
    """The bulk path's admission (evidence channels: operator imports): the decisions of :func:`admit` for
    claims already checked, with one query each for trust levels, the claimed days' credits and campaigns; a
    cap counts the batch's earlier claims too. A level's own caps count every level's credits of the day."""
    held = {i.resident_id for i, _ in claimed if i.behaviour in trust.BEHAVIOURS_WITH_THRESHOLDS}
    levels = trust.levels_for(session=session, resident_ids=held, now=now) if held else {}
    groups = [(i.resident_id, i.behaviour, c.local_day) for i, c in claimed]
    totals = caps.credited_totals(session=session, groups=groups, settings=settings)
    decided = []
    for (item, claim), group in zip(claimed, groups, strict=True):
        already = totals[group]
        standing = caps.Standing(levels.get(item.resident_id, trust.NORMAL), already, already)
        decided.append(_decide(item, claim, settings, standing))
        totals[group] += decided[-1].points
    return _priced(session, decided, [districts.get(i.resident_id) for i, _ in claimed])


def _decide(item: ActivityInput, claim: Claim, settings: Settings, standing: caps.Standing) -> Admission:
    """Worth, the level's share, review hold and caps: the rules that need no campaign."""
    worth = points_for(claim.result.grams, settings)
    level = policy.policy_for(item.behaviour).level(claim.evidence)
    review = review_reason(
        settings=settings,
        behaviour=item.behaviour,
        inputs=claim.result.inputs,
        has_photo=bool(item.photo),
        trust=standing.trust,
    )
    earned = policy.shared(worth, level)
    points, cap_note = (0, None) if review else caps.limit(earned, standing, item.behaviour, level, settings)
    return Admission(
        item.behaviour,
        claim.result,
        claim.occurred_at,
        claim.local_day,
        worth,
        points,
        review,
        cap_note,
        evidence=claim.evidence,
        share=level.percent,
        details=claim.details,
    )


def _priced(session: Session, decided: list[Admission], districts: list[int | None]) -> list[Admission]:
    """The campaign bonus each decision is offered (``campaigns.offer``: one query for all of them)."""
    facts = [
        {"behaviour": a.behaviour, "occurred_at": a.occurred_at, "district_id": d or 0, "points": a.points}
        for a, d in zip(decided, districts, strict=True)
    ]
    campaigns.offer(session=session, facts=facts)
    return [
        replace(a, campaign_id=f["campaign_id"], bonus_points=f["bonus_points"]) if f["campaign_id"] else a
        for a, f in zip(decided, facts, strict=True)
    ]
