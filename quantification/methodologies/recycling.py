"""Household recycling: kg recycled × kg CO2e avoided per kg × 1000 g/kg.

Materials come from several methodologies (``METHODOLOGY_IDS``, first match wins): the US EPA WARM table,
stored as published in MTCO2E per short ton and converted here as |factor| × 1000 / 907.18474, and
per-kg factors such as BIR's used textiles, used as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from ..errors import MethodologyDataError
from ..inputs import amount, find_choice, reject_unexpected, require, unknown_choice
from ..registry import Registry
from ..types import Choice, Factor, Methodology, Result
from ..units import GRAMS_PER_KG, KG_PER_TONNE, SHORT_TON_KG, canonical, display, to_grams

BEHAVIOUR = "recycling"
METHODOLOGY_IDS = ("recycling-warm", "recycling-textiles-bir")
ACCEPTED = ("material", "kg")
WARM_UNIT = "MTCO2E/short ton"
PER_KG_UNITS = ("kg CO2/kg", "kg CO2e/kg")


def quantify(registry: Registry, inputs: Mapping[str, object], version: str | None) -> Result:
    """Per-kg factor (derived for WARM) × kg × 1000 g/kg, rounded once to whole grams."""
    reject_unexpected(inputs, ACCEPTED, BEHAVIOUR)
    material_text = require(inputs, "material")
    methodology, choice = _find(registry, material_text, version)
    kg = amount(require(inputs, "kg"), "kg", unit="kg", limit=methodology.bound("kg"))
    stored = methodology.factor(choice.key)
    factors, per_kg, derivation = _per_kg(methodology, stored)
    total = kg * per_kg.value * GRAMS_PER_KG
    grams = to_grams(total)
    formula = (
        f"{derivation}{canonical(kg)} kg × {display(per_kg.value)} {per_kg.unit} × 1000 g/kg "
        f"= {display(total)} g → {grams} g"
    )
    return Result(
        BEHAVIOUR,
        grams,
        methodology.id,
        methodology.version,
        factors,
        {"material": choice.key, "kg": canonical(kg)},
        formula,
    )


def choices(registry: Registry) -> tuple[Choice, ...]:
    """Every recyclable material of the latest methodology versions, with zh/en labels."""
    return tuple(choice for mid in METHODOLOGY_IDS for choice in registry.get(mid).choices.values())


def _find(registry: Registry, material: object, version: str | None) -> tuple[Methodology, Choice]:
    for mid in METHODOLOGY_IDS:
        if find_choice(registry.get(mid), material) is not None:
            methodology = registry.get(mid, version)
            choice = find_choice(methodology, material)
            if choice is not None:
                return methodology, choice
            break
    raise unknown_choice("unknown_material", "material", material, choices(registry))


def _per_kg(methodology: Methodology, stored: Factor) -> tuple[tuple[Factor, ...], Factor, str]:
    """(factors used, per-kg factor, derivation text) for a stored factor."""
    if stored.unit in PER_KG_UNITS:
        return (stored,), stored, ""
    if stored.unit != WARM_UNIT or stored.value > 0:
        raise MethodologyDataError(
            f"{methodology.id} {methodology.version}: factor {stored.key!r} must be a "
            f"negative {WARM_UNIT} value or a per-kg value, got {stored.value} {stored.unit}"
        )
    value: Decimal = abs(stored.value) * KG_PER_TONNE / SHORT_TON_KG
    text = f"|{canonical(stored.value)}| {stored.unit} × 1000 kg/t ÷ {canonical(SHORT_TON_KG)} kg/short ton"
    source = replace(stored.source, note=f"Derived from the WARM factor: {text}.")
    derived = Factor(f"{stored.key}_per_kg", value, "kg CO2e/kg", "D", stored.to_confirm, source)
    return (stored, derived), derived, f"{text} = {display(value)} kg CO2e/kg; "
