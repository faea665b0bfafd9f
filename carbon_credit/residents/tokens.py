"""Personal API tokens: created and revoked by their owner, stored only as a SHA-256 hash.

The plaintext (``cc_`` + 43 URL-safe characters, 256 random bits) is returned once, by :func:`create_token`;
the database keeps its hash and a short prefix so the owner can tell tokens apart. A token is sent as
``Authorization: Bearer <token>``; :func:`owner_of_token` finds its owner from the hash. A plain SHA-256
(not a slow password hash) is right here: the token is random and long, so it cannot be guessed offline.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update
from sqlmodel import Session

from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.residents.activity import mark_active, seen_active
from carbon_credit.residents.models import ApiToken, Resident

TOKEN_PREFIX = "cc_"
PREFIX_LENGTH = 11  # "cc_" and 8 characters: enough to recognise a token in the list
MAX_NAME = 64
MAX_ACTIVE_TOKENS = 20
LAST_USED_GRANULARITY = timedelta(minutes=1)  # last_used_at is written at most once a minute per token


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(*, session: Session, resident_id: int, name: str) -> tuple[ApiToken, str]:
    """Create a token for the resident; returns the row and the plaintext, which is never stored or shown
    again. Refusals: ``invalid_token_name`` (1-64 printable characters), ``too_many_tokens``."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise DomainError("invalid_token_name", max=MAX_NAME)
    if len([t for t in tokens_of(session=session, resident_id=resident_id) if t.revoked_at is None]) >= (
        MAX_ACTIVE_TOKENS
    ):
        raise DomainError("too_many_tokens", limit=MAX_ACTIVE_TOKENS)
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        resident_id=resident_id, name=name, token_hash=hash_token(plaintext), prefix=plaintext[:PREFIX_LENGTH]
    )
    session.add(token)
    session.flush()
    return token, plaintext


def tokens_of(*, session: Session, resident_id: int) -> list[ApiToken]:
    """The resident's tokens, revoked ones included, newest first."""
    query = select(ApiToken).where(ApiToken.resident_id == resident_id)
    return list(session.execute(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).scalars())


def revoke_token(*, session: Session, resident_id: int, token_id: int) -> None:
    """Revoke one of the resident's own tokens (revoking twice is harmless). Another resident's token is
    ``token_not_found``, the same answer as a missing one."""
    token = session.get(ApiToken, token_id)
    if token is None or token.resident_id != resident_id:
        raise NotFound("token_not_found", what="token", token_id=token_id)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        session.flush()


def revoke_all_tokens(*, session: Session, resident_id: int) -> int:
    """Revoke every unrevoked token of the resident (a password change does); returns how many."""
    table = ApiToken.__table__
    done = session.execute(
        update(table)
        .where(table.c.resident_id == resident_id, table.c.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return done.rowcount or 0


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """The active owner of a valid token, as plain values, and when the token was last recorded as used."""

    id: int
    display_name: str
    locale: str
    role: str
    token_id: int
    last_used_at: datetime | None  # as it was before this request
    use_recorded: bool = False  # this request's use was written by the check itself (PostgreSQL writes)

    def use_is_stale(self, now: datetime | None = None) -> bool:
        """Whether ``last_used_at`` is due to be written again (never, or over LAST_USED_GRANULARITY ago)."""
        return self.last_used_at is None or self.last_used_at < (now or clock.now()) - LAST_USED_GRANULARITY


_tokens = ApiToken.__table__
_residents = Resident.__table__
# Built once: the token check runs on every API request (the statement cache skips recompiling, not building).
_OWNER = (
    select(
        _residents.c.id,
        _residents.c.display_name,
        _residents.c.locale,
        _residents.c.role,
        _tokens.c.id.label("token_id"),
        _tokens.c.last_used_at,
        _residents.c.last_active_at,
        _residents.c.inactivity_notice_at,
    )
    .join_from(_residents, _tokens, _tokens.c.resident_id == _residents.c.id)
    .where(
        _tokens.c.token_hash == bindparam("presented_hash"),
        _tokens.c.revoked_at.is_(None),
        _residents.c.is_active,
    )
)
_DUE = or_(_tokens.c.last_used_at.is_(None), _tokens.c.last_used_at < bindparam("stale_before"))
_RECORD_USE = (
    update(_tokens)
    .where(_tokens.c.id == bindparam("token_id"), _DUE)
    .values(last_used_at=bindparam("now"))
    .returning(_tokens.c.resident_id)
)


def _owner_recording_use():
    """PostgreSQL: WITH owner AS (the token check), used AS (UPDATE api_tokens ... FROM owner WHERE the use
    is due RETURNING id) SELECT owner.*, (SELECT count(*) FROM used): the check and the due use in one
    round trip. The owner's columns show the token as it was before the statement. (No parameter may be
    named after a column of api_tokens: SQLAlchemy would take it for a value to SET.)"""
    owner = _OWNER.cte("owner")
    used = (
        update(_tokens)
        .where(_tokens.c.id == owner.c.token_id, _DUE)
        .values(last_used_at=bindparam("now"))
        .returning(_tokens.c.id)
        .cte("used")
    )
    return select(*owner.c, select(func.count()).select_from(used).scalar_subquery())


_OWNER_RECORDING_USE = _owner_recording_use()


def owner_of_token(*, session: Session, token: str, record_use: bool = False) -> TokenOwner:
    """The active owner of an unrevoked token (one joined SELECT, in the caller's transaction: the API runs
    it in the request's own, so a revoked token fails at once on every worker), else ``invalid_token``. The
    same row tells whether the owner's activity is recorded for today already
    (:func:`carbon_credit.residents.activity.seen_active`): then the request's ``mark_active`` sends
    nothing. ``record_use`` (a write transaction): on PostgreSQL the same statement writes the token's due
    use (:func:`record_use`) and ``use_recorded`` says so; elsewhere the check only reads (SQLite's token
    check runs before the write lock is taken) and the caller records the use itself."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise DomainError("invalid_token")
    connection, params = session.connection(), {"presented_hash": hash_token(token)}
    recording = record_use and connection.dialect.name == "postgresql"
    now = clock.now()
    if recording:
        params.update(stale_before=now - LAST_USED_GRANULARITY, now=now)
    row = connection.execute(_OWNER_RECORDING_USE if recording else _OWNER, params).one_or_none()
    if row is None:
        raise DomainError("invalid_token")
    owner, (last_active_at, notice_at), used = row[:6], row[6:8], recording and bool(row[8])
    seen_active(session=session, resident_id=owner[0], last_active_at=last_active_at, notice_at=notice_at)
    if used:
        mark_active(session=session, resident_id=owner[0], now=now)
    return TokenOwner(*owner, use_recorded=used)


def record_use(*, session: Session, token_id: int) -> None:
    """Set ``last_used_at`` to now unless it was set less than LAST_USED_GRANULARITY ago (one conditional
    UPDATE, so concurrent requests with the same token write at most once a minute); the owner is marked
    active (at most once a day, :func:`carbon_credit.residents.activity.mark_active`)."""
    now = clock.now()
    params = {"token_id": token_id, "stale_before": now - LAST_USED_GRANULARITY, "now": now}
    owner = session.connection().execute(_RECORD_USE, params).scalar_one_or_none()
    if owner is not None:
        mark_active(session=session, resident_id=owner, now=now)
