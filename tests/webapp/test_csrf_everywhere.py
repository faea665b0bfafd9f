"""Every state-changing form route refuses a POST without the CSRF token, signed in or not (the JSON API
uses bearer tokens instead and is exempt)."""

from __future__ import annotations

import re


def _post_paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        paths.append(
            re.sub(r"<(?:int:)?[^>]+>", lambda m: "1" if m.group(0).startswith("<int:") else "x", rule.rule)
        )
    return sorted(paths)


def test_there_are_forms_to_protect(app):
    assert {"/login", "/register", "/logout", "/lang", "/log/recycling", "/verify"} <= set(_post_paths(app))


def test_every_form_post_without_a_token_is_refused(app, client, register):
    register()
    for path in _post_paths(app):
        response = client.post(path, data={"anything": "1"})
        assert response.status_code == 400, path
        assert "表单已过期" in response.get_data(as_text=True), path
