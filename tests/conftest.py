"""Shared fixtures: settings, a migrated database per test (SQLite and PostgreSQL), factories.

Database tests take the ``engine`` fixture and run once per backend in TEST_DATABASES
(default "sqlite,postgresql"). PostgreSQL tests use a throw-away schema in the local server
(TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test). Outside CI they skip with a
reason when no server answers; with CI=true they fail instead, so they can never silently vanish.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import carbon_credit.tables  # noqa: F401 - registers every table
from carbon_credit.campaigns import CampaignInput, create_campaign
from carbon_credit.platform import clock
from carbon_credit.platform.database import make_engine, migrate, session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import create_resident, set_consent
from webapp.i18n import CATALOGUE_DIR, compile_catalogues


def _compile_catalogue_if_stale() -> None:
    """Plain ``pytest`` in a fresh checkout works: the translation catalogue (a build product the install
    step makes) is compiled here when it is missing or older than one of its ``.po`` sources."""
    target = CATALOGUE_DIR / "messages.mo"
    newest = max(path.stat().st_mtime for path in CATALOGUE_DIR.glob("*.po"))
    if not target.exists() or target.stat().st_mtime < newest:
        compile_catalogues()


_compile_catalogue_if_stale()

if os.environ.get("TEST_CLOCK_START"):  # tests/test_calendar.py: the whole run as if it were that moment
    clock.running_from(datetime.fromisoformat(os.environ["TEST_CLOCK_START"]))

BACKENDS = [b.strip() for b in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()]
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Every table but the reference data that migrations load (districts): emptied before each PostgreSQL test.
TABLES = ", ".join(t.name for t in SQLModel.metadata.sorted_tables if t.name != "districts")


def _backend_params():
    marks = {"postgresql": [pytest.mark.postgres]}
    return [pytest.param(name, marks=marks.get(name, []), id=name) for name in BACKENDS]


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    """Test settings: fast password hashing, fixed secrets, default caps."""
    return Settings(
        env="test",
        secret_key="test-secret",
        qr_signing_key="test-qr-key",
        password_hash_method="pbkdf2:sha256:1000",
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A fresh schema in the local PostgreSQL server, migrated once per session."""
    probe = make_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with probe.connect():
            pass
    except Exception as error:  # noqa: BLE001 - any failure to connect means "no server"
        probe.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but PostgreSQL is not reachable at {PG_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} (set CI=true to make this an error)")
    schema = f"cc_test_{uuid.uuid4().hex[:10]}"
    with probe.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with probe.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    probe.dispose()


@pytest.fixture(params=_backend_params())
def database_url(request, tmp_path) -> str:
    """A migrated, empty database URL for one test, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def settings(base_settings, database_url) -> Settings:
    return base_settings.with_overrides(database_url=database_url)


@pytest.fixture
def engine(settings):
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def make_resident(engine, settings):
    """Factory: ``make_resident(**overrides)`` -> resident id, created through the service. The resident has
    accepted the privacy notice and granted the consents the features check (trips, card, photos, chat), as
    a registered resident who uses them would; ``consents=False`` makes one who has given none. The opt-ins
    (leaderboard, weekly summary) stay off."""
    counter = iter(range(1, 10**6))

    def make(consents: bool = True, **overrides) -> int:
        n = next(counter)
        values = {"display_name": f"居民{n}", "email": f"r{n}@example.org", "district_code": "xiaonan"}
        values.update(overrides)
        with session_scope(engine) as session:
            resident_id = create_resident(session=session, settings=settings, **values).id
            for purpose in ("notice", "trips", "card", "photos", "chat") if consents else ():
                set_consent(
                    session=session, resident_id=resident_id, purpose=purpose, granted=True, channel="web"
                )
            return resident_id

    return make


@pytest.fixture
def make_campaign(engine, settings, make_resident):
    """Factory: ``make_campaign(days_left=1, budget=1_000, bonus=5)`` -> the id of a 全国低碳日 campaign
    that started a day ago and runs ``days_left`` more days, created by an administrator as the admin page
    does."""
    admins: list[int] = []

    def make(days_left: int = 1, budget: int = 1_000, bonus: int = 5) -> int:
        admins[:] = admins or [make_resident(role="admin")]
        now = clock.now()
        data = CampaignInput(
            "全国低碳日", "Low-Carbon Day", "low_carbon_day", now - timedelta(days=1),
            now + timedelta(days=days_left), budget, 100, bonus,
        )  # fmt: skip
        with session_scope(engine) as session:
            return create_campaign(
                session=session, settings=settings, actor_id=admins[0], data=data,
                idempotency_key=f"campaign-{uuid.uuid4().hex}",
            ).id  # fmt: skip

    return make
