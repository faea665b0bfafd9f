"""Deleting an account (PIPL Art. 47): the resident's personal information is erased at once, in one
transaction; what the city must still account for stays under a pseudonymous id.

Erased: mobile number and e-mail address (the login: the contact can register again as a new account),
display name (replaced by a pseudonym such as ``已注销用户 7F3A``), password, Telegram link, transit card
numbers (the link, claims, the operator trips kept for proof, and the number inside imported trips), chat
sessions with their transcripts, link codes, API tokens, photos (rows and files) and notes, messages waiting
to be sent, and every session (the account is closed and its session version raised). Unused vouchers are
cancelled by the rewards feature's own void (their stock returns).

Kept, under the account's id with no name or contact: activities, their audit trail and ledger entries (the
public totals, campaign reports and the auditor export are the city's reductions and must not change), the
district (totals by district), consent records (proof of what was agreed), and the audit log.

Nothing happens unless the password is right and the typed confirmation is the word asked for
(:data:`CONFIRM_WORDS`); a refusal says which. Audited as ``account.delete`` (actor and target the resident,
with the channel and counts, no personal data).

The same erasure (:func:`erase`) pseudonymises accounts unused for years (carbon_credit.privacy.inactivity),
audited with no actor (the system) and the reason ``inactive``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session

from carbon_credit import residents
from carbon_credit.platform import audit
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings
from carbon_credit.privacy import deletion_steps as steps
from carbon_credit.privacy.copy_jobs import erase_copies

CONFIRM_WORDS = ("删除", "DELETE")
"""The word a resident types to confirm (either; ``delete`` in any case is DELETE)."""
CHANNELS = ("web", "api")
PSEUDONYM_PREFIX = "已注销用户"


@dataclass(frozen=True, slots=True)
class Deletion:
    """What a deletion did: the pseudonym the account keeps and how much was erased or cancelled."""

    resident_id: int
    pseudonym: str
    vouchers_cancelled: tuple[int, ...]
    photos: int
    cards: int
    chats: int
    tokens: int
    scans: int = 0  # refused scans and tap-ins without a trip


def confirmed(confirmation: str | None) -> bool:
    """Whether ``confirmation`` is the typed word: 删除, or DELETE in any case."""
    typed = (confirmation or "").strip()
    return typed == CONFIRM_WORDS[0] or typed.upper() == CONFIRM_WORDS[1]


def delete_account(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    password: str,
    confirmation: str,
    channel: str,
) -> Deletion:
    """Erase the resident's personal information and close the account (see the module docstring).

    DomainError ``deletion_wrong_password`` or ``deletion_not_confirmed`` (``word``: the
    confirmation typed is not the word asked for); ``account_closed`` for an account already closed.
    The caller owns the transaction: commit it, and the photo files go after the commit."""
    if channel not in CHANNELS:
        raise DomainError("unexpected_input", name="channel", value=channel)
    resident = session.get(residents.Resident, resident_id, with_for_update=True)
    if resident is None or not resident.is_active:
        raise DomainError("account_closed")
    try:
        residents.verify_password(
            session=session, settings=settings, resident_id=resident_id, password=password
        )
    except DomainError:
        raise DomainError("deletion_wrong_password") from None
    if not confirmed(confirmation):
        raise DomainError("deletion_not_confirmed", word=CONFIRM_WORDS[0], word_en=CONFIRM_WORDS[1])
    done, files = erase(session=session, resident=resident)
    steps.remove_after_commit(session, settings, files)
    erase_copies(session=session, settings=settings, resident_id=resident_id)
    record(session=session, done=done, actor_id=resident_id, channel=channel)
    return done


def erase(*, session: Session, resident: residents.Resident) -> tuple[Deletion, list[str]]:
    """The erasure itself, without any check or audit (deletion and inactive accounts share it): every
    step in the caller's transaction; returns what it did and the photo files to remove once that
    transaction has committed (:func:`deletion_steps.remove_after_commit`)."""
    pseudonym = f"{PSEUDONYM_PREFIX} {secrets.token_hex(2).upper()}"
    vouchers = tuple(steps.cancel_vouchers(session, resident))
    files = steps.erase_photos(session, resident)
    cards = steps.erase_cards(session, resident)
    scans = steps.erase_refused_scans(session, resident)
    chats = steps.erase_chat(session, resident)
    tokens = steps.erase_tokens_and_outbox(session, resident)
    steps.erase_profile(resident, pseudonym)
    session.add(resident)
    session.flush()
    done = Deletion(resident.id, pseudonym, vouchers, len(files), cards, chats, tokens, scans)
    return done, files


def record(
    *, session: Session, done: Deletion, actor_id: int | None, channel: str, reason: str | None = None
) -> None:
    """Audit an erasure as ``account.delete``: the actor (the resident, or None for the system), the
    channel, the reason when it was not the resident's request, and counts, never personal data."""
    after = {
        "is_active": False,
        "channel": channel,
        "vouchers_cancelled": list(done.vouchers_cancelled),
        "photos": done.photos,
        "cards": done.cards,
        "chats": done.chats,
        "tokens": done.tokens,
        "scans": done.scans,
    }
    audit.record(
        session=session,
        actor_id=actor_id,
        action="account.delete",
        target_type="resident",
        target_id=done.resident_id,
        before={"is_active": True},
        after=after if reason is None else {**after, "reason": reason},
    )
