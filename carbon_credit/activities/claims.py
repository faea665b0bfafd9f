"""A resident's claim as every channel hands it in, and the checks that make it a quantified claim: a known
behaviour and channel, an evidence level the behaviour accepts (policy.py: transit only from QR pairs and
imports), the methodology's refusal as InvalidActivity, one tree-year per claim, and the claim window (not in
the future; a resident's own claim for today or the policy's days before, an evidence channel's record within
``settings.claim_window_days``). Days are Beijing calendar days (platform.clock)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from carbon_credit.activities import policy
from carbon_credit.activities.models import CHANNELS
from carbon_credit.platform import clock
from carbon_credit.platform.errors import InvalidActivity
from carbon_credit.platform.settings import Settings
from quantification import QuantificationError, Result, quantify

CLOCK_SKEW = timedelta(minutes=10)
RESIDENT_BEHAVIOURS = ("transit", "walking", "recycling", "tree_planting", "electricity")


@dataclass(frozen=True, slots=True)
class ActivityInput:
    """One activity to record: plain values only, no web or bot objects."""

    resident_id: int
    behaviour: str
    inputs: Mapping[str, Any]
    channel: str
    idempotency_key: str
    occurred_at: datetime | None = None
    photo: str | None = None  # a stored upload's file name (see the review rule)
    details: Mapping[str, Any] | None = None  # facts kept with the activity but not quantified


@dataclass(frozen=True, slots=True)
class Claim:
    """A checked claim: its quantification, when it happened, the Beijing day it counts on, its evidence
    level and facts admission adds to the activity's details (the tree-year claimed)."""

    result: Result
    occurred_at: datetime
    local_day: date
    evidence: str = policy.DECLARED
    details: Mapping[str, Any] | None = None


def local_day(moment: datetime, settings: Settings | None = None) -> date:
    """The Beijing calendar day that caps and statistics count ``moment`` on (:func:`clock.local_day`).
    ``settings`` is accepted for the callers that pass it: every day of the platform is a Beijing day."""
    return clock.local_day(moment)


def check(
    item: ActivityInput, settings: Settings, now: datetime, memo: dict[tuple, Result] | None = None
) -> Claim:
    """Quantify the claim and check its date; InvalidActivity names the first problem. ``memo`` shares the
    (pure) quantification of identical inputs across a batch."""
    evidence = evidence_of(item)
    result = _quantified(item, memo) if memo is not None else quantified(item)
    result, details = _one_tree_year(item, result, evidence)
    moment = _occurred_at(item, settings, now)
    return Claim(result, moment, local_day(moment), evidence, details)


def evidence_of(item: ActivityInput) -> str:
    """The claim's evidence level (``policy.evidence_of``), refused (``EvidenceRequired``) when its behaviour
    does not accept it: a transit trip typed by hand is refused before anything else is checked."""
    _known(item)
    evidence = policy.evidence_of(item.channel, bool(item.photo))
    policy.policy_for(item.behaviour).level(evidence)
    return evidence


def _known(item: ActivityInput) -> None:
    """A resident behaviour on a known channel, else InvalidActivity."""
    if item.behaviour not in RESIDENT_BEHAVIOURS:
        raise InvalidActivity("unknown_behaviour", value=item.behaviour)
    if item.channel not in CHANNELS:
        raise InvalidActivity("unexpected_input", name="channel", value=item.channel)


def quantified(item: ActivityInput) -> Result:
    """The claim's quantification: a resident behaviour, a known channel, inputs the methodology accepts."""
    _known(item)
    try:
        return quantify(item.behaviour, **dict(item.inputs))
    except QuantificationError as error:
        raise InvalidActivity(error.code, **error.params) from error


def _quantified(item: ActivityInput, memo: dict[tuple, Result]) -> Result:
    try:
        memo_key = (item.behaviour, item.channel, frozenset(item.inputs.items()))
    except TypeError:  # nested inputs (multi-leg trips): not memoised
        return quantified(item)
    result = memo.get(memo_key)
    if result is None:
        result = memo[memo_key] = quantified(item)
    return result


def _one_tree_year(item: ActivityInput, result: Result, evidence: str) -> tuple[Result, dict | None]:
    """A resident's tree-planting claim credits one tree-year: ``years`` names the year of the planting
    claimed (1, the default: the planting itself). A later year is credited when its survival is shown, so
    it needs a photo (reviewed); the quantification is always for one year."""
    year = int(result.inputs.get("years", 1)) if item.behaviour == "tree_planting" else 1
    if item.channel in policy.EVIDENCE_CHANNELS or year == 1:
        return result, None
    if evidence != policy.EVIDENCED:
        raise policy.EvidenceRequired("tree_year_needs_photo", year=year)
    one_year = ActivityInput(item.resident_id, item.behaviour, {**item.inputs, "years": 1}, item.channel, "-")
    return quantified(one_year), {"tree_year": year}


def _occurred_at(item: ActivityInput, settings: Settings, now: datetime) -> datetime:
    """When it happened: not in the future (a few minutes of clock skew allowed) and within the claim window:
    a resident's own claim for today or the policy's days before (Beijing days); an evidence channel's record
    within ``settings.claim_window_days`` (Beijing MaaS: credits must be claimed within 7 days)."""
    moment = item.occurred_at or now
    if moment.tzinfo is None:
        raise InvalidActivity("unexpected_input", name="occurred_at", value="no time zone")
    if moment > now + CLOCK_SKEW:
        raise InvalidActivity("occurred_in_future")
    if item.channel in policy.EVIDENCE_CHANNELS:
        days = settings.claim_window_days.get(item.behaviour, settings.claim_window_days["default"])
        if moment < now - timedelta(days=days):
            raise InvalidActivity("occurred_too_long_ago", days=days)
        return moment
    days = policy.policy_for(item.behaviour).window_days
    if local_day(moment) < local_day(now) - timedelta(days=days):
        raise InvalidActivity("claim_window_closed", days=days, earliest=_earliest(now, days))
    return moment


def _earliest(now: datetime, days: int) -> str:
    return (local_day(now) - timedelta(days=days)).isoformat()
