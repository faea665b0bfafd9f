"""Opening a resident's full record (PIPL: the least personal information a task needs). Staff see contacts
masked everywhere (:mod:`carbon_credit.residents.contacts`); an administrator who needs the whole mobile
number, e-mail address or transit card number opens the record with a reason.

Opening is an audited, idempotent administrator command (``platform.commands.run``, action
``resident.record_opened``, target the resident, the reason in the entry), so the resident sees who looked,
when and why (carbon_credit.privacy ``staff_access``, /account/data). A replay of the same key (a resubmitted
page) is the same opening: it shows the record again without a second entry. The contacts are read after the
command and never stored with it (the idempotency record keeps only the resident's id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from carbon_credit.platform import commands
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.text import has_control_characters
from carbon_credit.residents.accounts import get
from carbon_credit.residents.models import District, Resident

RECORD_OPENED = "resident.record_opened"
RECORD_REASON_MAX = 255  # kept in the audit entry and shown to the resident
SHOWN = ("phone", "email", "transit_card", "telegram_linked")


@dataclass(frozen=True, slots=True)
class FullRecord:
    """A resident's account with its contacts in full: for the one page that answers an opening."""

    id: int
    display_name: str
    phone: str | None
    email: str | None
    transit_card: str | None
    telegram_linked: bool
    role: str
    district_zh: str | None
    district_en: str | None
    is_active: bool
    created_at: datetime


def open_full_record(
    *, session: Session, actor_id: int, resident_id: int, reason: str | None, idempotency_key: str
) -> FullRecord:
    """An administrator opens the resident's full record, giving the ``reason``: one audit entry
    ``resident.record_opened`` with the reason, then the record with its contacts unmasked. Refused, with
    nothing logged, when the actor is not an active administrator (``record_access_admin_only``) or the
    reason is blank (``record_reason_required``) or too long (``record_reason_too_long``)."""
    _require_admin(session, actor_id)
    reason = check_reason(reason)

    def apply() -> commands.Change:
        get(session=session, resident_id=resident_id)  # NotFound: nothing opened, nothing logged
        return commands.Change(resident_id, None, {"reason": reason, "shown": list(SHOWN)})

    commands.run(
        session=session,
        actor_id=actor_id,
        action=RECORD_OPENED,
        target_type="resident",
        idempotency_key=idempotency_key,
        asked=(resident_id, reason),
        apply=apply,
    )
    return _full_record(session, resident_id)


def check_reason(reason: str | None) -> str:
    """The reason, trimmed; DomainError when it is blank, too long or holds a control character."""
    text = (reason or "").strip()
    if not text:
        raise DomainError("record_reason_required")
    if len(text) > RECORD_REASON_MAX:
        raise DomainError("record_reason_too_long", limit=RECORD_REASON_MAX)
    if has_control_characters(text):
        raise DomainError("text_control_characters")
    return text


def _require_admin(session: Session, actor_id: int) -> None:
    actor = session.get(Resident, actor_id)
    if actor is None or not actor.is_active or actor.role != "admin":
        raise DomainError("record_access_admin_only")


def _full_record(session: Session, resident_id: int) -> FullRecord:
    resident = get(session=session, resident_id=resident_id)
    district = session.get(District, resident.district_id) if resident.district_id else None
    return FullRecord(
        id=resident.id,
        display_name=resident.display_name,
        phone=resident.phone,
        email=resident.email,
        transit_card=resident.transit_card,
        telegram_linked=resident.telegram_id is not None,
        role=resident.role,
        district_zh=district.name_zh if district else None,
        district_en=district.name_en if district else None,
        is_active=resident.is_active,
        created_at=resident.created_at,
    )
