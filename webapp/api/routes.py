"""The API's routes and its OpenAPI document (spectree): each view parses, calls one service, presents."""

from __future__ import annotations

import dataclasses

from flask import g, jsonify, request
from pydantic import (
    BaseModel,
    ValidationError,
)
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType
from werkzeug.wrappers import Response as StreamedResponse  # not flask's: spectree would buffer it

from carbon_credit import privacy, residents, rewards, transit
from carbon_credit.activities import ActivityInput, activity_history, home_summary, record_activity
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate
from webapp.api.auth import database, unit_of_work  # importing auth registers the token check
from webapp.api.blueprint import bp
from webapp.api.consent_schemas import ConsentChangeOut, ConsentIn, ConsentRecordOut, ConsentsOut
from webapp.api.errors import ApiError, field_errors, validation_hook
from webapp.api.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityQuery,
    DeletedOut,
    DeleteMeIn,
    ErrorOut,
    ExportOut,
    IdempotencyHeaders,
    MeOut,
    RewardList,
    RewardOut,
    ScanIn,
    ScanOut,
    VoucherList,
    VoucherOut,
)
from webapp.context import engine, settings

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
    before=validation_hook,
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
    totals = home_summary(session=database(), resident_id=caller.id, recent=0)  # the figures /me shows
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


@bp.delete("/me")
@spec.validate(resp=responses(200, DeletedOut, 400, 415), tags=["account"])
def delete_me(json: DeleteMeIn):
    """Delete the token owner's account (PIPL Art. 47) with its password and the typed word 删除 (or
    DELETE). Contacts, name, card numbers, chat links, photos, tokens (this one too) and sessions are erased
    at once and unused vouchers cancelled; activities and ledger entries stay under the account's id, so
    public totals do not change. A wrong password or word deletes nothing (400 with the reason)."""
    body = _delete_body()  # documented as ``json``; spectree reads no DELETE body, so it is read here
    with unit_of_work() as db:
        done = privacy.delete_account(
            session=db,
            settings=settings(),
            resident_id=g.api_caller.id,
            password=body.password,
            confirmation=body.confirmation,
            channel="api",
        )
    return DeletedOut(
        id=done.resident_id,
        deleted=True,
        display_name=done.pseudonym,
        vouchers_cancelled=list(done.vouchers_cancelled),
    )


@bp.get("/me/export")
@spec.validate(resp=responses(200, ExportOut), tags=["account"], skip_validation=True)
def export_me():
    """A copy of everything the platform holds about the token owner (PIPL Art. 45): the same JSON document
    as the download on /account/data, streamed as it is read (not validated on the way out, so that a large
    history never sits in memory; tests check it against the schema)."""
    caller = g.api_caller
    stream = privacy.json_stream(engine=engine(), resident_id=caller.id, locale=caller.locale)
    name = privacy.export_name(caller.id, "json")
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamedResponse(stream, mimetype="application/json", headers=headers)


@bp.get("/me/consents")
@spec.validate(resp=responses(200, ConsentsOut), tags=["account"])
def my_consents():
    """The owner's consents: each switch on or off, the privacy-notice version accepted, and every grant
    and withdrawal, newest first (as on /account/privacy)."""
    db = database()
    found = residents.consents_of(session=db, resident_id=g.api_caller.id)
    current = not residents.needs_notice(session=db, resident_id=g.api_caller.id)
    history = [ConsentRecordOut.model_validate(r) for r in found.history]
    return ConsentsOut(
        consents=found.state, notice_version=found.notice_version, notice_current=current, history=history
    )


@bp.put("/me/consents/<purpose>")
@spec.validate(resp=responses(200, ConsentChangeOut, 400, 413, 415), tags=["account"])
def set_my_consent(purpose: str, json: ConsentIn):
    """Grant or withdraw one purpose (channel ``api``), at once; ``notice`` with true accepts the notice in
    force. An unknown purpose, or withdrawing the notice, is 400."""
    granted = _body(json).granted
    with unit_of_work() as db:
        record = residents.set_consent(
            session=db, resident_id=g.api_caller.id, purpose=purpose, granted=granted, channel="api"
        )
    return ConsentChangeOut(purpose=purpose, granted=granted, changed=record is not None)


def _delete_body() -> DeleteMeIn:
    """The JSON body of ``DELETE /me``, checked like spectree checks the others (415, 400 with fields)."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type")
    raw = request.get_json(silent=True)
    if raw is None:
        raise ApiError(400, "invalid_json")
    try:
        return DeleteMeIn.model_validate(raw)
    except ValidationError as error:
        raise ApiError(400, "invalid_request", fields=field_errors(error)) from None


@bp.get("/activities")
@spec.validate(resp=responses(200, ActivityPage, 400), tags=["activities"])
def list_activities(query: ActivityQuery):
    """The owner's activities, newest first, filtered and paged."""
    found = activity_history(session=database(), resident_id=g.api_caller.id, **query.model_dump())
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
    with unit_of_work() as db:
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
    with unit_of_work() as db:
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
    found = rewards.catalogue(session=database())
    return RewardList(items=[RewardOut.model_validate(r) for r in found])


@bp.post("/rewards/<int:reward_id>/redemptions")
@spec.validate(resp=responses(201, VoucherOut, 400, 404, 409, 413, 415), tags=["rewards"])
def redeem_reward(reward_id: int, headers: IdempotencyHeaders):
    """Redeem points for a voucher; the same Idempotency-Key returns the same voucher."""
    with unit_of_work() as db:
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
    found = rewards.vouchers_of(session=database(), resident_id=g.api_caller.id)
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
