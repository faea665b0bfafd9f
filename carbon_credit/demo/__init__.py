"""Demo data for the embedded default (never in production): demo people and their logins, a week of
activities, a merchant with rewards and a Xiaogan bus network with QR stops. Seeding twice changes nothing."""

from carbon_credit.demo.people import DEMO_MERCHANT_EMAIL, DEMO_PASSWORD, DEMO_PEOPLE, DemoLogin
from carbon_credit.demo.rewards import DEMO_REWARDS, seed_demo_rewards
from carbon_credit.demo.seed import DEMO_ACTIVITIES, seed_demo
from carbon_credit.demo.transit import demo_checkin_urls, seed_demo_transit

__all__ = [
    "DEMO_ACTIVITIES",
    "DEMO_MERCHANT_EMAIL",
    "DEMO_PASSWORD",
    "DEMO_PEOPLE",
    "DEMO_REWARDS",
    "DemoLogin",
    "demo_checkin_urls",
    "seed_demo",
    "seed_demo_rewards",
    "seed_demo_transit",
]
