"""Walking: grams = steps × grams per step (a whole number of steps, bounded per entry)."""

from __future__ import annotations

from collections.abc import Mapping

from ..inputs import amount, reject_unexpected, require
from ..registry import Registry
from ..types import Result
from ..units import canonical, display, to_grams

BEHAVIOUR = "walking"
METHODOLOGY_ID = "walking-steps"
ACCEPTED = ("steps",)


def quantify(registry: Registry, inputs: Mapping[str, object], version: str | None) -> Result:
    """Steps × factor, rounded once to whole grams."""
    reject_unexpected(inputs, ACCEPTED, BEHAVIOUR)
    methodology = registry.get(METHODOLOGY_ID, version)
    steps = amount(
        require(inputs, "steps"), "steps", unit="steps", limit=methodology.bound("steps"), whole=True
    )
    factor = methodology.factor("per_step")
    total = steps * factor.value
    grams = to_grams(total)
    formula = (
        f"{canonical(steps)} steps × {canonical(factor.value)} {factor.unit} = {display(total)} g → {grams} g"
    )
    return Result(
        BEHAVIOUR, grams, methodology.id, methodology.version, (factor,), {"steps": int(steps)}, formula
    )
