"""HTTP adapter: parses requests, calls one ``carbon_credit`` service, renders the answer."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from carbon_credit.platform import clock, logs
from carbon_credit.platform.database import make_engine
from carbon_credit.platform.settings import Settings
from webapp import rate_store
from webapp.extensions import babel, csrf, limiter, login_manager


class IdConverter(IntegerConverter):
    """``<int:...>`` in a URL stops at 2**31 - 1, the largest PostgreSQL integer key: a larger number is a
    404 instead of a database error (or SQLite's OverflowError) in the view."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's parameter name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(settings: Settings | None = None) -> Flask:
    """App factory: wiring only, no I/O (migrations and demo data are CLI commands, see cli.py)."""
    settings = settings or Settings.from_env()  # refuses development secrets when APP_ENV=production
    if not logging.getLogger().handlers:  # leave a host's own logging set-up (pytest, an embedding app) alone
        logs.configure()
    app = Flask(__name__)
    app.url_map.converters["int"] = IdConverter  # before any blueprint registers its routes
    if settings.env == "production" and not settings.redis_url:
        logging.getLogger("webapp").warning("REDIS_URL is not set: rate limits are counted per process")
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    production = settings.env == "production"
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=production,
        REMEMBER_COOKIE_DURATION=30 * 24 * 3600,
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session
        RATELIMIT_STORAGE_URI=settings.redis_url or f"{rate_store.SCHEME}://",
        RATELIMIT_HEADERS_ENABLED=True,
        BABEL_DEFAULT_LOCALE="zh_Hans",
        BABEL_DEFAULT_TIMEZONE=clock.BEIJING.key,
    )
    engine = make_engine(settings.database_url, sqlite_busy_timeout_s=settings.sqlite_busy_timeout_s)
    app.extensions["carbon"] = {"settings": settings, "engine": engine}

    from webapp import (
        activities,
        admin,
        api,
        assets,
        campaigns,
        chat,
        cli,
        errors,
        i18n,
        nav,
        observability,
        registry,  # the public registry, donations, /account/certificates (issue 16)
        residents,
        rewards,
        stats,
        transit,
    )
    from webapp.admin import registry as admin_registry  # noqa: F401 - /admin/registry views on admin.bp
    from webapp.residents import privacy

    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: clock.BEIJING.key)
    residents.auth.init_login(login_manager)
    blueprints = (
        stats.bp,
        residents.auth.bp,
        privacy.bp,
        activities.bp,
        transit.bp,
        rewards.bp,
        residents.tokens.bp,
        residents.account_edit.bp,
        chat.bp,
        campaigns.bp,
        admin.bp,
        api.bp,
    )
    from webapp.residents import data as resident_data  # /account/data: the resident's copy (issue 15)

    for blueprint in (*blueprints, resident_data.bp, registry.bp):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    observability.init_app(app, production=production)
    i18n.init_app(app)
    nav.init_app(app)
    assets.init_app(app)
    cli.init_app(app)
    return app
