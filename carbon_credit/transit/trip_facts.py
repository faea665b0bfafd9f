"""What a trip's sentence needs from the stops: the names of its two stops in the reader's language and how
many stops it moved along its route (for ``activities.explain``)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from carbon_credit import stops
from carbon_credit.platform.errors import NotFound

ENDS = ("from_stop_id", "to_stop_id")


def trip_facts(
    *, session: Session, details: dict[str, Any] | None, locale: str
) -> tuple[dict[int, str], int | None]:
    """``(stop names by id, stops passed)`` for an activity's ``details``; empty and None for anything that
    is not a QR trip between two known stops."""
    ends = [(details or {}).get(key) for key in ENDS]
    names = {}
    for stop_id in ends:
        if isinstance(stop_id, int):
            try:
                stop = stops.get_stop(session=session, stop_id=stop_id)
            except NotFound:
                continue
            names[stop_id] = stop.name_en if locale == "en" else stop.name_zh
    if not all(isinstance(end, int) for end in ends):
        return names, None
    return names, stops.stops_between(session=session, from_stop_id=ends[0], to_stop_id=ends[1])
