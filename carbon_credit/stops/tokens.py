"""Signed stop tokens, the check-in URLs printed on QR posters and Telegram deep links (images:
carbon_credit.platform.qr_images).

A token is ``{stop_id}-{token_version}-{sig}`` where ``sig`` is the first 22 characters of the unpadded
base64url HMAC-SHA256 of ``stop:{stop_id}:{token_version}`` under ``settings.qr_signing_key`` (132 bits).
It uses only ``[A-Za-z0-9_-]`` and is at most 44 characters, so ``stop_<token>`` fits Telegram's 64-character
``start`` parameter. :func:`read_stop_token` checks the signature only; :func:`stop_for_token` also refuses
a rotated-out poster (an older token version) and a deactivated stop.

Under the QR code a poster prints a manual code a person can type at ``/scan`` when the camera cannot be
used (:func:`manual_code`): the stop code and 6 check characters (Crockford base32, 30 bits) of the HMAC of
the stop's current token, so a typed code cannot be made without ``QR_SIGNING_KEY`` and dies with its poster
when the token is rotated. :func:`token_for_typed` reads it back (or a pasted poster URL) as the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings, link_base
from carbon_credit.stops.cache import StopFacts, stop_facts
from carbon_credit.stops.models import Stop

SIG_CHARS = 22
TOKEN = re.compile(r"([1-9][0-9]{0,9})-([1-9][0-9]{0,9})-([A-Za-z0-9_-]{22})")  # matched whole (fullmatch)


def _signature(stop_id: int, version: int, key: str) -> str:
    digest = hmac.new(key.encode(), f"stop:{stop_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:SIG_CHARS]


def sign_stop(stop_id: int, version: int, key: str) -> str:
    """The token printed (as part of a URL) on a stop's QR poster."""
    if stop_id < 1 or version < 1:
        raise ValueError("stop id and token version start at 1")
    return f"{stop_id}-{version}-{_signature(stop_id, version, key)}"


def read_stop_token(token: str, key: str) -> tuple[int, int]:
    """``(stop_id, token_version)`` of a well-formed, correctly signed token; otherwise
    DomainError ``invalid_stop_token`` (malformed, tampered or signed with another key)."""
    found = TOKEN.fullmatch(token or "")
    if found is None:
        raise DomainError("invalid_stop_token")
    stop_id, version = int(found.group(1)), int(found.group(2))
    if not hmac.compare_digest(found.group(3), _signature(stop_id, version, key)):
        raise DomainError("invalid_stop_token")
    return stop_id, version


def checkin_url(stop: Stop, settings: Settings, request_base: str | None = None) -> str:
    """The URL printed as a QR code on the stop's poster: ``{base}/s/{token}``, ``base`` being
    PUBLIC_BASE_URL when set, else ``request_base`` (the host of the request printing it; see
    :func:`carbon_credit.platform.settings.link_base`)."""
    token = sign_stop(stop.id, stop.token_version, settings.qr_signing_key)
    return f"{link_base(settings, request_base)}/s/{token}"


def stop_for_token(*, session: Session, settings: Settings, token: str) -> StopFacts:
    """The active stop whose current token this is (a cached read-only copy, carbon_credit.stops.cache).
    DomainError ``invalid_stop_token`` otherwise; for a known stop its ``params`` hold the ``stop_id`` and the
    ``reason`` (``transit_token_rotated`` for an old poster, ``transit_stop_inactive`` for a deactivated
    stop)."""
    stop_id, version = read_stop_token(token, settings.qr_signing_key)
    stop = stop_facts(session=session, stop_id=stop_id)
    if stop is None:
        raise DomainError("invalid_stop_token")
    if version != stop.token_version:
        raise DomainError("invalid_stop_token", reason="transit_token_rotated", stop_id=stop.id)
    if not stop.is_active:
        raise DomainError("invalid_stop_token", reason="transit_stop_inactive", stop_id=stop.id)
    return stop


# --- the manual code printed under the QR code ----------------------------------------------------------

CHECK_CHARS = 6
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: read as 1, 1, 0 when typed
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
SEPARATORS = re.compile(r"[\s\-_.·・:,;/\\|'\"]+")  # ignored in a typed code (after NFKC: full-width too)
POSTER_URL = re.compile(r"/s/([^/?#\s]*)")
MAX_TYPED = 300


def _check(stop_id: int, version: int, key: str) -> str:
    message = f"manual:{sign_stop(stop_id, version, key)}".encode()
    number = int.from_bytes(hmac.new(key.encode(), message, hashlib.sha256).digest()[:4], "big") >> 2
    return "".join(CROCKFORD[(number >> shift) & 31] for shift in range(25, -1, -5))


def manual_code(stop: Stop, settings: Settings) -> str:
    """The code printed under the stop's QR code, ``"{stop code} {6 check characters}"``."""
    return f"{stop.code} {_check(stop.id, stop.token_version, settings.qr_signing_key)}"


def token_for_typed(*, session: Session, settings: Settings, typed: str) -> str:
    """The current token of the stop behind what a resident typed or pasted: a poster URL (``.../s/<token>``,
    any host), a bare token, or the manual code (case, spaces, separators and full-width characters
    ignored; O, I, L read as 0, 1, 1). Read-only. DomainError ``invalid_stop_token`` as
    :func:`stop_for_token` (an old manual code too: reason ``transit_token_rotated``); ``stop_code_wrong``
    for a manual code that matches no poster."""
    text = unicodedata.normalize("NFKC", (typed or "")[:MAX_TYPED]).strip()
    pasted = POSTER_URL.search(text)
    if pasted is not None or TOKEN.fullmatch(text):
        token = pasted.group(1) if pasted is not None else text
        stop_for_token(session=session, settings=settings, token=token)
        return token
    return _token_for_manual(session, settings, SEPARATORS.sub("", text).upper())


def _token_for_manual(session: Session, settings: Settings, compact: str) -> str:
    if not (CHECK_CHARS < len(compact) <= 32 + CHECK_CHARS and compact.isascii() and compact.isalnum()):
        raise DomainError("stop_code_wrong")
    prefix, check = compact[:-CHECK_CHARS], compact[-CHECK_CHARS:].translate(LOOKALIKES)
    key = settings.qr_signing_key
    for stop in _stops_coded(session, prefix):
        if hmac.compare_digest(check, _check(stop.id, stop.token_version, key)):
            token = sign_stop(stop.id, stop.token_version, key)
            stop_for_token(session=session, settings=settings, token=token)  # refuses an inactive stop
            return token
        if any(hmac.compare_digest(check, _check(stop.id, v, key)) for v in range(1, stop.token_version)):
            raise DomainError("invalid_stop_token", reason="transit_token_rotated", stop_id=stop.id)
    raise DomainError("stop_code_wrong")


def _stops_coded(session: Session, compact_code: str) -> list[Stop]:
    """Stops whose code, upper-cased without ``-``, ``_`` and ``.``, is ``compact_code`` (usually one)."""
    column = func.upper(Stop.code)
    for separator in "-_.":
        column = func.replace(column, separator, "")
    return list(session.execute(select(Stop).where(column == compact_code).order_by(Stop.id)).scalars())
