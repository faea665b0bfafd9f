"""Changing stops and routes: create, edit, deactivate or reactivate a stop, rotate its poster's token, save
a route with its stops in order. Each is one audited, idempotent administrator command
(:func:`carbon_credit.platform.commands.run`): its audit action is ``stop.create``, ``stop.update``,
``stop.activate``, ``stop.deactivate``, ``stop.rotate_token``, ``route.create`` or ``route.update``, and a
double-tapped form (the same key) does it once. :func:`save_stop` and :func:`save_route_places` are the
writes the import shares."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session

from carbon_credit.platform import commands
from carbon_credit.stops import cache
from carbon_credit.stops.models import Route, RouteStop, Stop
from carbon_credit.stops.queries import (
    district_codes,
    get_route,
    get_stop,
    route_snapshot,
    stop_by_code,
    stop_snapshot,
)
from carbon_credit.stops.validation import (
    InvalidInput,
    Problem,
    RouteInput,
    StopInput,
    clean_route,
    clean_stop,
)

Saved = tuple[int, dict[str, Any] | None, dict[str, Any] | None]  # (row id, audited before, audited after)


def create_stop(*, session: Session, actor_id: int, values: StopInput, idempotency_key: str) -> Stop:
    """Add a stop (active, token version 1). InvalidInput lists every invalid field."""

    def apply() -> commands.Change:
        cleaned, problems = clean_stop(values, district_codes(session=session))
        if not problems and stop_by_code(session=session, code=cleaned["code"]) is not None:
            problems.append(Problem("code", "stop_code_taken", {"value": cleaned["code"]}))
        if problems:
            raise InvalidInput(problems)
        return commands.Change(*save_stop(session, None, cleaned))

    done = _run(session, actor_id, "stop.create", idempotency_key, (values,), apply)
    return get_stop(session=session, stop_id=done["target_id"])


def update_stop(
    *, session: Session, actor_id: int, stop_id: int, values: StopInput, idempotency_key: str
) -> Stop:
    """Change a stop's names, district, coordinates and mode (its code stays: ``values.code`` is ignored)."""

    def apply() -> commands.Change:
        stop = get_stop(session=session, stop_id=stop_id, lock=True)
        cleaned, problems = clean_stop(replace(values, code=stop.code), district_codes(session=session))
        if problems:
            raise InvalidInput(problems)
        return commands.Change(*save_stop(session, stop, cleaned))

    _run(session, actor_id, "stop.update", idempotency_key, (stop_id, values), apply)
    return get_stop(session=session, stop_id=stop_id)


def set_stop_active(
    *, session: Session, actor_id: int, stop_id: int, active: bool, idempotency_key: str
) -> Stop:
    """Deactivate a stop (its QR check-ins are refused from now on) or reactivate it."""

    def apply() -> commands.Change:
        stop = get_stop(session=session, stop_id=stop_id, lock=True)
        return commands.Change(*save_stop(session, stop, {"is_active": active}))

    action = "stop.activate" if active else "stop.deactivate"
    _run(session, actor_id, action, idempotency_key, (stop_id,), apply)
    return get_stop(session=session, stop_id=stop_id)


def rotate_stop_token(*, session: Session, actor_id: int, stop_id: int, idempotency_key: str) -> Stop:
    """Void every printed poster of the stop (its token version goes up, old tokens are refused from now on);
    the admin must print the new poster."""

    def apply() -> commands.Change:
        stop = get_stop(session=session, stop_id=stop_id, lock=True)
        before = {"token_version": stop.token_version}
        cache.invalidate(session)  # old posters stop scanning here at once, elsewhere within the cache's TTL
        stop.token_version += 1
        session.add(stop)
        session.flush()
        return commands.Change(stop.id, before, {"token_version": stop.token_version})

    _run(session, actor_id, "stop.rotate_token", idempotency_key, (stop_id,), apply)
    return get_stop(session=session, stop_id=stop_id)


def save_route(
    *, session: Session, actor_id: int, route_id: int | None, values: RouteInput, idempotency_key: str
) -> Route:
    """Create (``route_id`` None) or update a route with its ordered stops and distances."""

    def apply() -> commands.Change:
        route = None if route_id is None else get_route(session=session, route_id=route_id, lock=True)
        cleaned, places, problems = clean_route(session=session, values=values, route=route)
        if problems:
            raise InvalidInput(problems)
        return commands.Change(*save_route_places(session, route, cleaned, places))

    action = "route.create" if route_id is None else "route.update"
    done = _run(session, actor_id, action, idempotency_key, (route_id, values), apply)
    return get_route(session=session, route_id=done["target_id"])


def save_stop(session: Session, stop: Stop | None, values: dict[str, Any]) -> Saved:
    """Create (``stop`` None) or change a stop with cleaned ``values``; returns (its id, its audited state
    before, after)."""
    before = stop_snapshot(stop)
    cache.invalidate(session)  # the scan path's copy of stops and distances (the import writes through here)
    stop = stop or Stop(**values)
    for name, value in values.items():
        setattr(stop, name, value)
    session.add(stop)
    session.flush()
    return stop.id, before, stop_snapshot(stop)


def save_route_places(
    session: Session, route: Route | None, values: dict[str, Any], places: list[tuple[int, int]]
) -> Saved:
    """Create (``route`` None) or change a route and set its stops to ``places`` = [(stop id, metres from
    start)] in order (positions 1, 2, ...); returns (its id, its audited state before, after)."""
    before = route_snapshot(session, route)
    cache.invalidate(session)  # the distances between this route's stops
    route = route or Route(code=values["code"])
    for name, value in values.items():
        setattr(route, name, value)
    session.add(route)
    session.flush()
    session.execute(delete(RouteStop).where(RouteStop.route_id == route.id))
    session.flush()
    for position, (stop_id, metres) in enumerate(places, start=1):
        session.add(
            RouteStop(route_id=route.id, stop_id=stop_id, position=position, metres_from_start=metres)
        )
    session.flush()
    return route.id, before, route_snapshot(session, route)


def _run(session: Session, actor_id: int, action: str, key: str, asked: tuple, apply) -> dict[str, Any]:
    target_type = action.partition(".")[0]
    return commands.run(
        session=session,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        idempotency_key=key,
        asked=asked,
        apply=apply,
    )
