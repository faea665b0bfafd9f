"""API errors: every refusal is ``{"error": {"code", "message"[, "fields"]}}`` in the caller's language."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from pydantic import ValidationError as PydanticValidationError
from werkzeug.exceptions import HTTPException

from carbon_credit.platform.errors import DomainError, InsufficientPoints, NotFound
from carbon_credit.platform.i18n import normalise_locale, translate
from webapp.api.blueprint import CONFLICTS, bp

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


def validation_hook(req, resp, req_validation_error, instance, model_adapter) -> None:
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
    response = _error_body(status, code, text)
    for name, value in error.get_headers():  # e.g. Allow on a 405 (RFC 9110)
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
