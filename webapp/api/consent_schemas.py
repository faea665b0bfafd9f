"""Request and response models of the API's consent routes (``/me/consents``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from webapp.api.schemas import Strict, Utc


class ConsentIn(Strict):
    granted: StrictBool = Field(description="true grants the purpose, false withdraws it (at once).")


class ConsentRecordOut(BaseModel):
    """One grant or withdrawal, never changed: the notice version in force and where it was made."""

    model_config = ConfigDict(from_attributes=True)
    purpose: str
    granted: bool
    notice_version: str
    channel: Literal["web", "chat", "api"]
    created_at: Utc


class ConsentsOut(BaseModel):
    """Each switch's current state (a purpose never granted is off), the privacy-notice version accepted
    (``notice_current``: it is the one in force) and every record, newest first."""

    consents: dict[str, bool]
    notice_version: str | None
    notice_current: bool
    history: list[ConsentRecordOut]


class ConsentChangeOut(BaseModel):
    """The purpose's state after the change; ``changed`` is false when it already was so (nothing
    recorded twice)."""

    purpose: str
    granted: bool
    changed: bool
