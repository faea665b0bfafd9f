"""Stops and routes: the transit network QR check-in measures trips on. Owns their validation, their
administration (audited commands), the stops import, signed QR tokens with check-in URLs, printable posters
and the distances between stops. Imports no transit: transit builds on it."""

from carbon_credit.stops.geometry import Distance, distance_between, haversine_metres, stops_between
from carbon_credit.stops.import_rows import COLUMNS as IMPORT_COLUMNS
from carbon_credit.stops.imports import FILE_LIMITS as IMPORT_FILE_LIMITS
from carbon_credit.stops.imports import apply_import, discard_import, stage_import
from carbon_credit.stops.models import TRANSIT_MODES, Route, RouteStop, Stop
from carbon_credit.stops.operations import (
    create_stop,
    rotate_stop_token,
    save_route,
    set_stop_active,
    update_stop,
)
from carbon_credit.stops.posters import route_posters, stop_poster, stop_qr_png
from carbon_credit.stops.queries import get_route, get_stop, list_routes, list_stops, route_lines
from carbon_credit.stops.tokens import (
    checkin_url,
    manual_code,
    read_stop_token,
    sign_stop,
    stop_for_token,
    token_for_typed,
)
from carbon_credit.stops.validation import InvalidInput, RouteInput, StopInput, problem_text

__all__ = [
    "IMPORT_COLUMNS",
    "IMPORT_FILE_LIMITS",
    "TRANSIT_MODES",
    "Distance",
    "InvalidInput",
    "Route",
    "RouteInput",
    "RouteStop",
    "Stop",
    "StopInput",
    "apply_import",
    "checkin_url",
    "create_stop",
    "discard_import",
    "distance_between",
    "get_route",
    "get_stop",
    "haversine_metres",
    "list_routes",
    "list_stops",
    "manual_code",
    "problem_text",
    "read_stop_token",
    "rotate_stop_token",
    "route_lines",
    "route_posters",
    "save_route",
    "set_stop_active",
    "sign_stop",
    "stage_import",
    "stop_for_token",
    "stop_poster",
    "stops_between",
    "stop_qr_png",
    "token_for_typed",
    "update_stop",
]
