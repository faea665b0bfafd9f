"""An activity in plain words, worked out from what is stored with it (behaviour, inputs, details, methodology
id and version, factor values, grams and points): the one sentence that leads its page ("2026-12-06 08:15
乘公交车 8.5 公里 → 减排 229 克 CO2e = 229 积分"), each factor in words with its source and year, and the
inputs formatted for the technical details (``explain_facts``). The words are messages
(``platform/messages/trail.py``, ``sources.py``, ``units.py``), in Chinese or English."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from carbon_credit.activities.explain_facts import Fact, facts, number, ride, tree_year
from carbon_credit.activities.models import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.i18n import MESSAGES, co2_text, normalise_locale, translate
from quantification import Methodology, Source, get_methodology

# A factor's unit -> how its figure is said (``trail.factor.<words>``).
UNIT_WORDS = {
    "g CO2/pkm": "per_passenger_km",
    "g CO2e/pkm": "per_passenger_km",
    "g CO2/km": "per_km",
    "g CO2e/km": "per_km",
    "g CO2/step": "per_step",
    "kg CO2/tree/yr": "per_tree_year",
    "kg CO2/kWh": "per_kwh",
    "MTCO2E/short ton": "per_short_ton",
    "kg CO2/kg": "per_kg",
    "kg CO2e/kg": "per_kg",
}
DATA_YEAR = re.compile(r"^(?P<scope>.+)_(?P<year>\d{4})$")  # electricity factor keys: <scope>_<year>
DERIVED_SUFFIX = "_per_kg"  # a recycling factor worked out from a published one


@dataclass(frozen=True, slots=True)
class FactorWords:
    """One factor: in words (``text``) and its source in words with the year (``source``), plus what the
    technical details show (key, value, unit, status tag and its words, the source's link and note)."""

    key: str
    text: str
    source: str
    value: str
    unit: str
    status: str
    status_text: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """An activity in words: ``sentence`` = when + what + result; its factors; its inputs and facts."""

    sentence: str
    when: str
    what: str
    result: str
    factors: tuple[FactorWords, ...]
    facts: tuple[Fact, ...]


def explain(
    activity: Activity,
    locale: str | None = None,
    *,
    stop_names: Mapping[int, str] | None = None,
    stops_passed: int | None = None,
) -> Explanation:
    """The activity in words in ``locale``. A trip's stops are the transit feature's: the caller may pass
    their names by id (``stop_names``) and how many stops the trip passed (``stops_passed``)."""
    locale = normalise_locale(locale)
    methodology = get_methodology(activity.methodology_id, activity.methodology_version)
    when = _when(activity)
    what = what_was_done(activity, locale, methodology, stop_names or {}, stops_passed)
    result = result_words(activity, locale)
    return Explanation(
        sentence=translate("trail.sentence", locale, when=when, what=what, result=result),
        when=when,
        what=what,
        result=result,
        factors=tuple(factor_words(activity, locale, methodology)),
        facts=facts(activity, locale, methodology, stop_names or {}),
    )


def _when(activity: Activity) -> str:
    """Beijing time; a tree planting only has a day (its time is the planting day's noon)."""
    if activity.behaviour == "tree_planting":
        return clock.local_day(activity.occurred_at).isoformat()
    return clock.local_text(activity.occurred_at)


def what_was_done(
    activity: Activity,
    locale: str,
    methodology: Methodology,
    stop_names: Mapping[int, str],
    stops_passed: int | None = None,
) -> str:
    """What the resident did, in a few words: "乘公交车 8.5 公里", "8000 steps walked"..."""
    inputs, behaviour = activity.inputs, activity.behaviour
    if behaviour == "transit":
        return _trip(activity, locale, methodology, stop_names, stops_passed)
    if behaviour == "walking":
        return translate("trail.what.walking", locale, steps=number(inputs.get("steps")))
    if behaviour == "recycling":
        material = _label(methodology, inputs.get("material"), locale, lower=True)
        return translate("trail.what.recycling", locale, material=material, kg=number(inputs.get("kg")))
    if behaviour == "tree_planting":
        return _trees(activity, locale)
    if behaviour == "electricity":
        scope = _label(methodology, inputs.get("scope"), locale)
        kwh = number(inputs.get("kwh"))
        return translate("trail.what.electricity", locale, kwh=kwh, scope=scope, year=inputs.get("year"))
    return translate(f"behaviour.{behaviour}", locale)


def _trip(activity, locale, methodology, stop_names, stops_passed) -> str:
    inputs = activity.inputs
    legs = inputs.get("legs") or [{"mode": inputs.get("mode"), "km": inputs.get("km")}]
    parts = [
        translate(
            "trail.what.leg",
            locale,
            ride=ride(methodology, leg.get("mode"), locale),
            km=_about_km(leg.get("km")),
        )
        for leg in legs
    ]
    text = translate("trail.what.then", locale).join(parts)
    if len(legs) > 1:
        total = sum((_decimal(leg.get("km")) for leg in legs), Decimal(0))
        text += translate("trail.what.total", locale, km=_about_km(total))
    details = activity.details or {}
    start, end = stop_names.get(details.get("from_stop_id")), stop_names.get(details.get("to_stop_id"))
    if start and end:
        text += translate("trail.what.from_to", locale, start=start, end=end)
    if stops_passed:
        text += translate("trail.what.stops", locale, count=stops_passed)
    return text


def _trees(activity: Activity, locale: str) -> str:
    trees = int(activity.inputs.get("trees", 0))
    years = int(activity.inputs.get("years", 1))
    year = tree_year(activity)
    if years > 1:
        return translate("trail.what.tree_years", locale, trees=trees, years=years)
    if year > 1:
        return translate("trail.what.tree_year", locale, trees=trees, year=year)
    return translate("trail.what.tree" if trees == 1 else "trail.what.trees", locale, trees=trees)


def result_words(activity: Activity, locale: str) -> str:
    """What it avoided and earned: "→ 减排 229 克 CO2e = 229 积分", pending, rejected, capped, bonus."""
    co2 = co2_text(activity.grams, locale)
    if activity.status == "pending":
        return translate("trail.result.pending", locale, co2=co2, points=activity.points_quantified)
    if activity.status == "rejected":
        return translate("trail.result.rejected", locale, co2=co2)
    full = activity.points == activity.points_quantified
    text = translate(f"trail.result.{'full' if full else 'partial'}", locale, co2=co2, points=activity.points)
    if activity.bonus_points:
        text += translate("trail.result.bonus", locale, bonus=activity.bonus_points)
    return text


def factor_words(
    activity: Activity, locale: str, methodology: Methodology | None = None
) -> list[FactorWords]:
    """Each stored factor in words, with its source and year, in the order the activity stored them."""
    methodology = methodology or get_methodology(activity.methodology_id, activity.methodology_version)
    return [_factor(stored, locale, methodology) for stored in activity.factors]


def _factor(stored: Mapping[str, Any], locale: str, methodology: Methodology) -> FactorWords:
    key, unit, status = stored["key"], stored["unit"], stored.get("status", "")
    published = methodology.factors.get(key) or methodology.factors.get(key.removesuffix(DERIVED_SUFFIX))
    source = published.source if published is not None else methodology.source
    dated = DATA_YEAR.match(key)
    words = UNIT_WORDS.get(unit, "other")
    text = translate(
        f"trail.factor.{words}",
        locale,
        subject=_subject(methodology, key, locale),
        value=_figure(stored["value"], locale, absolute=words == "per_short_ton"),
        gas="CO2e" if "CO2E" in unit.upper() else "CO2",
        unit=unit,
        year=dated.group("year") if dated else "",
    )
    if status == "D":
        text += translate("trail.factor.derived", locale)
    if published is not None and published.to_confirm:
        text += translate("trail.factor.to_confirm", locale)
    data_year = int(dated.group("year")) if dated and methodology.behaviour == "electricity" else None
    return FactorWords(
        key=key,
        text=text,
        source=source_words(source, locale, data_year),
        value=str(stored["value"]),
        unit=unit,
        status=status,
        status_text=translate(f"trail.status.{status}", locale)
        if f"trail.status.{status}" in MESSAGES
        else "",
        url=source.url,
        note=source.note,
    )


def _subject(methodology: Methodology, key: str, locale: str) -> str:
    """Who or what the factor is about: the travel mode, the material, the grid and its year..."""
    base = key.removesuffix(DERIVED_SUFFIX)
    dated = DATA_YEAR.match(base)
    if base not in methodology.choices and dated:
        base = dated.group("scope")
    if methodology.behaviour == "transit" and f"trail.ride.{base}" in MESSAGES:
        said = translate(f"trail.ride.{base}", locale)
        return said[:1].upper() + said[1:]
    if base in methodology.choices:
        return _label(methodology, base, locale)
    return methodology.title_en if locale == "en" else methodology.title_zh


def source_words(source: Source, locale: str, data_year: int | None = None) -> str:
    """ "来源：生态环境部、国家统计局，《电力二氧化碳排放因子》，2023 年数据" (the year the figures are for),
    else the year of publication when known."""
    text = translate(
        "trail.source", locale, issuer=_said(source.issuer, locale), document=_said(source.document, locale)
    )
    if data_year is not None:
        return text + translate("trail.source.data_year", locale, year=data_year)
    if source.year is not None:
        return text + translate("trail.source.year", locale, year=source.year)
    return text


def _said(text: str, locale: str) -> str:
    """A source's issuer or document in ``locale`` (``sources.py``), else as the data file has it."""
    entry = MESSAGES.get(f"source.{text}")
    return entry[locale] if entry else text


def _label(methodology: Methodology, key: object, locale: str, *, lower: bool = False) -> str:
    choice = methodology.choices.get(str(key))
    if choice is None:
        return str(key)
    if locale != "en":
        return choice.label_zh
    label = choice.label_en
    return label[:1].lower() + label[1:] if lower and label[1:2].islower() else label


def _figure(value: object, locale: str, *, absolute: bool = False) -> str:
    """A factor's value as people read it: exact when short ("26.9"), else about two decimals."""
    figure = _decimal(value)
    figure = abs(figure) if absolute else figure
    exponent = figure.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -4:
        return number(figure)
    places = Decimal("0.01") if abs(figure) >= 1 else Decimal("0.0001")
    return translate("trail.about", locale, value=number(figure.quantize(places, ROUND_HALF_UP)))


def _about_km(value: object) -> str:
    """A distance as people say it, to 0.1 km ("2.72" -> "2.7"); the technical details keep it exact."""
    km = _decimal(value)
    rounded = km.quantize(Decimal("0.1"), ROUND_HALF_UP)
    return number(rounded if rounded else km)


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
