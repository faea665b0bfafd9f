"""Rewards: the catalogue, redeeming points for vouchers, and marking a voucher used exactly once.

Concurrency (docs/ledger.md): a redemption locks the resident's account row first
(``ledger.locked_balance``: a PostgreSQL row lock; SQLite write transactions are already BEGIN IMMEDIATE),
so the idempotency, debt, limit and balance checks are serialised per resident and decided before anything
is written; the stock is taken by one conditional UPDATE whose row count decides (the last refusal, and the
first write), then the points are debited (``ledger.entry_ctes`` / ``ledger.post_rows``, a conditional
UPDATE that the lock makes certain) and the voucher written. A refusal changes nothing, with no savepoint.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, insert, literal, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, IdempotencyConflict, InsufficientPoints, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import Resident
from carbon_credit.rewards.models import Reward, Voucher

# No 0/O, 1/I/L, so a code read aloud or typed from paper cannot be mistaken: 31 symbols, ~79 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
MAX_KEY_LENGTH = 120
MAX_ID = 2**31 - 1  # ids are PostgreSQL integers
STAFF_ROLES = ("merchant", "admin")

_rewards = Reward.__table__
_vouchers = Voucher.__table__


@dataclass(frozen=True, slots=True)
class CataloguePage:
    """What the catalogue page shows: open rewards, merchant names by id, the viewer's balance (or None)."""

    rewards: list[Reward]
    merchants: dict[int, str]
    balance: int | None


def new_code() -> str:
    """A fresh unguessable voucher code (``secrets``), CODE_LENGTH symbols of CODE_ALPHABET."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Accept what people type or scanners send: any case, with spaces or dashes between groups."""
    return re.sub(r"[\s\-]", "", code or "").upper()


def is_open(reward: Reward, now: datetime | None = None) -> bool:
    """Active and inside its validity window (stock is not considered)."""
    now = now or clock.now()
    starts, ends = reward.valid_from, reward.valid_until
    return reward.is_active and (starts is None or starts <= now) and (ends is None or now < ends)


def can_verify(role: str) -> bool:
    """Only merchants and administrators mark vouchers used."""
    return role in STAFF_ROLES


def catalogue(*, session: Session, now: datetime | None = None) -> list[Reward]:
    """Active rewards whose validity window includes ``now``, cheapest first (sold-out ones included)."""
    now = now or clock.now()
    active = session.execute(select(Reward).where(Reward.is_active).order_by(Reward.cost, Reward.id))
    return [reward for reward in active.scalars() if is_open(reward, now)]


def catalogue_page(
    *, session: Session, resident_id: int | None = None, now: datetime | None = None
) -> CataloguePage:
    """The catalogue with merchant names, and the balance of the resident looking at it (if signed in)."""
    rewards = catalogue(session=session, now=now)
    merchant_ids = {r.merchant_id for r in rewards if r.merchant_id is not None}
    names = session.execute(select(Resident.id, Resident.display_name).where(Resident.id.in_(merchant_ids)))
    balance = points_balance(session=session, resident_id=resident_id) if resident_id else None
    return CataloguePage(rewards, dict(names.all()), balance)


def points_balance(*, session: Session, resident_id: int) -> int:
    """The resident's current points balance."""
    return ledger.balance(
        session=session, account_id=ledger.account_id_for(session=session, resident_id=resident_id)
    )


def get_reward(*, session: Session, reward_id: int) -> Reward:
    """One reward by id (NotFound if there is none, also for an id no integer key can hold: PostgreSQL,
    and SQLite past 2**63, would fail the whole request instead)."""
    reward = session.get(Reward, reward_id) if 0 < reward_id <= MAX_ID else None
    if reward is None:
        raise NotFound("reward_not_found", what="reward", reward_id=reward_id)
    return reward


def redeem(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    reward_id: int,
    idempotency_key: str,
    now: datetime | None = None,
) -> Voucher:
    """Spend the reward's cost and take one from its stock for a new voucher, all or nothing.

    Refusals: DomainError ``reward_unavailable``, ``out_of_stock``, ``redeem_limit_reached`` (``limit``),
    ``redeem_blocked_by_debt`` (``debt``: points taken back that were already spent, to be repaid by new
    points first); InsufficientPoints (``needed``, ``balance``). The same key again (per resident) returns
    the same voucher.

    Statements: the account lock (with the balance), one read after it (the key's voucher, the reward, the
    resident's vouchers of it), then, every refusal decided, the stock's conditional UPDATE (its row count
    is the last refusal, before anything else is written) and the payment with the voucher (one statement
    on PostgreSQL, three on SQLite). No savepoint: a refusal never follows a write.
    """
    now = now or clock.now()
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise IdempotencyConflict(key=idempotency_key)
    scoped = f"r{resident_id}:{idempotency_key}"
    account_id, balance = ledger.locked_balance(session=session, resident_id=resident_id)
    earlier_id, earlier_reward, held, found = _read_after_lock(session, resident_id, reward_id, scoped)
    if earlier_id is not None:
        if earlier_reward != reward_id:
            raise IdempotencyConflict(key=idempotency_key)
        return session.get(Voucher, earlier_id)
    if balance < 0:
        raise DomainError("redeem_blocked_by_debt", debt=-balance)
    if found["id"] is None:
        raise NotFound("reward_not_found", what="reward", reward_id=reward_id)
    # In the session as if loaded (``get_reward`` then reads it without a query), with the stock just read.
    reward = ledger.loaded(session, Reward, found)
    set_committed_value(reward, "stock", found["stock"])
    _check_redeemable(reward, held, balance, now)
    stock = session.connection().execute(_TAKE_ONE, {"reward_id": reward_id}).scalar()
    if stock is None:
        raise DomainError("out_of_stock")
    set_committed_value(reward, "stock", stock)  # as it now stands, without marking the reward changed
    return _issue(session, reward, account_id, resident_id, scoped, now)


def _read_after_lock(session: Session, resident_id: int, reward_id: int, scoped: str) -> tuple:
    """One statement: the key's voucher (id, reward id, or None), how many of the reward the resident
    holds, and the reward's row by column (its id None when there is no such reward)."""
    wanted = reward_id if 0 < reward_id <= MAX_ID else 0  # an id no integer key can hold finds nothing
    params = {"key": scoped, "reward_id": wanted, "resident_id": resident_id}
    earlier_id, earlier_reward, held, *found = session.connection().execute(_READ, params).one()
    return earlier_id, earlier_reward, held, dict(zip(_REWARD_COLUMNS, found, strict=True))


_REWARD_COLUMNS = tuple(c.name for c in _rewards.columns)
_one = select(literal(1).label("one")).subquery()
_keyed = _vouchers.c.idempotency_key == bindparam("key")
_READ = select(
    select(_vouchers.c.id).where(_keyed).scalar_subquery(),
    select(_vouchers.c.reward_id).where(_keyed).scalar_subquery(),
    select(func.count(_vouchers.c.id))
    .where(
        _vouchers.c.resident_id == bindparam("resident_id"), _vouchers.c.reward_id == bindparam("reward_id")
    )
    .scalar_subquery(),
    *_rewards.columns,
).select_from(_one.outerjoin(_rewards, _rewards.c.id == bindparam("reward_id")))
_TAKE_ONE = (
    update(_rewards)
    .where(_rewards.c.id == bindparam("reward_id"), _rewards.c.stock > 0)
    .values(stock=_rewards.c.stock - 1)
    .returning(_rewards.c.stock)
)


def _check_redeemable(reward: Reward, held: int, balance: int, now: datetime) -> None:
    """The refusals decided before anything is written, in the order residents are told them."""
    if not is_open(reward, now):
        raise DomainError("reward_unavailable")
    if reward.per_resident_limit and held >= reward.per_resident_limit:
        raise DomainError("redeem_limit_reached", limit=reward.per_resident_limit)
    if reward.stock <= 0:
        raise DomainError("out_of_stock")
    if balance < reward.cost:
        raise InsufficientPoints(needed=reward.cost, balance=balance)


def _issue(
    session: Session, reward: Reward, account_id: int, resident_id: int, scoped: str, now: datetime
) -> Voucher:
    """Pay the reward's cost (one ``redeem`` ledger entry) and write the voucher it buys, after the entry
    and pointing at it (PostgreSQL: in the entry's statement)."""
    posting = ledger.Posting(
        account_id,
        -reward.cost,
        "redeem",
        f"voucher:{scoped}",
        ref_type="voucher",
        memo=reward.name_zh,
        at=now,
    )
    row = {
        "code": new_code(),
        "reward_id": reward.id,
        "resident_id": resident_id,
        "idempotency_key": scoped,
        "status": "issued",
        "issued_at": now,
        "used_at": None,
        "used_by": None,
        "voided_at": None,
    }
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        params = {**ledger.entry_params([posting]), **{f"v_{k}": v for k, v in row.items()}}
        row["id"], row["ledger_entry_id"] = conn.execute(_paid_voucher(), params).one()
    else:
        _, (row["ledger_entry_id"],) = ledger.post_rows(conn, [posting], guarded=True)  # the lock: it moves
        row["id"] = conn.execute(insert(_vouchers).returning(_vouchers.c.id), row).scalar_one()
    return ledger.loaded(session, Voucher, row)


@lru_cache(maxsize=1)
def _paid_voucher():
    """PostgreSQL: the guarded debit (``ledger.entry_ctes``) and the voucher inserted after its entry;
    parameters ``v_<column>`` (never a column's name: it would join the SET of the UPDATE in the CTE)."""
    moved, entry = ledger.entry_ctes(1, guarded=True)
    names = [c.name for c in _vouchers.columns if c.name not in ("id", "ledger_entry_id")]
    values = [bindparam(f"v_{n}", type_=_vouchers.c[n].type) for n in names]
    source = select(*values, entry.c.id).select_from(entry)
    statement = insert(_vouchers).from_select([*names, "ledger_entry_id"], source)
    return statement.returning(_vouchers.c.id, _vouchers.c.ledger_entry_id)


def vouchers_of(*, session: Session, resident_id: int) -> list[tuple[Voucher, Reward]]:
    """The resident's vouchers with their rewards, newest first."""
    query = (
        select(Voucher, Reward)
        .join(Reward, Reward.id == Voucher.reward_id)
        .where(Voucher.resident_id == resident_id)
        .order_by(Voucher.issued_at.desc(), Voucher.id.desc())
    )
    return [(voucher, reward) for voucher, reward in session.execute(query).all()]


def voucher_for(*, session: Session, resident_id: int, code: str) -> tuple[Voucher, Reward]:
    """One of the resident's own vouchers by code; NotFound for a code that is not theirs."""
    found = _voucher_by_code(session, code)
    if found is None or found[0].resident_id != resident_id:
        raise NotFound("voucher_not_found", what="voucher")
    return found


def use_voucher(
    *, session: Session, code: str, staff_id: int, staff_role: str, now: datetime | None = None
) -> tuple[Voucher, Reward]:
    """Mark a voucher used, exactly once. A merchant may only use vouchers of their own rewards.

    Refusals: NotFound ``voucher_not_found``; DomainError ``verify_not_allowed``, ``voucher_wrong_merchant``,
    ``voucher_already_used`` (``used_at`` in local time, ``used_by`` the staff id of the first use),
    ``voucher_voided`` (an administrator voided it and refunded its points).
    """
    if not can_verify(staff_role):
        raise DomainError("verify_not_allowed")
    found = _voucher_by_code(session, code)
    if found is None:
        raise NotFound("voucher_not_found", what="voucher")
    voucher, reward = found
    if staff_role == "merchant" and reward.merchant_id != staff_id:
        raise DomainError("voucher_wrong_merchant")
    marked = session.execute(
        update(_vouchers)
        .where(_vouchers.c.id == voucher.id, _vouchers.c.status == "issued")
        .values(status="used", used_at=now or clock.now(), used_by=staff_id)
    )
    session.refresh(voucher)
    if marked.rowcount != 1 and voucher.status == "void":
        raise DomainError("voucher_voided", voided_at=clock.local_text(voucher.voided_at))
    if marked.rowcount != 1:
        raise DomainError(
            "voucher_already_used", used_at=clock.local_text(voucher.used_at), used_by=voucher.used_by
        )
    return voucher, reward


def _voucher_by_code(session: Session, code: str) -> tuple[Voucher, Reward] | None:
    query = select(Voucher, Reward).join(Reward, Reward.id == Voucher.reward_id)
    row = session.execute(query.where(Voucher.code == normalise_code(code))).first()
    return (row[0], row[1]) if row else None
