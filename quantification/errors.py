"""Errors raised by the quantification package.

``QuantificationError`` is for bad *inputs*: it carries a stable ``code`` and a ``params`` dict (always
with the offending input's ``name``) so that each edge (web form, chatbot, API) can translate it from its
own catalogue; ``str(error)`` is a plain English sentence for logs and the CLI.

``MethodologyDataError`` is for bad *data files*: a deployment mistake, raised when the registry loads, and
never shown to a resident.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    "unknown_behaviour": "Unknown behaviour {value!r}; expected one of: {choices}",
    "unknown_methodology": "Unknown methodology {value!r}",
    "unknown_version": "Methodology {methodology_id!r} has no version {value!r}; available: {available}",
    "unknown_mode": "Unknown transport mode {value!r}; expected one of: {choices}",
    "unknown_material": "Unknown recycling material {value!r}; expected one of: {choices}",
    "unknown_scope": "Unknown electricity scope {value!r}; expected one of: {choices}",
    "unknown_year": "No published electricity factor for {scope!r} in {value}; available years: {available}",
    "missing_input": "Missing input {name!r}",
    "unexpected_input": "Unexpected input {name!r} for {behaviour!r}; accepted inputs: {accepted}",
    "not_a_number": "{name} must be a number, got {value!r}",
    "not_positive": "{name} must be greater than zero, got {value}",
    "not_whole": "{name} must be a whole number, got {value}",
    "implausible": "{name} = {value} {unit} is implausible for one entry (limit {limit} {unit})",
    "too_many_legs": "A trip may have at most {limit} legs, got {count}",
    "invalid_leg": "Each leg must be a mapping with 'mode' and 'km' (or 'mode:km' text), got {value!r}",
    "invalid_period": "t2 must be later than t1, got t1 = {t1} and t2 = {t2}",
}
"""English message template per error code; the keys are the stable codes."""


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "?"


class QuantificationError(Exception):
    """An input that cannot be quantified: ``.code`` (stable), ``.params`` (dict), English ``str()``."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown QuantificationError code {code!r}")
        self.code = code
        self.params = params
        template = MESSAGES[code]
        if code == "not_positive" and params.get("allow_zero"):
            template = "{name} must not be negative, got {value}"
        if code == "not_a_number" and params.get("reason") == "out_of_range":
            template = "{name} must be a number between 1e-20 and 1e20 with at most 40 digits, got {value!r}"
        message = template.format_map(_Lenient(params))
        if params.get("leg") is not None:
            message += f" (leg {params['leg']})"
        super().__init__(message + ".")

    def __repr__(self) -> str:
        return f"QuantificationError({self.code!r}, **{self.params!r})"


class MethodologyDataError(ValueError):
    """A methodology data file is malformed (missing key, bad number, unknown status, duplicate...)."""
