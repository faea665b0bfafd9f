"""Demo data for the embedded default (never in production; docs/demo.md): demo people and their logins, a
week of their history (bus rides scanned at QR stops, walks, recycling, vouchers), a merchant with rewards,
a Xiaogan bus network with QR stops, a campaign running this week and one that has ended, and something on
every staff page. Seeding twice changes nothing."""

from carbon_credit.demo.campaigns import DEMO_CAMPAIGNS, seed_demo_campaigns
from carbon_credit.demo.people import DEMO_MERCHANT_EMAIL, DEMO_PASSWORD, DEMO_PEOPLE, DemoLogin
from carbon_credit.demo.rewards import DEMO_REWARDS, seed_demo_rewards
from carbon_credit.demo.seed import seed_demo
from carbon_credit.demo.transit import demo_checkin_urls, seed_demo_transit
from carbon_credit.demo.week import WEEK

__all__ = [
    "DEMO_CAMPAIGNS",
    "DEMO_MERCHANT_EMAIL",
    "DEMO_PASSWORD",
    "DEMO_PEOPLE",
    "DEMO_REWARDS",
    "WEEK",
    "DemoLogin",
    "demo_checkin_urls",
    "seed_demo",
    "seed_demo_campaigns",
    "seed_demo_rewards",
    "seed_demo_transit",
]
