"""Claiming a transit card: a card belongs to the resident who proves it is theirs.

Typing a number is not proof. A resident claims a card by naming one recent trip on it that an operator
file reported (the Beijing day and the boarding stop, within ``card_proof_days``); operator imports keep
those trips for the purpose (:func:`remember_card_trips`). A proved claim on a free card links it at once;
a claim on a card that is already someone's, or a resident with no trip to name, waits for an
administrator (:func:`decide_card_claim`, audited). A failed proof is recorded, and a resident gets
``MAX_FAILED_PER_DAY`` of them a day, so the trips of a card cannot be guessed by trying every stop.

A claim needs the resident's consent to ``card`` when it is made and again when an administrator approves
it (withdrawing the consent unlinks the card at once: carbon_credit.residents).

The link records when ownership was proved (``Resident.transit_card_since``): operator imports credit the
owner only with trips boarded from then on, so nobody is credited with a card's earlier trips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from carbon_credit.platform import clock, commands
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import Resident, consenting, has_consent, require_consent
from carbon_credit.transit.card_models import CardClaim, CardTrip
from carbon_credit.transit.cards import normalise_card

MAX_FAILED_PER_DAY = 5
CONSENT = "card"  # the purpose a claim needs when it is made and when it is approved
IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """What a claim did: ``linked``, ``review`` (waits for an administrator) or ``failed`` (``refusal``
    says why; the attempt is recorded, so it is an outcome and not an error)."""

    status: str
    card: str
    refusal: DomainError | None = None


def claim_card(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    card: str,
    trip_day: date | None = None,
    boarding_stop: str | None = None,
) -> ClaimOutcome:
    """Claim ``card`` with one of its recent trips (``trip_day`` and ``boarding_stop`` code), or without
    one (both None) for an administrator to confirm."""
    number = normalise_card(card)
    resident = session.get(Resident, resident_id, with_for_update=True)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    require_consent(session=session, resident_id=resident_id, purpose=CONSENT)
    if resident.transit_card == number:
        return ClaimOutcome("linked", number)
    if _waiting(session, resident_id, number) is not None:
        return ClaimOutcome("review", number)
    if trip_day is None and boarding_stop is None:
        return _claim(session, resident_id, number, "review", "administrator")
    if _failures_today(session, resident_id) >= MAX_FAILED_PER_DAY:
        raise DomainError("card_claim_attempts")
    if not boarding_stop or trip_day is None:
        raise DomainError("unknown_stop_name")
    if not _trip_on_card(session, settings, number, trip_day, boarding_stop):
        _claim(session, resident_id, number, "failed", "trip")
        refusal = DomainError("card_proof_not_found", days=settings.card_proof_days)
        return ClaimOutcome("failed", number, refusal)
    if _owner(session, number) not in (None, resident_id) or not _link(session, resident, number):
        return _claim(session, resident_id, number, "review", "trip")  # a second claim: an administrator
    return _claim(session, resident_id, number, "linked", "trip")


def decide_card_claim(
    *, session: Session, actor_id: int, claim_id: int, approve: bool, idempotency_key: str
) -> dict:
    """An administrator approves a waiting claim (the card moves to the claimant, proved from now: earlier
    trips stay with whoever rode them) or rejects it. Audited and idempotent by the form's key. The
    claimant's consent to ``card`` is checked when the administrator decides: an approval after it was
    withdrawn is refused (``card_claim_consent_withdrawn``) and changes nothing; rejecting still works."""

    def apply() -> commands.Change:
        claim = session.get(CardClaim, claim_id, with_for_update=True)
        if claim is None:
            raise NotFound("card_claim_not_found", what="card claim", claim_id=claim_id)
        if claim.status != "review":
            raise DomainError("card_claim_decided")
        if approve and not has_consent(session=session, resident_id=claim.resident_id, purpose=CONSENT):
            raise DomainError("card_claim_consent_withdrawn")
        before = {"status": claim.status, "owner": _owner(session, claim.card)}
        if approve:
            _move_card(session, claim.card, claim.resident_id)
        claim.status = "approved" if approve else "rejected"
        claim.decided_at, claim.decided_by = clock.now(), actor_id
        session.add(claim)
        session.flush()
        after = {"status": claim.status, "owner": _owner(session, claim.card)}
        return commands.Change(claim.id, before, after)

    return commands.run(
        session=session,
        actor_id=actor_id,
        action="card_claim.decide",
        target_type="card_claim",
        idempotency_key=idempotency_key,
        asked=(claim_id, approve),
        apply=apply,
    )


def card_claims_waiting(*, session: Session) -> list[CardClaim]:
    """Claims waiting for an administrator, oldest first."""
    query = select(CardClaim).where(CardClaim.status == "review").order_by(CardClaim.created_at, CardClaim.id)
    return list(session.execute(query).scalars())


def claims_not_approvable(*, session: Session, claims: list[CardClaim]) -> set[int]:
    """The ids of waiting ``claims`` whose claimant has since withdrawn consent to ``card``: an approval
    would be refused (:func:`decide_card_claim`), only a rejection remains."""
    agreed = consenting(session=session, resident_ids={c.resident_id for c in claims}, purpose=CONSENT)
    return {c.id for c in claims if c.resident_id not in agreed}


def card_holder(*, session: Session, card: str) -> int | None:
    """The id of the resident the card is linked to, if any."""
    return _owner(session, card)


def claim_waiting(*, session: Session, resident_id: int) -> CardClaim | None:
    """The resident's newest claim still waiting for an administrator, if any."""
    query = (
        select(CardClaim)
        .where(CardClaim.resident_id == resident_id, CardClaim.status == "review")
        .order_by(CardClaim.created_at.desc(), CardClaim.id.desc())
    )
    return session.execute(query.limit(1)).scalar_one_or_none()


def remember_card_trips(
    *, session: Session, settings: Settings, trips: list[tuple[str, str, datetime]], now: datetime
) -> None:
    """Keep an operator file's (card, boarding stop code, boarded at) trips of the last ``card_proof_days``
    for card claims (each once), and forget older ones."""
    oldest = now - timedelta(days=settings.card_proof_days)
    session.execute(delete(CardTrip).where(CardTrip.boarded_at < oldest))
    fresh = {(card, stop, clock.as_utc(moment)) for card, stop, moment in trips if moment >= oldest}
    cards = sorted({card for card, _, _ in fresh})
    for start in range(0, len(cards), IN_CHUNK):
        query = select(CardTrip.card, CardTrip.boarding_stop, CardTrip.boarded_at).where(
            CardTrip.card.in_(cards[start : start + IN_CHUNK])
        )
        fresh -= {(card, stop, clock.as_utc(moment)) for card, stop, moment in session.execute(query)}
    if fresh:
        rows = [
            {"card": card, "boarding_stop": stop, "boarded_at": moment}
            for card, stop, moment in sorted(fresh)
        ]
        session.execute(insert(CardTrip.__table__), rows)


def _trip_on_card(session: Session, settings: Settings, card: str, day: date, stop: str) -> bool:
    """Whether an operator file reported a trip on ``card`` boarding at ``stop`` on the Beijing ``day``,
    within the proof window."""
    start = datetime.combine(day, time(0), tzinfo=clock.BEIJING)
    oldest = clock.now() - timedelta(days=settings.card_proof_days)
    query = select(func.count()).where(
        CardTrip.card == card,
        CardTrip.boarding_stop == stop.strip(),
        CardTrip.boarded_at >= max(start, oldest),
        CardTrip.boarded_at < start + timedelta(days=1),
    )
    return session.execute(query).scalar_one() > 0


def _link(session: Session, resident: Resident, number: str) -> bool:
    """Link the card to the resident, proved from now; False if someone else linked it at this moment."""
    try:
        with session.begin_nested():
            resident.transit_card, resident.transit_card_since = number, clock.now()
            session.add(resident)
            session.flush()
    except IntegrityError:
        session.refresh(resident)
        return False
    return True


def _move_card(session: Session, number: str, resident_id: int) -> None:
    """Unlink the card from its current owner and link it to ``resident_id``, proved from now."""
    for owner in session.execute(select(Resident).where(Resident.transit_card == number)).scalars():
        owner.transit_card, owner.transit_card_since = None, None
        session.add(owner)
    session.flush()
    claimant = session.get(Resident, resident_id)
    claimant.transit_card, claimant.transit_card_since = number, clock.now()
    session.add(claimant)
    session.flush()


def _owner(session: Session, number: str) -> int | None:
    query = select(Resident.id).where(Resident.transit_card == number)
    return session.execute(query).scalar_one_or_none()


def _waiting(session: Session, resident_id: int, number: str) -> CardClaim | None:
    query = select(CardClaim).where(
        CardClaim.resident_id == resident_id, CardClaim.card == number, CardClaim.status == "review"
    )
    return session.execute(query.limit(1)).scalar_one_or_none()


def _failures_today(session: Session, resident_id: int) -> int:
    query = select(func.count()).where(
        CardClaim.resident_id == resident_id,
        CardClaim.status == "failed",
        CardClaim.created_at >= clock.now() - timedelta(days=1),
    )
    return session.execute(query).scalar_one()


def _claim(session: Session, resident_id: int, number: str, status: str, proof: str) -> ClaimOutcome:
    session.add(CardClaim(resident_id=resident_id, card=number, status=status, proof=proof))
    session.flush()
    return ClaimOutcome(status, number)
