"""Demo data for the embedded default: residents, activities, rewards and a Xiaogan bus network."""

from carbon_credit.demo.seed import DEMO_ACTIVITIES, DEMO_PASSWORD, DEMO_PEOPLE, DemoLogin, seed_demo

__all__ = ["DEMO_PASSWORD", "DEMO_PEOPLE", "DEMO_ACTIVITIES", "DemoLogin", "seed_demo"]
