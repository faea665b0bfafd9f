"""Stops and routes: validation, administration, imports, signed QR tokens and printable posters."""

from carbon_credit.stops.models import TRANSIT_MODES, Route, RouteStop, Stop

__all__ = ["TRANSIT_MODES", "Stop", "Route", "RouteStop"]
