"""What a resident can do next after a scan, so no outcome is a dead end (the result page's one action).

- ``scan``: scan the code at the next stop (after a tap-in: where you get off; after a cancel: where
  you board);
- ``tap_in_here``: start a trip at this stop now (the check-in page of the same poster), for a tap-out the
  rules refused (too short, too fast, refused by the methodology) or a tap-in asked for too early;
- ``support``: nothing to redo here (today's trip cap is reached, or an unknown refusal): the resident can
  give the staff the refusal's reference (``ScanResult.rejection_id``);
- ``privacy``: trips are not recorded without the resident's consent (行踪轨迹): turn it on in the privacy
  settings, then scan again;
- ``done``: a credited trip.
"""

from __future__ import annotations

SCAN, TAP_IN_HERE, SUPPORT, PRIVACY, DONE = "scan", "tap_in_here", "support", "privacy", "done"

_AFTER_REFUSAL = {
    "transit_same_stop": SCAN,
    "transit_too_short": TAP_IN_HERE,
    "transit_too_fast": TAP_IN_HERE,
    "transit_cooldown": TAP_IN_HERE,
    "implausible": TAP_IN_HERE,
    "transit_daily_cap": SUPPORT,
    "transit_consent_required": PRIVACY,
}


def next_step(kind: str, reason: str | None = None) -> str:
    """The one action a scan's result page offers, from the result's ``kind`` and ``reason`` code."""
    if kind == "tapped_in":
        return SCAN
    if kind == "trip_credited":
        return DONE
    return _AFTER_REFUSAL.get(reason or "", SUPPORT)
