"""Operator trip import rate: a CSV (or XLSX) file of trips over linked cards, through the whole service
(parse, cards, consent, stops, QR overlap, transit rules, card trips kept for claims, the bulk credit,
chunked commits), on SQLite and, with ``--postgresql``, on PostgreSQL; beside the bare driver insert of the
activity rows the import stored (bench_record.py's baseline: sqlite3 executemany, psycopg COPY).

    .venv/bin/python benchmarks/bench_operator_import.py [--trips 20000] [--cards 1000] [--xlsx]
        [--postgresql postgresql://postgres@127.0.0.1:5432/test] [--no-sqlite] [--gc-freeze]

Prints rows per second for a first import and for importing the same trips again (all skipped as done),
CPU microseconds per row of this process, and the first import's ratio to the bare insert. A trip file holds
at most ``transit.TRIP_FILE_LIMITS.max_rows`` trips (200,000) and 50 MB.
"""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime, timedelta

from bench_record import FREEZE_HELP, Clock, Databases, Rate, bare_rate, on_each_database, report, verdict

from carbon_credit import transit
from carbon_credit.platform.database import make_engine, migrate, session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import create_resident, set_consent
from carbon_credit.stops import Route, RouteStop, Stop
from carbon_credit.transit.operator_imports import CHUNK_ROWS

STOPS = 40  # one bus route, a stop every 800 m


def seed(engine, settings: Settings, cards: int) -> list[str]:
    """A bus route of ``STOPS`` stops and ``cards`` residents with linked cards; returns the card numbers."""
    with session_scope(engine) as session:
        route = Route(code="R1", name_zh="1路", name_en="Route 1", mode="bus")
        session.add(route)
        session.flush()
        for n in range(STOPS):
            stop = Stop(
                code=f"S{n:03d}",
                name_zh=f"站{n}",
                name_en=f"Stop {n}",
                latitude=30.9 + n * 0.007,
                longitude=113.9,
            )
            session.add(stop)
            session.flush()
            session.add(
                RouteStop(route_id=route.id, stop_id=stop.id, position=n + 1, metres_from_start=n * 800)
            )
        numbers = []
        for n in range(cards):
            resident = create_resident(session=session, settings=settings, display_name=f"乘客{n}")
            for purpose in ("trips", "card"):  # riders who agreed to have their trips recorded
                set_consent(
                    session=session, resident_id=resident.id, purpose=purpose, granted=True, channel="web"
                )
            numbers.append(transit.link_card(session=session, resident_id=resident.id, card=f"3104{n:010d}"))
    return numbers


def trip_rows(cards: list[str], trips: int, now: datetime) -> list[list[str]]:
    """Trips over the last five days, up to four a day per card, 2-15 stops long, 20 km/h."""
    rows = []
    for n in range(trips):
        card = cards[n % len(cards)]
        k = n // len(cards)
        start = now - timedelta(days=1 + k % 5, hours=2 + 3 * (k // 5 % 4), minutes=n % 50)
        a = n % STOPS
        b = (a + 2 + n % 13) % STOPS
        minutes = abs(b - a) * 0.8 / 20 * 60 + 2
        local = [
            (m + timedelta(hours=8)).replace(tzinfo=None) for m in (start, start + timedelta(minutes=minutes))
        ]
        rows.append([card, f"S{a:03d}", f"S{b:03d}", *(t.strftime("%Y-%m-%d %H:%M:%S") for t in local)])
    return rows


def file_bytes(rows: list[list[str]], xlsx: bool) -> bytes:
    header = ["card_number", "boarding_stop", "alighting_stop", "boarding_time", "alighting_time"]
    if not xlsx:
        return "\n".join(",".join(r) for r in [header, *rows]).encode()
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed_import(engine, settings, data: bytes, name: str) -> tuple[Rate, dict]:
    """Upload (as an administrator) and import a file; its rate (rows of the file) and outcome."""
    clock_ = Clock()
    with clock_.timed():
        with session_scope(engine) as session:
            admin = create_resident(
                session=session, settings=settings, display_name=f"管理员 {name}", role="admin"
            )
            batch, _ = transit.create_batch(
                session=session,
                settings=settings,
                actor_id=admin.id,
                filename=name,
                data=data,
                idempotency_key=name,
            )
        batch = transit.process_batch(engine=engine, settings=settings, batch_id=batch.id)
    outcome = {"credited": batch.credited, "skipped": batch.skipped, "problems": len(batch.errors)}
    return clock_.rate(batch.next_row), outcome


def run(dbs: Databases, args: argparse.Namespace) -> None:
    url = dbs.url("import")
    settings = Settings(
        env="test", database_url=url, upload_folder=str(dbs.folder), password_hash_method="pbkdf2:sha256:1"
    )
    engine = make_engine(url)
    migrate(engine)
    cards = seed(engine, settings, args.cards)
    rows = trip_rows(cards, args.trips, datetime.now(UTC))
    data = file_bytes(rows, args.xlsx)
    ext = "xlsx" if args.xlsx else "csv"
    first, outcome = timed_import(engine, settings, data, f"trips.{ext}")
    other = file_bytes([*rows, ["99999999", "S000", "S005", *rows[0][3:]]], args.xlsx)  # another file
    again, repeat = timed_import(engine, settings, other, f"again.{ext}")
    bare = bare_rate(dbs, engine, CHUNK_ROWS, residents=args.cards)
    engine.dispose()
    driver = "psycopg COPY (write_row)" if dbs.postgresql else "sqlite3 executemany"
    title = (
        f"{dbs.kind}: {args.trips:,} trips over {args.cards:,} linked cards, {ext} {len(data) / 1e6:.2f} MB;"
        f" first import {outcome}, again {repeat}"
    )
    report(
        title,
        [
            (f"bare {driver} of the activity rows it stored", bare),
            ("operator import, first (file to ledger)", first),
            ("operator import, the same trips again (all done)", again),
        ],
        bare,
    )
    verdict("import", dbs.kind, first, bare)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trips", type=int, default=20_000)
    parser.add_argument("--cards", type=int, default=1_000)
    parser.add_argument("--xlsx", action="store_true", help="an XLSX file instead of CSV")
    parser.add_argument("--postgresql", help="also measure on this server (throw-away schemas)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--gc-freeze", action="store_true", help=FREEZE_HELP)
    on_each_database(run, parser.parse_args())


if __name__ == "__main__":
    main()
