"""Pages work on a network that reaches nothing else: every stylesheet, script, image and font is served
by the app itself."""

from __future__ import annotations

import re
from pathlib import Path

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
ASSET = re.compile(r"""<(?:link|script|img|source|iframe|use)\b[^>]*\b(?:href|src)=["']([^"']+)""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""", re.I)


def _external(urls):
    return [u for u in urls if re.match(r"^(?:[a-z]+:)?//", u, re.I) and not u.startswith("data:")]


def test_templates_reference_no_external_assets():
    found = {}
    for template in (WEBAPP / "templates").rglob("*.html"):
        external = _external(ASSET.findall(template.read_text(encoding="utf-8")))
        if external:
            found[template.name] = external
    assert found == {}


def test_stylesheets_load_nothing_from_elsewhere():
    found = {}
    for sheet in (WEBAPP / "static").rglob("*.css"):
        external = _external(CSS_URL.findall(sheet.read_text(encoding="utf-8")))
        if external:
            found[sheet.name] = external
    assert found == {}


def test_rendered_pages_use_local_assets_only(client, register):
    register()
    for path in ("/", "/register", "/rewards", "/me", "/log/recycling", "/history"):
        page = client.get(path).get_data(as_text=True)
        assert _external(ASSET.findall(page)) == [], path


def test_home_screen_icons_come_from_the_app(client):
    icons = [icon["src"] for icon in client.get("/manifest.webmanifest").get_json(force=True)["icons"]]
    assert icons and _external(icons) == []
