"""Units, decimal parsing and the single rounding rule.

All arithmetic runs in ``CONTEXT``: 40 significant digits, with inexact-but-harmless rounding of intermediate
results far below a milligram, and traps on invalid operations, division by zero and overflow.

The rounding rule (the only one that affects a credited amount): the full-precision total in grams CO2e is
rounded **once, at the very end, half-up to whole grams** (``Decimal.quantize(Decimal(1), ROUND_HALF_UP)``),
so 0.5 g -> 1 g and 134.5 g -> 135 g. Intermediate values are never rounded to fewer digits than ``CONTEXT``.
``display`` shortens long intermediate values to 6 decimal places, marked with "≈", for formula text only.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from functools import lru_cache

from .errors import QuantificationError

PRECISION = 40
CONTEXT = Context(
    prec=PRECISION, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
"""The decimal context every calculation runs in (``with decimal.localcontext(CONTEXT)``)."""

ONE = Decimal(1)
ZERO = Decimal(0)
GRAMS_PER_KG = Decimal(1000)
KG_PER_TONNE = Decimal(1000)
GRAMS_PER_TONNE = Decimal(1_000_000)
SHORT_TON_KG = Decimal("907.18474")
"""One US short ton (2,000 lb) in kilograms, exact by definition of the pound (0.45359237 kg)."""
CO2_PER_C = CONTEXT.divide(Decimal(44), Decimal(12))
"""44/12, the ratio of the molar masses of CO2 and carbon, to ``PRECISION`` significant digits."""

_RANGE = 20  # accepted inputs lie within 1e-20 .. 1e20 (or are zero)
_MAX_TEXT = 100
_MAX_INT_BITS = 128
_DISPLAY_DIGITS = 12
_DISPLAY_PLACES = Decimal("0.000001")


def to_decimal(value: object, name: str, *, leg: int | None = None) -> Decimal:
    """Parse one numeric input into a finite Decimal.

    Accepts int, Decimal, str (surrounding whitespace ignored) and float (converted through ``str(value)``, so
    0.1 stays 0.1). Rejects bool, NaN, infinities and non-numeric text with code ``not_a_number``, and, with
    ``reason="out_of_range"``, numbers beyond 1e±20 or with more than 40 significant digits; ``None`` or
    blank text raises ``missing_input``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise QuantificationError("missing_input", name=name, leg=leg)
    number = _parse(value)
    if number is None or not number.is_finite():
        raise QuantificationError("not_a_number", name=name, value=_shown(value), leg=leg)
    if len(number.as_tuple().digits) > PRECISION or (number and not -_RANGE <= number.adjusted() <= _RANGE):
        raise QuantificationError(
            "not_a_number", name=name, value=_shown(value), reason="out_of_range", leg=leg
        )
    return number


def to_grams(grams: Decimal) -> int:
    """THE rounding rule: full-precision grams CO2e -> whole grams, half-up, once, at the very end."""
    return int(grams.quantize(ONE, rounding=ROUND_HALF_UP, context=CONTEXT))


def canonical(number: Decimal) -> str:
    """Exact, plain-notation text for a Decimal, without exponent or trailing zeros ("8.50" -> "8.5")."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=4096, typed=True)
def display(number: Decimal) -> str:
    """Text for a formula: exact when short, else "≈" and 6 decimal places (display only, never credited).
    Remembered per value: the text depends on the value only (equal Decimals of other exponents give the same
    text), and the same factors and totals come back with every credit of a kind."""
    text = canonical(number)
    if sum(ch.isdigit() for ch in text.lstrip("-0.")) <= _DISPLAY_DIGITS:
        return text
    return "≈" + canonical(number.quantize(_DISPLAY_PLACES, rounding=ROUND_HALF_EVEN, context=CONTEXT))


def _parse(value: object) -> Decimal | None:
    """Decimal from an accepted input type, or None; refuses huge ints and long text before converting."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value) if value.bit_length() <= _MAX_INT_BITS else None
    if isinstance(value, float | str) and len(text := str(value).strip()) <= _MAX_TEXT:
        try:
            return Decimal(text)
        except (InvalidOperation, ValueError):
            return None
    return None


def _shown(value: object) -> str:
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        return "<a very large integer>"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
