"""The races issue 17 names, each run many times in a row: a race that goes wrong once in fifty runs passes a
single run and fails here. Each round uses new residents (and rewards) in the same database, so every round
starts from the state the others left behind, as a busy server does.

- a double tap of a QR scan: one resident's tap-out sent twice with one key and once with another, at once;
- the last unit of stock and the last points of a balance, redeemed by two requests at once;
- a credited activity rejected twice at once, and rejected while its points are being spent.

Every round: exactly one credit, voucher or reversal; no unhandled error (what a 500 would be); the ledger
without discrepancies. 5 rounds in CI; 100 rounds marked ``slow`` (``scripts/dev.py test -m slow``).
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger
from carbon_credit.platform.database import read_session
from carbon_credit.rewards import Voucher
from tests.carbon_credit import test_rewards as reward_tests
from tests.carbon_credit import test_scan_concurrency as scan_tests
from tests.carbon_credit.test_clawback import _race, _record, _redeem, _reject
from tests.carbon_credit.test_rewards import earn, redeem, run_at_once
from tests.carbon_credit.test_scan_concurrency import T0, TRIP, assert_books_balance, at_once, balance, scan

# Fixtures of those modules, used here by name: the stops A and B on a route, the reward factory.
tokens = scan_tests.tokens
make_reward = reward_tests.make_reward
ROUNDS = [pytest.param(5, id="5x"), pytest.param(100, id="100x", marks=pytest.mark.slow)]


@pytest.mark.parametrize("rounds", ROUNDS)
def test_a_double_tapped_tap_out_credits_one_trip(rounds, engine, settings, tokens, make_resident):
    for n in range(rounds):
        resident = make_resident()
        assert scan(engine, settings, resident, tokens["A"], f"in-{n}", T0).kind == "tapped_in"

        def out(key: str, resident=resident):
            return scan(engine, settings, resident, tokens["B"], key, T0 + TRIP)

        results, errors = at_once([lambda: out("tap"), lambda: out("tap"), lambda: out("second")])
        assert errors == [], f"round {n}: {errors!r}"
        credited = {(r.activity_id, r.points) for r in results if r.kind == "trip_credited"}
        assert len(credited) == 1, f"round {n}: {Counter((r.kind, r.reason) for r in results)}"
        assert balance(engine, resident) == next(iter(credited))[1] > 0
    assert_books_balance(engine)


@pytest.mark.parametrize("rounds", ROUNDS)
def test_the_last_stock_and_the_last_points_are_redeemed_once(
    rounds, engine, settings, make_resident, make_reward
):
    for n in range(rounds):
        _redeem_the_last(engine, settings, make_resident, make_reward, f"{n}")
    with read_session(engine) as session:
        assert session.execute(select(func.count(Voucher.id))).scalar_one() == 2 * rounds
        assert ledger.discrepancies(session=session) == []


def _redeem_the_last(engine, settings, make_resident, make_reward, n: str) -> None:
    """Two residents for one unit of stock; then the winner's last points asked for twice."""
    reward, one, two = make_reward(cost=100, stock=1), make_resident(), make_resident()
    for person in (one, two):
        earn(engine, person, 100, key=f"r{n}")
    stock = run_at_once([lambda p=p: redeem(engine, settings, p, reward, key=f"s{n}") for p in (one, two)])
    assert sorted(stock) == ["ok", "out_of_stock"], f"round {n}: {stock}"
    winner = two if balance(engine, one) == 100 else one  # the one who holds the voucher spent it all
    shop = make_reward(cost=100, stock=5)
    earn(engine, winner, 100, key=f"again{n}")  # points for exactly one more
    last = run_at_once([lambda k=k: redeem(engine, settings, winner, shop, key=f"b{n}{k}") for k in "xy"])
    assert sorted(last) == ["insufficient_points", "ok"], f"round {n}: {last}"
    assert (balance(engine, one), balance(engine, two)) in ((0, 100), (100, 0))


@pytest.mark.parametrize("rounds", ROUNDS)
def test_a_credited_activity_is_taken_back_once(rounds, engine, settings, make_resident, make_reward):
    admin = make_resident(role="admin")
    for n in range(rounds):
        _take_back(engine, settings, make_resident(), admin, make_reward, f"{n}")
    with read_session(engine) as session:
        assert ledger.discrepancies(session=session) == []


def _take_back(engine, settings, resident: int, admin: int, make_reward, n: str) -> None:
    """One credit rejected twice at once; another rejected while a redemption spends it."""
    activity, points = _record(engine, settings, resident, key=f"twice{n}")
    twice = _race(
        first=lambda: _reject(engine, settings, activity, admin).reversed_points,
        second=lambda: _reject(engine, settings, activity, admin).reversed_points,
    )
    assert sorted(twice.values()) == [0, points], f"round {n}: {twice}"
    assert balance(engine, resident) == 0
    spent, points = _record(engine, settings, resident, key=f"spend{n}")
    offer = make_reward(cost=points - 10)
    raced = _race(
        reject=lambda: _reject(engine, settings, spent, admin).reversed_points,
        redeem=lambda: _redeem(engine, settings, resident, offer, key=f"r{n}") and "ok",
    )
    assert raced.get("reject") == points, f"round {n}: {raced}"
    assert raced.get("redeem") in ("ok", "insufficient_points", "redeem_blocked_by_debt"), (
        f"round {n}: {raced}"
    )
    assert balance(engine, resident) == (-(points - 10) if raced["redeem"] == "ok" else 0)
