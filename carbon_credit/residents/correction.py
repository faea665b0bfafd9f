"""Correcting one's own profile (PIPL Art. 46): display name, district, mobile number and e-mail address.

A mobile number and an e-mail address are both logins, so changing, adding or removing either needs the
current password, and an account keeps at least one. A contact another account uses is refused with the
same words as any contact that cannot be used, after the same work (the password check comes first, so only
the account's holder can ask, and only as often as the page's rate limit allows). Every change is audited
(``resident.profile``, actor and target the resident) with the names of the fields that changed and the
contacts masked, never in full.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from werkzeug.security import check_password_hash

from carbon_credit.platform import audit
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.accounts import EMAIL, MOBILE, district_by_code, get
from carbon_credit.residents.contacts import mask_email, mask_phone
from carbon_credit.residents.models import District, Resident
from carbon_credit.residents.passwords import dummy_hash

UNCHANGED = object()  # a field the caller does not touch
LOGIN_FIELDS = ("email", "phone")


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """What a correction changed (field names, in a stable order); empty when nothing did."""

    changed: tuple[str, ...]

    @property
    def login_changed(self) -> bool:
        """Whether a contact that signs in (mobile number or e-mail) changed."""
        return any(name in LOGIN_FIELDS for name in self.changed)


def verify_password(*, session: Session, settings: Settings, resident_id: int, password: str) -> None:
    """Refuse with ``bad_current_password`` unless ``password`` is the account's (the same work when the
    account has no password)."""
    resident = get(session=session, resident_id=resident_id)
    if not resident.password_hash:
        check_password_hash(dummy_hash(settings), password or "")
        raise DomainError("bad_current_password")
    if not check_password_hash(resident.password_hash, password or ""):
        raise DomainError("bad_current_password")


def update_profile(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    display_name: str | object = UNCHANGED,
    district_code: str | None | object = UNCHANGED,
    email: str | None | object = UNCHANGED,
    phone: str | None | object = UNCHANGED,
    password: str | None = None,
    channel: str = "web",
) -> ProfileChange:
    """Correct the resident's profile; each field left UNCHANGED stays as it is (None or "" clears the
    district or a contact). DomainError ``invalid_display_name``, ``invalid_login`` (a malformed contact),
    ``contact_needed`` (no contact left), ``bad_current_password`` (a contact changes without the right
    password) or ``contact_unavailable`` (used by another account)."""
    resident = session.get(Resident, resident_id, with_for_update=True)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    wanted = _wanted(session, resident, display_name, district_code, email, phone)
    changed = tuple(name for name, value in wanted.items() if getattr(resident, name) != value)
    if not changed:
        return ProfileChange(())
    if any(name in LOGIN_FIELDS for name in changed):
        verify_password(session=session, settings=settings, resident_id=resident_id, password=password or "")
        if not (wanted["email"] or wanted["phone"]):
            raise DomainError("contact_needed")
        _refuse_taken(session, resident_id, wanted)
    before = _audited(session, resident)
    for name in changed:
        setattr(resident, name, wanted[name])
    try:
        with session.begin_nested():
            session.add(resident)
            session.flush()
    except IntegrityError:  # taken by another account at this very moment
        raise DomainError("contact_unavailable") from None
    after = {**_audited(session, resident), "changed": list(changed), "channel": channel}
    audit.record(
        session=session,
        actor_id=resident_id,
        action="resident.profile",
        target_type="resident",
        target_id=resident_id,
        before=before,
        after=after,
    )
    return ProfileChange(changed)


def _wanted(session, resident: Resident, display_name, district_code, email, phone) -> dict:
    """The profile as asked for, checked and normalised; untouched fields keep their current value."""
    wanted = {
        "display_name": resident.display_name,
        "district_id": resident.district_id,
        "email": resident.email,
        "phone": resident.phone,
    }
    if display_name is not UNCHANGED:
        name = (display_name or "").strip()
        if not name or len(name) > 64 or any(ord(ch) < 32 for ch in name):
            raise DomainError("invalid_display_name")
        wanted["display_name"] = name
    if district_code is not UNCHANGED:
        code = district_code or None
        wanted["district_id"] = district_by_code(session=session, code=code).id if code else None
    if email is not UNCHANGED:
        wanted["email"] = _contact(email, EMAIL, lower=True)
    if phone is not UNCHANGED:
        wanted["phone"] = _contact(phone, MOBILE, compact=True)
    return wanted


def _contact(value, pattern, *, lower: bool = False, compact: bool = False) -> str | None:
    text = (value or "").strip()
    if compact:
        text = text.replace(" ", "").replace("-", "")
    if lower:
        text = text.lower()
    if not text:
        return None
    if not pattern.match(text):
        raise DomainError("invalid_login")
    return text


def _refuse_taken(session: Session, resident_id: int, wanted: dict) -> None:
    """``contact_unavailable`` when another account signs in with one of the wanted contacts."""
    matches = []
    if wanted["email"]:
        matches.append(Resident.email == wanted["email"])
    if wanted["phone"]:
        matches.append(Resident.phone == wanted["phone"])
    for match in matches:
        query = select(Resident.id).where(match, Resident.id != resident_id)
        if session.execute(query).first() is not None:
            raise DomainError("contact_unavailable")


def _audited(session: Session, resident: Resident) -> dict:
    """The audited state: contacts masked, the district by its code, the name only as its length."""
    district = session.get(District, resident.district_id) if resident.district_id else None
    return {
        "email": mask_email(resident.email) if resident.email else None,
        "phone": mask_phone(resident.phone) if resident.phone else None,
        "district": district.code if district else None,
        "display_name_length": len(resident.display_name or ""),
    }
