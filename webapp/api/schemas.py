"""Request and response models of the JSON API: they validate requests and generate the OpenAPI document."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictStr,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

IDEMPOTENCY_KEY = r"^[A-Za-z0-9_-]{1,120}$"
BEHAVIOUR = r"^[a-z][a-z0-9_]{0,31}$"  # a behaviour id such as tree_planting

# ---- request models -------------------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _input_value(value: Any) -> Any:
    """An activity input: text, a finite number, or (transit) a list of {"mode", "km"} legs."""
    if isinstance(value, list) and len(value) <= 10 and all(_is_leg(leg) for leg in value):
        return value
    if not _is_scalar(value):
        raise PydanticCustomError("input_value", "must be text, a number or a list of legs")
    return value


def _is_scalar(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return len(value) <= 64
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _is_leg(leg: Any) -> bool:
    return isinstance(leg, dict) and set(leg) <= {"mode", "km"} and all(_is_scalar(v) for v in leg.values())


def _text_only(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "must be an ISO-8601 text")
    return value


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_text(value: Any) -> Any:
    """A query date is YYYY-MM-DD as documented (pydantic alone would also take "0" as a Unix time)."""
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_parsing", "must be a date (YYYY-MM-DD)")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]

SCALAR_SCHEMA = {"anyOf": [{"type": "string", "maxLength": 64}, {"type": "number"}]}
InputValue = Annotated[
    Any,
    PlainValidator(_input_value),
    WithJsonSchema(
        {
            "anyOf": [
                *SCALAR_SCHEMA["anyOf"],
                {
                    "type": "array",
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "properties": {"mode": SCALAR_SCHEMA, "km": SCALAR_SCHEMA},
                        "additionalProperties": False,
                    },
                },
            ]
        }
    ),
]


class ActivityIn(Strict):
    """A low-carbon activity to record."""

    behaviour: StrictStr = Field(max_length=32, examples=["recycling"])
    inputs: dict[Annotated[str, Field(max_length=32)], InputValue] = Field(
        max_length=8, examples=[{"material": "pet", "kg": "2"}]
    )
    occurred_at: Annotated[AwareDatetime, BeforeValidator(_text_only)] | None = Field(
        default=None, description="ISO-8601 with a UTC offset; default now"
    )


class ActivityQuery(Strict):
    behaviour: str | None = Field(default=None, max_length=32, pattern=BEHAVIOUR, examples=["recycling"])
    status: Literal["credited", "pending", "rejected"] | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class ScanIn(Strict):
    """A scanned stop QR code (the token inside the poster's URL)."""

    stop_token: StrictStr = Field(min_length=1, max_length=512)


class DeleteMeIn(Strict):
    """Deleting the token owner's account: the password and the typed word 删除 (or DELETE)."""

    password: StrictStr = Field(min_length=1, max_length=128)
    confirmation: StrictStr = Field(min_length=1, max_length=32, examples=["删除", "DELETE"])


class IdempotencyHeaders(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    idempotency_key: str = Field(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY,
        description="1-120 of A-Z a-z 0-9 _ -; the same key again returns the same resource",
    )


# ---- response models ------------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """Answers give every time in UTC (naive values from the database are UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Utc = Annotated[datetime, AfterValidator(_utc)]


class FieldError(BaseModel):
    field: str
    code: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[FieldError] | None = None


class ErrorOut(BaseModel):
    """Every error: a stable code, a message in the token owner's language, and the fields at fault."""

    error: ErrorDetail


class MeOut(BaseModel):
    id: int
    display_name: str
    locale: str
    role: str
    balance: int
    grams: int
    tree_years: str
    activities: int


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    behaviour: str
    channel: str
    evidence: Literal["verified", "evidenced", "declared"] = Field(
        description="What the claim rests on: verified (QR pair, operator import, administrator), evidenced "
        "(photo, credited after review) or declared (the resident's word alone, a share of the points)."
    )
    status: str
    inputs: dict[str, Any]
    methodology_id: str
    methodology_version: str
    factors: list[dict[str, Any]]
    formula: str
    grams: int
    points_quantified: int
    points: int
    note: str | None
    occurred_at: Utc
    local_day: date
    created_at: Utc


class ActivityPage(BaseModel):
    items: list[ActivityOut]
    total: int
    page: int
    pages: int
    per_page: int


class ScanOut(BaseModel):
    """What a scan did: ``tapped_in`` and ``trip_credited`` (201), ``cancelled`` and ``rejected`` (200, with
    the reason code, its params and a message)."""

    model_config = ConfigDict(from_attributes=True)
    kind: Literal["tapped_in", "trip_credited", "cancelled", "rejected"]
    stop_id: int
    stop_name_zh: str
    stop_name_en: str
    tap_in_id: int | None
    activity_id: int | None
    points: int
    grams: int
    metres: int | None
    reason: str | None
    params: dict[str, Any]
    message: str | None
    at: Utc | None


class RewardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    cost: int
    stock: int
    per_resident_limit: int
    valid_from: Utc | None
    valid_until: Utc | None


class RewardList(BaseModel):
    items: list[RewardOut]


class VoucherOut(BaseModel):
    id: int
    code: str
    status: str
    reward_id: int
    reward_name_zh: str
    reward_name_en: str
    cost: int
    issued_at: Utc
    used_at: Utc | None


class VoucherList(BaseModel):
    items: list[VoucherOut]


class ExportSectionOut(BaseModel):
    """One section of a resident's data: its name in the owner's language, the table it comes from, the
    columns, the rows (times ISO-8601 with offset, decimals as strings) and how many there are."""

    label: str
    table: str
    columns: list[str]
    rows: list[dict[str, Any]]
    count: int


class ExportOut(BaseModel):
    """Everything the platform holds about the token owner (PIPL Art. 45), the same document as the JSON
    download on /account/data. Sections: profile, consent records, activities with their audit trail,
    ledger entries, vouchers, card claims and trips, chat links, tap-ins, API tokens (name, prefix, dates),
    notifications, the staff access log and any other table holding the owner's rows. Never a password or
    token hash."""

    format: Literal["carbon-credit-personal-data/1"]
    resident_id: int
    generated_at: AwareDatetime
    sections: dict[str, ExportSectionOut]


class DeletedOut(BaseModel):
    """A deleted account: its personal information is erased; activities stay under ``id``."""

    id: int
    deleted: bool
    display_name: str
    vouchers_cancelled: list[int]
