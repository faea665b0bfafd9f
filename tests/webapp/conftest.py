"""Web fixtures: the app on a migrated database, a test client that sends CSRF tokens like a browser
(CSRF stays on), and helpers to register and log in through the real pages."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from carbon_credit.platform.database import session_scope
from carbon_credit.residents import current_notice, find_by_login, set_consent
from webapp import create_app

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class BrowserLikeClient(FlaskClient):
    """``client.submit(url, data)`` GETs the page, takes its CSRF token and POSTs the form to it."""

    def csrf_token(self, url: str = "/") -> str:
        page = self.get(url).get_data(as_text=True)
        found = CSRF.search(page)
        assert found, f"no CSRF token on {url}"
        return found.group(1)

    def submit(self, url: str, data: dict | None = None, *, form_page: str | None = None, **kwargs):
        fields = {"csrf_token": self.csrf_token(form_page or url), **(data or {})}
        return self.post(url, data=fields, **kwargs)


@pytest.fixture
def app(settings, tmp_path):
    app = create_app(
        settings.with_overrides(
            upload_folder=str(tmp_path / "uploads"),
            login_rate_limit="1000 per minute",
            login_backoff_after=1000,  # the per-account back-off has its own tests (test_sessions.py)
        )
    )
    app.test_client_class = BrowserLikeClient
    yield app
    app.extensions["carbon"]["engine"].dispose()


@pytest.fixture
def client(app) -> BrowserLikeClient:
    return app.test_client()


PASSWORD = "correct-horse-9"


@pytest.fixture
def consent_fields():
    """The registration form's consent fields: born in 1990, the current notice accepted, and the transit
    trips switch on (``consent_fields(trips=False)``: off). Merge them into a /register submission."""

    def fields(trips: bool = True) -> dict[str, str]:
        chosen = {"birth_year": "1990", "accept_notice": "y", "notice_version": current_notice().version}
        return {**chosen, "trips": "y"} if trips else chosen

    return fields


@pytest.fixture
def register(app, client, consent_fields):
    """``register(login="13800138000", name="小王")`` signs a new resident up and then in through the forms
    (registration itself never signs in: it answers a taken login exactly like a new one). The resident
    accepts the notice and turns the transit trips switch on unless ``trips=False``, and allows a card, photos
    and the chat link unless ``consents=False`` (as ``make_resident`` does)."""
    counter = iter(range(10**6))

    def do(
        login: str | None = None,
        name: str = "小王",
        district: str = "xiaonan",
        password: str = PASSWORD,
        trips: bool = True,
        consents: bool = True,
    ):
        login = login or f"1380013{next(counter):04d}"
        response = client.submit(
            "/register",
            {
                "login": login,
                "display_name": name,
                "district": district,
                "password": password,
                "confirm": password,
                **consent_fields(trips),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        signed_in = client.submit("/login", {"login": login, "password": password})
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
        if consents:
            with session_scope(app.extensions["carbon"]["engine"]) as session:
                resident_id = find_by_login(session=session, login=login).id
                for purpose in ("card", "photos", "chat"):
                    set_consent(
                        session=session, resident_id=resident_id, purpose=purpose, granted=True, channel="web"
                    )
        return login

    return do


@pytest.fixture
def login(client):
    """``login(login, password)`` signs in through the login form."""

    def do(login: str, password: str = PASSWORD):
        response = client.submit("/login", {"login": login, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do
