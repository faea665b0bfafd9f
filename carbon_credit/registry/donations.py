"""Residents neutralising an event: points donated from the balance like a redemption, the same grams
retired from the available tonnes (oldest issued first) on the event's behalf, a personal certificate.

Concurrency as for redemptions (docs/ledger.md): the resident's account row is locked first, so the
idempotency, debt and balance checks are serialised per resident; then, in one savepoint, the event's
progress (conditional UPDATE on an open event), the batches (retirements.take_available) and the points
(``ledger.post``, itself a conditional UPDATE). Any refusal leaves points, tonnes and event unchanged.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, IdempotencyConflict, InsufficientPoints
from carbon_credit.platform.settings import Settings
from carbon_credit.registry.certificates import write_certificate
from carbon_credit.registry.events import add_retired
from carbon_credit.registry.models import Certificate
from carbon_credit.registry.retirements import take_available

MAX_KEY_LENGTH = 120
DONOR_LABEL = "孝感市民 P{tag}…"


def grams_for_points(settings: Settings, points: int) -> int:
    """The grams CO2e a number of points stands for: the inverse of the platform's points-per-gram rate
    (1 point = 1 g by default), rounded down to whole grams."""
    return points * settings.points_per_gram_den // settings.points_per_gram_num


def donor_label(settings: Settings, resident_id: int) -> str:
    """The beneficiary printed on a donor's public certificate: never a name or contact, only a short tag
    from a keyed hash (not the verifier's pseudonym, so certificates cannot be matched to batch records)."""
    digest = hmac.new(settings.secret_key.encode(), f"registry-donor:{resident_id}".encode(), hashlib.sha256)
    return DONOR_LABEL.format(tag=digest.hexdigest()[:6])


def donate(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    event_id: int,
    points: int,
    idempotency_key: str,
) -> Certificate:
    """Donate ``points`` to an event: spend them (ledger kind ``redeem``, ref_type ``donation``), retire the
    grams they stand for on the event's behalf and return the donor's certificate. The same key again (per
    resident) returns the same certificate. Refusals: ``registry_donation_points_invalid``,
    ``registry_donation_blocked_by_debt`` (``debt``), InsufficientPoints, NotFound
    ``registry_event_not_found``, ``registry_event_closed``, ``registry_not_enough_available``."""
    grams = _grams(settings, points)
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise IdempotencyConflict(key=(idempotency_key or "")[:MAX_KEY_LENGTH])
    scoped = f"donation:r{resident_id}:{idempotency_key}"
    account_id = ledger.lock_accounts(session=session, resident_ids=[resident_id])[resident_id]
    earlier = session.execute(
        select(Certificate).where(Certificate.idempotency_key == scoped)
    ).scalar_one_or_none()
    if earlier is not None:
        if (earlier.event_id, earlier.points) != (event_id, points):
            raise IdempotencyConflict(key=idempotency_key)
        return earlier
    _check_balance(session, account_id, points)
    with session.begin_nested():
        event = add_retired(
            session, event_id, grams, new_donor=not _has_donated(session, resident_id, event_id)
        )
        certificate = write_certificate(
            session,
            drawn=take_available(session, grams),
            idempotency_key=scoped,
            kind="donation",
            grams=grams,
            beneficiary=donor_label(settings, resident_id),
            purpose=f"{event.name_zh}碳中和 / Carbon neutrality of {event.name_en}"[:255],
            event_id=event_id,
            resident_id=resident_id,
            points=points,
            retired_on=clock.local_day(clock.now()),
        )
        _spend(session, account_id, points, scoped, certificate.id, event.name_zh)
    return certificate


def _grams(settings: Settings, points: object) -> int:
    """The grams a donation of ``points`` retires, or ``registry_donation_points_invalid``."""
    if type(points) is not int or not 0 < points <= ledger.MAX_POINTS_PER_ENTRY:
        raise DomainError("registry_donation_points_invalid", value=str(points)[:20])
    grams = grams_for_points(settings, points)
    if grams < 1:
        raise DomainError("registry_donation_points_invalid", value=points)
    return grams


def _spend(session: Session, account_id: int, points: int, key: str, certificate_id: int, memo: str) -> None:
    """The donation's ledger entry: a ``redeem`` of the points, pointing at the certificate."""
    posting = ledger.Posting(
        account_id, -points, "redeem", key, ref_type="donation", ref_id=certificate_id, memo=memo[:255]
    )
    ledger.post(session=session, posting=posting)


def _check_balance(session: Session, account_id: int, points: int) -> None:
    """Refuse before touching anything: a debt blocks donations as it blocks redemptions; then the points."""
    balance = ledger.balance(session=session, account_id=account_id)
    if balance < 0:
        raise DomainError("registry_donation_blocked_by_debt", debt=-balance)
    if balance < points:
        raise InsufficientPoints(needed=points, balance=balance)


def _has_donated(session: Session, resident_id: int, event_id: int) -> bool:
    query = select(Certificate.id).where(
        Certificate.resident_id == resident_id,
        Certificate.event_id == event_id,
        Certificate.kind == "donation",
    )
    return session.execute(query.limit(1)).first() is not None
