"""Every route of the app, walked as an anonymous visitor, a resident, a merchant and an administrator.

A new route must be classified in POLICY (or live under the admin or API blueprint, whose checks are
structural), or this test fails: no route can ship without a decision on who may use it.
"""

from __future__ import annotations

import re

import pytest

PUBLIC, LOGIN, STAFF, ADMIN, API = "public", "login", "staff", "admin", "api"
ROLES = ("anonymous", "resident", "merchant", "admin")

POLICY = {
    "static": PUBLIC,
    "public.landing": PUBLIC,
    "public.healthz": PUBLIC,
    "public.readyz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.register": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.set_language": PUBLIC,
    "auth.change_password": LOGIN,
    "resident.home": LOGIN,
    "resident.log": LOGIN,
    "resident.log_recycling": LOGIN,
    "resident.log_trees": LOGIN,
    "resident.history": LOGIN,
    "resident.activity": LOGIN,
    "resident.activity_photo": LOGIN,
    "resident.account": LOGIN,
    "transit.card": LOGIN,
    "transit.checkin": LOGIN,
    "transit.scan": LOGIN,
    "web_manifest": PUBLIC,
    "favicon": PUBLIC,
    "account_edit.profile": LOGIN,
    "account_edit.delete": LOGIN,
    "privacy.notice": PUBLIC,
    "privacy.settings": LOGIN,
    "privacy.accept": LOGIN,
    "privacy_data.index": LOGIN,
    "privacy_data.export_json": LOGIN,
    "privacy_data.export_xlsx": LOGIN,
    "privacy_data.copy_request": LOGIN,
    "privacy_data.copy_status": LOGIN,
    "privacy_data.copy_download": LOGIN,
    "privacy_data.photos_zip": LOGIN,
    "rewards.catalogue": PUBLIC,
    "rewards.redeem": LOGIN,
    "rewards.my_vouchers": LOGIN,
    "rewards.voucher": LOGIN,
    "rewards.voucher_png": LOGIN,
    "rewards.verify": STAFF,
    "tokens.index": LOGIN,
    "tokens.create": LOGIN,
    "tokens.revoke": LOGIN,
    "chat.page": LOGIN,
    "chat.send": LOGIN,
    "chat.press": LOGIN,
    "chat.telegram": LOGIN,
    "campaigns.index": PUBLIC,
    "campaigns.detail": PUBLIC,
    "campaigns.privacy": LOGIN,
    "api.openapi": PUBLIC,
    "admin.residents_list": ADMIN,
    "admin.resident_detail": ADMIN,
    "admin.open_record": ADMIN,
    "registry.index": PUBLIC,
    "registry.registry_csv": PUBLIC,
    "registry.registry_xlsx": PUBLIC,
    "registry.batch": PUBLIC,
    "registry.find_certificate": PUBLIC,
    "registry.certificate": PUBLIC,
    "registry.event": PUBLIC,
    "registry.donate": LOGIN,
    "registry.my_certificates": LOGIN,
    "admin.lock_resident": ADMIN,
    "admin.unlock_resident": ADMIN,
}
ALLOWED = {
    PUBLIC: set(ROLES),
    LOGIN: {"resident", "merchant", "admin"},
    STAFF: {"merchant", "admin"},
    ADMIN: {"admin"},
    API: set(),  # a browser session never authenticates the API: bearer tokens only
}


def _policy(endpoint: str) -> str:
    if endpoint in POLICY:
        return POLICY[endpoint]
    if endpoint.startswith("admin."):
        return ADMIN
    if endpoint.startswith("api."):
        return API
    raise AssertionError(f"route {endpoint!r} has no access policy: add it to POLICY in {__file__}")


def _routes(app):
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(int:)?([^>]+)>", lambda m: "1" if m.group(1) else "x", rule.rule)
        if rule.endpoint == "static":
            path = "/static/site.css"
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule.endpoint, method, path


def test_every_route_has_a_policy(app):
    unknown = sorted({e for e, _, _ in _routes(app) if not (e in POLICY or e.startswith(("admin.", "api.")))})
    assert unknown == []


@pytest.fixture
def signed_in(app, make_resident, login, client):
    """``signed_in(role)`` -> a client logged in with that role (or anonymous)."""
    password = "correct-horse-9"

    def make(role: str):
        if role == "anonymous":
            return client
        email = f"{role}@access.test"
        make_resident(role=role, email=email, password=password, district_code="xiaonan")
        login(email, password)
        return client

    return make


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_policy_says_on_every_route(app, signed_in, role):
    client = signed_in(role)
    token = client.csrf_token("/")
    failures = []
    for endpoint, method, path in _routes(app):
        if endpoint == "auth.logout":
            continue  # would end the session for the routes after it; covered in test_auth.py
        policy = _policy(endpoint)
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token})
        response.close()
        to_login = response.status_code == 302 and response.headers["Location"].startswith("/login")
        if policy == API and endpoint != "api.openapi":
            ok = response.status_code == 401
        elif role in ALLOWED[policy]:
            ok = response.status_code not in (401, 403) and not to_login
        elif role == "anonymous":
            ok = to_login
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append((method, path, endpoint, policy, response.status_code))
    assert failures == []
