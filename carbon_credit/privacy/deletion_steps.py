"""The steps of an account's erasure (carbon_credit.privacy.deletion), each over one kind of personal data.

Each step runs in the caller's transaction and only flushes: a step that fails leaves nothing done by the
others. Files (photos) are removed only after the transaction commits, so a deletion cut off half-way keeps
every photo its rows still name.
"""

from __future__ import annotations

from sqlalchemy import delete, event, or_, select, update
from sqlmodel import Session

from carbon_credit import rewards
from carbon_credit.activities import Activity
from carbon_credit.chat import ChatSession, LinkCode
from carbon_credit.ledger import Account, LedgerEntry
from carbon_credit.notifications import Notification
from carbon_credit.platform.models import IdempotencyRecord
from carbon_credit.platform.settings import Settings
from carbon_credit.platform.uploads import discard_photo
from carbon_credit.residents import ApiToken, Resident
from carbon_credit.transit import CardClaim, CardTrip, TapIn, TransitRejection

ERASED_CARD = "erased"  # what replaces a card number inside the keys of the resident's imported trips
OWNED_CLAIMS = ("linked", "approved")  # claims that proved the card was the resident's


def cancel_vouchers(session: Session, resident: Resident) -> list[int]:
    """Cancel the unused vouchers through the rewards feature's own void (points back, stock back)."""
    outcome = rewards.void_vouchers(
        session=session,
        actor_id=resident.id,
        resident_id=resident.id,
        idempotency_key=f"account-delete-{resident.id}",
    )
    return list(outcome.get("voided", []))


def erase_photos(session: Session, resident: Resident) -> list[str]:
    """Forget the photos of the resident's activities (and the notes they wrote); returns the photos' file
    names, for :func:`remove_after_commit` once every step has run."""
    query = select(Activity.photo).where(Activity.resident_id == resident.id, Activity.photo.is_not(None))
    names = [name for name in session.execute(query).scalars() if name]
    session.execute(
        update(Activity)
        .where(Activity.resident_id == resident.id)
        .where(or_(Activity.photo.is_not(None), Activity.note.is_not(None)))
        .values(photo=None, note=None)
    )
    return names


def remove_after_commit(session: Session, settings: Settings, names: list[str]) -> None:
    """Remove the photo files once the session's transaction has committed (never if it rolls back)."""
    if names:
        event.listen(session, "after_commit", _remover(settings, names), once=True)


def _remover(settings: Settings, names: list[str]):
    def remove(_session) -> None:
        for name in names:
            discard_photo(settings=settings, name=name)

    return remove


def erase_cards(session: Session, resident: Resident) -> int:
    """Forget the resident's transit cards: the link, the claims, the operator trips kept for proving the
    cards that were theirs, and the card number inside their imported trips (the trips stay). Returns how
    many card numbers were erased."""
    claims = session.execute(
        select(CardClaim.card, CardClaim.status).where(CardClaim.resident_id == resident.id)
    )
    owned = {card for card, status in claims if status in OWNED_CLAIMS}
    if resident.transit_card:
        owned.add(resident.transit_card)
    others = select(Resident.transit_card).where(Resident.id != resident.id, Resident.transit_card.in_(owned))
    owned -= set(session.execute(others).scalars())
    session.execute(delete(CardClaim).where(CardClaim.resident_id == resident.id))
    if owned:
        session.execute(delete(CardTrip).where(CardTrip.card.in_(sorted(owned))))
    for index, card in enumerate(sorted(owned)):
        _erase_card_in_trips(session, resident, card, f"{ERASED_CARD}{index}")
    resident.transit_card, resident.transit_card_since = None, None
    return len(owned)


def _erase_card_in_trips(session: Session, resident: Resident, card: str, stand_in: str) -> None:
    """Imported trips name their card in their key (``r<id>:op:<card>:...``), their ledger entry's key and
    their details: replaced by ``stand_in``, so the trips, points and totals stay and the number goes."""
    pattern = f"%:op:{card}:%"
    found = session.execute(
        select(Activity).where(Activity.resident_id == resident.id, Activity.idempotency_key.like(pattern))
    ).scalars()
    for activity in found:
        activity.idempotency_key = activity.idempotency_key.replace(f":op:{card}:", f":op:{stand_in}:")
        if activity.details and "card" in activity.details:
            activity.details = {**activity.details, "card": stand_in}
        session.add(activity)
    account = select(Account.id).where(Account.resident_id == resident.id).scalar_subquery()
    entries = session.execute(
        select(LedgerEntry).where(
            LedgerEntry.account_id == account, LedgerEntry.idempotency_key.like(pattern)
        )
    ).scalars()
    for entry in entries:
        entry.idempotency_key = entry.idempotency_key.replace(f":op:{card}:", f":op:{stand_in}:")
        session.add(entry)
    session.flush()


def erase_refused_scans(session: Session, resident: Resident) -> int:
    """Forget the stop scans no credited trip rests on: refused scans (kept for the anomaly checks of a
    living account) and tap-ins that never became a trip. The tap-ins behind credited trips stay: they are
    the evidence of reductions in the city's totals and the registry. Returns how many rows went."""
    refused = session.execute(delete(TransitRejection).where(TransitRejection.resident_id == resident.id))
    unused = session.execute(
        delete(TapIn).where(TapIn.resident_id == resident.id, TapIn.activity_id.is_(None))
    )
    return (refused.rowcount or 0) + (unused.rowcount or 0)


def erase_chat(session: Session, resident: Resident) -> int:
    """Unlink Telegram and forget the chat: sessions with their transcripts and stored replies, link codes.
    Returns how many chat sessions went."""
    linked = [ChatSession.resident_id == resident.id]
    linked.append((ChatSession.channel == "web") & (ChatSession.external_id == str(resident.id)))
    if resident.telegram_id is not None:
        telegram = str(resident.telegram_id)
        linked.append((ChatSession.channel == "telegram") & (ChatSession.external_id == telegram))
    chats = list(session.execute(select(ChatSession.id, ChatSession.channel).where(or_(*linked))))
    for chat_id, channel in chats:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == f"chat-{channel}", IdempotencyRecord.owner_id == chat_id
            )
        )
    if chats:
        session.execute(delete(ChatSession).where(ChatSession.id.in_([chat_id for chat_id, _ in chats])))
    session.execute(delete(LinkCode).where(LinkCode.resident_id == resident.id))
    resident.telegram_id = None
    return len(chats)


def erase_tokens_and_outbox(session: Session, resident: Resident) -> int:
    """Delete the API tokens (their names too) and the messages waiting to be sent; returns the tokens."""
    tokens = session.execute(delete(ApiToken).where(ApiToken.resident_id == resident.id)).rowcount
    session.execute(delete(Notification).where(Notification.resident_id == resident.id))
    return int(tokens or 0)


def erase_profile(resident: Resident, pseudonym: str) -> None:
    """Contacts, name, password and choices go; the account is closed and every session ends. The district
    stays (public totals by district count the trips), and so do the id and the role."""
    resident.display_name = pseudonym
    resident.email = resident.phone = resident.password_hash = None
    resident.leaderboard_opt_in = resident.weekly_summary_opt_in = False
    resident.is_active = False
    resident.session_version = (resident.session_version or 0) + 1
