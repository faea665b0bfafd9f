"""JSON API /api/v1: personal bearer tokens, request validation and the OpenAPI 3 document (spectree).

Every route but ``/openapi.json`` needs ``Authorization: Bearer <token>`` (see carbon_credit.api_tokens).
Bodies, query strings and the ``Idempotency-Key`` header are validated by spectree against the pydantic
models below (unknown fields refused, strict types); the same models generate the OpenAPI document, so a
route cannot be added without being documented (tests/webapp/test_api.py walks the url_map). Every error
is ``{"error": {"code", "message"[, "fields"]}}`` in the token owner's language. Views only parse, call one
service and present; the rules live in carbon_credit. See docs/api.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from flask import Blueprint, g, jsonify, request
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
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType
from werkzeug.exceptions import HTTPException

from carbon_credit import api_tokens, history, rewards, transit
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.db import read_session, session_scope
from carbon_credit.errors import DomainError, InsufficientPoints, NotFound
from carbon_credit.i18n import normalise_locale, translate
from webapp.context import engine, settings
from webapp.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, never cookies: a cross-site form cannot authenticate, so CSRF does not apply

RATE_LIMIT = "120 per minute"
IDEMPOTENCY_KEY = r"^[A-Za-z0-9_-]{1,120}$"
# Refusals that are about the state of things rather than the request's shape.
CONFLICTS = frozenset(
    {
        "insufficient_points",
        "out_of_stock",
        "redeem_limit_reached",
        "reward_unavailable",
        "idempotency_conflict",
    }
)


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
    behaviour: str | None = Field(default=None, max_length=32)
    status: Literal["credited", "pending", "rejected"] | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class ScanIn(Strict):
    """A scanned stop QR code (the token inside the poster's URL)."""

    stop_token: StrictStr = Field(min_length=1, max_length=512)


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


# ---- errors ---------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An API refusal: HTTP status, message code and params, and optional per-field errors."""

    def __init__(self, status: int, code: str, fields: list[dict] | None = None, **params: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.fields, self.params = status, code, fields, params


EXPECTED = {  # pydantic error type -> (zh, en) of what the field must be
    "string_type": ("文本", "text"),
    "int_type": ("整数", "a whole number"),
    "int_parsing": ("整数", "a whole number"),
    "int_from_float": ("整数", "a whole number"),
    "dict_type": ("JSON 对象", "a JSON object"),
    "model_type": ("JSON 对象", "a JSON object"),
    "model_attributes_type": ("JSON 对象", "a JSON object"),
    "input_value": ("文本、数字或行程段列表", "text, a number or a list of legs"),
    "datetime_type": ("带时区的 ISO-8601 时间", "an ISO-8601 time with a UTC offset"),
    "datetime_parsing": ("带时区的 ISO-8601 时间", "an ISO-8601 time with a UTC offset"),
    "datetime_from_date_parsing": ("带时区的 ISO-8601 时间", "an ISO-8601 time with a UTC offset"),
    "timezone_aware": ("带时区的 ISO-8601 时间", "an ISO-8601 time with a UTC offset"),
    "date_from_datetime_parsing": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
    "date_parsing": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
    "literal_error": ("允许的取值之一", "one of the allowed values"),
}


def field_errors(error: PydanticValidationError) -> list[dict]:
    """Pydantic's errors as ``{"field", "code", "params"}``: one per field, with our message codes."""
    found: dict[str, dict] = {}
    for item in error.errors(include_url=False, include_context=False, include_input=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        kind = item["type"]
        if name == "Idempotency-Key":
            code, params = "missing_idempotency_key", {}
        elif kind == "missing":
            code, params = "field_missing", {}
        elif kind == "extra_forbidden":
            code, params = "field_unexpected", {}
        elif kind in EXPECTED:
            code = "field_wrong_type"
            params = dict(zip(("expected_zh", "expected_en"), EXPECTED[kind], strict=True))
        elif kind.endswith("_too_long"):
            code, params = "field_too_long", {}
        else:
            code, params = "field_invalid", {}
        found.setdefault(name, {"field": name, "code": code, "params": params})
    return list(found.values())


def _validation_hook(req, resp, req_validation_error, instance, model_adapter) -> None:
    """spectree's ``before`` hook: a request that failed validation becomes our 400 error body."""
    if req_validation_error is not None:
        raise ApiError(400, "invalid_request", fields=field_errors(req_validation_error))


def _locale() -> str:
    caller = g.get("api_caller")
    if caller is not None:
        return caller.locale
    return normalise_locale(request.accept_languages.best_match(["zh", "en"]))


def _error_body(status: int, code: str, text: str, fields: list[dict] | None = None):
    body: dict[str, Any] = {"code": code, "message": text}
    if fields is not None:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    locale = _locale()
    fields = None
    if error.fields is not None:
        fields = [
            {
                "field": f["field"],
                "code": f["code"],
                "message": translate(f["code"], locale, field=f["field"], **f["params"]),
            }
            for f in error.fields
        ]
        detail = " ".join(f["message"] for f in fields[:3])
        return _error_body(
            error.status, error.code, translate("invalid_request", locale, detail=detail), fields
        )
    return _error_body(error.status, error.code, translate(error.code, locale, **error.params))


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, InsufficientPoints) or error.code in CONFLICTS:
        status = 409
    else:
        status = 400
    return _error_body(status, error.code, translate(error.code, _locale(), **error.params))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    status = error.code or 500
    code = f"http_{status}"
    text = translate(
        code if code in ("http_404", "http_405", "http_413", "http_429") else "http_error",
        _locale(),
        status=status,
    )
    return _error_body(status, code, text)


# ---- authentication -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Caller:
    """The token owner, as plain values."""

    id: int
    display_name: str
    locale: str
    role: str


def _rate_key() -> str:
    """Per token when one is sent (many residents share one carrier-grade NAT address), else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-addr:" + (request.remote_addr or "")


limiter.limit(RATE_LIMIT, key_func=_rate_key)(bp)


@bp.before_request
def _authenticate() -> None:
    """Every route but the OpenAPI document needs a valid bearer token; JSON bodies must be JSON."""
    if request.endpoint == "api.openapi":
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise ApiError(401, "invalid_token")
    try:
        with session_scope(engine()) as db:
            found = api_tokens.authenticate_token(session=db, token=token.strip())
            g.api_caller = Caller(found.id, found.display_name, normalise_locale(found.locale), found.role)
    except DomainError as error:
        raise ApiError(401, "invalid_token") from error
    if request.method == "POST" and request.content_length:
        if not request.is_json:
            raise ApiError(415, "unsupported_media_type")
        if request.get_json(silent=True) is None:
            raise ApiError(400, "invalid_json")


@bp.after_request
def _inert(response):
    """API answers are data, never a page: no sniffing, no scripts, no framing."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- the document ---------------------------------------------------------------------------------------

spec = SpecTree(
    "flask",
    mode="strict",  # only routes decorated by this instance: the API's own
    title="Xiaogan Carbon Inclusion API",
    version="1",
    description="Personal bearer tokens (created on /account/tokens). See docs/api.md.",
    page_templates={},  # no Swagger/Redoc pages: they would load scripts from a CDN
    validation_error_status=400,
    validation_error_model=ErrorOut,
    before=_validation_hook,
    naming_strategy=lambda model: model.__name__,  # our model names are unique: clean component names
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(name="bearerAuth", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))
    ],
    security={"bearerAuth": []},
)


def responses(ok: int, model: type[BaseModel] | None, *errors: int, ok_too: int | None = None) -> Response:
    """The documented answers of a route: its success (``ok_too``: a second success status with the same
    model) and its error statuses (401 and 429 always)."""
    codes = {f"HTTP_{ok}": model}
    if ok_too:
        codes[f"HTTP_{ok_too}"] = model
    for status in sorted({401, 429, *errors}):
        codes[f"HTTP_{status}"] = ErrorOut
    return Response(**codes)


def _body(json: BaseModel | None) -> BaseModel:
    if json is None:  # a form-encoded POST: spectree only parses JSON bodies
        raise ApiError(415, "unsupported_media_type")
    return json


@bp.get("/openapi.json")
@spec.validate(resp=Response(HTTP_200=None), security={}, tags=["meta"])
def openapi():
    """This OpenAPI 3 document (no token needed)."""
    return jsonify(spec.spec)


# ---- routes ---------------------------------------------------------------------------------------------


@bp.get("/me")
@spec.validate(resp=responses(200, MeOut), tags=["account"])
def me():
    """The token owner: profile, points balance and CO2e totals."""
    caller = g.api_caller
    with read_session(engine()) as db:
        totals = history.summary(session=db, resident_id=caller.id)
    return MeOut(
        id=caller.id,
        display_name=caller.display_name,
        locale=caller.locale,
        role=caller.role,
        balance=totals.balance,
        grams=totals.grams,
        tree_years=str(totals.tree_years),
        activities=totals.activities,
    )


@bp.get("/activities")
@spec.validate(resp=responses(200, ActivityPage, 400), tags=["activities"])
def list_activities(query: ActivityQuery):
    """The owner's activities, newest first, filtered and paged."""
    with read_session(engine()) as db:
        found = history.history(session=db, resident_id=g.api_caller.id, **query.model_dump())
    items = [ActivityOut.model_validate(a) for a in found.items]
    return ActivityPage(
        items=items, total=found.total, page=found.page, pages=found.pages, per_page=found.per_page
    )


@bp.post("/activities")
@spec.validate(resp=responses(201, ActivityOut, 400, 409, 413, 415), tags=["activities"])
def create_activity(json: ActivityIn, headers: IdempotencyHeaders):
    """Record an activity: quantified, capped and credited at once; the same Idempotency-Key returns it again.

    The answer carries the methodology id and version, the factors, grams and points, so the credit can be
    recomputed.
    """
    body = _body(json)
    item = ActivityInput(
        g.api_caller.id, body.behaviour, body.inputs, "api", headers.idempotency_key, body.occurred_at
    )
    with session_scope(engine()) as db:
        activity = record_activity(session=db, settings=settings(), item=item)
        out = ActivityOut.model_validate(activity)
    return out, 201


@bp.post("/transit/scans")
@spec.validate(resp=responses(201, ScanOut, 400, 404, 409, 413, 415, ok_too=200), tags=["transit"])
def scan_stop(json: ScanIn, headers: IdempotencyHeaders):
    """Tap in or out at a stop by its QR token: the first scan opens a trip, the next one at another stop
    completes and credits it (201); a scan at the same stop cancels, a broken rule refuses (200 with the
    reason). The same Idempotency-Key returns the first result.
    """
    body = _body(json)
    refused = None
    with session_scope(engine()) as db:
        try:
            result = transit.scan(
                session=db,
                settings=settings(),
                resident_id=g.api_caller.id,
                token=body.stop_token,
                idempotency_key=headers.idempotency_key,
            )
        except DomainError as error:
            if error.code != "invalid_stop_token":
                raise
            refused = error  # the service recorded the refusal: keep it (commit), then answer 400
    if refused is not None:
        raise refused
    text = translate(result.reason, g.api_caller.locale, **result.params) if result.reason else None
    out = ScanOut.model_validate({**dataclasses.asdict(result), "message": text})
    return out, 201 if result.kind in ("tapped_in", "trip_credited") else 200


@bp.get("/rewards")
@spec.validate(resp=responses(200, RewardList), tags=["rewards"])
def list_rewards():
    """Rewards open for redemption now, cheapest first (sold-out ones included, with stock 0)."""
    with read_session(engine()) as db:
        found = rewards.catalogue(session=db)
    return RewardList(items=[RewardOut.model_validate(r) for r in found])


@bp.post("/rewards/<int:reward_id>/redemptions")
@spec.validate(resp=responses(201, VoucherOut, 400, 404, 409, 413, 415), tags=["rewards"])
def redeem_reward(reward_id: int, headers: IdempotencyHeaders):
    """Redeem points for a voucher; the same Idempotency-Key returns the same voucher."""
    with session_scope(engine()) as db:
        voucher = rewards.redeem(
            session=db,
            settings=settings(),
            resident_id=g.api_caller.id,
            reward_id=reward_id,
            idempotency_key=headers.idempotency_key,
        )
        reward = rewards.get_reward(session=db, reward_id=voucher.reward_id)
        out = _voucher(voucher, reward)
    return out, 201


@bp.get("/vouchers")
@spec.validate(resp=responses(200, VoucherList), tags=["rewards"])
def list_vouchers():
    """The owner's vouchers, newest first."""
    with read_session(engine()) as db:
        found = rewards.vouchers_of(session=db, resident_id=g.api_caller.id)
    return VoucherList(items=[_voucher(v, r) for v, r in found])


def _voucher(voucher, reward) -> VoucherOut:
    return VoucherOut(
        id=voucher.id,
        code=voucher.code,
        status=voucher.status,
        reward_id=reward.id,
        reward_name_zh=reward.name_zh,
        reward_name_en=reward.name_en,
        cost=reward.cost,
        issued_at=voucher.issued_at,
        used_at=voucher.used_at,
    )
