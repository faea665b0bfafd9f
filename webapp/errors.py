"""Errors become a clear page (or JSON under /api) in the user's language: never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from carbon_credit.errors import DomainError, NotFound
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
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, text: str):
    """A JSON error body ``{"error": {"code", "message"}}`` or the error page, with ``status``."""
    if wants_json():
        return jsonify(error={"code": code, "message": text}), status
    return render_template("error.html", status=status, message=text), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(
            400, "csrf", _("This form has expired. Please go back, reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        return error_response(status, f"http_{status}", _titles().get(status, error.name))

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return error_response(404, error.code, _titles()[404])

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        from carbon_credit.i18n import message

        return error_response(400, error.code, message(error, current_locale()))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal", _titles()[500])
