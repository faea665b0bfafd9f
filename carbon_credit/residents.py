"""Residents (and staff accounts): creation with a points account, lookup, password checks."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session
from werkzeug.security import check_password_hash, generate_password_hash

from carbon_credit import ledger
from carbon_credit.config import Settings
from carbon_credit.errors import DomainError, NotFound
from carbon_credit.models import ROLES, District, Resident


def create_resident(
    *,
    session: Session,
    settings: Settings,
    display_name: str,
    password: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    district_code: str | None = None,
    role: str = "resident",
    locale: str = "zh_Hans",
) -> Resident:
    """Create a resident (or merchant/admin) with an empty points account."""
    if role not in ROLES:
        raise DomainError("unexpected_input", name="role", value=role)
    if not display_name.strip() or len(display_name) > 64:
        raise DomainError("missing_input", name="display_name")
    district_id = district_by_code(session=session, code=district_code).id if district_code else None
    resident = Resident(
        display_name=display_name.strip(),
        email=email.strip().lower() if email else None,
        phone=phone,
        password_hash=generate_password_hash(password, method=settings.password_hash_method)
        if password
        else None,
        district_id=district_id,
        role=role,
        locale=locale,
    )
    session.add(resident)
    session.flush()
    ledger.open_account(session=session, resident_id=resident.id)
    return resident


def find_by_login(*, session: Session, login: str) -> Resident | None:
    """The resident whose e-mail or mobile number is ``login``."""
    login = login.strip()
    match = Resident.email == login.lower() if "@" in login else Resident.phone == login
    return session.execute(select(Resident).where(match)).scalar_one_or_none()


def check_password(resident: Resident, password: str) -> bool:
    """Constant-time check of a password against the stored hash."""
    return bool(resident.password_hash) and check_password_hash(resident.password_hash, password)


def district_by_code(*, session: Session, code: str) -> District:
    """A district by its code, or NotFound."""
    district = session.execute(select(District).where(District.code == code)).scalar_one_or_none()
    if district is None:
        raise NotFound(what="district", code=code)
    return district
