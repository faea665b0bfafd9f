"""Operator trip imports: a transit operator's file of card taps, credited by the QR trip rules (one daily
trip cap for QR and imported trips together), once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger, transit
from carbon_credit.activities import Activity
from carbon_credit.platform import spreadsheets
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.models import AuditEntry
from carbon_credit.stops import Route, RouteStop, Stop, sign_stop
from carbon_credit.transit import ImportBatch, operator_imports
from tests.spreadsheet_files import workbook_bytes

T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
NOW = T0 + timedelta(days=1)
HEADER = ["card_number", "boarding_stop", "alighting_stop", "boarding_time", "alighting_time"]
CARD1, CARD2 = "31040000000001", "31040000000002"


def local(moment: datetime) -> str:
    """The operator's way of writing a time: Beijing local time without a zone."""
    return (moment + timedelta(hours=8)).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")


def trip(card: str, a: str, b: str, start: datetime, minutes: int = 15) -> list:
    return [card, a, b, local(start), local(start + timedelta(minutes=minutes))]


def csv_bytes(rows: list[list], header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows: list[list], header=HEADER) -> bytes:
    return workbook_bytes(header, rows)


@pytest.fixture
def stops(engine):
    """Bus route R1: A -(3 km)- B -(0.3 km)- C -(16.7 km)- F; returns code -> id."""
    with session_scope(engine) as session:
        made = {}
        for code, lat, lon in [
            ("A", 30.9262, 113.9021),
            ("B", 30.9390, 113.9230),
            ("C", 30.94, 113.925),
            ("F", 31.05, 113.99),
        ]:
            stop = Stop(code=code, name_zh=code, name_en=code, latitude=lat, longitude=lon, mode="bus")
            session.add(stop)
            session.flush()
            made[code] = stop.id
        route = Route(code="R1", name_zh="R1", name_en="R1", mode="bus")
        session.add(route)
        session.flush()
        for position, (code, metres) in enumerate([("A", 0), ("B", 3000), ("C", 3300), ("F", 20000)], 1):
            session.add(
                RouteStop(route_id=route.id, stop_id=made[code], position=position, metres_from_start=metres)
            )
    return made


@pytest.fixture
def riders(engine, make_resident, stops):
    """Two residents with linked cards: CARD1 and CARD2."""
    ids = []
    for card in (CARD1, CARD2):
        resident = make_resident()
        with session_scope(engine) as session:
            transit.link_card(session=session, resident_id=resident, card=card)
        ids.append(resident)
    return ids


@pytest.fixture
def admin(make_resident) -> int:
    return make_resident(role="admin")


@pytest.fixture
def run(engine, settings, tmp_path, admin):
    """``run(data, name="trips.csv", config=None, **options)`` -> (batch, created) after an administrator
    uploads the file and it is imported."""
    uploads = {"upload_folder": str(tmp_path / "uploads")}
    keys = iter(range(10**6))

    def do(data: bytes, name: str = "trips.csv", now: datetime = NOW, config=None, **options):
        config = (config or settings).with_overrides(**uploads)
        with session_scope(engine) as session:
            batch, created = transit.create_batch(
                session=session,
                settings=config,
                actor_id=admin,
                filename=name,
                data=data,
                idempotency_key=f"upload-{next(keys)}",
            )
        return transit.process_batch(
            engine=engine, settings=config, batch_id=batch.id, now=now, **options
        ), created

    do.settings = settings.with_overrides(**uploads)
    return do


def balance_of(engine, resident: int) -> int:
    with read_session(engine) as session:
        return ledger.balance(
            session=session, account_id=ledger.account_id_for(session=session, resident_id=resident)
        )


def activities_of(engine, resident: int) -> list[Activity]:
    with read_session(engine) as session:
        return list(session.execute(select(Activity).where(Activity.resident_id == resident)).scalars())


def qr_trip(engine, settings, stops, resident: int, a: str, b: str, start: datetime, minutes: int = 15):
    for code, at, key in ((a, start, "in"), (b, start + timedelta(minutes=minutes), "out")):
        with session_scope(engine) as session:
            token = sign_stop(stops[code], 1, settings.qr_signing_key)
            result = transit.scan(
                session=session,
                settings=settings,
                resident_id=resident,
                token=token,
                idempotency_key=f"{key}{start.isoformat()}",
                now=at,
            )
    return result


def test_an_xlsx_trip_earns_what_the_same_qr_trip_earns(engine, settings, stops, riders, run, make_resident):
    batch, created = run(xlsx_bytes([trip(CARD1, "A", "B", T0)]), name="六月.xlsx")
    assert created and batch.status == "done"
    assert (batch.total_rows, batch.next_row, batch.credited, batch.skipped, batch.errors) == (1, 1, 1, 0, [])
    walker = make_resident()
    qr = qr_trip(engine, settings, stops, walker, "A", "B", T0)
    (imported,) = activities_of(engine, riders[0])
    assert imported.channel == "import" and imported.behaviour == "transit"
    assert imported.inputs == {"legs": [{"mode": "bus", "km": "3"}]}
    assert imported.points == qr.points > 0
    assert balance_of(engine, riders[0]) == balance_of(engine, walker)
    assert imported.occurred_at == T0 + timedelta(minutes=15)
    assert imported.details["card"] == CARD1 and imported.details["row"] == 2


def test_a_csv_with_chinese_headers_in_gb18030_is_read(engine, stops, riders, run):
    header = ["卡号", "上车站点编码", "下车站点编码", "上车时间", "下车时间"]
    text = csv_bytes([trip(CARD1, "A", "F", T0, 40), trip(CARD2, "A", "B", T0)], header=header).decode()
    batch, _ = run(text.encode("gb18030"))
    assert (batch.status, batch.credited, batch.errors) == ("done", 2, [])
    assert [a.inputs["legs"][0]["km"] for a in activities_of(engine, riders[0])] == ["20"]


def test_importing_again_credits_nothing_twice(engine, stops, riders, run):
    rows = [trip(CARD1, "A", "B", T0), trip(CARD2, "A", "F", T0, 40)]
    first, _ = run(csv_bytes(rows))
    balances = [balance_of(engine, r) for r in riders]
    again, created = run(csv_bytes(rows))  # the same file: the same batch, already done
    assert not created and again.id == first.id and again.status == "done"
    other, created = run(csv_bytes([*rows, trip("99999999", "A", "B", T0)]), name="again.csv")
    assert created and (other.credited, other.skipped) == (0, 3)
    assert [balance_of(engine, r) for r in riders] == balances
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Activity)).scalar_one() == 2


def test_a_trip_already_claimed_by_qr_is_skipped(engine, settings, stops, riders, run):
    qr_trip(engine, settings, stops, riders[0], "A", "B", T0, 15)
    before = balance_of(engine, riders[0])
    batch, _ = run(
        csv_bytes(
            [
                trip(CARD1, "A", "B", T0 + timedelta(minutes=1), 13),
                trip(CARD1, "B", "F", T0 + timedelta(hours=3), 40),
            ]
        )
    )
    assert (batch.credited, batch.skipped) == (1, 1)
    assert [(p["row"], p["reason"], p["skipped"]) for p in batch.errors] == [(2, "claimed_by_qr", True)]
    assert balance_of(engine, riders[0]) > before
    assert sorted(a.channel for a in activities_of(engine, riders[0])) == ["import", "qr"]


def test_unknown_cards_are_skipped_not_reported(engine, stops, riders, run):
    batch, _ = run(csv_bytes([trip("99999999", "A", "B", T0), trip("88888888", "X", "Y", T0)]))
    assert (batch.status, batch.credited, batch.skipped, batch.errors) == ("done", 0, 2, [])


def test_bad_rows_are_reported_with_row_column_and_reason(engine, stops, riders, run):
    old = T0 - timedelta(days=10)
    rows = [
        ["12ab", "A", "B", local(T0), local(T0 + timedelta(minutes=9))],
        trip(CARD1, "A", "NOPE", T0),
        [CARD1, "A", "B", "yesterday", local(T0)],
        [CARD1, "A", "B", local(T0), local(T0 - timedelta(minutes=5))],
        trip(CARD1, "A", "B", old),
        ["", "", "", "", ""],
        trip(CARD2, "A", "B", T0),
    ]
    batch, _ = run(csv_bytes(rows))
    assert batch.credited == 1
    found = [(p["row"], p["column"], p["reason"]) for p in batch.errors]
    assert found == [
        (2, "card_number", "invalid_transit_card"),
        (3, "alighting_stop", "import_unknown_stop"),
        (4, "boarding_time", "import_bad_time"),
        (5, "alighting_time", "import_alighting_before_boarding"),
        (6, "alighting_time", "occurred_too_long_ago"),
    ]
    assert batch.errors[4]["params"] == {"days": 7}


def test_transit_rules_apply_to_imported_trips(engine, stops, riders, run):
    day = T0 + timedelta(hours=2)
    rows = [
        trip(CARD1, "B", "C", T0, 5),  # 300 m: too short
        trip(CARD1, "A", "F", T0, 5),  # 20 km in 5 minutes: too fast for a bus
        *[trip(CARD2, "A", "B", day + timedelta(minutes=30 * n)) for n in range(7)],  # the 7th: daily cap
    ]
    batch, _ = run(csv_bytes(rows))
    assert (batch.credited, batch.skipped) == (6, 3)
    assert [(p["row"], p["reason"]) for p in batch.errors] == [
        (2, "transit_too_short"),
        (3, "transit_too_fast"),
        (10, "transit_daily_cap"),
    ]
    assert batch.errors[1]["params"]["limit"] == 60


def test_a_crash_mid_file_resumes_from_next_row_without_double_credit(
    engine, stops, riders, run, monkeypatch
):
    rows = [trip(CARD1 if n % 2 else CARD2, "A", "B", T0 + timedelta(minutes=40 * n)) for n in range(10)]
    real = operator_imports.import_chunk
    calls = []

    def crash_on_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(**kwargs)

    monkeypatch.setattr(operator_imports, "import_chunk", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        run(csv_bytes(rows), chunk_rows=4)
    with read_session(engine) as session:
        batch = session.execute(select(ImportBatch)).scalar_one()
    assert (batch.status, batch.next_row, batch.credited) == ("running", 4, 4)
    monkeypatch.setattr(operator_imports, "import_chunk", real)
    done = transit.process_batch(
        engine=engine, settings=run.settings, batch_id=batch.id, now=NOW, chunk_rows=4
    )
    assert (done.status, done.next_row, done.credited, done.skipped) == ("done", 10, 10, 0)
    assert sum(len(activities_of(engine, r)) for r in riders) == 10
    again = transit.process_batch(engine=engine, settings=run.settings, batch_id=batch.id, now=NOW)
    assert again.credited == 10


def test_a_time_budget_leaves_the_batch_running_and_it_continues(engine, stops, riders, run):
    rows = [trip(CARD1, "A", "B", T0 + timedelta(minutes=40 * n)) for n in range(5)]
    batch, _ = run(csv_bytes(rows), chunk_rows=2, max_seconds=0)
    assert (batch.status, batch.next_row) == ("running", 2)
    with read_session(engine) as session:
        assert transit.unfinished_batches(session=session) == [batch.id]
        (entry,) = session.execute(select(AuditEntry)).scalars()
    assert (entry.action, entry.target_id) == ("import.upload", batch.id)
    done = transit.process_batch(
        engine=engine, settings=run.settings, batch_id=batch.id, now=NOW, chunk_rows=2
    )
    assert (done.status, done.credited) == ("done", 5)


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "trips.csv", "spreadsheet_empty"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "trips.xls", "spreadsheet_unreadable"),
        (b"PK\x03\x04 not really a zip", "trips.xlsx", "spreadsheet_unreadable"),
        (b"hello", "photo.png", "spreadsheet_unsupported_type"),
        (b"card,stop\n1,2\n", "trips.csv", "spreadsheet_missing_columns"),
    ],
)
def test_files_it_cannot_read_are_refused_clearly(engine, settings, admin, data, name, code, tmp_path):
    with session_scope(engine) as session, pytest.raises(DomainError) as refused:
        transit.create_batch(
            session=session,
            settings=settings.with_overrides(upload_folder=str(tmp_path)),
            actor_id=admin,
            filename=name,
            data=data,
            idempotency_key="upload",
        )
    assert refused.value.code == code


def test_files_over_the_limit_are_refused(engine, settings, admin, monkeypatch, tmp_path):
    monkeypatch.setattr(operator_imports, "FILE_LIMITS", spreadsheets.Limits(max_bytes=10, max_rows=10))
    with session_scope(engine) as session, pytest.raises(DomainError) as refused:
        transit.create_batch(
            session=session,
            settings=settings,
            actor_id=admin,
            filename="t.csv",
            data=csv_bytes([]),
            idempotency_key="upload",
        )
    assert refused.value.code == "spreadsheet_too_large"


def test_a_stored_file_that_went_missing_fails_the_batch_clearly(engine, stops, riders, run):
    batch, _ = run(
        csv_bytes([trip(CARD1, "A", "B", T0 + timedelta(minutes=40 * n)) for n in range(3)]),
        chunk_rows=1,
        max_seconds=0,
    )
    for path in (Path(run.settings.upload_folder) / "imports").iterdir():
        path.unlink()
    failed = transit.process_batch(engine=engine, settings=run.settings, batch_id=batch.id, now=NOW)
    assert failed.status == "failed" and failed.errors[-1]["reason"] == "import_file_missing"
    assert failed.credited == 1


def credited_on_the_day(engine, resident: int) -> int:
    with read_session(engine) as session:
        query = select(func.count()).where(Activity.resident_id == resident, Activity.status == "credited")
        return session.execute(query).scalar_one()


@pytest.mark.parametrize("qr_first", [False, True], ids=["imported-then-qr", "qr-then-imported"])
def test_qr_and_imported_trips_share_one_daily_cap(engine, settings, stops, riders, run, qr_first):
    """With the cap at 3: three imported trips and one QR trip on one Beijing day credit 3, whichever comes
    first, and the trip over the cap is refused for the same reason on either path."""
    config = settings.with_overrides(daily_trip_cap=3)
    day = T0 + timedelta(hours=2)  # 11:00 in Beijing; the QR trip at 15:00, the same day
    imported = [trip(CARD1, "A", "B", day + timedelta(minutes=40 * n)) for n in range(3)]
    if qr_first:
        qr = qr_trip(engine, config, stops, riders[0], "B", "A", day + timedelta(hours=4))
        batch, _ = run(csv_bytes(imported), config=config)
        assert (qr.kind, batch.credited, batch.skipped) == ("trip_credited", 2, 1)
        [refused] = batch.errors
        refusal = (refused["reason"], refused["params"])
    else:
        batch, _ = run(csv_bytes(imported), config=config)
        qr = qr_trip(engine, config, stops, riders[0], "B", "A", day + timedelta(hours=4))
        assert (batch.credited, qr.kind) == (3, "rejected")
        refusal = (qr.reason, qr.params)
    assert refusal == ("transit_daily_cap", {"cap": 3})
    assert credited_on_the_day(engine, riders[0]) == 3
