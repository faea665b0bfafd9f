"""A photo is kept with an activity only with the resident's consent to ``photos`` (PIPL Art. 14, 29): the
check every channel's claim passes before anything is recorded, so the web forms, the API and any later
channel refuse alike (``photos_consent_required``, which points to /account/privacy)."""

from __future__ import annotations

from sqlmodel import Session

from carbon_credit.activities.claims import ActivityInput
from carbon_credit.residents import require_consent

PURPOSE = "photos"


def check_photo_consent(*, session: Session, item: ActivityInput) -> None:
    """Refuse a claim with a photo from a resident whose consent to photos does not stand now."""
    if item.photo:
        require_consent(session=session, resident_id=item.resident_id, purpose=PURPOSE)
