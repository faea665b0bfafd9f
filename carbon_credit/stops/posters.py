"""Printable QR posters for stops: what each A4 poster shows, one stop or every stop of a route.

A poster carries the stop's Chinese and English names, its QR code (inline SVG encoding the stop's
check-in URL, :func:`carbon_credit.stops.tokens.checkin_url`), the manual code to type when the camera
cannot be used (:func:`carbon_credit.stops.tokens.manual_code`), one line of instructions and the platform's
name, both in Chinese and English whatever the administrator's language (the poster is for the public). The
PNG of the same code is for printing shops. URLs start with PUBLIC_BASE_URL when it is set, else with the
``request_base`` of the page that prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from carbon_credit.platform.i18n import translate
from carbon_credit.platform.qr_images import qr_png, qr_svg
from carbon_credit.platform.settings import Settings
from carbon_credit.stops.models import Route, Stop
from carbon_credit.stops.queries import get_route, get_stop, route_stops
from carbon_credit.stops.tokens import checkin_url, manual_code


@dataclass(frozen=True)
class Poster:
    """Everything printed on one stop's poster."""

    stop_id: int
    code: str
    name_zh: str
    name_en: str
    url: str
    svg: str
    manual_code: str
    is_active: bool
    token_version: int
    instructions_zh: str
    instructions_en: str
    platform_zh: str
    platform_en: str
    manual_label_zh: str
    manual_label_en: str


def poster_for(stop: Stop, settings: Settings, request_base: str | None = None) -> Poster:
    """The poster of a stop (its current token: older posters of the stop no longer work)."""
    url = checkin_url(stop, settings, request_base)
    return Poster(
        stop_id=stop.id,
        code=stop.code,
        name_zh=stop.name_zh,
        name_en=stop.name_en,
        url=url,
        svg=qr_svg(url),
        manual_code=manual_code(stop, settings),
        is_active=stop.is_active,
        token_version=stop.token_version,
        instructions_zh=translate("stop_poster_instructions", "zh_Hans"),
        instructions_en=translate("stop_poster_instructions", "en"),
        platform_zh=translate("stop_poster_platform", "zh_Hans"),
        platform_en=translate("stop_poster_platform", "en"),
        manual_label_zh=translate("stop_poster_manual_code", "zh_Hans"),
        manual_label_en=translate("stop_poster_manual_code", "en"),
    )


def stop_poster(
    *, session: Session, settings: Settings, stop_id: int, request_base: str | None = None
) -> Poster:
    """One stop's poster (NotFound for an unknown stop)."""
    return poster_for(get_stop(session=session, stop_id=stop_id), settings, request_base)


def route_posters(
    *, session: Session, settings: Settings, route_id: int, request_base: str | None = None
) -> tuple[Route, list[Poster]]:
    """The route and one poster per stop, in route order."""
    route = get_route(session=session, route_id=route_id)
    places = route_stops(session=session, route_id=route_id)
    return route, [poster_for(stop, settings, request_base) for _place, stop in places]


def stop_qr_png(
    *, session: Session, settings: Settings, stop_id: int, request_base: str | None = None
) -> tuple[str, bytes]:
    """(stop code, PNG bytes) of the stop's QR code, for a printing shop."""
    stop = get_stop(session=session, stop_id=stop_id)
    return stop.code, qr_png(checkin_url(stop, settings, request_base))
