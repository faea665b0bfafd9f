"""Loaded before any conftest (``-p tests.preflight`` in pyproject.toml): plain ``pytest`` outside the
project's environment stops at once with one line saying which command to run, instead of a wall of
import errors."""

from __future__ import annotations

import importlib.util

NEEDED = ("flask", "sqlmodel", "telegram", "openpyxl", "babel", "playwright", "hypothesis")


def pytest_load_initial_conftests(early_config, parser, args) -> None:
    """Stop before the conftests import the project when its dependencies are not installed."""
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: run `python3 scripts/dev.py test` (it installs .venv)"
        )
