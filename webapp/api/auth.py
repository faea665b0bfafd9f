"""API authentication by personal bearer token, per-token rate limits, inert responses, and the request's one
database session.

Every API request runs in one session (``webapp.context.request_session``), opened by the token check. A GET
is one read transaction. A write is one transaction on PostgreSQL, the token check its first statement; on
SQLite the token check reads without the write lock and the write transaction begins at :func:`unit_of_work`
(the lock is held for the service only, as a PostgreSQL statement reads under READ COMMITTED). The view that
writes wraps its service call in :func:`unit_of_work`: committed when the block ends, rolled back on any
exception, so a refusal leaves nothing half-written. The token's ``last_used_at`` (about once a minute per
token) is written in that transaction (on PostgreSQL by the token check's own statement), or on its own when
the request reads, or its write does not commit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, request
from sqlmodel import Session

from carbon_credit.platform.database import session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import normalise_locale
from carbon_credit.residents import tokens as api_tokens
from webapp.api.blueprint import RATE_LIMIT, bp
from webapp.api.errors import ApiError
from webapp.context import close_request_session, engine, request_session, request_transaction
from webapp.extensions import limiter

log = logging.getLogger("webapp")
READS = frozenset({"GET", "HEAD", "OPTIONS"})
_USE_PENDING = "api_token_use_pending"  # the token id whose last_used_at is still to be committed
_USE_WRITTEN = "api_token_use_written"  # ... and already written in the request's transaction

# ---- authentication -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Caller:
    """The token owner, as plain values."""

    id: int
    display_name: str
    locale: str
    role: str


def _rate_key() -> str:
    """Per token when one is sent (many residents share one carrier-grade NAT address), else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-addr:" + (request.remote_addr or "")


limiter.limit(RATE_LIMIT, key_func=_rate_key)(bp)


@bp.before_request
def _authenticate() -> None:
    """Every route but the OpenAPI document needs a valid bearer token; JSON bodies must be JSON. The check
    opens the request's session: read-only for GET, read-write for the methods that write."""
    if request.endpoint == "api.openapi":
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise ApiError(401, "invalid_token")
    writes = request.method not in READS
    try:
        session = request_session(write=writes)
        found = api_tokens.owner_of_token(session=session, token=token.strip(), record_use=writes)
    except DomainError as error:
        raise ApiError(401, "invalid_token") from error
    if found.use_is_stale():  # about once a minute per token
        setattr(g, _USE_PENDING, found.token_id)
        setattr(g, _USE_WRITTEN, found.use_recorded)  # PostgreSQL: by the check, in the write's transaction
        if not writes:
            _record_pending_use()
    g.api_caller = Caller(found.id, found.display_name, normalise_locale(found.locale), found.role)
    if request.method == "POST" and request.content_length:
        if not request.is_json:
            raise ApiError(415, "unsupported_media_type")
        if request.get_json(silent=True) is None:
            raise ApiError(400, "invalid_json")


def _record_pending_use() -> None:
    """Write the token's use in a short transaction of its own (a read, or a write that did not commit)."""
    token_id = g.pop(_USE_PENDING, None)
    if token_id is not None:
        with session_scope(engine()) as own:
            api_tokens.record_use(session=own, token_id=token_id)


def database() -> Session:
    """The request's session, which the token check opened (read-only for GET): for views that read."""
    return request_session()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """The request's write transaction (``webapp.context.request_transaction``), with the token's use when
    it is due: committed when the block ends, rolled back on any exception. A service that keeps a record
    of a refusal (transit's ``invalid_stop_token``) is called inside the block with the refusal caught."""
    with request_transaction() as db:
        token_id = g.get(_USE_PENDING)
        if token_id is not None and not g.get(_USE_WRITTEN):
            api_tokens.record_use(session=db, token_id=token_id)
        yield db
    g.pop(_USE_PENDING, None)


@bp.teardown_request
def _end_session(_error: BaseException | None) -> None:
    """Roll back what the request did not commit and give back the connection. A token use that was to be
    committed with a write that did not happen (a refusal, a malformed body) is recorded on its own, so
    ``last_used_at`` and the owner's activity do not depend on the request succeeding."""
    close_request_session()
    try:
        _record_pending_use()
    except Exception:  # noqa: BLE001 - a teardown must not fail the answer already made (e.g. database down)
        log.warning("could not record the use of an API token", exc_info=True)


@bp.after_request
def _inert(response):
    """API answers are data, never a page: no sniffing, no scripts, no framing."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response
