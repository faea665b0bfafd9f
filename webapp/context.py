"""Access to the platform objects the app factory wired: settings, engine, request locale."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Engine

from carbon_credit.platform.settings import Settings


def settings() -> Settings:
    return current_app.extensions["carbon"]["settings"]


def engine() -> Engine:
    return current_app.extensions["carbon"]["engine"]
