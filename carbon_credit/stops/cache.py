"""Per-process caches of what every QR scan reads and administrators rarely change: each stop as the scan
path sees it (:class:`StopFacts`, by id) and the distance along the shortest shared active route of each pair
of stops (or the absence of one).

Freshness, by how a change arrives:

- in this process, a stop or route write (carbon_credit.stops.operations, the import) calls
  :func:`invalidate` with its session: the caches are emptied at once, the writing session reads around them
  until it ends, and they are emptied again when it commits or rolls back, so a read that overlapped the
  write cannot store what the write replaced (a generation counter refuses its store);
- another process (another gunicorn worker, the bot, the scheduler) drops its entries after
  :data:`STALE_AFTER_S` seconds: a rotated or deactivated poster still scans there for at most that long.

Entries are kept per connection pool (one per database), so tests on fresh databases never see another
database's stops. Cached values are immutable; a database write never goes through them.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, event, select
from sqlmodel import Session

from carbon_credit.stops.models import Stop

STALE_AFTER_S = 5.0  # how long another process may serve a stop or distance it did not see change
MAX_ENTRIES = 50_000  # per database: a city's stops and the stop pairs its trips use; past it, start again
_DIRTY = "stops_cache_dirty"  # session.info flag: this session changed stops or routes


@dataclass(frozen=True, slots=True)
class StopFacts:
    """A stop as the scan path reads it (a read-only copy shared by every request of the process)."""

    id: int
    code: str
    name_zh: str
    name_en: str
    latitude: float
    longitude: float
    mode: str
    token_version: int
    is_active: bool


_stops = Stop.__table__
_FACTS = select(*(_stops.c[name] for name in StopFacts.__slots__)).where(_stops.c.id == bindparam("stop_id"))
_lock = threading.Lock()
_generation = 0
_by_pool: weakref.WeakKeyDictionary[Any, dict[Any, tuple[Any, float]]] = weakref.WeakKeyDictionary()


def stop_facts(*, session: Session, stop_id: int) -> StopFacts | None:
    """The stop with this id (None when there is none), from the cache when fresh."""
    return _cached(session, ("stop", stop_id), lambda: _load_stop(session, stop_id))


def cached_pair(session: Session, pair: tuple[int, int], load: Callable[[], Any]) -> Any:
    """``load()``'s value for a pair of stop ids (carbon_credit.stops.geometry: the shared-route distance)."""
    return _cached(session, ("pair", *pair), load)


def invalidate(session: Session | None = None) -> None:
    """Forget every cached stop and distance in this process: called by each write that changes a stop or
    a route, with its session, which then reads around the cache and empties it again when it ends."""
    _bump()
    if session is not None and not session.info.get(_DIRTY):
        session.info[_DIRTY] = True
        for name in ("after_commit", "after_rollback"):
            event.listen(session, name, _ended, once=True)


def _ended(session: Session, *_args) -> None:
    session.info.pop(_DIRTY, None)
    _bump()


def _bump() -> None:
    global _generation
    with _lock:
        _generation += 1
        _by_pool.clear()


def _cached(session: Session, key: tuple, load: Callable[[], Any]) -> Any:
    if session.info.get(_DIRTY):
        return load()  # this transaction changed stops or routes: its view is not everybody's yet
    pool = session.get_bind().pool
    entries = _by_pool.get(pool)
    found = entries.get(key) if entries is not None else None
    now = time.monotonic()
    if found is not None and now - found[1] < STALE_AFTER_S:
        return found[0]
    seen = _generation
    value = load()
    with _lock:
        if seen == _generation:  # no write ended while loading: the value is not older than the cache
            entries = _by_pool.setdefault(pool, {})
            if len(entries) >= MAX_ENTRIES:
                entries.clear()
            entries[key] = (value, now)
    return value


def _load_stop(session: Session, stop_id: int) -> StopFacts | None:
    row = session.connection().execute(_FACTS, {"stop_id": stop_id}).first()
    return None if row is None else StopFacts(*row)
