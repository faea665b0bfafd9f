"""Load data: a grid of bus stops on routes, and residents with personal API tokens in pools (one pool per
measured run).

Stops: rows of ``ROUTE_STOPS`` stops 600 m apart, each row one bus route, rows 600 m apart; a resident's
consecutive scans are at consecutive stops, so a tap-out is 600 m along a route (or, at the end of a row,
a few km across the grid), above the 500 m minimum and far below the bus leg's 150 km bound.

Residents: one template resident is made through the services as a registered resident is (an account, the
privacy notice accepted, the trips consent granted: without it every scan is refused, a personal API token);
then each pool's residents are cloned from it with SQLAlchemy Core: every row the services wrote for the
template (the ``residents`` row and each row that names its ``resident_id``) is copied with new ids and a new
token. Seeding tens of thousands of residents thus takes seconds instead of minutes. When the services wrote a
row the clone cannot attribute to the template, each resident is made through the services instead (slow).

Run by run.py as a script, under the checkout being measured (``PYTHONPATH=<app root>``, its environment)::

    python benchmarks/load/seed.py OUT.json --stops 200 --pool scan-32=30000 --pool activity-32=30000
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import MetaData, func, insert, select

from carbon_credit.platform.database import make_engine, session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import set_consent
from carbon_credit.residents import tokens as api_tokens
from carbon_credit.residents.accounts import create_resident
from carbon_credit.stops import RouteInput, StopInput, create_stop, save_route, sign_stop

ROUTE_STOPS = 20
SPACING_M = 600
ORIGIN = (30.9200, 113.9100)  # Xiaonan district
DEG_LAT_PER_M = 1 / 111_320
DEG_LON_PER_M = 1 / 95_530  # at 30.9° N
CONSENTS = ("notice", "trips")  # what registration records (the trips switch on)
BATCH = 2000


@dataclass(frozen=True)
class Seeded:
    stop_tokens: list[str]
    pools: dict[str, list[str]]  # pool name -> plaintext API tokens, one resident each
    method: str = "cloned"  # or "services"


def seed(settings: Settings, *, stops: int, pools: dict[str, int]) -> Seeded:
    """Create ``stops`` stops on routes and, for each pool, that many residents with one token each."""
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            admin = create_resident(
                session=session, settings=settings, display_name="负载管理员", role="admin"
            )
            tokens = _stops(session, settings, admin.id, stops)
        made, method = _residents(engine, settings, pools)
    finally:
        engine.dispose()
    return Seeded(tokens, made, method)


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


def _resident_token(session, settings: Settings, name: str) -> tuple[int, str]:
    """One resident through the services, as registration makes one; returns its id and token."""
    resident = create_resident(session=session, settings=settings, display_name=name, district_code="xiaonan")
    for purpose in CONSENTS:
        set_consent(session=session, resident_id=resident.id, purpose=purpose, granted=True, channel="web")
    return resident.id, api_tokens.create_token(session=session, resident_id=resident.id, name="load")[1]


def _residents(engine, settings: Settings, pools: dict[str, int]) -> tuple[dict[str, list[str]], str]:
    meta = MetaData()
    meta.reflect(engine)
    before = _counts(engine, meta)
    with session_scope(engine) as session:
        template, _ = _resident_token(session, settings, "负载模板")
    rows = _template_rows(engine, meta, template)
    if rows is None or sum(map(len, rows.values())) != sum(_counts(engine, meta).values()) - sum(
        before.values()
    ):
        print("seed: rows not attributable to the template; residents made through the services (slow)")
        return {name: _through_services(engine, settings, name, n) for name, n in pools.items()}, "services"
    with engine.begin() as conn:
        return {name: _clone(conn, meta, rows, name, count) for name, count in pools.items()}, "cloned"


def _counts(engine, meta: MetaData) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in meta.tables.values()
        }


def _template_rows(engine, meta: MetaData, resident_id: int) -> dict[str, list[dict]] | None:
    """The template's rows per table (``residents`` first); None when a row refers to another cloned row
    by a key other than ``resident_id`` (cloning would not know how to rewrite it)."""
    found: dict[str, list[dict]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name == "residents":
                query = select(table).where(table.c.id == resident_id)
            elif "resident_id" in table.c:
                query = select(table).where(table.c.resident_id == resident_id)
            else:
                continue
            rows = [dict(row) for row in conn.execute(query).mappings()]
            if rows:
                found[table.name] = rows
    for name in found:
        for fk in meta.tables[name].foreign_keys:
            if fk.column.table.name in found and fk.parent.name != "resident_id":
                return None
    return found


def _clone(conn, meta: MetaData, rows: dict[str, list[dict]], pool: str, count: int) -> list[str]:
    """``count`` copies of the template resident; returns their tokens in order."""
    residents = meta.tables["residents"]
    template = _without_keys(residents, rows["residents"][0])
    ids: list[int] = []
    for start in range(0, count, BATCH):
        values = [
            {**template, "display_name": f"{pool}-{n}"} for n in range(start, min(count, start + BATCH))
        ]
        statement = insert(residents).returning(residents.c.id, sort_by_parameter_order=True)
        ids += conn.execute(statement, values).scalars().all()
    tokens = [api_tokens.TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in ids]
    for name, table_rows in rows.items():
        if name == "residents":
            continue
        table = meta.tables[name]
        copies = []
        for resident_id, token in zip(ids, tokens, strict=True):
            for row in table_rows:
                copy = {**_without_keys(table, row), "resident_id": resident_id}
                if name == "api_tokens":
                    copy.update(
                        token_hash=api_tokens.hash_token(token), prefix=token[: api_tokens.PREFIX_LENGTH]
                    )
                copies.append(copy)
        for start in range(0, len(copies), BATCH):
            conn.execute(insert(table), copies[start : start + BATCH])
    return tokens


def _without_keys(table, row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in table.primary_key.columns}


def _through_services(engine, settings: Settings, pool: str, count: int) -> list[str]:
    with session_scope(engine) as session:
        return [_resident_token(session, settings, f"{pool}-{n}")[1] for n in range(count)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Seed a load database (run by run.py).")
    parser.add_argument("out", type=Path, help="JSON file for the stop tokens and the pools' API tokens")
    parser.add_argument("--stops", type=int, default=200)
    parser.add_argument("--pool", action="append", default=[], help="NAME=COUNT residents (repeatable)")
    args = parser.parse_args(argv)
    pools = {name: int(count) for name, _, count in (p.partition("=") for p in args.pool)}
    seeded = seed(Settings.from_env(), stops=args.stops, pools=pools)
    args.out.write_text(json.dumps(asdict(seeded)), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
