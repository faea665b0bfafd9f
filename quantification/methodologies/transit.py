"""Green travel (transit, shared bike, new-energy car): ER = Σ_k distance_k × ΔEF_k over a trip's legs.

Inputs: either ``mode`` + ``km`` (one leg) or ``legs`` = a list of ``{"mode": ..., "km": ...}`` (or the text
"bus:5,metro:12"). Modes and aliases come from the data file; each leg is bounded per mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ..errors import QuantificationError
from ..inputs import amount, find_choice, reject_unexpected, require, unknown_choice
from ..registry import Registry
from ..types import Choice, Factor, Methodology, Result
from ..units import canonical, display, to_grams

BEHAVIOUR = "transit"
METHODOLOGY_ID = "green-travel"
ACCEPTED = ("mode", "km", "legs")
LEG_KEYS = ("mode", "km")


def quantify(registry: Registry, inputs: Mapping[str, object], version: str | None) -> Result:
    """Sum distance × factor over the legs, then round once to whole grams."""
    reject_unexpected(inputs, ACCEPTED, BEHAVIOUR)
    methodology = registry.get(METHODOLOGY_ID, version)
    raw_legs = _raw_legs(inputs)
    limit = methodology.bound("legs")
    if len(raw_legs) > limit:
        raise QuantificationError("too_many_legs", name="legs", count=len(raw_legs), limit=int(limit))
    numbered = len(raw_legs) > 1 or "legs" in inputs
    legs = [_leg(methodology, raw, i + 1 if numbered else None) for i, raw in enumerate(raw_legs)]
    parts = [km * factor.value for _, km, factor in legs]
    total = sum(parts, Decimal(0))
    grams = to_grams(total)
    factors = tuple({factor.key: factor for _, _, factor in legs}.values())
    return Result(
        BEHAVIOUR,
        grams,
        methodology.id,
        methodology.version,
        factors,
        {"legs": [{"mode": mode, "km": canonical(km)} for mode, km, _ in legs]},
        _formula(legs, parts, total, grams),
    )


def choices(registry: Registry) -> tuple[Choice, ...]:
    """The transport modes of the latest methodology version, with zh/en labels."""
    return tuple(registry.get(METHODOLOGY_ID).choices.values())


def _raw_legs(inputs: Mapping[str, object]) -> list[object]:
    if "legs" not in inputs:
        return [{"mode": require(inputs, "mode"), "km": require(inputs, "km")}]
    for name in LEG_KEYS:
        if name in inputs:
            raise QuantificationError(
                "unexpected_input", name=name, behaviour=BEHAVIOUR, accepted="legs (or mode and km, not both)"
            )
    legs = inputs["legs"]
    if isinstance(legs, str):
        legs = [_parse_leg_text(part, i + 1) for i, part in enumerate(legs.split(",")) if part.strip()]
    if not isinstance(legs, list | tuple):
        raise QuantificationError("invalid_leg", name="legs", value=str(legs))
    if not legs:
        raise QuantificationError("missing_input", name="legs")
    return list(legs)


def _parse_leg_text(text: str, leg: int) -> dict[str, str]:
    mode, sep, km = text.partition(":")
    if not sep:
        raise QuantificationError("invalid_leg", name="legs", value=text.strip(), leg=leg)
    return {"mode": mode.strip(), "km": km.strip()}


def _leg(methodology: Methodology, raw: object, leg: int | None) -> tuple[str, Decimal, Factor]:
    if not isinstance(raw, Mapping):
        raise QuantificationError("invalid_leg", name="legs", value=str(raw), leg=leg)
    for name in raw:
        if name not in LEG_KEYS:
            raise QuantificationError(
                "unexpected_input", name=str(name), behaviour=BEHAVIOUR, accepted=", ".join(LEG_KEYS), leg=leg
            )
    mode_text = require(raw, "mode", leg=leg)
    choice = find_choice(methodology, mode_text)
    if choice is None:
        raise unknown_choice("unknown_mode", "mode", mode_text, methodology.choices.values(), leg=leg)
    km = amount(
        require(raw, "km", leg=leg), "km", unit="km", limit=methodology.bound(f"{choice.key}_km"), leg=leg
    )
    return choice.key, km, methodology.factor(choice.key)


def _formula(
    legs: list[tuple[str, Decimal, Factor]], parts: list[Decimal], total: Decimal, grams: int
) -> str:
    terms = " + ".join(f"{mode} {canonical(km)} km × {canonical(f.value)} {f.unit}" for mode, km, f in legs)
    steps = [terms]
    if len(parts) > 1:
        steps.append(" + ".join(f"{display(p)} g" for p in parts))
    steps.append(f"{display(total)} g")
    return " = ".join(steps) + f" → {grams} g"
