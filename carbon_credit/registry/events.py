"""Neutralisation events (a city marathon...): an administrator opens one with a target in tonnes and its
dates, residents donate points to it (donations.py) and administrators may retire tonnes on its behalf
(retirements.py) until it is closed or its last day has passed; its page shows the progress.

Progress moves by one conditional UPDATE per retirement (``WHERE status = 'open'``), taken before the
batches' rows, so a retirement never lands on a closed event and every writer locks event, then batches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from carbon_credit.platform import audit, clock, commands
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.registry.models import Event
from carbon_credit.registry.sales import checked_grams, command, required_text, tonnes_text

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_events = Event.__table__


@dataclass(frozen=True, slots=True)
class EventView:
    """An event and its progress: ``percent`` of the target retired so far (may pass 100), and whether it
    still takes donations (``accepting``: open and its last day not past, Beijing time)."""

    event: Event
    percent: int
    accepting: bool

    @property
    def target(self) -> str:
        return tonnes_text(self.event.target_grams)

    @property
    def retired(self) -> str:
        return tonnes_text(self.event.retired_grams)


def open_event(
    *,
    session: Session,
    actor_id: int,
    slug: str,
    name_zh: str,
    name_en: str,
    target_grams: int,
    starts_on: date,
    ends_on: date,
    idempotency_key: str,
) -> Event:
    """Open an event for donations (audited ``registry.open_event``, idempotent by key). Refusals:
    ``registry_event_slug_invalid``, ``registry_event_slug_taken``, ``registry_text_required``,
    ``registry_quantity_invalid`` (the target), ``registry_event_dates_invalid``."""
    slug = (slug or "").strip().lower()
    if not SLUG.fullmatch(slug):
        raise DomainError("registry_event_slug_invalid", slug=slug[:64])
    names = required_text(name_zh, "name_zh"), required_text(name_en, "name_en")
    target_grams = checked_grams(target_grams)
    if ends_on < starts_on:
        raise DomainError("registry_event_dates_invalid")

    def apply() -> commands.Change:
        if session.execute(select(Event.id).where(Event.slug == slug)).first():
            raise DomainError("registry_event_slug_taken", slug=slug)
        event = Event(
            slug=slug,
            name_zh=names[0],
            name_en=names[1],
            target_grams=target_grams,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor_id,
        )
        try:
            with session.begin_nested():
                session.add(event)
                session.flush()
        except IntegrityError:  # opened under the same slug by another administrator at the same moment
            raise DomainError("registry_event_slug_taken", slug=slug) from None
        return commands.Change(event.id, after=audit.snapshot(event))

    asked = (slug, *names, target_grams, starts_on, ends_on)
    return session.get(
        Event,
        command(session, actor_id, "registry.open_event", idempotency_key, asked, apply, "registry_event"),
    )


def close_event(*, session: Session, actor_id: int, event_id: int, idempotency_key: str) -> Event:
    """Close an event: no more donations or retirements for it (audited ``registry.close_event``); closing
    a closed event changes nothing."""

    def apply() -> commands.Change:
        event = _get(session, event_id)
        before = audit.snapshot(event, ("status", "retired_grams", "donors"))
        session.execute(update(_events).where(_events.c.id == event_id).values(status="closed"))
        session.refresh(event)
        return commands.Change(event.id, before, audit.snapshot(event, ("status", "retired_grams", "donors")))

    command(session, actor_id, "registry.close_event", idempotency_key, (event_id,), apply, "registry_event")
    return _get(session, event_id)


def add_retired(session: Session, event_id: int, grams: int, *, new_donor: bool = False) -> Event:
    """Count ``grams`` retired for the event (and one more donor): one conditional UPDATE on an event that
    is open and not past its last day; else NotFound or ``registry_event_closed``."""
    statement = (
        update(_events)
        .where(_events.c.id == event_id, _events.c.status == "open", _events.c.ends_on >= _today())
        .values(retired_grams=_events.c.retired_grams + grams, donors=_events.c.donors + int(new_donor))
    )
    if session.execute(statement).rowcount != 1:
        event = _get(session, event_id)
        raise DomainError("registry_event_closed", name=event.name_zh)
    return _get(session, event_id)


def events(session: Session) -> list[EventView]:
    """Every event with its progress: those taking donations first, then the most recent."""
    found = session.execute(select(Event).order_by(Event.ends_on.desc(), Event.id.desc())).scalars()
    views = [_view(event) for event in found]
    return sorted(views, key=lambda view: not view.accepting)


def event(session: Session, slug: str) -> EventView:
    """One event by its slug, with its progress; NotFound ``registry_event_not_found``."""
    wanted = (slug or "").strip().lower()
    found = session.execute(select(Event).where(Event.slug == wanted)).scalar_one_or_none()
    if found is None:
        raise NotFound("registry_event_not_found", what="event", slug=wanted[:64])
    return _view(found)


def _view(found: Event) -> EventView:
    percent = found.retired_grams * 100 // found.target_grams
    return EventView(found, percent, found.status == "open" and found.ends_on >= _today())


def _get(session: Session, event_id: int) -> Event:
    query = select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    found = session.execute(query).scalar_one_or_none() if 0 < event_id < 2**31 else None
    if found is None:
        raise NotFound("registry_event_not_found", what="event", event_id=event_id)
    return found


def _today() -> date:
    return clock.local_day(clock.now())
