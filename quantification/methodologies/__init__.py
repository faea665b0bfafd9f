"""Behaviour families. Each module turns one behaviour's inputs into a Result with its methodology's data file
(the ``*.toml`` files beside it, loaded by ``quantification.registry``).

``FAMILIES`` maps each behaviour name to its calculator, its menu of choices (if any) and the methodology ids
it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..registry import Registry
from ..types import Choice, Result
from . import afforestation, electricity, recycling, transit, trees, walking

Calculator = Callable[[Registry, Mapping[str, object], "str | None"], Result]


def _no_choices(registry: Registry) -> tuple[Choice, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class Family:
    """One behaviour: ``quantify(registry, inputs, version)``, ``choices(registry)`` and methodology ids."""

    quantify: Calculator
    choices: Callable[[Registry], tuple[Choice, ...]]
    methodology_ids: tuple[str, ...]


FAMILIES: dict[str, Family] = {
    "transit": Family(transit.quantify, transit.choices, (transit.METHODOLOGY_ID,)),
    "walking": Family(walking.quantify, _no_choices, (walking.METHODOLOGY_ID,)),
    "recycling": Family(recycling.quantify, recycling.choices, recycling.METHODOLOGY_IDS),
    "tree_planting": Family(trees.quantify_planting, _no_choices, (trees.PLANTING_ID,)),
    "forest_growth": Family(trees.quantify_growth, _no_choices, (trees.GROWTH_ID,)),
    "afforestation": Family(afforestation.quantify, _no_choices, (afforestation.METHODOLOGY_ID,)),
    "electricity": Family(electricity.quantify, electricity.choices, (electricity.METHODOLOGY_ID,)),
}
