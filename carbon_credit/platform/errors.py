"""Typed domain errors: a stable ``code`` and ``params``, translated once at each edge (see i18n.py)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user may see. ``code`` is stable; ``params`` fill the translated message."""

    code = "domain_error"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(f"{self.code}: {params}" if params else self.code)


class InsufficientPoints(DomainError):
    """A debit would make a balance negative."""

    code = "insufficient_points"


class IdempotencyConflict(DomainError):
    """An idempotency key was reused for a different request."""

    code = "idempotency_conflict"


class NotFound(DomainError):
    """The thing asked for does not exist (``params['what']`` says which kind)."""

    code = "not_found"


class InvalidActivity(DomainError):
    """The activity's inputs were refused by the quantification engine or by a platform rule."""

    code = "invalid_activity"


class InvalidAmount(DomainError):
    """A points amount that is not a positive whole number."""

    code = "invalid_amount"
