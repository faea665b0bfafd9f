"""Electricity saved: kWh × grid emission factor of a scope (national, grid region, province) and year.

Factor keys in the data file are ``<scope>_<year>``; without a year the latest one published for the scope
is used, and the result's inputs record it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import QuantificationError
from ..inputs import amount, find_choice, optional, reject_unexpected, require, unknown_choice
from ..registry import Registry
from ..types import Choice, Methodology, Result
from ..units import GRAMS_PER_KG, canonical, display, to_decimal, to_grams

BEHAVIOUR = "electricity"
METHODOLOGY_ID = "mee-grid-factor"
ACCEPTED = ("kwh", "scope", "year")


def quantify(registry: Registry, inputs: Mapping[str, object], version: str | None) -> Result:
    """kWh × kg CO2/kWh × 1000 g/kg, rounded once to whole grams."""
    reject_unexpected(inputs, ACCEPTED, BEHAVIOUR)
    methodology = registry.get(METHODOLOGY_ID, version)
    kwh = amount(require(inputs, "kwh"), "kwh", unit="kWh", limit=methodology.bound("kwh"))
    scope_text = require(inputs, "scope")
    choice = find_choice(methodology, scope_text)
    if choice is None:
        raise unknown_choice("unknown_scope", "scope", scope_text, methodology.choices.values())
    year = _year(methodology, choice.key, optional(inputs, "year"))
    factor = methodology.factor(f"{choice.key}_{year}")
    total = kwh * factor.value * GRAMS_PER_KG
    grams = to_grams(total)
    formula = (
        f"{canonical(kwh)} kWh × {canonical(factor.value)} {factor.unit} ({choice.key}, {year}) "
        f"× 1000 g/kg = {display(total)} g → {grams} g"
    )
    return Result(
        BEHAVIOUR,
        grams,
        methodology.id,
        methodology.version,
        (factor,),
        {"kwh": canonical(kwh), "scope": choice.key, "year": year},
        formula,
    )


def years(methodology: Methodology, scope: str) -> tuple[int, ...]:
    """The years with a published factor for ``scope``, oldest first."""
    found = []
    for key in methodology.factors:
        prefix, _, year = key.rpartition("_")
        if prefix == scope and year.isdigit():
            found.append(int(year))
    return tuple(sorted(found))


def choices(registry: Registry) -> tuple[Choice, ...]:
    """The grid scopes of the latest methodology version, with zh/en labels."""
    return tuple(registry.get(METHODOLOGY_ID).choices.values())


def _year(methodology: Methodology, scope: str, value: object) -> int:
    available = years(methodology, scope)
    if value is None:
        if not available:
            raise QuantificationError(
                "unknown_year", name="year", value="any year", scope=scope, available="none"
            )
        return available[-1]
    number = to_decimal(value, "year")
    if number != number.to_integral_value():
        raise QuantificationError("not_whole", name="year", value=canonical(number))
    if int(number) not in available:
        raise QuantificationError(
            "unknown_year",
            name="year",
            value=canonical(number),
            scope=scope,
            available=", ".join(map(str, available)),
        )
    return int(number)
