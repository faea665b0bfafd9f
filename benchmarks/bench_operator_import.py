"""Operator trip import rate on SQLite: a CSV (or XLSX) of trips over linked cards, through the whole
service (parse, cards, stops, QR overlap, transit rules, bulk credit, chunked commits).

    .venv/bin/python benchmarks/bench_operator_import.py [--trips 20000] [--cards 1000] [--xlsx]

Prints rows per second for a first import and for importing the same trips again (all skipped as done).
A trip file holds at most ``transit.TRIP_FILE_LIMITS.max_rows`` trips (200,000) and 50 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from carbon_credit import transit
from carbon_credit.platform.database import make_engine, migrate, session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import Resident, create_resident
from carbon_credit.stops import Route, RouteStop, Stop

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
            numbers.append(f"3104{n:010d}")
            session.get(Resident, resident.id).transit_card = numbers[-1]
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


def timed_import(engine, settings, data: bytes, name: str) -> tuple[float, dict]:
    """Upload (as an administrator) and import a file; its seconds and outcome."""
    started = time.perf_counter()
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
    elapsed = time.perf_counter() - started
    return elapsed, {
        "rows": batch.next_row,
        "credited": batch.credited,
        "skipped": batch.skipped,
        "problems": len(batch.errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trips", type=int, default=20_000)
    parser.add_argument("--cards", type=int, default=1_000)
    parser.add_argument("--xlsx", action="store_true", help="an XLSX file instead of CSV")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            env="test",
            database_url=f"sqlite:///{Path(folder) / 'bench.db'}",
            upload_folder=folder,
            password_hash_method="pbkdf2:sha256:1000",
        )
        engine = make_engine(settings.database_url)
        migrate(engine)
        cards = seed(engine, settings, args.cards)
        rows = trip_rows(cards, args.trips, datetime.now(UTC))
        data = file_bytes(rows, args.xlsx)
        ext = "xlsx" if args.xlsx else "csv"
        first, outcome = timed_import(engine, settings, data, f"trips.{ext}")
        other = file_bytes([*rows, ["99999999", "S000", "S005", *rows[0][3:]]], args.xlsx)  # another file
        again, repeat = timed_import(engine, settings, other, f"again.{ext}")
        engine.dispose()
    print(
        json.dumps(
            {
                "format": ext,
                "trips": args.trips,
                "cards": args.cards,
                "file_mb": round(len(data) / 1e6, 2),
                "first_import": {
                    **outcome,
                    "seconds": round(first, 2),
                    "rows_per_s": round(args.trips / first),
                },
                "same_trips_again": {
                    **repeat,
                    "seconds": round(again, 2),
                    "rows_per_s": round(args.trips / again),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
