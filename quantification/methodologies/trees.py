"""Trees: residents' tree planting (per surviving tree per year) and forest stock-volume growth."""

from __future__ import annotations

from collections.abc import Mapping

from ..inputs import amount, optional, reject_unexpected, require
from ..registry import Registry
from ..types import Result
from ..units import GRAMS_PER_KG, GRAMS_PER_TONNE, canonical, display, to_grams

PLANTING = "tree_planting"
PLANTING_ID = "tree-per-tree"
GROWTH = "forest_growth"
GROWTH_ID = "hubei-stock-volume"


def quantify_planting(registry: Registry, inputs: Mapping[str, object], version: str | None) -> Result:
    """Surviving trees × years (default 1) × kg per tree per year × 1000 g/kg, rounded once."""
    reject_unexpected(inputs, ("trees", "years"), PLANTING)
    methodology = registry.get(PLANTING_ID, version)
    trees = amount(
        require(inputs, "trees"), "trees", unit="trees", limit=methodology.bound("trees"), whole=True
    )
    years = amount(
        optional(inputs, "years", 1), "years", unit="years", limit=methodology.bound("years"), whole=True
    )
    factor = methodology.factor("per_tree_per_year")
    total = trees * years * factor.value * GRAMS_PER_KG
    grams = to_grams(total)
    formula = (
        f"{canonical(trees)} trees × {canonical(years)} yr × {canonical(factor.value)} {factor.unit} "
        f"× 1000 g/kg = {display(total)} g → {grams} g"
    )
    return Result(
        PLANTING,
        grams,
        methodology.id,
        methodology.version,
        (factor,),
        {"trees": int(trees), "years": int(years)},
        formula,
    )


def quantify_growth(registry: Registry, inputs: Mapping[str, object], version: str | None) -> Result:
    """Stock-volume growth in m³ × t CO2 per m³ × 1,000,000 g/t, rounded once."""
    reject_unexpected(inputs, ("m3",), GROWTH)
    methodology = registry.get(GROWTH_ID, version)
    m3 = amount(require(inputs, "m3"), "m3", unit="m³", limit=methodology.bound("m3"))
    factor = methodology.factor("co2_per_m3")
    total = m3 * factor.value * GRAMS_PER_TONNE
    grams = to_grams(total)
    formula = (
        f"{canonical(m3)} m³ × {canonical(factor.value)} {factor.unit} × 1000000 g/t "
        f"= {display(total)} g → {grams} g"
    )
    return Result(
        GROWTH, grams, methodology.id, methodology.version, (factor,), {"m3": canonical(m3)}, formula
    )
