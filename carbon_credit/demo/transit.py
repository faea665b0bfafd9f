"""Demo transit network for Xiaonan district, Xiaogan: three bus routes with QR-poster stops.

The coordinates are plausible points around central Xiaonan (not surveyed). Distances along each route
are the sum of its stop-to-stop great-circle distances times 1.2 (road circuity), rounded to 10 m, so route
distances and the great-circle fallback agree in scale. Everything is marked ``is_demo``; seeding twice
changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.platform.settings import Settings
from carbon_credit.residents import District
from carbon_credit.stops import Route, RouteStop, Stop, checkin_url, haversine_metres

ROAD_CIRCUITY = 1.2

# code, name_zh, name_en, latitude, longitude
DEMO_STOPS = {
    "XG1-01": ("孝感火车站", "Xiaogan Railway Station", 30.9262, 113.9021),
    "XG1-02": ("城站路口", "Chengzhan Road Junction", 30.9290, 113.9098),
    "XG1-03": ("槐荫公园", "Huaiyin Park", 30.9321, 113.9165),
    "XG1-04": ("孝感市中心医院", "Xiaogan Central Hospital", 30.9355, 113.9232),
    "XG1-05": ("北京路", "Beijing Road", 30.9389, 113.9301),
    "XG1-06": ("董永公园", "Dongyong Park", 30.9421, 113.9377),
    "XG3-01": ("湖北工程学院", "Hubei Engineering University", 30.9478, 113.9127),
    "XG3-02": ("交通大道", "Jiaotong Avenue", 30.9431, 113.9142),
    "XG3-04": ("长征路", "Changzheng Road", 30.9270, 113.9188),
    "XG3-05": ("孝南区政府", "Xiaonan District Government", 30.9228, 113.9236),
    "XG3-06": ("乾坤大道", "Qiankun Avenue", 30.9203, 113.9305),
    "XG8-01": ("孝感东站", "Xiaogan East Station", 30.9335, 113.9495),
    "XG8-02": ("天仙广场", "Tianxian Square", 30.9364, 113.9412),
    "XG8-04": ("文化中心", "Culture Centre", 30.9410, 113.9340),
    "XG8-05": ("银泰城", "Yintai City", 30.9450, 113.9195),
}

# route code, name_zh, name_en, stop codes in order (shared stops make transfers possible)
DEMO_ROUTES = [
    ("XG1", "孝感1路", "Xiaogan Bus 1", ["XG1-01", "XG1-02", "XG1-03", "XG1-04", "XG1-05", "XG1-06"]),
    ("XG3", "孝感3路", "Xiaogan Bus 3", ["XG3-01", "XG3-02", "XG1-03", "XG3-04", "XG3-05", "XG3-06"]),
    ("XG8", "孝感8路", "Xiaogan Bus 8", ["XG8-01", "XG8-02", "XG1-06", "XG8-04", "XG1-05", "XG8-05"]),
]


def seed_demo_transit(*, session: Session) -> None:
    """Create the demo stops and routes unless they exist (idempotent; is_demo=True)."""
    district = session.execute(select(District).where(District.code == "xiaonan")).scalar_one_or_none()
    stops = {code: _stop(session, code, district) for code in DEMO_STOPS}
    for code, name_zh, name_en, stop_codes in DEMO_ROUTES:
        if session.execute(select(Route).where(Route.code == code)).scalar_one_or_none() is not None:
            continue
        route = Route(code=code, name_zh=name_zh, name_en=name_en, mode="bus", is_demo=True)
        session.add(route)
        session.flush()
        _place_stops(session, route, [stops[c] for c in stop_codes])
    session.flush()


def _stop(session: Session, code: str, district: District | None) -> Stop:
    stop = session.execute(select(Stop).where(Stop.code == code)).scalar_one_or_none()
    if stop is None:
        name_zh, name_en, latitude, longitude = DEMO_STOPS[code]
        stop = Stop(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            district_id=district.id if district else None,
            latitude=latitude,
            longitude=longitude,
            mode="bus",
            is_demo=True,
        )
        session.add(stop)
        session.flush()
    return stop


def _place_stops(session: Session, route: Route, stops: list[Stop]) -> None:
    metres = 0.0
    for position, stop in enumerate(stops, start=1):
        if position > 1:
            before = stops[position - 2]
            step = haversine_metres(before.latitude, before.longitude, stop.latitude, stop.longitude)
            metres += step * ROAD_CIRCUITY
        rounded = int(round(metres, -1))
        session.add(
            RouteStop(route_id=route.id, stop_id=stop.id, position=position, metres_from_start=rounded)
        )


def demo_checkin_urls(
    *, session: Session, settings: Settings, served_at: str, codes=("XG1-01", "XG1-05")
) -> list[tuple[str, str]]:
    """(stop name, check-in URL) of a few demo stops, to try a QR trip without printing a poster;
    ``served_at`` is where the web app answers when PUBLIC_BASE_URL is not set."""
    stops = session.execute(select(Stop).where(Stop.code.in_(codes)).order_by(Stop.code)).scalars()
    return [(f"{stop.name_zh} {stop.name_en}", checkin_url(stop, settings, served_at)) for stop in stops]
