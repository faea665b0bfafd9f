"""The scan page (/scan): the phone's camera reads a stop's QR code in the browser (webapp/static/scan.js with
the vendored qr-scanner, loaded by this page only), or the resident types the code printed under the QR code
or pastes a poster's address; either way the page ends on the stop's check-in page /s/<token>."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, redirect, render_template, request, url_for
from flask_login import login_required

from carbon_credit import stops
from carbon_credit.platform.database import read_session
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message, translate
from carbon_credit.platform.settings import link_base
from webapp.context import engine, settings
from webapp.extensions import limiter
from webapp.i18n import current_locale
from webapp.observability import CONTENT_SECURITY_POLICY
from webapp.transit.views import bp

# The camera is allowed on this page only; qr-scanner runs its decoder in a worker made from a blob: URL
# when the browser has no native BarcodeDetector (iOS Safari, desktop Linux).
SCAN_PAGE_HEADERS = {
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=()",
    "Content-Security-Policy": f"{CONTENT_SECURITY_POLICY}; worker-src 'self' blob:",
}
MAX_TYPED = 300  # a poster address is under 100 characters, a manual code under 40


def _typed() -> str:
    """What the resident typed or pasted (``code``, in the query or the posted form)."""
    return (request.values.get("code") or "").strip()[:MAX_TYPED]


@bp.route("/scan", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: settings().checkin_rate_limit, exempt_when=lambda: not _typed())
def scan():
    """GET: the camera and the form "type the code under the QR code"; with a ``code`` (GET or POST): the
    check-in page of the stop it names (303), or this page again saying why not (400, nothing recorded)."""
    typed, error, detail = _typed(), None, None
    if typed:
        try:
            with read_session(engine()) as db:
                token = stops.token_for_typed(session=db, settings=settings(), typed=typed)
            return redirect(url_for("transit.checkin", token=token), 303)
        except DomainError as failure:
            error, detail = _why(failure)
    page = render_template("transit/scan.html", typed=typed, error=error, detail=detail, hosts=_our_hosts())
    response = make_response(page, 400 if error else 200)
    response.headers.update(SCAN_PAGE_HEADERS)
    return response


def _why(failure: DomainError) -> tuple[str, str | None]:
    """The refusal in the resident's language, and its reason (an old or switched-off poster) if known."""
    reason = failure.params.get("reason")
    return message(failure, current_locale()), translate(reason, current_locale()) if reason else None


def _our_hosts() -> list[str]:
    """The hosts whose /s/<token> addresses the camera accepts: this request's and PUBLIC_BASE_URL's."""
    printed = urlsplit(link_base(settings(), request.host_url)).netloc.lower()
    return sorted({request.host.lower(), printed} - {""})
