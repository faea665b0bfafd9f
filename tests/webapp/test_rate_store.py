"""The rate limiter's in-process store: limits exact at every read, ended windows swept every few seconds
instead of every 10 ms (webapp.rate_store)."""

from __future__ import annotations

import time

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from webapp import rate_store
from webapp.extensions import limiter


def store(sweep_s: float) -> rate_store.SweptMemoryStorage:
    made = storage_from_string(f"{rate_store.SCHEME}://")
    assert isinstance(made, rate_store.SweptMemoryStorage)
    made.SWEEP_S = sweep_s
    return made


def test_the_app_counts_in_the_swept_store_without_redis(app):
    with app.app_context():
        assert isinstance(limiter.storage, rate_store.SweptMemoryStorage)


def test_a_limit_holds_and_a_new_window_starts_on_time_between_sweeps():
    window = FixedWindowRateLimiter(store(sweep_s=60))
    two_a_second = RateLimitItemPerSecond(2)
    assert window.hit(two_a_second, "token-a") and window.hit(two_a_second, "token-a")
    assert not window.hit(two_a_second, "token-a")  # the third in the window
    assert window.hit(two_a_second, "token-b")  # counted per key
    time.sleep(1.05)
    assert window.hit(two_a_second, "token-a")  # the window ended: no sweep needed to count anew


def test_ended_windows_are_swept_at_most_every_sweep_interval():
    counters = store(sweep_s=0.5)
    for n in range(1_000):
        counters.incr(f"key-{n}", expiry=0.05)
    time.sleep(0.1)  # the windows ended; the first sweep ran before they did
    for n in range(200):  # a busy moment: the library would start a sweeper 10 ms after these
        counters.incr(f"late-{n}", expiry=60)
    time.sleep(0.1)
    assert len(counters.storage) == 1_200  # not swept again within the interval
    time.sleep(0.35)
    counters.incr("after", expiry=60)  # due: one sweep
    deadline = time.monotonic() + 2
    while len(counters.storage) > 201 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(counters.storage) == 201  # the 1,000 ended windows are gone, the live ones stay
