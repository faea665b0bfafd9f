"""Demo data for the embedded default (docs/demo.md): an administrator, two residents with a week of history,
a merchant with rewards, (demo-marked) Xiaogan bus routes with stops, a campaign running this week and one
that has ended, and something on every staff page (a held claim, a refused scan, vouchers issued and used,
audit entries, a bus card claim), and the registry: last month pooled, verified, issued, partly sold and
retired, and a neutralisation event in progress.

Everything goes through the features' own operations, placed around the platform clock's Beijing date, so
the demo is right on any day. Loaded once (idempotent: a second run changes nothing); refused in production.
"""

from __future__ import annotations

from sqlmodel import Session

from carbon_credit.demo.campaigns import seed_demo_campaigns
from carbon_credit.demo.people import (
    DEMO_MERCHANT,
    DEMO_MERCHANT_EMAIL,
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    DemoLogin,
    demo_person,
    person_id,
    refuse_in_production,
)
from carbon_credit.demo.playback import play_week
from carbon_credit.demo.registry import seed_demo_registry
from carbon_credit.demo.rewards import seed_demo_rewards
from carbon_credit.demo.staff import staff_morning
from carbon_credit.demo.transit import seed_demo_transit
from carbon_credit.demo.week import RESIDENT
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings
from carbon_credit.stats import set_privacy


def seed_demo(*, session: Session, settings: Settings) -> list[DemoLogin]:
    """Create the demo people, network, rewards, campaigns and week unless they exist; return the logins
    to print."""
    refuse_in_production(settings)
    now = clock.now()
    people = _people(session, settings)
    seed_demo_rewards(session=session, settings=settings)
    seed_demo_transit(session=session)
    admin_id = people[DEMO_PEOPLE[0][2]]
    seed_demo_campaigns(session=session, settings=settings, admin_id=admin_id, now=now)
    merchant_id = person_id(session, DEMO_MERCHANT[2])
    recorded = play_week(session=session, settings=settings, people=people, merchant_id=merchant_id, now=now)
    staff_morning(session=session, settings=settings, people=people, admin_id=admin_id, recorded=recorded)
    seed_demo_registry(session=session, settings=settings, admin_id=admin_id, people=people)
    logins = [DemoLogin(role, email, DEMO_PASSWORD) for role, _, email, _ in DEMO_PEOPLE]
    return [*logins, DemoLogin("merchant", DEMO_MERCHANT_EMAIL, DEMO_PASSWORD)]


def _people(session: Session, settings: Settings) -> dict[str, int]:
    """The demo people's ids by e-mail, created if missing. A newly created demo resident chooses to be
    named on campaign leaderboards (the neighbour does not: the board shows both ways)."""
    people = {}
    for role, name, email, district in DEMO_PEOPLE:
        new = person_id(session, email) is None
        people[email] = demo_person(
            session=session, settings=settings, role=role, name=name, email=email, district=district
        )
        if new and email == RESIDENT:
            set_privacy(
                session=session,
                resident_id=people[email],
                leaderboard_opt_in=True,
                weekly_summary_opt_in=False,
            )
    return people
