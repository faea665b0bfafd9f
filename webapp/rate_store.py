"""The rate limiter's in-process store, used when no REDIS_URL is set (one machine: SQLite, the demo).

limits' ``MemoryStorage`` runs a sweeper thread 10 ms after any counter changes, which walks every counter to
drop the ended windows: with one counter per API token and minute, that is tens of thousands of keys a
hundred times a second (py-spy under load: 8 % of an API worker's interpreter time recording activities,
docs/load.md), and a new thread each time. Here the same sweeper runs at most every ``SWEEP_S`` seconds. The
limits stay exact: a counter's window is checked whenever it is read or incremented (``MemoryStorage.get``);
the sweep only frees the memory of windows that ended, a few seconds later.
"""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

SCHEME = "memory-swept"


class SweptMemoryStorage(MemoryStorage):
    """``MemoryStorage`` whose sweeper of ended windows runs at most every SWEEP_S seconds."""

    # Registered with limits by its metaclass: RATELIMIT_STORAGE_URI "memory-swept://".
    STORAGE_SCHEME = [SCHEME]
    SWEEP_S = 5.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        self.sweep_due = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # MemoryStorage calls it as self.__schedule_expiry()
        now = time.monotonic()
        if now >= self.sweep_due:
            self.sweep_due = now + self.SWEEP_S
            super()._MemoryStorage__schedule_expiry()
