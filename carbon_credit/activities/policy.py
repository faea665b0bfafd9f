"""The admission policy table (docs/rules.md, "Evidence levels and the policy table"): for each resident
behaviour, the evidence levels it accepts, the share of the quantified points each level earns, the caps a
level adds to the behaviour's daily cap, and the claim window of a resident's own claim.

Evidence levels:

- ``verified``: the platform or a third party holds the data (a stop QR pair, an operator's trip import;
  ``EVIDENCE_CHANNELS``);
- ``evidenced``: the resident sent a photo or document that an administrator reviews before crediting;
- ``declared``: the resident's word alone.

The numbers are data, read only by admission (``admission.py``) and shown on the rules page. The daily cap
of a behaviour across levels stays a setting (``settings.daily_caps``, ``CAP_<BEHAVIOUR>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from carbon_credit.platform.errors import InvalidActivity

VERIFIED = "verified"
EVIDENCED = "evidenced"
DECLARED = "declared"
EVIDENCE_LEVELS = (VERIFIED, EVIDENCED, DECLARED)
# The levels the city's reportable totals count (the reductions a sale or an offset could rest on).
REPORTABLE_LEVELS = (VERIFIED, EVIDENCED)
# Channels whose records are themselves the evidence: stop QR pairs, operator imports, and the embedded
# demo's stand-in for them (refused in production). An administrator's entry form, when there is one,
# records on a channel of its own added here.
EVIDENCE_CHANNELS = frozenset({"qr", "import", "demo"})
DEFAULT_WINDOW_DAYS = 2  # today and the two days before (Beijing days)


class EvidenceRequired(InvalidActivity):
    """The behaviour does not accept the claim's evidence level (a transit trip typed by hand, a later
    tree-year without a photo); the message says which evidence it needs."""

    code = "evidence_required"


@dataclass(frozen=True, slots=True)
class Level:
    """What one evidence level earns for a behaviour: ``percent`` of the quantified points, and caps in
    points of its own (0: only the behaviour's daily cap applies)."""

    percent: int = 100
    daily_cap: int = 0
    monthly_cap: int = 0


@dataclass(frozen=True, slots=True)
class Policy:
    """One behaviour's row: accepted ``levels`` and the claim window (days before today) of own claims."""

    behaviour: str
    levels: Mapping[str, Level]
    window_days: int = DEFAULT_WINDOW_DAYS
    refusal: str = "evidence_required"  # the message code when a level is not accepted

    def level(self, evidence: str) -> Level:
        """The accepted level's terms; EvidenceRequired when this behaviour does not accept it."""
        found = self.levels.get(evidence)
        if found is None:
            raise EvidenceRequired(self.refusal, evidence=evidence, behaviour=self.behaviour)
        return found


FULL = Level()

POLICIES: Mapping[str, Policy] = MappingProxyType(
    {
        # Travel Smart (Singapore) and Wuhan 武环规〔2023〕3号: trips only from traceable tap data.
        "transit": Policy("transit", {VERIFIED: FULL}, refusal="transit_needs_qr"),
        # Ant Forest credits walking at face value up to 296 g a day: the daily cap is the bound.
        "walking": Policy("walking", {VERIFIED: FULL, EVIDENCED: FULL, DECLARED: Level(100, 296, 0)}),
        # Shanghai 沪环规〔2025〕10号: verified (station) data credited in full; a declared weight earns half,
        # within a small cap (platform policy).
        "recycling": Policy(
            "recycling", {VERIFIED: FULL, EVIDENCED: FULL, DECLARED: Level(50, 2_000, 20_000)}
        ),
        # One tree-year at a time; the full credit needs a reviewed photo (Ant Forest: planting is
        # confirmed by the planting partner). A declared planting earns a tenth, at most one tree-year a day.
        "tree_planting": Policy(
            "tree_planting",
            {VERIFIED: FULL, EVIDENCED: FULL, DECLARED: Level(10, 3_700, 7_400)},
            window_days=7,
        ),
        # A meter reading is declared; a bill or meter photo is evidence (platform policy).
        "electricity": Policy(
            "electricity", {VERIFIED: FULL, EVIDENCED: FULL, DECLARED: Level(50, 3_000, 30_000)}
        ),
    }
)


def policy_for(behaviour: str) -> Policy:
    """The behaviour's row of the policy table (every resident behaviour has one)."""
    return POLICIES[behaviour]


def evidence_of(channel: str, has_photo: bool) -> str:
    """The evidence level of a claim: an evidence channel is verified, a photo is evidenced (credited after
    review), anything else is declared."""
    if channel in EVIDENCE_CHANNELS:
        return VERIFIED
    return EVIDENCED if has_photo else DECLARED


def shared(points: int, level: Level) -> int:
    """The level's share of ``points``, rounded down."""
    return points * level.percent // 100
