"""Retention (PIPL Art. 19, 47): personal data kept only as long as the policy says, run daily by the
scheduler (job ``apply-retention``); the policy table is in docs/privacy.md.

- photo evidence: ``PHOTO_RETENTION_DAYS`` after its review decision, the file is removed and the
  activity forgets its name (the activity, its points and the review decision stay);
- chat transcripts: a chat session untouched for ``CHAT_RETENTION_DAYS`` forgets its dialogue state and
  transcript, and the stored replies of the chat (idempotency records of ``chat-*`` scopes) go;
- raw operator trip rows (``card_trips``) older than ``OPERATOR_ROWS_RETENTION_DAYS`` go; the credited
  activities keep what the audit needs;
- photo files no activity names (a deletion or retention whose process died between the commit and the
  file's removal, an upload whose entry was refused) are removed a day after they were written;
- inactive accounts (``inactivity.py``): a resident unused for ``INACTIVE_ACCOUNT_YEARS`` is told
  ``INACTIVE_NOTICE_DAYS`` ahead, then pseudonymised through the erasure of a deleted account.

Each rule touches only what is still there, so a second run deletes nothing more. Everything runs in the
caller's transaction (an inactive account in a savepoint of its own); photo files are removed only once it
has committed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.chat import ChatSession
from carbon_credit.platform import clock
from carbon_credit.platform.models import IdempotencyRecord
from carbon_credit.platform.settings import Settings
from carbon_credit.platform.uploads import stored_photos
from carbon_credit.privacy.deletion_steps import remove_after_commit
from carbon_credit.privacy.inactivity import apply_inactivity
from carbon_credit.transit import CardTrip

ORPHAN_GRACE = timedelta(days=1)  # an upload is named by its activity well within a day
IN_CHUNK = 500
CHAT_SCOPES = "chat-%"  # idempotency scopes of the chat (chat-telegram, chat-web)


def apply_retention(*, session: Session, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Apply every retention rule as of ``now``; returns how many items each rule removed:
    ``photos``, ``chat_sessions`` (transcripts cleared), ``chat_replies``, ``operator_rows``,
    ``orphan_photos`` (files no activity names), ``inactive_notices`` (residents told) and
    ``inactive_pseudonymised``."""
    now = now or clock.now()
    orphans = _orphan_photos(session, settings, now - ORPHAN_GRACE)  # before any photo is forgotten below
    return {
        "photos": _photos(session, settings, now - timedelta(days=settings.photo_retention_days)),
        **_chats(session, now - timedelta(days=settings.chat_retention_days)),
        "operator_rows": _operator_rows(session, now - timedelta(days=settings.operator_rows_retention_days)),
        "orphan_photos": orphans,
        **apply_inactivity(session=session, settings=settings, now=now),
    }


def _photos(session: Session, settings: Settings, oldest: datetime) -> int:
    """Forget the photos of activities reviewed before ``oldest``; the files go after the commit."""
    old = Activity.photo.is_not(None), Activity.reviewed_at.is_not(None), Activity.reviewed_at < oldest
    names = [name for name in session.execute(select(Activity.photo).where(*old)).scalars() if name]
    if not names:
        return 0
    session.execute(update(Activity).where(*old).values(photo=None))
    session.flush()
    remove_after_commit(session, settings, names)
    return len(names)


def _orphan_photos(session: Session, settings: Settings, oldest: datetime) -> int:
    """Remove (after the commit) photo files written before ``oldest`` that no activity names."""
    files = stored_photos(settings=settings, older_than=oldest.timestamp())
    named: set[str] = set()
    for start in range(0, len(files), IN_CHUNK):
        chunk = files[start : start + IN_CHUNK]
        named.update(session.execute(select(Activity.photo).where(Activity.photo.in_(chunk))).scalars())
    orphans = [name for name in files if name not in named]
    remove_after_commit(session, settings, orphans)
    return len(orphans)


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
