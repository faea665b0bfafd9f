"""Per-account login back-off, on top of the per-address rate limit of the login page.

Failures are counted per login as typed (normalised, then hashed: the store never holds a phone number or
e-mail), whether or not an account has it, so the answer never tells who has an account. After
``login_backoff_after`` failures within ``BACKOFF_WINDOW`` each further failure locks the login for a
growing delay (``login_backoff_seconds`` x 2^n, at most ``MAX_DELAY``), whatever address the attempts come
from; a success clears the count. The counts live in Redis when ``REDIS_URL`` is set (shared by every
worker), else in the process's memory. Times come from the platform clock.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from typing import Protocol

from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings

BACKOFF_WINDOW = timedelta(hours=1)  # failures further apart than this start the count again
MAX_DELAY = timedelta(hours=1)


class Store(Protocol):
    """Counters and values that expire: memory or Redis."""

    def incr(self, key: str, ttl_s: int) -> int: ...
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str, ttl_s: int) -> None: ...
    def delete(self, *keys: str) -> None: ...


class MemoryStore:
    """One process's counters (development, tests, a single worker); expiry by the platform clock."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> str | None:
        value = self._values.get(key)
        return value[0] if value and value[1] > clock.now().timestamp() else None

    def incr(self, key: str, ttl_s: int) -> int:
        """Add one to ``key`` (0 when missing or expired) and keep it ``ttl_s`` seconds more."""
        with self._lock:
            count = int(self._live(key) or 0) + 1
            self._values[key] = (str(count), clock.now().timestamp() + ttl_s)
            return count

    def get(self, key: str) -> str | None:
        """The value, unless missing or expired."""
        with self._lock:
            return self._live(key)

    def put(self, key: str, value: str, ttl_s: int) -> None:
        """Keep ``value`` for ``ttl_s`` seconds."""
        with self._lock:
            self._values[key] = (value, clock.now().timestamp() + ttl_s)

    def delete(self, *keys: str) -> None:
        """Forget the keys."""
        with self._lock:
            for key in keys:
                self._values.pop(key, None)


class RedisStore:
    """Counters shared by every worker through Redis (the store Flask-Limiter uses too)."""

    def __init__(self, url: str, prefix: str = "cc:login:") -> None:
        import redis  # only needed when REDIS_URL is set

        self._redis = redis.Redis.from_url(url, socket_timeout=2)
        self.prefix = prefix

    def incr(self, key: str, ttl_s: int) -> int:
        """Add one to ``key`` and keep it ``ttl_s`` seconds more (one round trip)."""
        pipe = self._redis.pipeline()
        pipe.incr(self.prefix + key)
        pipe.expire(self.prefix + key, ttl_s)
        return int(pipe.execute()[0])

    def get(self, key: str) -> str | None:
        """The value, unless missing or expired."""
        value = self._redis.get(self.prefix + key)
        return value.decode() if value is not None else None

    def put(self, key: str, value: str, ttl_s: int) -> None:
        """Keep ``value`` for ``ttl_s`` seconds."""
        self._redis.set(self.prefix + key, value, ex=ttl_s)

    def delete(self, *keys: str) -> None:
        """Forget the keys."""
        self._redis.delete(*(self.prefix + key for key in keys))


class LoginAttempts:
    """The back-off rule over a store: :meth:`check` before a login, then :meth:`failed` or
    :meth:`succeeded`."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.after = settings.login_backoff_after
        self.base = settings.login_backoff_seconds
        self.store = store or (RedisStore(settings.redis_url) if settings.redis_url else MemoryStore())

    def check(self, login: str) -> None:
        """DomainError ``login_backoff`` (with the minutes to wait) while the login is locked."""
        until = self.store.get(_key(login, "until"))
        left = float(until) - clock.now().timestamp() if until else 0
        if left > 0:
            raise DomainError("login_backoff", minutes=max(1, -(-round(left) // 60)))  # whole seconds first

    def failed(self, login: str) -> None:
        """Count a failure; from the ``after``-th one on, lock the login for a doubling delay."""
        window = int(BACKOFF_WINDOW.total_seconds())
        failures = self.store.incr(_key(login, "failures"), window)
        if failures < self.after:
            return
        delay = min(self.base * 2 ** (failures - self.after), int(MAX_DELAY.total_seconds()))
        until = clock.now().timestamp() + delay
        self.store.put(_key(login, "until"), f"{until:.3f}", delay + window)

    def succeeded(self, login: str) -> None:
        """A correct password: the count starts again."""
        self.store.delete(_key(login, "failures"), _key(login, "until"))


def _key(login: str, part: str) -> str:
    typed = (login or "").strip().lower()
    if "@" not in typed:  # a mobile number, written with spaces or hyphens or without
        typed = typed.replace(" ", "").replace("-", "")
    return f"{hashlib.sha256(typed.encode('utf-8')).hexdigest()[:32]}:{part}"
