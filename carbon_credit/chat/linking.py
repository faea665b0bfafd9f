"""Linking a Telegram account to a web account through a one-time code shown on the web account page.

The code is short and uses only ``[A-Za-z0-9]``, so ``link_<code>`` fits Telegram's ``start`` parameter
(64 characters of ``A-Za-z0-9_-``). It lasts :data:`CODE_MINUTES` minutes and works once. A Telegram
account already linked to another resident is refused (``telegram_already_linked``), never moved;
linking the same pair again is fine. Both the code and the link need the resident's consent to ``chat``
(``chat_consent_required``); withdrawing it unlinks the Telegram account at once (carbon_credit.residents).
The caller owns the transaction.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.chat.models import LinkCode
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.residents import Resident, require_consent

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10  # 62^10 ≈ 8e17 codes, each valid for ten minutes
CODE_MINUTES = 10
CODE_PATTERN = re.compile(r"[A-Za-z0-9]{1,32}")


def create_link_code(*, session: Session, resident_id: int, now: datetime | None = None) -> LinkCode:
    """A fresh one-time code for ``resident_id``, valid for ten minutes."""
    now = now or clock.now()
    if session.get(Resident, resident_id) is None:
        raise NotFound(what="resident", resident_id=resident_id)
    require_consent(session=session, resident_id=resident_id, purpose="chat")  # chat_consent_required
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    link = LinkCode(
        code=code, resident_id=resident_id, expires_at=now + timedelta(minutes=CODE_MINUTES), created_at=now
    )
    session.add(link)
    session.flush()
    return link


def link_telegram(
    *, session: Session, code: str, telegram_user_id: int, now: datetime | None = None
) -> Resident:
    """Use ``code`` to link the Telegram user to the code's resident; returns the resident.

    DomainError ``link_code_invalid``, ``link_code_expired`` (``minutes``), ``link_code_used`` or
    ``telegram_already_linked``.
    """
    now = now or clock.now()
    link = _locked_code(session, code)
    if link.used_at is not None:
        raise DomainError("link_code_used")
    if clock.as_utc(link.expires_at, UTC) <= now:  # SQLite gives naive UTC back
        raise DomainError("link_code_expired", minutes=CODE_MINUTES)
    # the consent may have been withdrawn since the code was made
    require_consent(session=session, resident_id=link.resident_id, purpose="chat")
    holder = telegram_holder(session=session, telegram_user_id=telegram_user_id)
    if holder is not None and holder.id != link.resident_id:
        raise DomainError("telegram_already_linked")
    resident = session.get(Resident, link.resident_id)
    resident.telegram_id = telegram_user_id
    link.used_at = now
    session.add_all([resident, link])
    session.flush()
    return resident


def telegram_holder(*, session: Session, telegram_user_id: int) -> Resident | None:
    """The active resident this Telegram user is linked to, or None."""
    query = select(Resident).where(Resident.telegram_id == telegram_user_id, Resident.is_active)
    return session.execute(query).scalar_one_or_none()


def linked_telegram_id(*, session: Session, resident_id: int) -> int | None:
    """The Telegram user id linked to the resident, or None (for the web account page)."""
    resident = session.get(Resident, resident_id)
    return resident.telegram_id if resident is not None else None


def _locked_code(session: Session, code: str) -> LinkCode:
    if not CODE_PATTERN.fullmatch(code or ""):
        raise DomainError("link_code_invalid")
    query = select(LinkCode).where(LinkCode.code == code).with_for_update()
    link = session.execute(query).scalar_one_or_none()
    if link is None:
        raise DomainError("link_code_invalid")
    return link
