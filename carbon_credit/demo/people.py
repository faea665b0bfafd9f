"""The demo people: their logins and shared password, and creating one unless they exist. The lowest demo
module: the seed and the demo rewards both use it, so neither imports the other for the password."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.platform.settings import ConfigError, Settings
from carbon_credit.residents import Resident, create_resident, set_consent

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed to the console; demo data is refused in production

DEMO_PEOPLE = [
    # role, display name, e-mail, district
    ("admin", "演示管理员 Demo admin", "admin@demo.xiaogan.local", "xiaonan"),
    ("resident", "演示居民 Demo resident", "resident@demo.xiaogan.local", "xiaonan"),
    ("resident", "云梦居民 Yunmeng neighbour", "yunmeng@demo.xiaogan.local", "yunmeng"),
]
DEMO_MERCHANT = ("merchant", "孝感绿色商户 Demo merchant", "merchant@demo.xiaogan.local", "xiaonan")
DEMO_MERCHANT_EMAIL = DEMO_MERCHANT[2]
DEMO_CONSENTS = ("notice", "trips", "card", "photos", "chat")  # the opt-ins are set by the seed


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo login to print: role, e-mail and password."""

    role: str
    login: str
    password: str


def refuse_in_production(settings: Settings) -> None:
    """Demo data is never loaded in production (ConfigError)."""
    if settings.env == "production":
        raise ConfigError("demo data is never loaded in production")


def person_id(session: Session, email: str) -> int | None:
    """The id of the person with this e-mail, if there is one."""
    return session.execute(select(Resident.id).where(Resident.email == email)).scalar_one_or_none()


def demo_person(
    *, session: Session, settings: Settings, role: str, name: str, email: str, district: str
) -> int:
    """The id of the demo person with this e-mail, created (with :data:`DEMO_PASSWORD`) if missing."""
    found = person_id(session, email)
    if found is not None:
        return found
    resident = create_resident(
        session=session,
        settings=settings,
        display_name=name,
        password=DEMO_PASSWORD,
        email=email,
        district_code=district,
        role=role,
    )
    for purpose in DEMO_CONSENTS:  # the demo people accepted the notice and use every feature
        set_consent(session=session, resident_id=resident.id, purpose=purpose, granted=True, channel="web")
    return resident.id
