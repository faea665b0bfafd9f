"""Demo data for the embedded default: an administrator, residents with a week of activities, a merchant with
rewards, and (demo-marked) Xiaogan bus routes with stops.

Loaded once (idempotent: a second run changes nothing) and refused in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.activities.recording import ActivityInput, record_activity
from carbon_credit.platform import clock
from carbon_credit.platform.settings import ConfigError, Settings
from carbon_credit.residents.accounts import create_resident
from carbon_credit.residents.models import Resident

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed to the console; demo data is refused in production

DEMO_PEOPLE = [
    # role, display name, e-mail, district
    ("admin", "演示管理员 Demo admin", "admin@demo.xiaogan.local", "xiaonan"),
    ("resident", "演示居民 Demo resident", "resident@demo.xiaogan.local", "xiaonan"),
    ("resident", "云梦居民 Yunmeng neighbour", "yunmeng@demo.xiaogan.local", "yunmeng"),
]

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


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: str
    login: str
    password: str


def seed_demo(*, session: Session, settings: Settings) -> list[DemoLogin]:
    """Create the demo people and activities unless they exist; return the logins to print."""
    if settings.env == "production":
        raise ConfigError("demo data is never loaded in production")
    from carbon_credit.demo.rewards import DEMO_MERCHANT_EMAIL, seed_demo_rewards
    from carbon_credit.demo.transit import seed_demo_transit

    logins = []
    for role, name, email, district in DEMO_PEOPLE:
        resident = session.execute(select(Resident).where(Resident.email == email)).scalar_one_or_none()
        if resident is None:
            resident = create_resident(
                session=session,
                settings=settings,
                display_name=name,
                password=DEMO_PASSWORD,
                email=email,
                district_code=district,
                role=role,
            )
        logins.append(DemoLogin(role, email, DEMO_PASSWORD))
        if role == "resident":
            _seed_activities(session, settings, resident.id)
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
