"""Message entries per area: each module defines ``MESSAGES = {code: {"zh_Hans": ..., "en": ...}}``."""

from __future__ import annotations

import importlib
import pkgutil


def collect() -> dict[str, dict[str, str]]:
    """Merge every module's MESSAGES; a code defined twice is a mistake and fails at import."""
    merged: dict[str, dict[str, str]] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        for code, entry in importlib.import_module(f"{__name__}.{module}").MESSAGES.items():
            if code in merged:
                raise RuntimeError(
                    f"message code {code!r} defined twice (carbon_credit/messages/{module}.py)"
                )
            if set(entry) != {"zh_Hans", "en"}:
                raise RuntimeError(f"message {code!r} needs exactly zh_Hans and en")
            merged[code] = entry
    return merged
