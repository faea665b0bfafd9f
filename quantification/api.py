"""The public functions: quantify(), get_methodology(), list_methodologies(), behaviours(), choices()."""

from __future__ import annotations

from decimal import localcontext

from . import registry
from .errors import QuantificationError
from .methodologies import FAMILIES, Family
from .types import Choice, Methodology, Result
from .units import CONTEXT


def quantify(behaviour: str, /, *, methodology_version: str | None = None, **inputs: object) -> Result:
    """Quantify one behaviour with the latest (or the given) version of its methodology.

    ``inputs`` are the behaviour's keyword inputs (numbers as int, str, Decimal or float); ``Result.inputs``
    are the normalised inputs, and ``quantify(behaviour, **result.inputs)`` returns an equal Result.
    Raises QuantificationError (``.code``, ``.params``) for any bad input.
    """
    family = _family(behaviour)
    with localcontext(CONTEXT):
        return family.quantify(registry.default_registry(), inputs, methodology_version)


def get_methodology(methodology_id: str, version: str | None = None) -> Methodology:
    """One methodology: the given version, or the latest (codes unknown_methodology, unknown_version)."""
    return registry.get(methodology_id, version)


def list_methodologies() -> list[Methodology]:
    """Every shipped methodology, every version, sorted by id then version."""
    return registry.default_registry().all()


def behaviours() -> tuple[str, ...]:
    """The behaviour names ``quantify`` accepts."""
    return tuple(FAMILIES)


def choices(behaviour: str) -> tuple[Choice, ...]:
    """The menu of a behaviour (transport modes, materials, grid scopes) with zh/en labels; () if none."""
    return _family(behaviour).choices(registry.default_registry())


def _family(behaviour: object) -> Family:
    family = FAMILIES.get(behaviour) if isinstance(behaviour, str) else None
    if family is None:
        raise QuantificationError(
            "unknown_behaviour", name="behaviour", value=str(behaviour), choices=", ".join(FAMILIES)
        )
    return family
