"""Validation of one methodology data file (parsed TOML) into a ``Methodology``.

Every problem raises ``MethodologyDataError`` naming the file and the key, e.g.
``transit.toml: factors.bus.value: '26,9' is not a decimal number``. Numbers must be TOML *strings*
(``value = "26.9"``) so that no binary float ever touches them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import MethodologyDataError
from .types import Choice, Factor, Methodology, Source

STATUSES = ("V", "S", "M", "D")
"""V: seen in the publisher's page; S: secondary sources, cross-checked; M: standard knowledge, to confirm;
D: derived by arithmetic."""

_TOP = {
    "id": True,
    "version": True,
    "behaviour": True,
    "title_zh": True,
    "title_en": True,
    "status": True,
    "source": True,
    "factors": True,
    "notes": False,
    "bounds": False,
    "choices": False,
}
_SOURCE = {"issuer": True, "document": True, "year": False, "url": False, "note": False}
_FACTOR = {"value": True, "unit": True, "status": True, "to_confirm": False, "source": False}
_CHOICE = {"label_zh": True, "label_en": True, "aliases": False}


class _File:
    """Checks for one file; every failure names ``origin`` and the dotted key."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> MethodologyDataError:
        return MethodologyDataError(f"{self.origin}: {where}: {problem}")

    def table(self, value: Any, where: str, spec: dict[str, bool]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a table")
        missing = [key for key, required in spec.items() if required and key not in value]
        if missing:
            raise self.fail(where, f"missing key(s) {', '.join(missing)}")
        unknown = sorted(set(value) - set(spec))
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"must be a non-empty string, got {value!r}")
        return value

    def decimal(self, value: Any, where: str) -> Decimal:
        if not isinstance(value, str):
            raise self.fail(where, f'must be a decimal written as a TOML string (e.g. "46.7"), got {value!r}')
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise self.fail(where, f"{value!r} is not a decimal number") from None
        if not number.is_finite():
            raise self.fail(where, f"{value!r} is not a finite decimal number")
        return number

    def status(self, value: Any, where: str) -> str:
        if value not in STATUSES:
            raise self.fail(where, f"unknown status {value!r}; expected one of {', '.join(STATUSES)}")
        return value

    def source(self, value: Any, where: str) -> Source:
        table = self.table(value, where, _SOURCE)
        year = table.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise self.fail(f"{where}.year", f"must be an integer, got {year!r}")
        optional = {key: self.text(table[key], f"{where}.{key}") for key in ("url", "note") if key in table}
        return Source(
            self.text(table["issuer"], f"{where}.issuer"),
            self.text(table["document"], f"{where}.document"),
            year,
            **optional,
        )

    def factor(self, key: str, value: Any, default_source: Source) -> Factor:
        where = f"factors.{key}"
        table = self.table(value, where, _FACTOR)
        status = self.status(table["status"], f"{where}.status")
        to_confirm = table.get("to_confirm", False)
        if not isinstance(to_confirm, bool):
            raise self.fail(f"{where}.to_confirm", f"must be true or false, got {to_confirm!r}")
        if status == "M" and not to_confirm:
            raise self.fail(where, "status M (standard knowledge, not re-checked) requires to_confirm = true")
        source = self.source(table["source"], f"{where}.source") if "source" in table else default_source
        return Factor(
            key,
            self.decimal(table["value"], f"{where}.value"),
            self.text(table["unit"], f"{where}.unit"),
            status,
            to_confirm,
            source,
        )

    def choice(self, key: str, value: Any) -> Choice:
        where = f"choices.{key}"
        table = self.table(value, where, _CHOICE)
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            raise self.fail(f"{where}.aliases", "must be a list of non-empty strings")
        return Choice(
            key,
            self.text(table["label_zh"], f"{where}.label_zh"),
            self.text(table["label_en"], f"{where}.label_en"),
            tuple(aliases),
        )


def parse_methodology(data: dict[str, Any], origin: str) -> Methodology:
    """Validate one parsed data file and build its Methodology (``origin`` names the file in errors)."""
    check = _File(origin)
    check.table(data, "top level", _TOP)
    source = check.source(data["source"], "source")
    factors = {
        key: check.factor(key, value, source) for key, value in _mapping(check, data, "factors").items()
    }
    if not factors:
        raise check.fail("factors", "at least one factor is required")
    bounds = {
        key: check.decimal(value, f"bounds.{key}") for key, value in _mapping(check, data, "bounds").items()
    }
    for key, limit in bounds.items():
        if limit <= 0:
            raise check.fail(f"bounds.{key}", f"must be greater than zero, got {limit}")
    choices = {key: check.choice(key, value) for key, value in _mapping(check, data, "choices").items()}
    _check_aliases(check, choices)
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise check.fail("notes", "must be a string")
    return Methodology(
        id=check.text(data["id"], "id"),
        version=check.text(data["version"], "version"),
        title_zh=check.text(data["title_zh"], "title_zh"),
        title_en=check.text(data["title_en"], "title_en"),
        behaviour=check.text(data["behaviour"], "behaviour"),
        source=source,
        status=check.status(data["status"], "status"),
        factors=factors,
        bounds=bounds,
        notes=notes.strip(),
        choices=choices,
    )


def _mapping(check: _File, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise check.fail(key, "must be a table")
    return value


def _check_aliases(check: _File, choices: dict[str, Choice]) -> None:
    seen: dict[str, str] = {}
    for choice in choices.values():
        for name in (choice.key, *choice.aliases):
            if name in seen:
                raise check.fail(f"choices.{choice.key}", f"name {name!r} already used by {seen[name]!r}")
            seen[name] = choice.key
