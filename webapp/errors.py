"""Errors become a clear page (or JSON under /api) in the user's language: never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from carbon_credit.platform.errors import DomainError, NotFound
from webapp.i18n import current_locale

log = logging.getLogger("webapp")


def _titles() -> dict[int, str]:
    return {
        400: _("This request could not be understood."),
        401: _("Please log in first."),
        403: _("You do not have access to this page."),
        404: _("Page not found."),
        405: _("This action is not allowed here."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing was changed; please try again."),
        503: _("The service is busy. Please try again shortly."),
        "database": _(
            "The service is temporarily unavailable. Nothing was changed; please try again in a moment."
        ),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, text: str):
    """A JSON error body ``{"error": {"code", "message", "request_id"}}`` or the error page, with ``status``.
    The request id lets support find the log lines of a failed request."""
    request_id = g.get("request_id")
    if wants_json():
        return jsonify(error={"code": code, "message": text, "request_id": request_id}), status
    return render_template("error.html", status=status, message=text, request_id=request_id), status


def database_unavailable(error: Exception) -> bool:
    """True for failures that mean "the database cannot be reached right now" (server down or restarting,
    connection dropped, pool exhausted, SQLite file locked past the busy timeout), as opposed to a bug."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    return error.connection_invalidated or type(error.orig).__name__ in {"OperationalError", "InterfaceError"}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(
            400, "csrf", _("This form has expired. Please go back, reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        response = make_response(error_response(status, f"http_{status}", _titles().get(status, error.name)))
        for name, value in error.get_headers():  # e.g. Allow on a 405 (RFC 9110), Retry-After on a 429
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return error_response(404, error.code, _titles()[404])

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        from carbon_credit.platform.i18n import message

        return error_response(400, error.code, message(error, current_locale()))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if database_unavailable(error):
            # Nothing was committed (the unit of work rolled back); the pool reconnects by itself
            # (pool_pre_ping), so the client's retry with the same Idempotency-Key is safe.
            cause = getattr(error, "orig", error)
            log.warning("database unavailable on %s %s: %s", request.method, request.path, cause)
            response = make_response(error_response(503, "database_unavailable", _titles()["database"]))
            response.headers["Retry-After"] = "5"
            return response
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal", _titles()[500])
