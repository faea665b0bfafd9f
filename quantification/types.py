"""Frozen value types: Source, Factor, Choice, Methodology and Result."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .errors import MethodologyDataError


@dataclass(frozen=True, slots=True)
class Source:
    """Where a number comes from: issuer, document, year (None when only a version is known), url, note."""

    issuer: str
    document: str
    year: int | None
    url: str | None = None
    note: str | None = None

    def cite(self) -> str:
        """One-line citation, e.g. "US EPA, WARM v15/v16"."""
        year = f" ({self.year})" if self.year is not None else ""
        return f"{self.issuer}, {self.document}{year}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "issuer": self.issuer,
            "document": self.document,
            "year": self.year,
            "url": self.url,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor: value (Decimal), unit, status tag V/S/M/D, to_confirm flag and its own Source."""

    key: str
    value: Decimal
    unit: str
    status: str
    to_confirm: bool
    source: Source

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form; the value as an exact decimal string."""
        return {
            "key": self.key,
            "value": str(self.value),
            "unit": self.unit,
            "status": self.status,
            "to_confirm": self.to_confirm,
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Choice:
    """One menu entry of a behaviour (a transport mode, a material, a grid scope) with zh/en labels."""

    key: str
    label_zh: str
    label_en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Methodology:
    """One version of one methodology, as loaded from its data file. Mappings are read-only."""

    id: str
    version: str
    title_zh: str
    title_en: str
    behaviour: str
    source: Source
    status: str
    factors: Mapping[str, Factor]
    bounds: Mapping[str, Decimal]
    notes: str = ""
    choices: Mapping[str, Choice] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("factors", "bounds", "choices"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def factor(self, key: str) -> Factor:
        """The factor called ``key``; a MethodologyDataError names the file's id/version if it is absent."""
        try:
            return self.factors[key]
        except KeyError:
            raise MethodologyDataError(f"{self.id} {self.version}: no factor {key!r}") from None

    def bound(self, key: str) -> Decimal:
        """The plausibility limit called ``key``; a MethodologyDataError if the data file lacks it."""
        try:
            return self.bounds[key]
        except KeyError:
            raise MethodologyDataError(f"{self.id} {self.version}: no bound {key!r}") from None


@dataclass(frozen=True, slots=True)
class Result:
    """A quantified behaviour: whole grams CO2e plus everything needed to recompute and audit it.

    ``inputs`` are the normalised inputs: ``quantify(behaviour, **inputs)`` with the same methodology version
    gives an equal Result.
    """

    behaviour: str
    grams: int
    methodology_id: str
    methodology_version: str
    factors: tuple[Factor, ...]
    inputs: dict[str, Any]
    formula: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict of every field (Decimals as strings)."""
        return {
            "behaviour": self.behaviour,
            "grams": self.grams,
            "methodology_id": self.methodology_id,
            "methodology_version": self.methodology_version,
            "factors": [factor.to_dict() for factor in self.factors],
            "inputs": copy.deepcopy(self.inputs),
            "formula": self.formula,
        }
