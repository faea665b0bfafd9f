"""Quantification of low-carbon behaviours in grams CO2e: pure, standard library only.

    >>> from quantification import quantify
    >>> quantify("transit", mode="bus", km="8").grams
    215

Every number comes from a methodology data file (``methodologies/*.toml``) with its source and status; every
Result carries the methodology id and version, the factors used, the normalised inputs and the formula, so any
credit can be recomputed and audited. See docs/methodologies.md.
"""

from .api import behaviours, choices, get_methodology, list_methodologies, quantify
from .errors import MethodologyDataError, QuantificationError
from .types import Choice, Factor, Methodology, Result, Source

__all__ = [
    "Choice",
    "Factor",
    "Methodology",
    "MethodologyDataError",
    "QuantificationError",
    "Result",
    "Source",
    "behaviours",
    "choices",
    "get_methodology",
    "list_methodologies",
    "quantify",
]
