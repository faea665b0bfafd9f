"""Transit: QR scans at stops (tap in, tap out), the trip rules and the daily trip cap, transit cards and
operator trip imports."""

from carbon_credit.transit.models import TAP_IN_STATUSES, ImportBatch, TapIn, TransitRejection
from carbon_credit.transit.scans import (
    CANCELLED,
    EARTH_RADIUS_M,
    EXPIRED,
    SCOPE,
    CheckinPreview,
    ScanResult,
    checkin_url,
    credited_trips,
    expire_stale_tap_ins,
    haversine_metres,
    open_tap_in,
    operator_trip,
    preview,
    rotate_stop_token,
    scan,
    trip_distance_metres,
)

__all__ = [
    "ImportBatch",
    "TAP_IN_STATUSES",
    "TapIn",
    "TransitRejection",
    "EARTH_RADIUS_M",
    "SCOPE",
    "CANCELLED",
    "EXPIRED",
    "ScanResult",
    "CheckinPreview",
    "checkin_url",
    "rotate_stop_token",
    "open_tap_in",
    "preview",
    "scan",
    "expire_stale_tap_ins",
    "trip_distance_metres",
    "haversine_metres",
    "operator_trip",
    "credited_trips",
]
