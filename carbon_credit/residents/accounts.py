"""Residents (and staff accounts): registration with a points account, sign-in, password and language.

Registration and sign-in never tell whether an account exists: registering a login that already has one
creates nothing and answers like a new registration; a wrong password and an unknown login get the same
error after the same work. Each account has a session version signed into its sessions and remember-me
cookies: logging out, changing the password and an administrator's lock raise it, ending them all.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from werkzeug.security import check_password_hash

from carbon_credit import ledger
from carbon_credit.platform import commands
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.i18n import LOCALES
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.attempts import LoginAttempts
from carbon_credit.residents.consents import check_birth_year, set_consent
from carbon_credit.residents.models import ROLES, District, Resident
from carbon_credit.residents.notices import current_notice
from carbon_credit.residents.passwords import check_password_rules, dummy_hash, hash_password
from carbon_credit.residents.tokens import revoke_all_tokens

MOBILE = re.compile(r"^1[3-9]\d{9}$")  # mainland China mobile numbers
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s.]{2,63}$")
LOCK_REASON_MAX = 255  # kept in the audit entry of a lock or unlock


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
        check_password_rules(password, (email, phone, name))
    district_id = district_by_code(session=session, code=district_code).id if district_code else None
    resident = Resident(
        display_name=name,
        email=email.strip().lower() if email else None,
        phone=phone.strip() if phone else None,
        password_hash=hash_password(password, settings) if password else None,
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
    birth_year: int | None,
    accepted_notice: str | None,
    trips: bool = False,
    channel: str = "web",
    locale: str = "zh_Hans",
) -> Resident | None:
    """Self-registration with a mobile number or an e-mail address as the login. A login that already has
    an account creates nothing and returns None after the same checks and work, so the caller answers
    both alike and nobody learns who has an account.

    The resident accepts the privacy notice they were shown (``accepted_notice``, its version: refused with
    ``notice_not_accepted`` when missing or no longer current) and gives a year of birth, used only to refuse
    anyone who may be under 14 (``under_14_needs_guardian``) before anything is created, and not kept. The
    acceptance is recorded with its version, time and ``channel``; ``trips`` (off unless chosen) records
    the separate consent to transit trips."""
    kind, value = parse_login(login)
    check_password_rules(password, (value, display_name))
    check_birth_year(birth_year)
    if accepted_notice is None or accepted_notice != current_notice().version:
        raise DomainError("notice_not_accepted")
    if find_by_login(session=session, login=value) is not None:
        hash_password(password, settings)  # the work a new account costs
        return None
    try:
        resident = create_resident(
            session=session,
            settings=settings,
            display_name=display_name,
            password=password,
            district_code=district_code or None,
            locale=locale,
            **{kind: value},
        )
    except DomainError as refused:
        if refused.code == "login_taken":  # registered by someone else at the same moment
            return None
        raise
    set_consent(session=session, resident_id=resident.id, purpose="notice", granted=True, channel=channel)
    if trips:
        set_consent(session=session, resident_id=resident.id, purpose="trips", granted=True, channel=channel)
    return resident


def parse_login(login: str) -> tuple[str, str]:
    """``("phone", "13800138000")`` or ``("email", "a@b.cn")``; DomainError ``invalid_login`` otherwise."""
    value = (login or "").strip()
    if MOBILE.match(value.replace(" ", "").replace("-", "")):
        return "phone", value.replace(" ", "").replace("-", "")
    if EMAIL.match(value):
        return "email", value.lower()
    raise DomainError("invalid_login")


def authenticate(
    *,
    session: Session,
    settings: Settings,
    login: str,
    password: str,
    attempts: LoginAttempts | None = None,
) -> Resident:
    """The active resident with this login and password; DomainError ``bad_credentials`` otherwise
    (the same error, after the same work, whether the login exists or not). With ``attempts``, a login
    that failed too often is refused with ``login_backoff`` before its password is checked."""
    if attempts is not None:
        attempts.check(login or "")
    resident = find_by_login(session=session, login=login or "")
    if resident is None or not resident.is_active or not resident.password_hash:
        check_password_hash(dummy_hash(settings), password or "")
        resident = None
    elif not check_password_hash(resident.password_hash, password or ""):
        resident = None
    if attempts is not None:
        (attempts.failed if resident is None else attempts.succeeded)(login or "")
    if resident is None:
        raise DomainError("bad_credentials")
    return resident


def change_password(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    current: str,
    new: str,
    keep_tokens: bool = False,
) -> int:
    """Change a password after checking the current one. Every session and remember-me cookie of the
    account ends, and its API tokens are revoked unless ``keep_tokens``; returns the new session version
    (for the session that asked to carry on)."""
    resident = get(session=session, resident_id=resident_id)
    if not resident.password_hash or not check_password_hash(resident.password_hash, current or ""):
        raise DomainError("bad_current_password")
    check_password_rules(new, (resident.email, resident.phone, resident.display_name))
    resident.password_hash = hash_password(new, settings)
    if not keep_tokens:
        revoke_all_tokens(session=session, resident_id=resident_id)
    return end_sessions(session=session, resident_id=resident_id)


def end_sessions(*, session: Session, resident_id: int) -> int:
    """End every session and remember-me cookie of the account (logout, everywhere); returns the new
    session version."""
    resident = get(session=session, resident_id=resident_id)
    resident.session_version = (resident.session_version or 0) + 1
    session.add(resident)
    session.flush()
    return resident.session_version


def signed_in(*, session: Session, resident_id: int, version: int) -> Resident | None:
    """The active resident a session or remember-me cookie names, if its version is still current."""
    resident = session.get(Resident, resident_id)
    if resident is None or not resident.is_active or resident.session_version != version:
        return None
    return resident


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


def set_active(
    *,
    session: Session,
    actor_id: int,
    resident_id: int,
    active: bool,
    idempotency_key: str,
    reason: str | None = None,
) -> dict:
    """An administrator locks (``active=False``) or unlocks an account: an audited, idempotent command.
    Locking ends every session and remember-me cookie of the account at once, and its API tokens stop
    working while it is locked (they check the account is active). The ``reason`` is kept in the audit
    entry; an administrator cannot lock their own account; asking for the state it is in changes nothing."""
    reason = _lock_reason(reason, locking_self=not active and actor_id == resident_id)

    def apply() -> commands.Change:
        resident = get(session=session, resident_id=resident_id)
        before = {"is_active": resident.is_active}
        if resident.is_active == active:
            return commands.Change(resident_id, before, before)
        resident.is_active = active
        session.add(resident)
        if not active:
            end_sessions(session=session, resident_id=resident_id)
        return commands.Change(resident_id, before, {"is_active": active, "reason": reason})

    return commands.run(
        session=session,
        actor_id=actor_id,
        action="resident.lock" if not active else "resident.unlock",
        target_type="resident",
        idempotency_key=idempotency_key,
        asked=(resident_id, active, reason),
        apply=apply,
    )


def _lock_reason(reason: str | None, *, locking_self: bool) -> str | None:
    if locking_self:
        raise DomainError("cannot_lock_self")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > LOCK_REASON_MAX:
        raise DomainError("lock_reason_too_long", limit=LOCK_REASON_MAX)
    return reason
