"""One message catalogue for domain errors, shared by the web app, the bot and exports.

The entries live in ``carbon_credit/messages/<area>.py`` (one ``MESSAGES`` dict per area) and are merged here.

Simplified Chinese (``zh_Hans``) is the default; English (``en``) is available. Messages are
``str.format`` templates over the error's params. An unknown code falls back to a generic message,
never to a stack trace.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from carbon_credit.platform.messages import collect
from quantification.errors import MESSAGES as QUANTIFICATION_CODES

DEFAULT_LOCALE = "zh_Hans"
LOCALES = ("zh_Hans", "en")

MESSAGES: dict[str, dict[str, str]] = collect()


def normalise_locale(locale: str | None) -> str:
    """Map ``zh``, ``zh_CN``, ``zh-Hans-CN``... to ``zh_Hans`` and ``en_GB``... to ``en``."""
    if not locale:
        return DEFAULT_LOCALE
    return "en" if locale.replace("-", "_").lower().startswith("en") else DEFAULT_LOCALE


def translate(code: str, locale: str | None = None, **params: Any) -> str:
    """The message for ``code`` in ``locale``, falling back to the generic message for unknown codes."""
    entry = MESSAGES.get(code) or MESSAGES["domain_error"]
    template = entry[normalise_locale(locale)]
    if code in QUANTIFICATION_CODES:
        params = _in_words(params, locale)
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return MESSAGES["domain_error"][normalise_locale(locale)]


def message(error, locale: str | None = None) -> str:
    """Translate a DomainError (or anything with ``code`` and ``params``)."""
    return translate(error.code, locale, **error.params)


def _in_words(params: dict[str, Any], locale: str | None) -> dict[str, Any]:
    """A quantification error's input ``name`` and ``unit`` as people say them ("kg" -> 重量, 公斤), when
    the catalogue has words for them; any other value is kept."""
    worded = dict(params)
    for param, prefix in (("name", "trail.input."), ("unit", "unit.")):
        entry = MESSAGES.get(f"{prefix}{params.get(param)}")
        if entry is not None:
            worded[param] = entry[normalise_locale(locale)]
    return worded


def co2_text(grams: int, locale: str | None = None) -> str:
    """Whole grams CO2e as people read a mass: g below 1 kg, kg below 1 t, else t (exact Decimal rounding;
    for display only, the records keep whole grams). In a ``locale`` the units are words (zh_Hans: 克, 千克,
    吨); without one, the symbols g, kg and t."""
    if grams < 1000:
        number, unit = f"{grams:,}", "g"
    elif grams < 1_000_000:
        number, unit = f"{(Decimal(grams) / 1000).quantize(Decimal('0.1'), ROUND_HALF_UP):,}", "kg"
    else:
        number, unit = f"{(Decimal(grams) / 1_000_000).quantize(Decimal('0.01'), ROUND_HALF_UP):,}", "t"
    return f"{number} {unit if locale is None else translate(f'mass.{unit}', locale)}"
