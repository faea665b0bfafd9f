"""JSON API /api/v1: personal bearer tokens, request validation and the OpenAPI 3 document (spectree).

Every route but ``/openapi.json`` needs ``Authorization: Bearer <token>`` (see carbon_credit.api_tokens).
Bodies, query strings and the ``Idempotency-Key`` header are validated by spectree against the pydantic
models below (unknown fields refused, strict types); the same models generate the OpenAPI document, so a
route cannot be added without being documented (tests/webapp/test_api.py walks the url_map). Every error
is ``{"error": {"code", "message"[, "fields"]}}`` in the token owner's language. Views only parse, call one
service and present; the rules live in carbon_credit. See docs/api.md.
"""

from webapp.api.routes import bp, spec

__all__ = ["bp", "spec"]
