"""Browser tests: Playwright driving Debian's Chromium against the app served on 127.0.0.1.

Chromium comes from Debian (`apt-get install chromium`; scripts/dev.py installs it when run as root);
Playwright cannot download browsers here. Without /usr/bin/chromium these tests skip with a reason,
except under CI=true, where they fail. Screenshots of each step: test-artifacts/browser/<width>x<height>/
(ignored by git). What the layout checks assert: tests/browser/checks.py and docs/ui-checks.md.

Fixtures: ``screen`` (phone 390x844 and desktop 1280x800, both zh-CN; a test that needs one only
parametrises it with ``indirect=True``), ``page`` at that size, ``steps`` (screenshots and layout checks at
each step), ``live_server`` (a fresh database per backend with the demo data) and ``demo_server`` (one
server for the whole session on SQLite, for the page crawl and the page weights: the SQLite pass only).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from carbon_credit.demo.seed import seed_demo
from carbon_credit.platform.database import make_engine, session_scope
from carbon_credit.platform.settings import Settings
from tests.browser.checks import SCREENS, Steps
from webapp import create_app

CHROMIUM = "/usr/bin/chromium"
QUIET = ("werkzeug", "webapp.access")  # request logs of the served app
FIRST_BACKEND = (os.environ.get("TEST_DATABASES", "sqlite").split(",")[0] or "sqlite").strip()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replaces pytest-base-url's fixture (deprecated form under pytest 9); pages use absolute URLs."""
    return None


@pytest.fixture(params=SCREENS, ids=lambda screen: screen.name)
def screen(request):
    """The screen a test runs at: a phone (390x844) and a desktop (1280x800), both in Chinese."""
    return request.param


@pytest.fixture
def context(new_context, screen):
    """pytest-playwright's browser context, at the test's screen size."""
    return new_context(**screen.context_args())


@pytest.fixture
def steps(request, screen) -> Steps:
    """Screenshots and layout checks at each step of a journey (see checks.py)."""
    return Steps(screen, request.node.originalname.removeprefix("test_"))


@pytest.fixture
def live_server(tmp_path, database_url, base_settings):
    """The app on a fresh database (each backend in TEST_DATABASES) with the demo data, served by werkzeug
    in a thread."""
    with _serve(base_settings, database_url, tmp_path) as live:
        yield live


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, base_settings, sqlite_template):
    """One server with the demo data for the whole session, on SQLite: for the checks too slow to repeat
    per backend (every page crawled, the page weights). They run in the SQLite pass only (the first backend
    in TEST_DATABASES), so the PostgreSQL pass stays within its time budget."""
    if FIRST_BACKEND != "sqlite":
        pytest.skip("runs in the SQLite pass only (TEST_DATABASES=sqlite)")
    folder = tmp_path_factory.mktemp("demo-server")
    shutil.copy(sqlite_template, folder / "demo.db")
    with _serve(base_settings, f"sqlite:///{folder / 'demo.db'}", folder) as live:
        yield live


class _serve:
    """Serve the app with the demo data on a free port of 127.0.0.1 until the block ends."""

    def __init__(self, base_settings: Settings, database_url: str, folder: Path):
        self.server = make_server("127.0.0.1", 0, None, threaded=True)
        url = f"http://127.0.0.1:{self.server.server_port}"
        settings = base_settings.with_overrides(
            database_url=database_url,
            public_base_url=url,
            upload_folder=str(folder / "uploads"),
            login_rate_limit="1000 per minute",
        )
        self.app = create_app(settings)
        self.server.app = self.app
        with session_scope(self.app.extensions["carbon"]["engine"]) as session:
            seed_demo(session=session, settings=settings)
        self.live = LiveServer(url, settings)

    def __enter__(self) -> LiveServer:
        self.levels = {name: logging.getLogger(name).level for name in QUIET}
        for name in QUIET:  # a line per request would bury a failure's message
            logging.getLogger(name).setLevel(logging.WARNING)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.live

    def __exit__(self, *exc) -> None:
        for name, level in self.levels.items():
            logging.getLogger(name).setLevel(level)
        self.server.shutdown()
        self.live.engine.dispose()
        self.app.extensions["carbon"]["engine"].dispose()


class LiveServer:
    def __init__(self, url: str, settings: Settings):
        self.url = url
        self.settings = settings
        self.engine = make_engine(settings.database_url)


def pytest_collection_modifyitems(items):
    """The PostgreSQL pass runs one journey (the resident's first day, on a phone) to prove the pages on the
    production database; the other journeys and checks run in the SQLite pass (the suite's time budget)."""
    keep = "test_first_day[phone-postgresql"
    skip = pytest.mark.skip(reason="runs in the SQLite pass; on PostgreSQL the resident's phone journey runs")
    for item in items:
        on_postgresql = item.nodeid.startswith("tests/browser/") and "postgresql" in item.nodeid
        if on_postgresql and keep not in item.nodeid:
            item.add_marker(skip)
