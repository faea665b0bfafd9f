"""Reading and checking one behaviour's keyword inputs; each failure is a QuantificationError naming it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from .errors import QuantificationError
from .types import Choice, Methodology
from .units import ZERO, canonical, to_decimal


def reject_unexpected(inputs: Mapping[str, object], accepted: Iterable[str], behaviour: str) -> None:
    """Raise ``unexpected_input`` for the first input name not in ``accepted``."""
    accepted = tuple(accepted)
    for name in inputs:
        if name not in accepted:
            raise QuantificationError(
                "unexpected_input", name=name, behaviour=behaviour, accepted=", ".join(accepted)
            )


def require(inputs: Mapping[str, object], name: str, *, leg: int | None = None) -> object:
    """The value of a required input; ``missing_input`` if absent or None."""
    value = inputs.get(name)
    if value is None:
        raise QuantificationError("missing_input", name=name, leg=leg)
    return value


def optional(inputs: Mapping[str, object], name: str, default: object = None) -> object:
    """The value of an optional input, or ``default`` when it is absent, None or blank text."""
    value = inputs.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return value


def amount(
    value: object,
    name: str,
    *,
    unit: str,
    limit: Decimal | None = None,
    whole: bool = False,
    allow_zero: bool = False,
    leg: int | None = None,
) -> Decimal:
    """Parse a quantity and check it: a number, > 0 (or >= 0), whole if asked, and at most ``limit``.

    Codes: not_a_number, not_positive, not_whole, implausible (params name, value, limit, unit).
    """
    number = to_decimal(value, name, leg=leg)
    if number < ZERO or (number == ZERO and not allow_zero):
        raise QuantificationError(
            "not_positive", name=name, value=canonical(number), allow_zero=allow_zero, leg=leg
        )
    if whole:
        if number != number.to_integral_value():
            raise QuantificationError("not_whole", name=name, value=canonical(number), leg=leg)
        number = number.to_integral_value()
    if limit is not None and number > limit:
        raise QuantificationError(
            "implausible", name=name, value=canonical(number), limit=canonical(limit), unit=unit, leg=leg
        )
    return number


def normalise_key(value: object) -> str:
    """Lower-case menu key with spaces and hyphens as underscores ("Shared-bike" -> "shared_bike")."""
    return str(value).strip().lower().replace(" ", "_").replace("-", "_")


def find_choice(methodology: Methodology, value: object) -> Choice | None:
    """The methodology's choice whose key or alias matches ``value`` after normalisation, else None."""
    return _choice_index(methodology).get(normalise_key(value))


_INDEXES: dict[int, tuple[Methodology, dict[str, Choice]]] = {}


def _choice_index(methodology: Methodology) -> dict[str, Choice]:
    """Normalised key and aliases -> choice, built once per methodology object (kept alive by the cache,
    so its ``id`` cannot be reused by another object)."""
    cached = _INDEXES.get(id(methodology))
    if cached is None:
        index: dict[str, Choice] = {}
        for choice in methodology.choices.values():
            for name in (choice.key, *choice.aliases):
                index.setdefault(normalise_key(name), choice)
        cached = _INDEXES[id(methodology)] = (methodology, index)
    return cached[1]


def unknown_choice(
    code: str, name: str, value: object, choices: Iterable[Choice], *, leg: int | None = None
) -> QuantificationError:
    """The ``unknown_mode`` / ``unknown_material`` / ``unknown_scope`` error, listing the valid keys."""
    return QuantificationError(
        code, name=name, value=str(value), choices=", ".join(c.key for c in choices), leg=leg
    )
