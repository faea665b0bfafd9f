"""The app shell as a resident, a visitor and staff meet it: the tab bar, the admin menu, page titles, the
home-screen manifest and icons, and static files that are small on the wire and fetched once."""

from __future__ import annotations

import gzip
import json
import re
import struct

import brotli
from flask import Flask

from webapp import assets

PASSWORD = "correct-horse-9"
TABS = [("/me", "首页"), ("/scan", "扫码"), ("/log", "记录"), ("/rewards", "兑换"), ("/account", "我的")]
TABBAR = re.compile(r'<nav class="tabbar"[^>]*>(.*?)</nav>', re.S)
TAB_LINK = re.compile(r'<a href="([^"]+)"([^>]*)>(.*?)</a>', re.S)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
ASSET_URL = re.compile(r'<link rel="(?:stylesheet|icon|apple-touch-icon)" href="([^"]+)"')
SPRITE_URL = re.compile(r'<use href="([^"#]+)#')


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _tabs(page: str) -> list[tuple[str, str, str]]:
    """(href, attributes, visible label) of each tab bar item."""
    found = TABBAR.search(page)
    assert found, "no tab bar"
    return [
        (href, attrs, re.sub(r"<[^>]+>", "", inner).strip())
        for href, attrs, inner in TAB_LINK.findall(found[1])
    ]


def _sign_in_as(role: str, make_resident, login) -> None:
    email = f"{role}@example.org"
    make_resident(role=role, email=email, password=PASSWORD, display_name=f"{role}甲")
    login(email)


def test_a_resident_finds_five_tabs_with_icon_and_label_and_the_current_one_marked(client, register):
    register()
    home = _tabs(_page(client, "/me"))
    assert [(href, label) for href, _attrs, label in home] == TABS
    assert [attrs.strip() for _href, attrs, _label in home] == ['aria-current="page"', "", "", "", ""]
    tabbar = TABBAR.search(_page(client, "/me"))[1]
    assert tabbar.count('<svg class="icon" aria-hidden="true"') == 5  # icons are decoration; labels speak
    log = _tabs(_page(client, "/log"))
    assert [attrs.strip() for _href, attrs, _label in log] == ["", "", 'aria-current="page"', "", ""]
    recycling = _tabs(_page(client, "/log/recycling"))  # a page of the 记录 tab: marked as its section
    assert 'aria-current="true"' in recycling[2][1]


def test_visitors_and_merchants_get_no_tab_bar_but_a_one_row_top_bar(client, make_resident, login):
    for path in ("/", "/login", "/register", "/rewards"):
        page = _page(client, path)
        assert 'class="tabbar"' not in page and 'class="has-tabs"' not in page, path
        assert ">登录</a>" in page and ">注册</a>" in page and 'data-testid="language-switch"' in page
    _sign_in_as("merchant", make_resident, login)
    page = _page(client, "/verify")
    assert 'class="tabbar"' not in page
    assert (
        'href="/verify" class="top-link" aria-current="page">核销券码</a>' in page
        and ">退出</button>" in page
    )


def test_staff_find_administration_in_the_top_bar_and_a_menu_that_folds_on_phones(
    client, make_resident, login
):
    _sign_in_as("admin", make_resident, login)
    page = _page(client, "/admin/")
    assert 'href="/admin/" class="top-link" aria-current="page">管理</a>' in page
    menu = re.search(
        r'<details class="admin-menu"[^>]*>\s*<summary>管理菜单</summary>(.*?)</details>', page, re.S
    )
    assert menu, "the admin menu is a <details> disclosure"
    assert 'href="/admin/review"' in menu[1] and 'href="/verify"' in menu[1]
    assert "<script" not in page  # opens and closes without JavaScript
    assert len(_tabs(page)) == 5  # an administrator is a resident too


def test_every_page_of_the_first_visit_has_its_own_title(client, register, make_resident, login):
    titles = {path: TITLE.search(_page(client, path))[1] for path in ("/", "/login", "/register")}
    register()
    titles["/account/password"] = TITLE.search(_page(client, "/account/password"))[1]
    client.submit("/logout", form_page="/")
    _sign_in_as("admin", make_resident, login)
    titles["/admin/"] = TITLE.search(_page(client, "/admin/"))[1]
    assert len(set(titles.values())) == len(titles), titles
    assert all(title.endswith("孝感碳普惠") for title in titles.values())
    assert titles["/login"] == "登录 · 孝感碳普惠"


def test_the_app_can_be_added_to_the_home_screen(client):
    page = _page(client, "/")
    assert '<meta name="theme-color" content="#398712">' in page
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page and 'type="image/svg+xml"' in page
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "孝感碳普惠" and manifest["short_name"]
    assert manifest["start_url"] == "/me" and manifest["display"] == "standalone"
    assert manifest["theme_color"] and manifest["background_color"]
    declared = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width, height = struct.unpack(">II", image.data[16:24])  # the PNG header's size
        assert f"{width}x{height}" == icon["sizes"]
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.data[:4] == b"\x00\x00\x01\x00"


def test_static_files_have_fingerprinted_names_cached_for_a_year(client):
    page = _page(client, "/")
    urls = ASSET_URL.findall(page) + SPRITE_URL.findall(page)
    assert len(urls) >= 5
    for url in urls:
        assert re.search(r"\.[0-9a-f]{8}\.[a-z]+$", url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
    plain = client.get("/static/site.css")  # an old link still works, checked again after ten minutes
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "public, max-age=600"
    again = client.get("/static/site.css", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and not again.data  # checked again: "unchanged", no file
    stale = client.get("/static/site.0123abcd.css")  # a page from before a deploy
    assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
    assert client.get("/static/nothing.css").status_code == 404


def test_text_is_compressed_on_the_wire_and_images_and_secrets_are_not(client, register):
    page = _page(client, "/")
    stylesheet = next(url for url in ASSET_URL.findall(page) if "pico" in url)
    original = client.get(stylesheet).data
    for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get(stylesheet, headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert len(response.data) < len(original) / 3
        assert decompress(response.data) == original
        assert "Accept-Encoding" in response.headers["Vary"]
    html = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert html.headers["Content-Encoding"] == "gzip" and b"</html>" in gzip.decompress(html.data)
    icon = next(url for url in ASSET_URL.findall(page) if url.endswith(".png"))
    assert "Content-Encoding" not in client.get(icon, headers={"Accept-Encoding": "br"}).headers
    register()
    vouchers = client.get("/vouchers", headers={"Accept-Encoding": "br"})  # shows voucher codes: no-store
    assert vouchers.status_code == 200 and "Content-Encoding" not in vouchers.headers


def test_a_first_visit_to_home_stays_under_30_kb_and_a_repeat_visit_fetches_only_the_page(client, register):
    register()
    page = client.get("/me", headers={"Accept-Encoding": "br, gzip"})
    html = brotli.decompress(page.data).decode()
    sizes = {"/me": len(page.data)}
    for url in ASSET_URL.findall(html) + SPRITE_URL.findall(html):
        response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        sizes[url] = len(response.data)
        assert "immutable" in response.headers["Cache-Control"], url  # never fetched again
    print(f"\nfirst visit to /me: {sum(sizes.values())} bytes compressed: {sizes}")
    assert sum(sizes.values()) < 30_000


def test_a_changed_file_gets_a_new_address(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "site.css").write_text("body { color: green; }")

    def served_url() -> str:
        app = Flask("changed", static_folder=str(folder))
        assets.init_app(app)
        with app.test_request_context():
            return app.url_for("static", filename="site.css")

    before = served_url()
    assert re.fullmatch(r"/static/site\.[0-9a-f]{8}\.css", before)
    assert served_url() == before  # same content, same address
    (folder / "site.css").write_text("body { color: blue; }")
    after = served_url()
    assert after != before
    assert assets.hashed_name("vendor/pico/pico.green.min.css", "0123abcd") == (
        "vendor/pico/pico.green.min.0123abcd.css"
    )
