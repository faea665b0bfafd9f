"""Static files fast on a weak connection: fingerprinted names cached for a year, compressed answers, the web
app manifest and the favicon.

At start-up every file under ``webapp/static`` is read once and named by its content:
``url_for('static', filename='site.css')`` gives ``/static/site.<8 hex of its SHA-256>.css``, answered from
memory with ``Cache-Control: public, max-age=31536000, immutable`` (a changed file gets a new name, so a
browser never asks twice for the same one). The plain name (``/static/site.css``) and a name with an old
fingerprint still answer, with a short max-age. Restart the app after editing a static file.

Flask-Compress compresses HTML, CSS, JavaScript, SVG, JSON and the manifest (brotli, else gzip; never
images or spreadsheets; never a page marked ``no-store``); the compressed bytes of fingerprinted files are
kept, keyed by their name.
docs/frontend.md has the figures.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, abort, current_app, g, request, send_from_directory, url_for

from webapp.extensions import compress

ONE_YEAR = 365 * 24 * 3600
SHORT_MAX_AGE = 600  # plain names: a browser checks again after ten minutes
HASH_LENGTH = 8
_HASHED = re.compile(rf"^(?P<stem>.+)\.[0-9a-f]{{{HASH_LENGTH}}}(?P<suffix>\.[^./]+)?$")
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
]
THEME_COLOUR = "#398712"  # Pico green's primary background, the icons' green
BACKGROUND_COLOUR = "#ffffff"
MANIFEST_ICONS = [  # (file under static/, size, purpose)
    ("icons/icon-192.png", 192, "any"),
    ("icons/icon-512.png", 512, "any"),
    ("icons/maskable-192.png", 192, "maskable"),
    ("icons/maskable-512.png", 512, "maskable"),
]
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("image/svg+xml", ".svg")


@dataclass(frozen=True)
class Asset:
    name: str  # path under static/, "/"-separated
    data: bytes
    digest: str  # the first HASH_LENGTH hex digits of the SHA-256 of ``data``
    mimetype: str

    @property
    def hashed_name(self) -> str:
        return hashed_name(self.name, self.digest)


@dataclass
class Fingerprints:
    """The static files as read at start-up: by plain name and by fingerprinted name."""

    by_name: dict[str, Asset] = field(default_factory=dict)
    by_hashed_name: dict[str, Asset] = field(default_factory=dict)

    def url_name(self, name: str) -> str:
        asset = self.by_name.get(name)
        return asset.hashed_name if asset else name


def hashed_name(name: str, digest: str) -> str:
    """``vendor/pico/pico.green.min.css`` -> ``vendor/pico/pico.green.min.<digest>.css``."""
    folder, _, filename = name.rpartition("/")
    stem, dot, suffix = filename.rpartition(".")
    hashed = f"{stem}.{digest}.{suffix}" if dot and stem else f"{filename}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def fingerprint(folder: Path) -> Fingerprints:
    """Read every file under ``folder`` (hidden files skipped) and name it by its content."""
    found = Fingerprints()
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if not path.is_file() or any(part.startswith(".") for part in name.split("/")):
            continue
        data = path.read_bytes()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        asset = Asset(name, data, hashlib.sha256(data).hexdigest()[:HASH_LENGTH], mimetype)
        found.by_name[name] = asset
        found.by_hashed_name[asset.hashed_name] = asset
    return found


def fingerprints() -> Fingerprints:
    return current_app.extensions["assets"]


def init_app(app: Flask) -> None:
    """Compression, fingerprinted static URLs, the manifest and the favicon."""
    app.config.update(
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_LEVEL=6,
        COMPRESS_CACHE_BACKEND=FingerprintedCache,
        COMPRESS_CACHE_KEY=_cache_key,
        COMPRESS_REGISTER=False,  # compress_response below decides, then hands over to Flask-Compress
    )
    compress.init_app(app)
    app.after_request(compress_response)
    app.extensions["assets"] = fingerprint(Path(app.static_folder))

    @app.url_defaults
    def fingerprinted_url(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = fingerprints().url_name(values["filename"])

    app.view_functions["static"] = serve_static
    app.add_url_rule("/manifest.webmanifest", "web_manifest", web_manifest)
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def compress_response(response):
    """Compress the answer, except a page marked ``no-store``: those show a secret (a voucher code, a new
    API token), and a compressed page that also echoes the request could leak it by its length (BREACH)."""
    if response.mimetype == "text/html" and "no-store" in response.headers.get("Cache-Control", ""):
        return response
    return compress.after_request(response)


def serve_static(filename: str):
    """A fingerprinted name: from memory, cached for a year. A plain name, or a stale fingerprint of a file
    that still exists: the current file, briefly cached. Anything else: 404."""
    found = fingerprints()
    asset = found.by_hashed_name.get(filename)
    if asset is not None:
        g.compress_cache_key = filename  # the content behind this name never changes: keep it compressed
        return _answer(asset, max_age=ONE_YEAR, immutable=True)
    stale = _HASHED.match(filename)
    plain = f"{stale['stem']}{stale['suffix'] or ''}" if stale else filename
    asset = found.by_name.get(filename) or found.by_name.get(plain)
    if asset is not None:
        return _answer(asset, max_age=SHORT_MAX_AGE)
    return send_from_directory(current_app.static_folder, filename, max_age=SHORT_MAX_AGE)


def _answer(asset: Asset, *, max_age: int, immutable: bool = False):
    response = current_app.response_class(asset.data, mimetype=asset.mimetype)
    response.set_etag(asset.digest)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.cache_control.immutable = immutable or None
    return response.make_conditional(request)  # a browser checking again gets 304, not the file


def web_manifest():
    """The web app manifest: installable to the home screen, opening on the resident's home."""
    body = {
        "name": "孝感碳普惠",
        "short_name": "碳普惠",
        "description": "绿色出行、回收、植树，记录减排，兑换奖励。",
        "lang": "zh-Hans",
        "id": "/me",
        "start_url": "/me",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": url_for("static", filename=name),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for name, size, purpose in MANIFEST_ICONS
        ],
    }
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/manifest+json"
    )
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def favicon():
    """/favicon.ico for the browsers and tools that ask for it without reading the page."""
    asset = fingerprints().by_name.get("icons/favicon.ico")
    if asset is None:
        abort(404)
    return _answer(asset, max_age=24 * 3600)


class FingerprintedCache:
    """Flask-Compress's cache of compressed answers, holding fingerprinted static files only (their content
    never changes; pages are never cached). Bounded by the number of static files times two encodings."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):  # "<encoding>;" is the key of every answer that is not a fingerprinted file
            self.data[key] = value


def _cache_key(_request) -> str:
    return g.get("compress_cache_key", "")
