"""gunicorn settings for the web process (Procfile ``web``); every value can be set from the environment.

Sync-style request handling on threads: each request holds one database connection for a few
milliseconds, so a few threads per worker keep both cores busy while one request waits on I/O.

Worker shape (issue 17, docs/load.md "Worker shape"): a write request waits on the database for about half of
its time, so two or three busy threads per core keep the cores busy; more threads only queue on each
process's interpreter lock (and on SQLite's write lock) and lengthen the slowest answers. Default: one worker
per core plus one, three threads each (3 x 3 on 2 cores).
"""

from __future__ import annotations

import multiprocessing
import os

bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
# WEB_CONCURRENCY is the Heroku/Dokku convention; default: one worker per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "3"))
# A request that takes longer than this is a bug or a stuck database: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# Request bodies above the app's upload limit are refused by Flask; these bound the request line and headers.
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None  # the app logs each request with its id
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Behind a proxy, ProxyFix in the app trusts X-Forwarded-* from TRUSTED_PROXIES hops; gunicorn itself
# only needs to accept them from the local proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker) -> None:
    """Move the loaded application's objects out of the garbage collector's generations: its full
    collections otherwise walk them again and again (about 150k objects, 100-150 ms a pass), which shows
    in request latency and in bulk imports (issue 17)."""
    import gc

    gc.freeze()
