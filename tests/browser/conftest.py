"""Browser tests: Playwright driving Debian's Chromium against the app served on 127.0.0.1.

Chromium comes from Debian (`apt-get install chromium`; scripts/dev.py installs it when run as root);
Playwright cannot download browsers here. Without /usr/bin/chromium these tests skip with a reason,
except under CI=true, where they fail. Screenshots of each step: test-artifacts/browser/ (ignored by git).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from carbon_credit.demo.seed import seed_demo
from carbon_credit.platform.database import make_engine, session_scope
from carbon_credit.platform.settings import Settings
from webapp import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


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


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone-sized screen (360 px wide) in Chinese, as most residents will use it."""
    return {**browser_context_args, "viewport": {"width": 360, "height": 780}, "locale": "zh-CN"}


@pytest.fixture
def live_server(tmp_path, database_url, base_settings):
    """The app on a fresh database (each backend in TEST_DATABASES) with the demo data, served by werkzeug
    in a thread."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    settings = base_settings.with_overrides(
        database_url=database_url,
        public_base_url=base_url,
        upload_folder=str(tmp_path / "uploads"),
        login_rate_limit="1000 per minute",
    )
    app = create_app(settings)
    server.app = app
    with session_scope(app.extensions["carbon"]["engine"]) as session:
        seed_demo(session=session, settings=settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live = LiveServer(base_url, settings)
    yield live
    server.shutdown()
    live.engine.dispose()
    app.extensions["carbon"]["engine"].dispose()


class LiveServer:
    def __init__(self, url: str, settings: Settings):
        self.url = url
        self.settings = settings
        self.engine = make_engine(settings.database_url)


@pytest.fixture
def shoot():
    """``shoot(page, "01-register")`` saves a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
