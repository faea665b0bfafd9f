"""Retention (PIPL Art. 19, 47): personal data kept only as long as the policy says, run daily by the
scheduler (job ``apply-retention``); the policy table is in docs/privacy.md.

- photo evidence: ``PHOTO_RETENTION_DAYS`` after its review decision, the file is removed and the
  activity forgets its name (the activity, its points and the review decision stay);
- chat transcripts: a chat session untouched for ``CHAT_RETENTION_DAYS`` forgets its dialogue state and
  transcript, and the stored replies of the chat (idempotency records of ``chat-*`` scopes) go;
- raw operator trip rows (``card_trips``) older than ``OPERATOR_ROWS_RETENTION_DAYS`` go; the credited
  activities keep what the audit needs.

Each rule touches only what is still there, so a second run deletes nothing more. Everything runs in the
caller's transaction; photo files are removed only once it has committed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, event, select, update
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.chat import ChatSession
from carbon_credit.platform import clock
from carbon_credit.platform.models import IdempotencyRecord
from carbon_credit.platform.settings import Settings
from carbon_credit.platform.uploads import discard_photo
from carbon_credit.transit import CardTrip

CHAT_SCOPES = "chat-%"  # idempotency scopes of the chat (chat-telegram, chat-web)


def apply_retention(*, session: Session, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Apply every retention rule as of ``now``; returns how many items each rule removed:
    ``photos``, ``chat_sessions`` (transcripts cleared), ``chat_replies`` and ``operator_rows``."""
    now = now or clock.now()
    return {
        "photos": _photos(session, settings, now - timedelta(days=settings.photo_retention_days)),
        **_chats(session, now - timedelta(days=settings.chat_retention_days)),
        "operator_rows": _operator_rows(session, now - timedelta(days=settings.operator_rows_retention_days)),
    }


def _photos(session: Session, settings: Settings, oldest: datetime) -> int:
    """Forget the photos of activities reviewed before ``oldest``; the files go after the commit."""
    old = Activity.photo.is_not(None), Activity.reviewed_at.is_not(None), Activity.reviewed_at < oldest
    names = [name for name in session.execute(select(Activity.photo).where(*old)).scalars() if name]
    if not names:
        return 0
    session.execute(update(Activity).where(*old).values(photo=None))
    session.flush()
    event.listen(session, "after_commit", _remover(settings, names), once=True)
    return len(names)


def _remover(settings: Settings, names: list[str]):
    def remove(_session) -> None:
        for name in names:
            discard_photo(settings=settings, name=name)

    return remove


def _chats(session: Session, oldest: datetime) -> dict[str, int]:
    """Clear the dialogue state and transcript of chat sessions idle since before ``oldest`` (who they are
    and the rate-limit window stay) and delete the chat's stored replies made before ``oldest``."""
    idle = session.execute(
        select(ChatSession.id, ChatSession.data, ChatSession.state).where(ChatSession.updated_at < oldest)
    )
    ids = [chat_id for chat_id, data, state in idle if data or state != "idle"]
    if ids:
        session.execute(
            update(ChatSession).where(ChatSession.id.in_(ids)).values(data={}, state="idle"),
            execution_options={"synchronize_session": False},
        )
    replies = session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.scope.like(CHAT_SCOPES), IdempotencyRecord.created_at < oldest
        )
    ).rowcount
    session.flush()
    return {"chat_sessions": len(ids), "chat_replies": replies or 0}


def _operator_rows(session: Session, oldest: datetime) -> int:
    """Delete the raw operator trip rows (card numbers, stops, times) boarded before ``oldest``."""
    result = session.execute(delete(CardTrip).where(CardTrip.boarded_at < oldest))
    session.flush()
    return result.rowcount or 0
