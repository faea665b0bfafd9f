"""Plain text typed by people: the characters no name, note, message, code or search may hold."""

from __future__ import annotations

import re

# C0 control characters and DEL. Tab and line breaks are ordinary text; NUL cannot even be stored in
# PostgreSQL ("A string literal cannot contain NUL"), and the others are invisible tricks in a name.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    """True if ``value`` holds a control character (tab, CR and LF are allowed)."""
    return CONTROL.search(value) is not None


def without_control_characters(value: str) -> str:
    """``value`` with its control characters removed: for searches and filters, which refuse nothing."""
    return CONTROL.sub("", value)
