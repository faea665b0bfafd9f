"""The list of residents staff see: searched by name, by a whole mobile number or e-mail address, or by id;
newest first, a page at a time; each row with its contact masked (never the full contact)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from carbon_credit.platform.errors import DomainError
from carbon_credit.residents.accounts import get, parse_login
from carbon_credit.residents.contacts import masked_contact
from carbon_credit.residents.models import District, Resident

PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class ResidentRow:
    """One account as staff see it: the contact masked, the district's names, whether it may sign in."""

    id: int
    display_name: str
    contact: str | None
    role: str
    district_zh: str | None
    district_en: str | None
    is_active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ResidentPage:
    """One page of rows, with the total count, the page number and the page count."""

    items: list[ResidentRow]
    total: int
    page: int
    pages: int


def directory(*, session: Session, search: str | None = None, page: int = 1, per_page: int = PER_PAGE):
    """Accounts newest first, ``per_page`` a page. ``search`` matches part of a name, or a whole mobile
    number or e-mail address (a part of a contact matches nothing: masked contacts are not guessed digit by
    digit), or an id."""
    query = _matching(select(Resident, District).outerjoin(District), search)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    ordered = query.order_by(Resident.created_at.desc(), Resident.id.desc())
    rows = session.execute(ordered.offset((page - 1) * per_page).limit(per_page))
    return ResidentPage([_row(resident, district) for resident, district in rows], total, page, pages)


def profile(*, session: Session, resident_id: int) -> ResidentRow:
    """One account as staff see it, or NotFound."""
    resident = get(session=session, resident_id=resident_id)
    district = session.get(District, resident.district_id) if resident.district_id else None
    return _row(resident, district)


def _matching(query, search: str | None):
    text = unicodedata.normalize("NFKC", search or "").strip()  # full-width digits from a Chinese keyboard
    if not text:
        return query
    matches = [func.lower(Resident.display_name).contains(text.lower(), autoescape=True)]
    if text.isascii() and text.isdigit() and int(text) < 2**31:  # an id (a mobile number is larger)
        matches.append(Resident.id == int(text))
    try:
        kind, value = parse_login(text)
    except DomainError:
        return query.where(or_(*matches))
    matches.append((Resident.phone if kind == "phone" else Resident.email) == value)
    return query.where(or_(*matches))


def _row(resident: Resident, district: District | None) -> ResidentRow:
    return ResidentRow(
        id=resident.id,
        display_name=resident.display_name,
        contact=masked_contact(resident),
        role=resident.role,
        district_zh=district.name_zh if district else None,
        district_en=district.name_en if district else None,
        is_active=resident.is_active,
        created_at=resident.created_at,
    )
