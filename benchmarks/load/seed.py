"""Load data made through the services: a grid of bus stops on routes, and residents with personal API tokens,
in pools (one pool per measured run, so no token nears the API's 120 requests per minute).

Stops: rows of ``ROUTE_STOPS`` stops 600 m apart, each row one bus route, rows 600 m apart; a resident's
consecutive scans are at consecutive stops, so a tap-out is 600 m along a route (or, at the end of a row,
a few km across the grid), above the 500 m minimum and far below the bus leg's 150 km bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from carbon_credit.platform.database import make_engine, session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import tokens as api_tokens
from carbon_credit.residents.accounts import create_resident
from carbon_credit.stops import RouteInput, StopInput, create_stop, save_route, sign_stop

ROUTE_STOPS = 20
SPACING_M = 600
ORIGIN = (30.9200, 113.9100)  # Xiaonan district
DEG_LAT_PER_M = 1 / 111_320
DEG_LON_PER_M = 1 / 95_530  # at 30.9° N


@dataclass(frozen=True)
class Seeded:
    stop_tokens: list[str]
    pools: dict[str, list[str]]  # pool name -> plaintext API tokens, one resident each


def seed(settings: Settings, *, stops: int, pools: dict[str, int]) -> Seeded:
    """Create ``stops`` stops on routes and, for each pool, that many residents with one token each."""
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            admin = create_resident(
                session=session, settings=settings, display_name="负载管理员", role="admin"
            )
            tokens = _stops(session, settings, admin.id, stops)
        made: dict[str, list[str]] = {}
        for name, count in pools.items():
            with session_scope(engine) as session:
                made[name] = [_resident_token(session, settings, f"{name}-{n}") for n in range(count)]
    finally:
        engine.dispose()
    return Seeded(tokens, made)


def _stops(session, settings: Settings, admin_id: int, count: int) -> list[str]:
    stops = []
    for n in range(count):
        row, place = divmod(n, ROUTE_STOPS)
        values = StopInput(
            code=f"LD-{n:04d}",
            name_zh=f"负载站{n}",
            name_en=f"Load stop {n}",
            district_code="xiaonan",
            latitude=f"{ORIGIN[0] + row * SPACING_M * DEG_LAT_PER_M:.6f}",
            longitude=f"{ORIGIN[1] + place * SPACING_M * DEG_LON_PER_M:.6f}",
            mode="bus",
        )
        stops.append(create_stop(session=session, actor_id=admin_id, values=values, idempotency_key=f"s{n}"))
    for row in range(0, count, ROUTE_STOPS):
        lines = "\n".join(f"{s.code}, {i * SPACING_M}" for i, s in enumerate(stops[row : row + ROUTE_STOPS]))
        values = RouteInput(f"LD-R{row}", f"负载线{row}", f"Load line {row}", "bus", True, lines)
        save_route(
            session=session, actor_id=admin_id, route_id=None, values=values, idempotency_key=f"r{row}"
        )
    return [sign_stop(s.id, s.token_version, settings.qr_signing_key) for s in stops]


def _resident_token(session, settings: Settings, name: str) -> str:
    resident = create_resident(session=session, settings=settings, display_name=name, district_code="xiaonan")
    return api_tokens.create_token(session=session, resident_id=resident.id, name="load")[1]


def write_lua_data(path: Path, tokens: list[str], stop_tokens: list[str], threads: int) -> None:
    """The data file client.lua reads: the tokens split round-robin over wrk's threads, and the stops."""

    def lua_list(items: list[str]) -> str:
        return "{" + ",".join(f'"{item}"' for item in items) + "}"

    slices = ",".join(lua_list(tokens[t::threads]) for t in range(threads))
    path.write_text(f"return {{tokens = {{{slices}}}, stops = {lua_list(stop_tokens)}}}\n", encoding="utf-8")
