"""A resident's claim as every channel hands it in, and the checks that make it a quantified claim: a known
behaviour and channel, the methodology's refusal as InvalidActivity, and the claim window (not in the
future, not older than ``settings.claim_window_days``). Days are Beijing calendar days (platform.clock)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

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
    """A checked claim: its quantification, when it happened and the Beijing day it counts on."""

    result: Result
    occurred_at: datetime
    local_day: date


def local_day(moment: datetime, settings: Settings | None = None) -> date:
    """The Beijing calendar day that caps and statistics count ``moment`` on (:func:`clock.local_day`).
    ``settings`` is accepted for the callers that pass it: every day of the platform is a Beijing day."""
    return clock.local_day(moment)


def check(
    item: ActivityInput, settings: Settings, now: datetime, memo: dict[tuple, Result] | None = None
) -> Claim:
    """Quantify the claim and check its date; InvalidActivity names the first problem. ``memo`` shares the
    (pure) quantification of identical inputs across a batch."""
    result = _quantified(item, memo) if memo is not None else quantified(item)
    moment = _occurred_at(item, settings, now)
    return Claim(result, moment, local_day(moment))


def quantified(item: ActivityInput) -> Result:
    """The claim's quantification: a resident behaviour, a known channel, inputs the methodology accepts."""
    if item.behaviour not in RESIDENT_BEHAVIOURS:
        raise InvalidActivity("unknown_behaviour", value=item.behaviour)
    if item.channel not in CHANNELS:
        raise InvalidActivity("unexpected_input", name="channel", value=item.channel)
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


def _occurred_at(item: ActivityInput, settings: Settings, now: datetime) -> datetime:
    """When it happened: not in the future (a few minutes of clock skew allowed) and not older than the claim
    window (Beijing MaaS: credits must be claimed within 7 days; tree planting: within a year)."""
    moment = item.occurred_at or now
    if moment.tzinfo is None:
        raise InvalidActivity("unexpected_input", name="occurred_at", value="no time zone")
    if moment > now + CLOCK_SKEW:
        raise InvalidActivity("occurred_in_future")
    days = settings.claim_window_days.get(item.behaviour, settings.claim_window_days["default"])
    if moment < now - timedelta(days=days):
        raise InvalidActivity("occurred_too_long_ago", days=days)
    return moment
