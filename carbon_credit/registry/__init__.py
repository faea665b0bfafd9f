"""The registry of pooled reductions (docs/registry.md): an administrator pools a period's verified and
evidenced activities into a batch (each activity in at most one batch, by the database), the verifier
verifies it (excluded records return to the pool), the authority issues it (less the corrections of
reversals found after an earlier verification), and its tonnes are sold and retired in parts, with
certificates; residents donate points to neutralise events. Owns the batches, their records for the
verifier, corrections, the public reads and their reconciliation with the ledger's activities.

Every administrator step is an audited, idempotent command (``platform.commands.run``, actions
``registry.<verb>``). carbon_credit.review calls :func:`record_correction` when it reverses an activity."""

from carbon_credit.registry.certificates import (
    CertificateView,
    Drawn,
    certificate,
    certificate_qr,
    certificate_url,
    certificates_of,
    certificates_of_event,
)
from carbon_credit.registry.corrections import record_correction
from carbon_credit.registry.donations import donate, donor_label, grams_for_points
from carbon_credit.registry.events import EventView, close_event, event, events, open_event
from carbon_credit.registry.lifecycle import issue, verify
from carbon_credit.registry.locking import lock_registry
from carbon_credit.registry.models import (
    BATCH_STATUSES,
    CERTIFICATE_KINDS,
    EVENT_STATUSES,
    GRAMS_PER_TONNE,
    Allocation,
    Batch,
    BatchRecord,
    Certificate,
    CertificatePart,
    Correction,
    Event,
    Exclusion,
    Sale,
)
from carbon_credit.registry.pooling import eligible, pool
from carbon_credit.registry.queries import (
    BatchDetail,
    BatchView,
    Check,
    Drawing,
    RegistryTotals,
    available,
    batch,
    batches,
    registry_totals,
)
from carbon_credit.registry.reconciliation import Reconciliation, reconcile
from carbon_credit.registry.records import EXPORT_COLUMNS, pseudonym, record_rows, records_csv, records_xlsx
from carbon_credit.registry.retirements import retire
from carbon_credit.registry.revenue import allocate_revenue, allocations_of, points_for_fen
from carbon_credit.registry.sales import (
    grams_from_tonnes,
    sales_of,
    sell,
    tonnes_text,
    typed_decimal,
    yuan_text,
)

__all__ = [
    "BATCH_STATUSES",
    "CERTIFICATE_KINDS",
    "EVENT_STATUSES",
    "GRAMS_PER_TONNE",
    "EXPORT_COLUMNS",
    "Allocation",
    "Batch",
    "BatchDetail",
    "BatchRecord",
    "BatchView",
    "Certificate",
    "CertificatePart",
    "Check",
    "Correction",
    "Drawing",
    "Event",
    "Exclusion",
    "Reconciliation",
    "RegistryTotals",
    "Sale",
    "available",
    "batch",
    "batches",
    "eligible",
    "issue",
    "lock_registry",
    "pool",
    "reconcile",
    "record_correction",
    "record_rows",
    "records_csv",
    "records_xlsx",
    "registry_totals",
    "pseudonym",
    "verify",
    "CertificateView",
    "Drawn",
    "EventView",
    "allocate_revenue",
    "allocations_of",
    "certificate",
    "certificate_qr",
    "certificate_url",
    "certificates_of",
    "certificates_of_event",
    "close_event",
    "donate",
    "donor_label",
    "event",
    "events",
    "grams_for_points",
    "grams_from_tonnes",
    "typed_decimal",
    "open_event",
    "points_for_fen",
    "retire",
    "sales_of",
    "sell",
    "tonnes_text",
    "yuan_text",
]
