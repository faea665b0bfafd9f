"""Playing the demo week (week.py) back through the platform's own operations, each at its own moment:
``activities.record_activity`` for walks, recycling, planting and meter readings, ``transit.scan`` twice for
every bus ride (tap in, tap out), ``rewards.redeem`` and ``rewards.use_voucher`` for the vouchers.

Idempotent: activities and vouchers replay by their keys; the rides of a resident who already has scans are
not played again (a scan's key is bound to the stop's current token, which an administrator may rotate).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.activities import Activity, ActivityInput, record_activity
from carbon_credit.demo.week import Done, Redeem, Ride, Step, in_order
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings
from carbon_credit.rewards import Reward, redeem, use_voucher
from carbon_credit.stops import Stop, sign_stop
from carbon_credit.transit import TapIn, scan

KEY_PREFIX = "demo-week-"  # demo-0 ... demo-6 were the earlier demo's keys: these never meet them


def play_week(
    *, session: Session, settings: Settings, people: Mapping[str, int], merchant_id: int, now: datetime
) -> dict[tuple[str, str], Activity]:
    """Play every step of the week for the demo people (e-mail -> resident id), earliest first; returns the
    recorded activities by (e-mail, step key)."""
    ridden = {email for email, rid in people.items() if _has_scans(session, rid)}
    recorded = {}
    for when, step in in_order(now):
        resident_id = people[step.who]
        if isinstance(step, Done):
            recorded[step.who, step.key] = _record(session, settings, resident_id, step, when)
        elif isinstance(step, Ride) and step.who not in ridden:
            _ride(session, settings, resident_id, step, when)
        elif isinstance(step, Redeem):
            _redeem(session, settings, resident_id, merchant_id, step, when)
    return recorded


def demo_key(step: Step) -> str:
    """The idempotency key a step records under (scoped to its resident by the operation)."""
    return KEY_PREFIX + step.key


def _record(session: Session, settings: Settings, resident_id: int, step: Done, when: datetime) -> Activity:
    item = ActivityInput(
        resident_id=resident_id,
        behaviour=step.behaviour,
        inputs=dict(step.inputs),
        channel=step.channel,
        idempotency_key=demo_key(step),
        occurred_at=when,
    )
    return record_activity(session=session, settings=settings, item=item, now=when)


def _ride(session: Session, settings: Settings, resident_id: int, step: Ride, when: datetime) -> None:
    """Tap in at the first stop and out at the second ``minutes`` later, by the stops' QR tokens."""
    legs = ((step.start, when, "in"), (step.end, when + timedelta(minutes=step.minutes), "out"))
    for code, at, side in legs:
        stop = session.execute(select(Stop).where(Stop.code == code)).scalar_one()
        token = sign_stop(stop.id, stop.token_version, settings.qr_signing_key)
        key = f"{demo_key(step)}-{side}"
        scan(
            session=session,
            settings=settings,
            resident_id=resident_id,
            token=token,
            idempotency_key=key,
            now=at,
        )


def _redeem(
    session: Session, settings: Settings, resident_id: int, merchant_id: int, step: Redeem, when: datetime
) -> None:
    """Redeem the reward (a replay returns the first voucher); mark it used if the step says so and it is
    still unused."""
    reward_id = session.execute(
        select(Reward.id).where(Reward.is_demo, Reward.name_en == step.reward)
    ).scalar_one()
    voucher = redeem(
        session=session,
        settings=settings,
        resident_id=resident_id,
        reward_id=reward_id,
        idempotency_key=demo_key(step),
        now=when,
    )
    if step.used_after is not None and voucher.status == "issued":
        used_at = min(when + timedelta(minutes=step.used_after), clock.now())
        use_voucher(
            session=session, code=voucher.code, staff_id=merchant_id, staff_role="merchant", now=used_at
        )


def _has_scans(session: Session, resident_id: int) -> bool:
    found = session.execute(select(TapIn.id).where(TapIn.resident_id == resident_id).limit(1)).first()
    return found is not None
