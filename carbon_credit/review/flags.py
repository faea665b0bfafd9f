"""Flagged accounts in the review queue: the open flags with their reasons (read), and the two decisions on
one, each one audited, idempotent administrator command (``platform.commands.run``, target ``account_flag``):

- **clear** (``review.flag_clear``): the administrator looked and found nothing wrong; the flag closes;
- **claw back** (``review.flag_claw_back``): every credited entry of the flagged days is rejected with the
  administrator's reason (``review.reject``: each taken back, audited and notified; the account goes into
  debt if the points were spent) and the flag closes.

A flag already decided is left as it is (``changed`` False), whatever key is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.activities import Activity
from carbon_credit.platform import audit, clock, commands
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import Resident
from carbon_credit.review.decisions import REASON_MAX, reject
from carbon_credit.review.models import AccountFlag
from carbon_credit.review.queue import PER_PAGE, Page, paging

FLAG_FIELDS = ("status", "decided_by", "decided_at", "decision_note")


@dataclass(frozen=True)
class FlagRow:
    """An open flag with its resident's name, balance and the points credited in the flagged days."""

    flag: AccountFlag
    resident_name: str
    balance: int
    credited_points: int


def flagged(*, session: Session, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Open flags, newest first, each with the resident's balance and the period's credited points."""
    query = (
        select(AccountFlag, Resident.display_name)
        .join(Resident, Resident.id == AccountFlag.resident_id)
        .where(AccountFlag.status == "open")
    )
    total, page, pages = paging(session, query, page, per_page)
    rows = session.execute(
        query.order_by(AccountFlag.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page([_row(session, flag, name) for flag, name in rows], total, page, pages)


def clear_flag(
    *, session: Session, flag_id: int, actor_id: int, idempotency_key: str, now: datetime | None = None
) -> dict:
    """Close an open flag as looked at and fine; returns ``{"target_id", "changed"}``."""

    def apply() -> commands.Change:
        flag = _locked(session, flag_id)
        before = _snapshot(flag)
        if flag.status == "open":
            _decide(session, flag, "cleared", actor_id, now, None)
        return commands.Change(flag.id, before, _snapshot(flag), {"changed": before != _snapshot(flag)})

    return _run(session, actor_id, "review.flag_clear", idempotency_key, (flag_id,), apply)


def claw_back_flag(
    *,
    session: Session,
    settings: Settings,
    flag_id: int,
    actor_id: int,
    idempotency_key: str,
    reason: str,
    now: datetime | None = None,
) -> dict:
    """Reject every credited entry of the flagged days with ``reason`` and close the flag; returns
    ``{"target_id", "changed", "rejected", "reversed_points", "debt"}``."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError("review_reason_required", limit=REASON_MAX)

    def apply() -> commands.Change:
        flag = _locked(session, flag_id)
        before = _snapshot(flag)
        if flag.status != "open":
            return commands.Change(flag.id, before, before, {"changed": False})
        decisions = [
            reject(
                session=session, settings=settings, activity_id=a, actor_id=actor_id, reason=reason, now=now
            )
            for a in _credited(session, flag)
        ]
        _decide(session, flag, "clawed_back", actor_id, now, reason)
        outcome = {
            "changed": True,
            "rejected": len(decisions),
            "reversed_points": sum(d.reversed_points for d in decisions),
            "debt": decisions[-1].debt if decisions else 0,
        }
        return commands.Change(flag.id, before, {**_snapshot(flag), **outcome}, outcome)

    return _run(session, actor_id, "review.flag_claw_back", idempotency_key, (flag_id, reason), apply)


def _run(session: Session, actor_id: int, action: str, key: str, asked: tuple, apply) -> dict:
    return commands.run(
        session=session,
        actor_id=actor_id,
        action=action,
        target_type="account_flag",
        idempotency_key=key,
        asked=asked,
        apply=apply,
    )


def _locked(session: Session, flag_id: int) -> AccountFlag:
    """The flag, read after locking its resident's account (decisions on one resident are serialised)."""
    resident_id = session.execute(
        select(AccountFlag.resident_id).where(AccountFlag.id == flag_id)
    ).scalar_one_or_none()
    if resident_id is None:
        raise NotFound(what="account_flag", flag_id=flag_id)
    ledger.lock_accounts(session=session, resident_ids=[resident_id])
    query = select(AccountFlag).where(AccountFlag.id == flag_id).execution_options(populate_existing=True)
    return session.execute(query).scalar_one()


def _credited(session: Session, flag: AccountFlag) -> list[int]:
    query = select(Activity.id).where(
        Activity.resident_id == flag.resident_id,
        Activity.status == "credited",
        Activity.local_day.between(flag.day_from, flag.day_to),
    )
    return list(session.execute(query.order_by(Activity.id)).scalars())


def _decide(session, flag, status, actor_id, now, note) -> None:
    flag.status, flag.decided_by, flag.decided_at = status, actor_id, now or clock.now()
    flag.decision_note = note
    session.add(flag)
    session.flush()


def _snapshot(flag: AccountFlag) -> dict:
    return audit.snapshot(flag, FLAG_FIELDS)


def _row(session: Session, flag: AccountFlag, name: str) -> FlagRow:
    account_id = ledger.account_id_for(session=session, resident_id=flag.resident_id)
    points = session.execute(
        select(func.coalesce(func.sum(Activity.points), 0)).where(
            Activity.resident_id == flag.resident_id,
            Activity.status == "credited",
            Activity.local_day.between(flag.day_from, flag.day_to),
        )
    ).scalar_one()
    return FlagRow(flag, name, ledger.balance(session=session, account_id=account_id), int(points))
