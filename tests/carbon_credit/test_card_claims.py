"""Transit cards belong to their owner: a card is linked by naming one of its recent operator trips (or by an
administrator), a second claim waits for an administrator, and nobody is credited with a card's trips from
before their ownership was proved. The exploit: typing someone else's card number used to be enough."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from carbon_credit import ledger, transit
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.models import AuditEntry
from carbon_credit.stops import Route, RouteStop, Stop

CARD = "31040000000077"
HEADER = "card_number,boarding_stop,alighting_stop,boarding_time,alighting_time"


def local(moment) -> str:
    return moment.astimezone(clock.BEIJING).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")


def trips_file(*starts) -> bytes:
    rows = [f"{CARD},A,B,{local(s)},{local(s + timedelta(minutes=15))}" for s in starts]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def build_line(session) -> list[int]:
    """Bus route R1 from stop A to stop B, 3 km: the two stops' ids."""
    ids = []
    for code, lat, lon in (("A", 30.9262, 113.9021), ("B", 30.9390, 113.9230)):
        stop = Stop(code=code, name_zh=f"{code}站", name_en=code, latitude=lat, longitude=lon, mode="bus")
        session.add(stop)
        session.flush()
        ids.append(stop.id)
    route = Route(code="R1", name_zh="R1", name_en="R1", mode="bus")
    session.add(route)
    session.flush()
    for position, (stop_id, metres) in enumerate(zip(ids, (0, 3000), strict=True), 1):
        session.add(
            RouteStop(route_id=route.id, stop_id=stop_id, position=position, metres_from_start=metres)
        )
    return ids


@pytest.fixture
def line(engine):
    """Bus route R1 from stop A to stop B, 3 km."""
    with session_scope(engine) as session:
        build_line(session)


@pytest.fixture
def operator(engine, settings, tmp_path, make_resident):
    """``operator(*boarding times)``: an administrator imports the operator's file of trips on CARD."""
    admin = make_resident(role="admin")
    config = settings.with_overrides(upload_folder=str(tmp_path / "uploads"))
    keys = iter(range(10**6))

    def upload(*starts):
        with session_scope(engine) as session:
            batch, _ = transit.create_batch(
                session=session,
                settings=config,
                actor_id=admin,
                filename=f"trips{next(keys)}.csv",
                data=trips_file(*starts),
                idempotency_key=f"upload-{next(keys)}",
            )
        return transit.process_batch(engine=engine, settings=config, batch_id=batch.id, now=clock.now())

    upload.admin = admin
    return upload


def claim(engine, settings, resident, day=None, stop=None, card=CARD):
    with session_scope(engine) as session:
        return transit.claim_card(
            session=session,
            settings=settings,
            resident_id=resident,
            card=card,
            trip_day=day,
            boarding_stop=stop,
        )


def balance(engine, resident) -> int:
    with read_session(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident)
        return ledger.balance(session=session, account_id=account)


def card_of(engine, resident):
    with read_session(engine) as session:
        return transit.card_of(session=session, resident_id=resident)


def test_typing_a_card_number_no_longer_takes_its_owners_trips(
    engine, settings, line, operator, make_resident, monkeypatch
):
    monkeypatch.setattr(clock, "_offset", clock._offset)  # the clock moves below; put back afterwards
    owner, thief = make_resident(), make_resident()
    ridden = clock.now() - timedelta(days=3)
    operator(ridden)  # the owner's card is not linked yet: the trip is kept for a claim, credited to nobody
    # The exploit: the thief types the number first. A guess at the trip is not proof.
    guessed = claim(engine, settings, thief, clock.local_day(ridden) - timedelta(days=1), "A")
    assert guessed.status == "failed" and guessed.refusal.code == "card_proof_not_found"
    assert card_of(engine, thief) is None
    # The owner names the day and the stop of that trip: linked, proved from now.
    proved = claim(engine, settings, owner, clock.local_day(ridden), "A")
    assert proved.status == "linked" and card_of(engine, owner) == CARD
    # The next file repeats the old trip and adds a new one: only the trip after the proof is the owner's.
    batch = operator(ridden - timedelta(hours=1), clock.now() - timedelta(minutes=30) + timedelta(minutes=1))
    assert balance(engine, owner) == 0  # both trips were boarded before the proof
    after = clock.now() + timedelta(minutes=5)
    clock.running_from(after + timedelta(minutes=20))
    batch = operator(after)
    assert batch.credited == 1 and balance(engine, owner) > 0 and balance(engine, thief) == 0


def test_a_second_claim_waits_for_an_administrator_who_moves_the_card(
    engine, settings, line, operator, make_resident
):
    owner, second = make_resident(), make_resident()
    ridden = clock.now() - timedelta(days=2)
    operator(ridden)
    assert claim(engine, settings, owner, clock.local_day(ridden), "A").status == "linked"
    waiting = claim(engine, settings, second, clock.local_day(ridden), "A")
    assert waiting.status == "review" and card_of(engine, owner) == CARD and card_of(engine, second) is None
    assert claim(engine, settings, second, clock.local_day(ridden), "A").status == "review"  # once
    with read_session(engine) as session:
        (queued,) = transit.card_claims_waiting(session=session)
    with session_scope(engine) as session:
        transit.decide_card_claim(
            session=session, actor_id=operator.admin, claim_id=queued.id, approve=True, idempotency_key="k1"
        )
    assert card_of(engine, owner) is None and card_of(engine, second) == CARD
    with read_session(engine) as session:
        audit = session.execute(
            select(AuditEntry).where(AuditEntry.action == "card_claim.decide")
        ).scalar_one()
        assert audit.before["owner"] == owner and audit.after["owner"] == second
        assert transit.card_claims_waiting(session=session) == []


def test_without_a_trip_to_name_an_administrator_confirms_or_rejects(engine, settings, make_resident):
    resident, admin = make_resident(), make_resident(role="admin")
    assert claim(engine, settings, resident).status == "review" and card_of(engine, resident) is None
    with read_session(engine) as session:
        (queued,) = transit.card_claims_waiting(session=session)
    with session_scope(engine) as session:
        transit.decide_card_claim(
            session=session, actor_id=admin, claim_id=queued.id, approve=False, idempotency_key="k2"
        )
    assert card_of(engine, resident) is None
    with pytest.raises(DomainError) as decided, session_scope(engine) as session:
        transit.decide_card_claim(
            session=session, actor_id=admin, claim_id=queued.id, approve=True, idempotency_key="k3"
        )
    assert decided.value.code == "card_claim_decided"


def test_guessing_trips_is_limited_to_five_a_day(engine, settings, line, operator, make_resident):
    thief = make_resident()
    operator(clock.now() - timedelta(days=1))
    today = clock.local_day(clock.now())
    for days_back in range(5, 10):
        assert claim(engine, settings, thief, today - timedelta(days=days_back), "A").status == "failed"
    with pytest.raises(DomainError) as refused:
        claim(engine, settings, thief, today - timedelta(days=1), "A")  # the right answer, too late
    assert refused.value.code == "card_claim_attempts"
    assert card_of(engine, thief) is None
