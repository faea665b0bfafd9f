"""Per-request plumbing: a request id on every log line and response, one access-log line per request,
and the security headers every answer carries."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

from carbon_credit.platform import logs

log = logging.getLogger("webapp.access")
# A proxy's X-Request-ID is kept when it looks like an id; anything else is replaced, never logged raw.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# No inline or third-party scripts anywhere (the app ships none); styles may be inline because the charts
# (pygal) and QR codes are inline SVG with style attributes. Pages may not be framed (clickjacking).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for older browsers
    "Permissions-Policy": "camera=(), geolocation=(), microphone=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask, *, production: bool) -> None:
    @app.before_request
    def start_request() -> None:
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if _SAFE_ID.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        logs.request_id.set(g.request_id)

    @app.after_request
    def finish_request(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
            elapsed_ms = (time.perf_counter() - g.request_started) * 1000
            log.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                elapsed_ms,
                extra={
                    "fields": {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(elapsed_ms, 1),
                        "remote_addr": request.remote_addr,
                    }
                },
            )
        return response

    @app.teardown_request
    def forget_request_id(_error) -> None:
        logs.request_id.set(None)
