"""Access to the platform objects the app factory wired: settings, engine, request locale."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import Engine

from carbon_credit.config import Settings
from carbon_credit.i18n import normalise_locale


def settings() -> Settings:
    return current_app.extensions["carbon"]["settings"]


def engine() -> Engine:
    return current_app.extensions["carbon"]["engine"]


def locale() -> str:
    """``?lang=`` first, then the ``lang`` cookie, then Accept-Language; Simplified Chinese by default."""
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen:
        return normalise_locale(chosen)
    return normalise_locale(request.accept_languages.best_match(["zh", "en"]))
