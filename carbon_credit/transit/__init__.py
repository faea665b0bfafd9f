"""Transit: QR scans at stops (tap in, tap out, cancel, expiry), the trip rules with the one daily trip cap
shared by QR and imported trips, residents' transit cards (claimed with proof of ownership) and operator trip
imports. Stops, routes, tokens and distances come from carbon_credit.stops."""

from carbon_credit.transit.card_claims import (
    ClaimOutcome,
    card_claims_waiting,
    card_holder,
    claim_card,
    claim_waiting,
    claims_not_approvable,
    decide_card_claim,
    remember_card_trips,
)
from carbon_credit.transit.card_models import CardClaim, CardTrip
from carbon_credit.transit.cards import card_of, link_card, unlink_card
from carbon_credit.transit.import_rows import COLUMNS as TRIP_COLUMNS
from carbon_credit.transit.models import ImportBatch, TapIn, TransitRejection
from carbon_credit.transit.next_steps import next_step
from carbon_credit.transit.operator_imports import FILE_LIMITS as TRIP_FILE_LIMITS
from carbon_credit.transit.operator_imports import (
    create_batch,
    get_batch,
    list_batches,
    process_batch,
    resume_batch,
    unfinished_batches,
)
from carbon_credit.transit.scans import CheckinPreview, ScanResult, preview, scan
from carbon_credit.transit.tap_ins import expire_stale_tap_ins, open_tap_in
from carbon_credit.transit.trip_facts import trip_facts

__all__ = [
    "trip_facts",
    "TRIP_FILE_LIMITS",
    "TRIP_COLUMNS",
    "CardClaim",
    "CardTrip",
    "CheckinPreview",
    "ClaimOutcome",
    "ImportBatch",
    "ScanResult",
    "TapIn",
    "TransitRejection",
    "card_claims_waiting",
    "claims_not_approvable",
    "card_holder",
    "card_of",
    "claim_card",
    "claim_waiting",
    "create_batch",
    "decide_card_claim",
    "expire_stale_tap_ins",
    "get_batch",
    "link_card",
    "list_batches",
    "next_step",
    "open_tap_in",
    "preview",
    "process_batch",
    "remember_card_trips",
    "resume_batch",
    "scan",
    "unfinished_batches",
    "unlink_card",
]
