"""Demo data for the embedded default: an administrator, residents with a week of activities, a merchant with
rewards, and (demo-marked) Xiaogan bus routes with stops.

Loaded once (idempotent: a second run changes nothing) and refused in production.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.demo.people import (
    DEMO_MERCHANT_EMAIL,
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    DemoLogin,
    demo_person,
    refuse_in_production,
)
from carbon_credit.demo.rewards import seed_demo_rewards
from carbon_credit.demo.transit import seed_demo_transit
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings

DEMO_ACTIVITIES = [
    # days ago, behaviour, inputs
    (6, "transit", {"mode": "bus", "km": "8.5"}),
    (5, "walking", {"steps": 8000}),
    (4, "recycling", {"material": "mixed_paper", "kg": "2"}),
    (3, "transit", {"legs": [{"mode": "bus", "km": "3.2"}, {"mode": "metro", "km": "12"}]}),
    (2, "recycling", {"material": "aluminium_cans", "kg": "0.5"}),
    (1, "tree_planting", {"trees": 2, "years": 1}),
    (0, "electricity", {"kwh": "25", "scope": "hubei"}),
]


def seed_demo(*, session: Session, settings: Settings) -> list[DemoLogin]:
    """Create the demo people and activities unless they exist; return the logins to print."""
    refuse_in_production(settings)
    logins = []
    for role, name, email, district in DEMO_PEOPLE:
        resident_id = demo_person(
            session=session, settings=settings, role=role, name=name, email=email, district=district
        )
        logins.append(DemoLogin(role, email, DEMO_PASSWORD))
        if role == "resident":
            _seed_activities(session, settings, resident_id)
    seed_demo_rewards(session=session, settings=settings)
    seed_demo_transit(session=session)
    logins.append(DemoLogin("merchant", DEMO_MERCHANT_EMAIL, DEMO_PASSWORD))
    return logins


def _seed_activities(session: Session, settings: Settings, resident_id: int) -> None:
    now = clock.now()
    for index, (days_ago, behaviour, inputs) in enumerate(DEMO_ACTIVITIES):
        item = ActivityInput(
            resident_id=resident_id,
            behaviour=behaviour,
            inputs=inputs,
            channel="demo",
            idempotency_key=f"demo-{index}",
            occurred_at=now - timedelta(days=days_ago),
        )
        record_activity(session=session, settings=settings, item=item)
