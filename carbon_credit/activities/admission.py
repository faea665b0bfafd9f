"""Admission: the one place that decides what a resident's claim earns, for every channel (web, API, chat,
QR, bulk) and for the chat's preview, so that what a resident is shown is what is credited.

For one claim it decides, in this order: the quantified grams and points (``points_for``); the review hold
(the review rule at the resident's trust level: a held claim is credited nothing until approved); the daily
cap (only what is left of it today); the campaign bonus (the best running campaign's, within its budget).
When less than the quantified points is credited, ``Admission.note`` says why (``review_*`` or
``daily_cap:<cap>``). Admission reads and never writes: recording (``recording.py``) stores and credits its
decision under the account lock; :func:`preview` shows it without a lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from carbon_credit import campaigns
from carbon_credit.activities import caps, claims, trust
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
    ``bonus_points`` from campaign ``campaign_id``; ``review`` and ``cap`` say why ``points`` is less than
    ``points_quantified``."""

    behaviour: str
    result: Result
    occurred_at: datetime
    local_day: date
    points_quantified: int
    points: int
    review: str | None = None  # the review rule's reason: held until an administrator approves
    cap: int = 0  # the daily cap that cut ``points`` (0: not cut)
    campaign_id: int | None = None
    bonus_points: int = 0

    @property
    def status(self) -> str:
        """``pending`` (held for review) or ``credited``."""
        return "pending" if self.review else "credited"

    @property
    def note(self) -> str | None:
        """Why less than the quantified points is credited now (stored as the activity's ``note``)."""
        return self.review or (f"daily_cap:{self.cap}" if self.cap else None)

    @property
    def capped_points(self) -> int:
        """The points the daily cap keeps back (0 when not capped)."""
        return self.points_quantified - self.points if self.cap else 0

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
    level, already = caps.standing(
        session=session, resident_id=item.resident_id, behaviour=item.behaviour, day=claim.local_day, now=now
    )
    decided = _decide(item, claim, settings, level, already)
    return _priced(session, [decided], [district_id])[0]


def admit_many(
    *,
    session: Session,
    settings: Settings,
    claimed: Sequence[tuple[ActivityInput, Claim]],
    districts: Mapping[int, int | None],
    now: datetime,
) -> list[Admission]:
    """The bulk path's admission: the decisions of :func:`admit` for claims already checked, with one query
    each for trust levels, today's credits and campaigns; a cap counts the batch's earlier claims too."""
    held = {i.resident_id for i, _ in claimed if i.behaviour in trust.BEHAVIOURS_WITH_THRESHOLDS}
    levels = trust.levels_for(session=session, resident_ids=held, now=now) if held else {}
    groups = [(i.resident_id, i.behaviour, c.local_day) for i, c in claimed]
    totals = caps.credited_totals(session=session, groups=groups, settings=settings)
    decided = []
    for (item, claim), group in zip(claimed, groups, strict=True):
        level = levels.get(item.resident_id, trust.NORMAL)
        decided.append(_decide(item, claim, settings, level, totals[group]))
        totals[group] += decided[-1].points
    return _priced(session, decided, [districts.get(i.resident_id) for i, _ in claimed])


def _decide(item: ActivityInput, claim: Claim, settings: Settings, level: str, already: int) -> Admission:
    """Worth, review hold and daily cap: the rules that need no campaign."""
    worth = points_for(claim.result.grams, settings)
    review = review_reason(
        settings=settings,
        behaviour=item.behaviour,
        inputs=claim.result.inputs,
        has_photo=bool(item.photo),
        trust=level,
    )
    points, cap = (0, 0) if review else caps.apply_cap(worth, already, item.behaviour, settings)
    return Admission(
        item.behaviour, claim.result, claim.occurred_at, claim.local_day, worth, points, review, cap
    )


def _priced(session: Session, decided: list[Admission], districts: list[int | None]) -> list[Admission]:
    """The campaign bonus each decision is offered (``campaigns.offer``: one query for all of them)."""
    facts = [
        {"behaviour": a.behaviour, "occurred_at": a.occurred_at, "district_id": d or 0, "points": a.points}
        for a, d in zip(decided, districts, strict=True)
    ]
    campaigns.offer(session=session, facts=facts)
    return [
        replace(a, campaign_id=f["campaign_id"] or None, bonus_points=f["bonus_points"])
        for a, f in zip(decided, facts, strict=True)
    ]
