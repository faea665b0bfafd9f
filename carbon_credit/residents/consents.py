"""Consent under PIPL: the privacy notice a resident accepted and a switch per optional or sensitive use.

Every grant and withdrawal is a ``ConsentRecord`` that is never changed (resident, purpose, granted, the
notice version in force, channel, time); a purpose's current state is its latest record, and a purpose with
no record is off (PIPL Art. 14, 29: separate, explicit consent). Withdrawing is one call, like granting
(Art. 15), and takes effect at once: the features check :func:`require_consent` (or read :func:`has_consent`,
:func:`consenting` in bulk) at the moment they process, and withdrawing ``card`` or ``chat`` unlinks the
transit card or the Telegram account in the same transaction (carbon_credit.residents.consent_effects).
``leaderboard`` and ``weekly_summary`` keep their state in the resident's
opt-in columns, which the campaign and summary features read; switching them here sets the column and
records the change.

The notice is accepted, never withdrawn: a resident whose latest acceptance names an older version than the
current notice is asked to accept the new one (:func:`needs_notice`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.residents.consent_effects import refusal, undo_on_withdrawal
from carbon_credit.residents.models import CONSENT_CHANNELS, CONSENT_PURPOSES, ConsentRecord, Resident
from carbon_credit.residents.notices import current_notice

NOTICE = "notice"
SWITCHES = tuple(p for p in CONSENT_PURPOSES if p != NOTICE)  # in the order /account/privacy shows them
SENSITIVE = ("trips",)  # PIPL Art. 28: 行踪轨迹
OPT_IN_COLUMNS = {"leaderboard": "leaderboard_opt_in", "weekly_summary": "weekly_summary_opt_in"}
IN_CHUNK = 500
MIN_AGE = 14  # PIPL Art. 31: younger residents need a guardian's consent
OLDEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class Consents:
    """A resident's consents: each switch's state, the notice version accepted, and every record (newest
    first)."""

    state: dict[str, bool]
    notice_version: str | None
    history: list[ConsentRecord]


def set_consent(
    *,
    session: Session,
    resident_id: int,
    purpose: str,
    granted: bool,
    channel: str,
    now: datetime | None = None,
) -> ConsentRecord | None:
    """Grant or withdraw one purpose (``notice``: accept the current notice), recorded with the notice
    version in force; returns the new record, or None when the state already was ``granted`` (nothing
    recorded twice). Withdrawing ``card`` or ``chat`` also unlinks the card or the Telegram account (even
    when the switch already was off). Changes of one resident are serialised by locking their row."""
    _check(purpose, granted, channel)
    resident = session.get(Resident, resident_id, with_for_update=True)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    if not granted and undo_on_withdrawal(resident, purpose):
        session.add(resident)
        session.flush()
    version = current_notice(now=now).version
    latest = _latest(session, resident_id, purpose)
    if purpose == NOTICE and latest is not None and latest.notice_version == version:
        return None
    if purpose != NOTICE and _state(resident, purpose, latest) == bool(granted):
        return None
    if purpose in OPT_IN_COLUMNS:
        setattr(resident, OPT_IN_COLUMNS[purpose], bool(granted))
        session.add(resident)
    record = ConsentRecord(
        resident_id=resident_id,
        purpose=purpose,
        granted=bool(granted),
        notice_version=version,
        channel=channel,
        created_at=now or clock.now(),
    )
    session.add(record)
    session.flush()
    return record


def _check(purpose: str, granted: bool, channel: str) -> None:
    if purpose not in CONSENT_PURPOSES:
        raise DomainError("unexpected_input", name="purpose", value=purpose)
    if channel not in CONSENT_CHANNELS:
        raise DomainError("unexpected_input", name="channel", value=channel)
    if purpose == NOTICE and not granted:
        raise DomainError("notice_cannot_be_withdrawn")


def has_consent(*, session: Session, resident_id: int, purpose: str) -> bool:
    """Whether the resident's consent to ``purpose`` stands now (``notice``: the current notice accepted)."""
    if purpose not in CONSENT_PURPOSES:
        raise DomainError("unexpected_input", name="purpose", value=purpose)
    if purpose == NOTICE:
        return not needs_notice(session=session, resident_id=resident_id)
    resident = session.get(Resident, resident_id)
    if resident is None:
        return False
    return _state(resident, purpose, _latest(session, resident_id, purpose))


def require_consent(*, session: Session, resident_id: int, purpose: str) -> None:
    """Refuse, with the purpose's own message (``card_consent_required``, ``transit_consent_required``...,
    each pointing to /account/privacy), a use of personal information whose consent does not stand now."""
    if not has_consent(session=session, resident_id=resident_id, purpose=purpose):
        raise refusal(purpose)


def consent_expression(resident_id, purpose: str):
    """SQL for whether a switch stands now (its latest record grants it; NULL when there is none: off), for
    a resident id column or value: to read a consent inside another statement (the scan's one read)."""
    if purpose not in SWITCHES or purpose in OPT_IN_COLUMNS:
        raise DomainError("unexpected_input", name="purpose", value=purpose)
    records = ConsentRecord.__table__.c
    latest = select(records.granted).where(records.resident_id == resident_id, records.purpose == purpose)
    return latest.order_by(records.id.desc()).limit(1).scalar_subquery()


def consenting(*, session: Session, resident_ids: set[int], purpose: str) -> set[int]:
    """Of ``resident_ids``, those whose consent to a switch stands now (one query per 500 residents)."""
    if purpose not in SWITCHES or purpose in OPT_IN_COLUMNS:
        raise DomainError("unexpected_input", name="purpose", value=purpose)
    ordered, found = sorted(resident_ids), set()
    for start in range(0, len(ordered), IN_CHUNK):
        latest = (
            select(func.max(ConsentRecord.id))
            .where(ConsentRecord.resident_id.in_(ordered[start : start + IN_CHUNK]))
            .where(ConsentRecord.purpose == purpose)
            .group_by(ConsentRecord.resident_id)
        )
        query = select(ConsentRecord.resident_id).where(
            ConsentRecord.id.in_(latest), ConsentRecord.granted.is_(True)
        )
        found.update(session.execute(query).scalars())
    return found


def accepted_notice(*, session: Session, resident_id: int) -> str | None:
    """The version of the notice the resident last accepted, or None."""
    latest = _latest(session, resident_id, NOTICE)
    return latest.notice_version if latest is not None else None


def needs_notice(*, session: Session, resident_id: int, now: datetime | None = None) -> bool:
    """Whether the resident has yet to accept the notice in force (a new version, or none accepted)."""
    return accepted_notice(session=session, resident_id=resident_id) != current_notice(now=now).version


def consents_of(*, session: Session, resident_id: int) -> Consents:
    """Each switch's current state, the accepted notice version and every record, newest first."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    query = (
        select(ConsentRecord)
        .where(ConsentRecord.resident_id == resident_id)
        .order_by(ConsentRecord.id.desc())
    )
    history = list(session.execute(query).scalars())
    latest: dict[str, ConsentRecord] = {}
    for record in reversed(history):
        latest[record.purpose] = record
    state = {purpose: _state(resident, purpose, latest.get(purpose)) for purpose in SWITCHES}
    notice = latest.get(NOTICE)
    return Consents(state, notice.notice_version if notice else None, history)


def check_birth_year(birth_year: int | None, *, now: datetime | None = None) -> None:
    """Refuse a resident who may be under 14 (``under_14_needs_guardian``): with the year of birth only, a
    resident counts as 14 once the whole year they turn 14 has passed (born 2012: from 1 January 2027)."""
    this_year = clock.local_day(now or clock.now()).year
    if birth_year is None or not OLDEST_BIRTH_YEAR <= birth_year <= this_year:
        raise DomainError("invalid_birth_year")
    if this_year - birth_year <= MIN_AGE:
        raise DomainError("under_14_needs_guardian", age=MIN_AGE)


def _latest(session: Session, resident_id: int, purpose: str) -> ConsentRecord | None:
    query = (
        select(ConsentRecord)
        .where(ConsentRecord.resident_id == resident_id, ConsentRecord.purpose == purpose)
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def _state(resident: Resident, purpose: str, latest: ConsentRecord | None) -> bool:
    if purpose in OPT_IN_COLUMNS:
        return bool(getattr(resident, OPT_IN_COLUMNS[purpose]))
    return bool(latest is not None and latest.granted)
