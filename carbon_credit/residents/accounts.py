"""Residents (and staff accounts): registration with a points account, sign-in, password and language."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from werkzeug.security import check_password_hash, generate_password_hash

from carbon_credit import ledger
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.i18n import LOCALES
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.models import ROLES, District, Resident

MIN_PASSWORD = 8
MAX_PASSWORD = 128
MOBILE = re.compile(r"^1[3-9]\d{9}$")  # mainland China mobile numbers
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s.]{2,63}$")
# A hash to compare against when the login is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASHES: dict[str, str] = {}


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
    name = (display_name or "").strip()
    if not name or len(name) > 64 or any(ord(ch) < 32 for ch in name):
        raise DomainError("invalid_display_name")
    if password is not None:
        _check_password_rules(password)
    district_id = district_by_code(session=session, code=district_code).id if district_code else None
    resident = Resident(
        display_name=name,
        email=email.strip().lower() if email else None,
        phone=phone.strip() if phone else None,
        password_hash=_hash(password, settings) if password else None,
        district_id=district_id,
        role=role,
        locale=locale if locale in LOCALES else "zh_Hans",
    )
    try:
        with session.begin_nested():
            session.add(resident)
            session.flush()
    except IntegrityError:
        raise DomainError("login_taken") from None
    ledger.open_account(session=session, resident_id=resident.id)
    return resident


def register(
    *,
    session: Session,
    settings: Settings,
    login: str,
    password: str,
    display_name: str,
    district_code: str | None,
    locale: str = "zh_Hans",
) -> Resident:
    """Self-registration with a mobile number or an e-mail address as the login."""
    kind, value = parse_login(login)
    if find_by_login(session=session, login=value) is not None:
        raise DomainError("login_taken")
    return create_resident(
        session=session,
        settings=settings,
        display_name=display_name,
        password=password,
        district_code=district_code or None,
        locale=locale,
        **{kind: value},
    )


def parse_login(login: str) -> tuple[str, str]:
    """``("phone", "13800138000")`` or ``("email", "a@b.cn")``; DomainError ``invalid_login`` otherwise."""
    value = (login or "").strip()
    if MOBILE.match(value.replace(" ", "").replace("-", "")):
        return "phone", value.replace(" ", "").replace("-", "")
    if EMAIL.match(value):
        return "email", value.lower()
    raise DomainError("invalid_login")


def authenticate(*, session: Session, settings: Settings, login: str, password: str) -> Resident:
    """The active resident with this login and password; DomainError ``bad_credentials`` otherwise
    (the same error, after the same work, whether the login exists or not)."""
    resident = find_by_login(session=session, login=login or "")
    if resident is None or not resident.is_active or not resident.password_hash:
        check_password_hash(_dummy_hash(settings), password or "")
        raise DomainError("bad_credentials")
    if not check_password_hash(resident.password_hash, password or ""):
        raise DomainError("bad_credentials")
    return resident


def change_password(
    *, session: Session, settings: Settings, resident_id: int, current: str, new: str
) -> None:
    """Change a password after checking the current one."""
    resident = get(session=session, resident_id=resident_id)
    if not resident.password_hash or not check_password_hash(resident.password_hash, current or ""):
        raise DomainError("bad_current_password")
    _check_password_rules(new)
    resident.password_hash = _hash(new, settings)
    session.add(resident)


def set_locale(*, session: Session, resident_id: int, locale: str) -> None:
    """Remember the resident's language (``zh_Hans`` or ``en``)."""
    if locale not in LOCALES:
        raise DomainError("unexpected_input", name="locale", value=locale)
    resident = get(session=session, resident_id=resident_id)
    resident.locale = locale
    session.add(resident)


def get(*, session: Session, resident_id: int) -> Resident:
    """A resident by id, or NotFound."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    return resident


def find_by_login(*, session: Session, login: str) -> Resident | None:
    """The resident whose e-mail or mobile number is ``login``."""
    login = login.strip()
    match = Resident.email == login.lower() if "@" in login else Resident.phone == login
    return session.execute(select(Resident).where(match)).scalar_one_or_none()


def districts(*, session: Session) -> list[District]:
    """Every district, in a stable order (for forms and statistics)."""
    return list(session.execute(select(District).order_by(District.id)).scalars())


def district_by_code(*, session: Session, code: str) -> District:
    """A district by its code, or NotFound."""
    district = session.execute(select(District).where(District.code == code)).scalar_one_or_none()
    if district is None:
        raise NotFound(what="district", code=code)
    return district


def _check_password_rules(password: str) -> None:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise DomainError("weak_password", min=MIN_PASSWORD, max=MAX_PASSWORD)


def _hash(password: str, settings: Settings) -> str:
    return generate_password_hash(password, method=settings.password_hash_method)


def _dummy_hash(settings: Settings) -> str:
    method = settings.password_hash_method
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY_HASHES[method]
