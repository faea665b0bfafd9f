"""Logging for the three processes (web, bot, scheduler): one line per event, JSON in production.

``LOG_FORMAT=json`` (default when APP_ENV=production) writes one JSON object per line with the time, level,
logger, message and, inside a web request, its ``request_id``; ``LOG_FORMAT=text`` writes the same fields as
plain text for a terminal. Extra fields passed as ``log.info(..., extra={"fields": {...}})`` are merged in.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class _RequestIdFilter(logging.Filter):
    """Stamps every record with the current request id ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(*, stream=None) -> None:
    """Send the root logger to stderr in the format LOG_FORMAT asks for (default: json in production)."""
    production = os.environ.get("APP_ENV") == "production"
    fmt = os.environ.get("LOG_FORMAT") or ("json" if production else "text")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_carbon", False)]:
        root.removeHandler(old)
    handler._carbon = True  # noqa: SLF001 - marks our handler so a second configure replaces it
    root.addHandler(handler)
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines would carry the bot token in URLs
