"""HTTP adapter: parses requests, calls one ``carbon_credit`` service, renders the answer."""

from __future__ import annotations

from flask import Flask

from carbon_credit.config import Settings
from carbon_credit.db import make_engine


def format_co2(grams: int) -> str:
    """Whole grams -> a readable mass: g below 1 kg, kg below 1 t, else t."""
    if grams < 1000:
        return f"{grams} g"
    if grams < 1_000_000:
        return f"{grams / 1000:,.1f} kg"
    return f"{grams / 1_000_000:,.2f} t"


def create_app(settings: Settings | None = None) -> Flask:
    """App factory: wiring only, no I/O (migrations and demo data are CLI commands, see cli.py)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, JSON_AS_ASCII=False)
    app.extensions["carbon"] = {"settings": settings, "engine": make_engine(settings.database_url)}

    from webapp import cli, public

    app.register_blueprint(public.bp)
    app.add_template_filter(format_co2, "co2")
    cli.init_app(app)
    return app
