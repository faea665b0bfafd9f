"""An activity's inputs and the facts kept with it (or a refused trip's evidence: ``facts_in_words``), each
as a label and a value in words with its unit ("距离: 8.5 公里", "上车时间: 2026-12-06 08:15"), a trip's
legs as a list, never a Python repr: the one formatter of stored figures for residents and staff. Labels
are the ``trail.input.*`` messages; a fact without one keeps its name and, like an id, is ``technical``
(for auditors: a page shows it only in its collapsed technical details)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from carbon_credit.activities.models import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.i18n import MESSAGES, normalise_locale, translate
from quantification import Methodology

# Inputs and facts with a unit: name -> the unit message (``unit.<unit>``).
UNITS = {
    "km": "km",
    "kg": "kg",
    "kwh": "kWh",
    "steps": "steps",
    "trees": "trees",
    "years": "years",
    "m3": "m³",
}
CHOSEN = ("material", "scope")  # inputs naming one of the methodology's choices
STOPS = ("from_stop_id", "to_stop_id")
IDS = ("tap_in_id", "card", "row")  # identifiers: labelled, but technical
MOMENTS = ("boarded_at", "last_scan_at")  # ISO times, said as Beijing time


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact: a label and its value, or (a trip's legs) a list of items; ``technical`` when it has no
    words for people (an id, a code, a raw parameter)."""

    name: str
    label: str
    value: str
    items: tuple[str, ...] = ()
    technical: bool = False


def facts(
    activity: Activity, locale: str, methodology: Methodology, stop_names: Mapping[int, str]
) -> tuple[Fact, ...]:
    """The activity's inputs, then the facts kept with it (details), each in words."""
    inputs = facts_in_words(activity.inputs, locale, methodology=methodology, stop_names=stop_names)
    details = facts_in_words(activity.details, locale, methodology=methodology, stop_names=stop_names)
    return inputs + details


def facts_in_words(
    values: Mapping[str, Any] | None,
    locale: str | None = None,
    *,
    methodology: Methodology | None = None,
    stop_names: Mapping[int, str] | None = None,
) -> tuple[Fact, ...]:
    """Stored values (an activity's inputs or details, a refused trip's evidence) as facts in words, in
    their order; empty values left out. Without ``methodology`` a choice keeps its key, a mode its words."""
    locale, names = normalise_locale(locale), stop_names or {}
    return tuple(
        _fact(name, value, locale, methodology, names)
        for name, value in (values or {}).items()
        if value not in (None, "", [], {})
    )


def _fact(
    name: str, value: Any, locale: str, methodology: Methodology | None, stop_names: Mapping[int, str]
) -> Fact:
    labelled = f"trail.input.{name}" in MESSAGES
    label = translate(f"trail.input.{name}", locale) if labelled else name
    if name == "legs" and isinstance(value, list):
        items = tuple(_leg(n, leg, locale, methodology) for n, leg in enumerate(value, start=1))
        return Fact(name, label, "", items)
    technical = not labelled or name in IDS or (name in STOPS and not stop_names.get(value))
    return Fact(name, label, _value(name, value, locale, methodology, stop_names), technical=technical)


def _leg(n: int, leg: Any, locale: str, methodology: Methodology | None) -> str:
    if not isinstance(leg, Mapping):
        return plain(leg)
    return translate(
        "trail.value.leg",
        locale,
        n=n,
        ride=ride(methodology, leg.get("mode"), locale),
        km=number(leg.get("km")),
    )


def _value(
    name: str, value: Any, locale: str, methodology: Methodology | None, stop_names: Mapping[int, str]
) -> str:
    if name in UNITS:
        figure, unit = number(value), translate(f"unit.{UNITS[name]}", locale)
        return f"{figure} {unit.removesuffix('s') if figure == '1' and locale == 'en' else unit}"
    if name == "metres":
        return f"{number(Decimal(str(value)) / 1000)} {translate('unit.km', locale)}"
    if name == "elapsed_s":
        return minutes(value, locale)
    if name == "mode":
        return ride(methodology, value, locale)
    if name in CHOSEN:
        return _choice(methodology, value, locale)
    if name in STOPS and stop_names.get(value):
        return translate("trail.value.stop", locale, name=stop_names[value], id=value)
    if name == "basis" and f"trail.basis.{value}" in MESSAGES:
        return translate(f"trail.basis.{value}", locale)
    if name == "species" and f"species.{value}" in MESSAGES:
        return translate(f"species.{value}", locale)
    if name in MOMENTS:
        return _moment(value)
    return plain(value)


def minutes(seconds: Any, locale: str) -> str:
    """A duration in whole minutes ("25 分钟"), or "不到 1 分钟" / "less than a minute"."""
    try:
        figure = Decimal(str(seconds))
    except InvalidOperation:
        return plain(seconds)
    if not figure.is_finite():
        return plain(seconds)
    if figure < 60:
        return translate("trail.value.under_a_minute", locale)
    return translate("trail.value.minutes", locale, minutes=(figure / 60).quantize(1, ROUND_HALF_UP))


def _choice(methodology: Methodology | None, key: Any, locale: str) -> str:
    """The label of one of the methodology's choices in ``locale``, else the key."""
    choice = methodology.choices.get(str(key)) if methodology is not None else None
    if choice is None:
        return plain(key)
    return choice.label_en if locale == "en" else choice.label_zh


def _moment(value: Any) -> str:
    """An ISO time kept in the details, as Beijing time for people."""
    try:
        return clock.local_text(datetime.fromisoformat(str(value)))
    except ValueError:
        return plain(value)


def plain(value: Any) -> str:
    """Any other stored value as text: a mapping as "name: value; ...", a list as "a, b"."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    return "" if value is None else str(value)


def ride(methodology: Methodology | None, mode: Any, locale: str) -> str:
    """How a leg was travelled: "乘公交车" / "by bus", else the mode's label, else the mode."""
    if f"trail.ride.{mode}" in MESSAGES:
        return translate(f"trail.ride.{mode}", locale)
    return _choice(methodology, mode, locale)


def number(value: Any) -> str:
    """A stored number as people write it: "8.5", "8000", "0.02" (no exponent, no trailing zeros)."""
    try:
        figure = Decimal(str(value))
    except InvalidOperation:
        return plain(value)
    if not figure.is_finite():
        return str(value)
    text = format(figure.normalize(), "f")
    return text


def tree_year(activity: Activity) -> int:
    """The year of the planting a tree-planting activity credits (1: the planting itself)."""
    return int((activity.details or {}).get("tree_year", 1))
