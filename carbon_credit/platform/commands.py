"""The one audited, idempotent administrator command: every staff action that changes state runs through
:func:`run`, from the web, the command line and jobs alike.

A command is named by its ``action`` (``stop.create``, ``campaign.update`` ...): the name is the audit
action and the idempotency scope. Its key (from the form or the ``Idempotency-Key`` header) is claimed
first, so a double-tapped button or a retried request replays the first outcome instead of acting twice,
and the same key with a different request is refused (IdempotencyConflict, shown as 409). The change and its
audit entry (who, what, before, after) land in the caller's transaction, together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from carbon_credit.platform import audit, idempotency


@dataclass(frozen=True, slots=True)
class Change:
    """What a command did: its target, the audited state before and after (None when there is none), and
    anything more the caller needs to answer a replay the same way."""

    target_id: int | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    outcome: dict[str, Any] = field(default_factory=dict)


def run(
    *,
    session: Session,
    actor_id: int,
    action: str,
    target_type: str,
    idempotency_key: str,
    asked: Sequence[object],
    apply: Callable[[], Change],
) -> dict[str, Any]:
    """Do ``apply`` once per (actor, action, key) and audit it; returns the outcome, ``{"target_id": ...}``
    plus the change's own outcome, the same for the first request and for every replay. A change whose
    ``before`` equals its ``after`` (nothing changed) writes no audit entry."""
    asked_for = idempotency.fingerprint(action, *asked)
    scope = dict(session=session, scope=action, owner_id=actor_id, key=idempotency_key)
    done = idempotency.claim(**scope, asked=asked_for)
    if done is not None:
        return done
    change = apply()
    if change.before is None or change.before != change.after:
        audit.record(
            session=session,
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=change.target_id,
            before=change.before,
            after=change.after,
        )
    outcome = {"target_id": change.target_id, **change.outcome}
    idempotency.settle(**scope, outcome=outcome)
    return outcome
