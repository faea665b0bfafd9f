"""Demo rewards: a demo merchant and a few Xiaogan rewards (one sold out). Idempotent; never in production."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.demo.people import DEMO_MERCHANT, demo_person, refuse_in_production
from carbon_credit.platform.settings import Settings
from carbon_credit.rewards import Reward

DEMO_REWARDS = [
    # name_zh, name_en, description_zh, description_en, cost, stock, per-resident limit
    (
        "孝感公交乘车券",
        "Xiaogan bus ride voucher",
        "凭券在孝感市区公交免费乘车一次。",
        "One free ride on a Xiaogan city bus.",
        500,
        200,
        5,
    ),
    (
        "孝感麻糖优惠券",
        "Xiaogan sesame candy coupon",
        "在合作门店购买孝感麻糖立减 10 元。",
        "10 yuan off Xiaogan sesame candy (mátáng) at partner shops.",
        800,
        100,
        2,
    ),
    (
        "图书馆借阅积分",
        "Library card credit",
        "孝感市图书馆借阅卡充值 5 次借阅额度。",
        "Five extra loans on a Xiaogan City Library card.",
        300,
        500,
        0,
    ),
    (
        "绿色出行纪念徽章",
        "Green commuter badge",
        "首次绿色出行即可兑换的纪念徽章，在合作门店领取。",
        "A keepsake badge for your first green trips, collected at partner shops.",
        50,
        1000,
        1,
    ),
    (
        "孝感米酒兑换券",
        "Xiaogan rice wine voucher",
        "兑换一碗孝感米酒。",
        "A bowl of Xiaogan rice wine.",
        600,
        0,
        1,
    ),
]


def seed_demo_rewards(*, session: Session, settings: Settings) -> None:
    """Create the demo merchant and rewards unless they exist (matched by English name among demo rewards)."""
    refuse_in_production(settings)
    role, name, email, district = DEMO_MERCHANT
    merchant_id = demo_person(
        session=session, settings=settings, role=role, name=name, email=email, district=district
    )
    existing = set(session.execute(select(Reward.name_en).where(Reward.is_demo)).scalars())
    for name_zh, name_en, about_zh, about_en, cost, stock, limit in DEMO_REWARDS:
        if name_en in existing:
            continue
        session.add(
            Reward(
                name_zh=name_zh,
                name_en=name_en,
                description_zh=about_zh,
                description_en=about_en,
                cost=cost,
                stock=stock,
                per_resident_limit=limit,
                merchant_id=merchant_id,
                is_demo=True,
            )
        )
    session.flush()
