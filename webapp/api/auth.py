"""API authentication by personal bearer token, per-token rate limits and inert responses."""

from __future__ import annotations

import dataclasses
import hashlib

from flask import g, request

from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import normalise_locale
from carbon_credit.residents import tokens as api_tokens
from webapp.api.blueprint import RATE_LIMIT, bp
from webapp.api.errors import ApiError
from webapp.context import engine
from webapp.extensions import limiter

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
    """Every route but the OpenAPI document needs a valid bearer token; JSON bodies must be JSON."""
    if request.endpoint == "api.openapi":
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise ApiError(401, "invalid_token")
    try:
        with read_session(engine()) as db:  # no write transaction (on SQLite, no write lock) per request
            found = api_tokens.owner_of_token(session=db, token=token.strip())
    except DomainError as error:
        raise ApiError(401, "invalid_token") from error
    if found.use_is_stale():  # about once a minute per token
        with session_scope(engine()) as db:
            api_tokens.record_use(session=db, token_id=found.token_id)
    g.api_caller = Caller(found.id, found.display_name, normalise_locale(found.locale), found.role)
    if request.method == "POST" and request.content_length:
        if not request.is_json:
            raise ApiError(415, "unsupported_media_type")
        if request.get_json(silent=True) is None:
            raise ApiError(400, "invalid_json")


@bp.after_request
def _inert(response):
    """API answers are data, never a page: no sniffing, no scripts, no framing."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response
