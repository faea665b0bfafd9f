"""Signed stop tokens, the check-in URLs printed on QR posters and Telegram deep links (images:
carbon_credit.platform.qr_images).

A token is ``{stop_id}-{token_version}-{sig}`` where ``sig`` is the first 22 characters of the unpadded
base64url HMAC-SHA256 of ``stop:{stop_id}:{token_version}`` under ``settings.qr_signing_key`` (132 bits).
It uses only ``[A-Za-z0-9_-]`` and is at most 44 characters, so ``stop_<token>`` fits Telegram's 64-character
``start`` parameter. :func:`read_stop_token` checks the signature only; :func:`stop_for_token` also refuses
a rotated-out poster (an older token version) and a deactivated stop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from sqlmodel import Session

from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings
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


def checkin_url(stop: Stop, settings: Settings) -> str:
    """The URL printed as a QR code on the stop's poster: ``{PUBLIC_BASE_URL}/s/{token}``."""
    return f"{settings.public_base_url}/s/{sign_stop(stop.id, stop.token_version, settings.qr_signing_key)}"


def stop_for_token(*, session: Session, settings: Settings, token: str) -> Stop:
    """The active stop whose current token this is. DomainError ``invalid_stop_token`` otherwise; for a
    known stop its ``params`` hold the ``stop_id`` and the ``reason`` (``transit_token_rotated`` for an old
    poster, ``transit_stop_inactive`` for a deactivated stop)."""
    stop_id, version = read_stop_token(token, settings.qr_signing_key)
    stop = session.get(Stop, stop_id)
    if stop is None:
        raise DomainError("invalid_stop_token")
    if version != stop.token_version:
        raise DomainError("invalid_stop_token", reason="transit_token_rotated", stop_id=stop.id)
    if not stop.is_active:
        raise DomainError("invalid_stop_token", reason="transit_stop_inactive", stop_id=stop.id)
    return stop
