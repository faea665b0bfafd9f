"""Rewards service: redemption is all or nothing, stock and balances hold under concurrency, vouchers are
used exactly once and only by their merchant (or an administrator)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger, rewards
from carbon_credit.demo import seed_demo_rewards
from carbon_credit.ledger import LedgerEntry
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, IdempotencyConflict, InsufficientPoints, NotFound
from carbon_credit.platform.qr_images import qr_png, qr_svg
from carbon_credit.residents import Resident
from carbon_credit.rewards import Reward, Voucher


@pytest.fixture
def make_reward(engine, make_resident):
    """Factory: ``make_reward(**overrides)`` -> reward id (a merchant is created unless one is given)."""

    def make(**overrides) -> int:
        values = {"name_zh": "公交券", "name_en": "Bus ride", "cost": 100, "stock": 10}
        values.update(overrides)
        if "merchant_id" not in values:
            values["merchant_id"] = make_resident(role="merchant")
        with session_scope(engine) as session:
            reward = Reward(**values)
            session.add(reward)
            session.flush()
            return reward.id

    return make


def earn(engine, resident_id: int, points: int, key: str = "seed") -> None:
    with session_scope(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident_id)
        ledger.post(session=session, posting=ledger.Posting(account, points, "earn", f"{key}-{resident_id}"))


def redeem(engine, settings, resident_id: int, reward_id: int, key: str = "k1", **extra) -> Voucher:
    with session_scope(engine) as session:
        return rewards.redeem(
            session=session,
            settings=settings,
            resident_id=resident_id,
            reward_id=reward_id,
            idempotency_key=key,
            **extra,
        )


def use(engine, code: str, staff_id: int, role: str = "merchant") -> tuple[Voucher, Reward]:
    with session_scope(engine) as session:
        return rewards.use_voucher(session=session, code=code, staff_id=staff_id, staff_role=role)


def state(engine, resident_id: int, reward_id: int) -> tuple[int, int, int]:
    """(balance, stock, vouchers held by the resident)."""
    with read_session(engine) as session:
        balance = rewards.points_balance(session=session, resident_id=resident_id)
        stock = rewards.get_reward(session=session, reward_id=reward_id).stock
        held = len(rewards.vouchers_of(session=session, resident_id=resident_id))
    return balance, stock, held


def test_redeem_debits_the_cost_and_takes_one_from_stock(engine, settings, make_resident, make_reward):
    resident, reward = make_resident(), make_reward(cost=300, stock=5)
    earn(engine, resident, 1000)
    voucher = redeem(engine, settings, resident, reward)
    assert state(engine, resident, reward) == (700, 4, 1)
    assert len(voucher.code) == rewards.CODE_LENGTH and set(voucher.code) <= set(rewards.CODE_ALPHABET)
    with read_session(engine) as session:
        entry = session.get(LedgerEntry, voucher.ledger_entry_id)
    assert (entry.kind, entry.points, entry.ref_type) == ("redeem", -300, "voucher")


def test_codes_are_unique_and_unguessable(engine, settings, make_resident, make_reward):
    resident, reward = make_resident(), make_reward(cost=1, stock=50)
    earn(engine, resident, 50)
    codes = {redeem(engine, settings, resident, reward, key=f"k{n}").code for n in range(20)}
    assert len(codes) == 20
    assert len({rewards.new_code() for _ in range(1000)}) == 1000


def test_insufficient_points_changes_nothing(engine, settings, make_resident, make_reward):
    resident, reward = make_resident(), make_reward(cost=500, stock=3)
    earn(engine, resident, 499)
    with pytest.raises(InsufficientPoints) as refused:
        redeem(engine, settings, resident, reward)
    assert refused.value.params == {"needed": 500, "balance": 499}
    assert state(engine, resident, reward) == (499, 3, 0)


def test_a_refusal_inside_a_longer_transaction_still_leaves_stock_alone(
    engine, settings, make_resident, make_reward
):
    """The redemption runs in a savepoint: a caller that catches the error and commits changes nothing."""
    resident, reward = make_resident(), make_reward(cost=500, stock=3)
    with session_scope(engine) as session:
        with pytest.raises(InsufficientPoints):
            rewards.redeem(
                session=session,
                settings=settings,
                resident_id=resident,
                reward_id=reward,
                idempotency_key="x",
            )
    assert state(engine, resident, reward) == (0, 3, 0)


def test_out_of_stock(engine, settings, make_resident, make_reward):
    resident, reward = make_resident(), make_reward(cost=100, stock=0)
    earn(engine, resident, 1000)
    with pytest.raises(DomainError) as refused:
        redeem(engine, settings, resident, reward)
    assert refused.value.code == "out_of_stock"
    assert state(engine, resident, reward) == (1000, 0, 0)


def test_per_resident_limit(engine, settings, make_resident, make_reward):
    resident, other, reward = make_resident(), make_resident(), make_reward(cost=100, per_resident_limit=2)
    earn(engine, resident, 1000)
    earn(engine, other, 1000)
    redeem(engine, settings, resident, reward, key="a")
    redeem(engine, settings, resident, reward, key="b")
    with pytest.raises(DomainError) as refused:
        redeem(engine, settings, resident, reward, key="c")
    assert (refused.value.code, refused.value.params) == ("redeem_limit_reached", {"limit": 2})
    assert state(engine, resident, reward) == (800, 8, 2)
    redeem(engine, settings, other, reward, key="a")  # the limit is per resident


def test_validity_window_and_inactive_rewards(engine, settings, make_resident, make_reward):
    now = clock.now()
    resident = make_resident()
    earn(engine, resident, 1000)
    future = make_reward(valid_from=now + timedelta(days=1))
    expired = make_reward(valid_until=now - timedelta(seconds=1))
    withdrawn = make_reward(is_active=False)
    current = make_reward(valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=1))
    sold_out = make_reward(stock=0)
    for reward in (future, expired, withdrawn):
        with pytest.raises(DomainError) as refused:
            redeem(engine, settings, resident, reward, key=f"k{reward}")
        assert refused.value.code == "reward_unavailable"
    with read_session(engine) as session:
        listed = {r.id for r in rewards.catalogue(session=session)}
        later = {r.id for r in rewards.catalogue(session=session, now=now + timedelta(days=2))}
    assert listed == {current, sold_out}
    assert future in later and current not in later and expired not in later
    redeem(engine, settings, resident, current)
    with pytest.raises(DomainError):
        redeem(engine, settings, resident, current, key="later", now=now + timedelta(days=2))


def test_the_same_key_twice_gives_one_voucher(engine, settings, make_resident, make_reward):
    resident, reward = make_resident(), make_reward(cost=100)
    earn(engine, resident, 1000)
    first = redeem(engine, settings, resident, reward, key="tap")
    second = redeem(engine, settings, resident, reward, key="tap")
    assert first.id == second.id and first.code == second.code
    assert state(engine, resident, reward) == (900, 9, 1)
    with pytest.raises(IdempotencyConflict):
        redeem(engine, settings, resident, make_reward(), key="tap")


def test_keys_are_scoped_per_resident(engine, settings, make_resident, make_reward):
    one, two, reward = make_resident(), make_resident(), make_reward(cost=100)
    earn(engine, one, 100)
    earn(engine, two, 100)
    assert (
        redeem(engine, settings, one, reward, key="same").id
        != redeem(engine, settings, two, reward, key="same").id
    )


def run_at_once(jobs) -> list[str]:
    """Start every job behind one barrier; collect "ok" or the error code of each."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job) -> None:
        barrier.wait()
        try:
            job()
            result = "ok"
        except DomainError as error:
            result = error.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_residents_get_exactly_the_stock(engine, settings, make_resident, make_reward):
    """Stock 3, ten residents with enough points redeem at the same moment: exactly three vouchers."""
    reward = make_reward(cost=200, stock=3)
    people = [make_resident() for _ in range(10)]
    for person in people:
        earn(engine, person, 500)
    outcomes = run_at_once([lambda p=p: redeem(engine, settings, p, reward) for p in people])
    assert outcomes.count("ok") == 3 and outcomes.count("out_of_stock") == 7
    with read_session(engine) as session:
        assert rewards.get_reward(session=session, reward_id=reward).stock == 0
        assert session.execute(select(func.count(Voucher.id))).scalar_one() == 3
        balances = sorted(rewards.points_balance(session=session, resident_id=p) for p in people)
        assert ledger.discrepancies(session=session) == []
    assert balances == [300] * 3 + [500] * 7


def test_concurrent_redemptions_by_one_resident_never_overspend(engine, settings, make_resident, make_reward):
    """Points for two redemptions, six simultaneous requests with different keys: exactly two vouchers."""
    resident, reward = make_resident(), make_reward(cost=200, stock=10)
    earn(engine, resident, 450)
    outcomes = run_at_once(
        [lambda n=n: redeem(engine, settings, resident, reward, key=f"k{n}") for n in range(6)]
    )
    assert outcomes.count("ok") == 2 and outcomes.count("insufficient_points") == 4
    assert state(engine, resident, reward) == (50, 8, 2)
    with read_session(engine) as session:
        assert ledger.discrepancies(session=session) == []


def test_a_double_tap_under_concurrency_gives_one_voucher(engine, settings, make_resident, make_reward):
    resident, reward = make_resident(), make_reward(cost=100)
    earn(engine, resident, 1000)
    codes: list[str] = []
    outcomes = run_at_once(
        [lambda: codes.append(redeem(engine, settings, resident, reward, key="tap").code)] * 5
    )
    assert outcomes == ["ok"] * 5 and len(set(codes)) == 1
    assert state(engine, resident, reward) == (900, 9, 1)


def test_a_voucher_is_used_once_and_the_second_use_shows_the_first_time(
    engine, settings, make_resident, make_reward
):
    merchant = make_resident(role="merchant")
    resident, reward = make_resident(), make_reward(merchant_id=merchant)
    earn(engine, resident, 100)
    code = redeem(engine, settings, resident, reward).code
    used, _ = use(engine, code.lower()[:8] + "-" + code.lower()[8:], merchant)  # as typed at a counter
    assert used.status == "used" and used.used_by == merchant
    with pytest.raises(DomainError) as refused:
        use(engine, code, merchant)
    assert refused.value.code == "voucher_already_used"
    assert refused.value.params["used_at"] == clock.local_text(used.used_at)
    with read_session(engine) as session:
        voucher, _ = rewards.voucher_for(session=session, resident_id=resident, code=code)
    assert voucher.used_at == used.used_at


def test_concurrent_uses_of_one_voucher_succeed_once(engine, settings, make_resident, make_reward):
    merchant = make_resident(role="merchant")
    resident, reward = make_resident(), make_reward(merchant_id=merchant)
    earn(engine, resident, 100)
    code = redeem(engine, settings, resident, reward).code
    outcomes = run_at_once([lambda: use(engine, code, merchant)] * 6)
    assert outcomes.count("ok") == 1 and outcomes.count("voucher_already_used") == 5


def test_a_merchant_cannot_use_another_merchants_voucher(engine, settings, make_resident, make_reward):
    mine, theirs, admin = (
        make_resident(role="merchant"),
        make_resident(role="merchant"),
        make_resident(role="admin"),
    )
    resident = make_resident()
    earn(engine, resident, 1000)
    first = redeem(engine, settings, resident, make_reward(merchant_id=theirs), key="a").code
    second = redeem(engine, settings, resident, make_reward(merchant_id=theirs), key="b").code
    with pytest.raises(DomainError) as refused:
        use(engine, first, mine)
    assert refused.value.code == "voucher_wrong_merchant"
    with pytest.raises(DomainError) as refused:
        use(engine, first, resident, role="resident")
    assert refused.value.code == "verify_not_allowed"
    assert use(engine, first, theirs)[0].status == "used"
    assert use(engine, second, admin, role="admin")[0].used_by == admin
    with pytest.raises(NotFound):
        use(engine, "NOPE" * 4, admin, role="admin")


def test_residents_only_see_their_own_vouchers(engine, settings, make_resident, make_reward):
    owner, stranger, reward = make_resident(), make_resident(), make_reward(cost=10)
    earn(engine, owner, 100)
    older = redeem(engine, settings, owner, reward, key="a")
    newer = redeem(engine, settings, owner, reward, key="b", now=clock.now() + timedelta(minutes=1))
    with read_session(engine) as session:
        assert [v.id for v, _ in rewards.vouchers_of(session=session, resident_id=owner)] == [
            newer.id,
            older.id,
        ]
        with pytest.raises(NotFound):
            rewards.voucher_for(session=session, resident_id=stranger, code=older.code)


def test_demo_rewards_are_seeded_once(engine, settings):
    for _ in range(2):
        with session_scope(engine) as session:
            seed_demo_rewards(session=session, settings=settings)
    with read_session(engine) as session:
        demo = session.execute(select(Reward).where(Reward.is_demo)).scalars().all()
        merchant = session.execute(select(Resident).where(Resident.role == "merchant")).scalars().one()
    assert {r.name_zh for r in demo} >= {"孝感公交乘车券", "孝感麻糖优惠券", "图书馆借阅积分"}
    assert any(r.stock == 0 for r in demo) and {r.merchant_id for r in demo} == {merchant.id}


def test_qr_images():
    svg = qr_svg("ABCDEFGHJKMNPQRS")
    assert svg.startswith("<svg") and "<path" in svg and "<?xml" not in svg
    assert qr_png("ABCDEFGHJKMNPQRS").startswith(b"\x89PNG\r\n\x1a\n")
