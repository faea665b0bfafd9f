"""A web worker SIGKILLed in the middle of a credit or a redemption leaves no partial state, and the
client's retry with the same Idempotency-Key completes it exactly once, answering what a normal request
answers.

Two kill points (tests/faults/gunicorn_faults.py): ``mid``, right after the ledger INSERT with the
transaction still open; ``commit``, right after the COMMIT, before the answer is sent. gunicorn replaces the
worker (two workers: the other one takes the retry); the client sees the connection close without an answer
and sends the request again.

No partial state: between the kill and the retry the resident's data is exactly as before the request
(``mid``) or exactly as after it (``commit``), and the retry then changes nothing more than a normal request.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from carbon_credit import ledger, transit
from carbon_credit.activities.models import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.rewards.models import Reward, Voucher
from carbon_credit.transit.models import TapIn
from tests.faults.webserver import RECYCLING, NoAnswer

PHASES = ["mid", "commit"]


@pytest.fixture
def server(start_server, database_url):
    return start_server(database_url, killing=True, WEB_CONCURRENCY="2")


def snapshot(engine, resident_id: int) -> dict:
    """Everything a credit or a redemption can change for one resident (and the rewards' stock); checks the
    ledger invariant on the way."""
    with read_session(engine) as session:
        assert ledger.discrepancies(session=session) == []  # every balance equals the sum of its entries
        account_id = ledger.account_id_for(session=session, resident_id=resident_id)
        mine = {"resident_id": resident_id}
        return {
            "balance": ledger.balance(session=session, account_id=account_id),
            "entries": sorted(e.points for e in ledger.entries(session=session, account_id=account_id)),
            "activities": session.scalars(select(Activity.id).filter_by(**mine)).all(),
            "taps": session.scalars(select(TapIn.status).filter_by(**mine)).all(),
            "vouchers": session.scalars(select(Voucher.code).filter_by(**mine)).all(),
            "stock": session.scalars(select(Reward.stock).order_by(Reward.id)).all(),
        }


def killed_then_retried(server, engine, phase: str, client, method: str, path: str, body=None):
    """Send the request with a key that kills its worker at ``phase``, then the client's retry with the same
    key, then once more. Returns (retry's answer, the resident's data before the request, between the kill
    and the retry, after the retry); asserts that the last call replayed the retry's answer."""
    call = {"token": client.token, "key": f"die-{phase}-1", "body": body}
    before = snapshot(engine, client.resident_id)
    with pytest.raises(NoAnswer):
        server.call(method, path, **call)
    between = snapshot(engine, client.resident_id)
    answer = server.call(method, path, **call)
    after = snapshot(engine, client.resident_id)
    again = server.call(method, path, **call)
    assert (again.status, again.json) == (answer.status, answer.json)  # a replay: same voucher code, same ids
    assert snapshot(engine, client.resident_id) == after
    assert between == (before if phase == "mid" else after), f"partial state after a kill at {phase}"
    return answer, before, after


def comparable(answer: dict) -> dict:
    """An answer without what differs between two residents' identical requests (ids, times, codes)."""
    differs = {"id", "code", "tap_in_id", "activity_id", "at"}
    return {k: v for k, v in answer.items() if k not in differs and not k.endswith(("_at", "_day"))}


def test_an_activity_credit_survives_a_killed_worker(server, engine, make_client):
    normal = make_client()
    expected = server.call("POST", "/api/v1/activities", token=normal.token, key="normal", body=RECYCLING)
    for phase in PHASES:
        killed = make_client()

        answer, before, after = killed_then_retried(
            server, engine, phase, killed, "POST", "/api/v1/activities", RECYCLING
        )

        assert answer.status == expected.status == 201
        assert comparable(answer.json) == comparable(expected.json)
        points = answer.json["points"]
        assert before["balance"] == 0 and len(after["activities"]) == 1
        assert (after["balance"], after["entries"]) == (points, [points])


def test_a_transit_tap_out_credit_survives_a_killed_worker(
    server, engine, server_settings, make_client, stop_tokens
):
    def tapped_in():  # 20 minutes ago: a plausible bus ride to the other stop
        client = make_client()
        with session_scope(engine) as session:
            ago = clock.now() - timedelta(minutes=20)
            who = {"session": session, "settings": server_settings, "resident_id": client.resident_id}
            transit.scan(**who, token=stop_tokens[0], idempotency_key="in", now=ago)
        return client

    tap_out = {"stop_token": stop_tokens[1]}
    expected = server.call("POST", "/api/v1/transit/scans", token=tapped_in().token, key="out", body=tap_out)
    assert expected.json["kind"] == "trip_credited"
    for phase in PHASES:
        killed = tapped_in()

        answer, before, after = killed_then_retried(
            server, engine, phase, killed, "POST", "/api/v1/transit/scans", tap_out
        )

        assert answer.status == expected.status == 201
        assert comparable(answer.json) == comparable(expected.json)
        points = answer.json["points"]
        assert (before["taps"], before["balance"]) == (["open"], 0)
        assert (after["taps"], len(after["activities"])) == (["completed"], 1)
        assert (after["balance"], after["entries"]) == (points, [points])


def test_a_redemption_survives_a_killed_worker(server, engine, make_client, make_reward):
    def with_points():
        client = make_client()
        server.call("POST", "/api/v1/activities", token=client.token, key="earn", body=RECYCLING)
        return client

    reward = make_reward(cost=1000, stock=5)
    path = f"/api/v1/rewards/{reward}/redemptions"
    expected = server.call("POST", path, token=with_points().token, key="redeem")
    for n, phase in enumerate(PHASES):
        killed = with_points()

        answer, before, after = killed_then_retried(server, engine, phase, killed, "POST", path)

        assert answer.status == expected.status == 201
        assert comparable(answer.json) == comparable(expected.json)
        earned = before["balance"]
        assert (before["stock"], before["vouchers"]) == ([4 - n], [])
        assert (after["stock"], after["vouchers"]) == ([3 - n], [answer.json["code"]])  # taken once
        assert (after["balance"], after["entries"]) == (earned - 1000, sorted([-1000, earned]))
