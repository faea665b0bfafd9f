"""Messages for personal API tokens and the JSON API's request validation."""

MESSAGES: dict[str, dict[str, str]] = {
    "invalid_token": {
        "zh_Hans": "API 令牌无效或已撤销。请在请求头中发送 Authorization: Bearer <令牌>。",
        "en": "The API token is missing, invalid or revoked. Send it as Authorization: Bearer <token>.",
    },
    "invalid_token_name": {
        "zh_Hans": "请为令牌填写 1 到 {max} 个字的名称。",
        "en": "Please give the token a name of 1 to {max} characters.",
    },
    "too_many_tokens": {
        "zh_Hans": "最多可同时拥有 {limit} 个有效令牌，请先撤销不用的令牌。",
        "en": "You can have at most {limit} active tokens. Please revoke one you no longer use.",
    },
    "token_not_found": {"zh_Hans": "未找到该令牌。", "en": "Token not found."},
    "invalid_request": {"zh_Hans": "请求有误：{detail}", "en": "Invalid request: {detail}"},
    "invalid_json": {
        "zh_Hans": "请求体不是有效的 JSON。",
        "en": "The request body is not valid JSON.",
    },
    "unsupported_media_type": {
        "zh_Hans": "请求体必须是 JSON（Content-Type: application/json）。",
        "en": "The request body must be JSON (Content-Type: application/json).",
    },
    "missing_idempotency_key": {
        "zh_Hans": "请在请求头 Idempotency-Key 中提供 1 到 120 个字符（字母、数字、_ 或 -）的请求编号。",
        "en": "Send an Idempotency-Key header of 1 to 120 characters (letters, digits, _ or -).",
    },
    "field_missing": {"zh_Hans": "缺少字段 {field}。", "en": "{field} is required."},
    "field_unexpected": {"zh_Hans": "不支持的字段 {field}。", "en": "{field} is not an accepted field."},
    "field_wrong_type": {
        "zh_Hans": "字段 {field} 的类型不正确，应为{expected_zh}。",
        "en": "{field} must be {expected_en}.",
    },
    "field_too_long": {"zh_Hans": "字段 {field} 过长。", "en": "{field} is too long."},
    "field_invalid": {"zh_Hans": "字段 {field} 的值无效。", "en": "{field} has an invalid value."},
    "http_error": {"zh_Hans": "请求无法处理（HTTP {status}）。", "en": "The request failed (HTTP {status})."},
    "http_404": {"zh_Hans": "没有这个接口。", "en": "No such API route."},
    "http_405": {"zh_Hans": "此接口不支持该请求方法。", "en": "This method is not allowed on this route."},
    "http_413": {"zh_Hans": "请求体过大。", "en": "The request body is too large."},
    "http_429": {
        "zh_Hans": "请求过于频繁，请稍后再试。",
        "en": "Too many requests. Please wait a minute and try again.",
    },
}
