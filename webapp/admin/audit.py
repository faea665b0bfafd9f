"""Admin: the audit log viewer, filtered by actor, action, target type and date range, with each entry's
before/after shown as the fields that changed."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from carbon_credit import residents
from carbon_credit.platform import audit, clock
from carbon_credit.platform.database import read_session
from webapp.admin.blueprint import bp
from webapp.context import engine
from webapp.forms import Form


def compatible(value: str | None) -> str | None:
    """Full-width and other compatibility characters as their plain forms (NFKC)."""
    return unicodedata.normalize("NFKC", value) if value else value


class AuditFilterForm(Form):
    """The filters, read from the query string (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    actor = StringField(
        _l("Actor (mobile number, e-mail or id)"),
        validators=[Optional(), Length(max=254)],
        filters=[compatible],  # "１３８…" from a Chinese keyboard is 138…; "²" is 2, not a crash in int()
    )
    action = StringField(_l("Action name"), validators=[Optional(), Length(max=64)])
    target_type = StringField(_l("Target type"), validators=[Optional(), Length(max=32)])
    day_from = DateField(_l("From"), validators=[Optional()])
    day_to = DateField(_l("To"), validators=[Optional()])


@bp.get("/audit")
def audit_log():
    """Audit entries, newest first, 50 a page, with filters and readable before/after differences."""
    form = AuditFilterForm(formdata=request.args)
    form.validate()
    values = {name: (None if form[name].errors else form[name].data) for name in form.data}
    with read_session(engine()) as db:
        actor_id = _actor_id(db, values["actor"])
        listing = audit.entries(
            session=db,
            actor_id=actor_id,
            action=(values["action"] or "").strip() or None,
            target_type=(values["target_type"] or "").strip() or None,
            day_from=values["day_from"],
            day_to=values["day_to"],
            page=request.args.get("page", 1, type=int),
        )
        names = {i: residents.get(session=db, resident_id=i).display_name for i in _actors(listing.items)}
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit/log.html", form=form, listing=listing, names=names, diff=diff_rows, query=query
    )


def _actor_id(db, actor: str | None) -> int | None:
    """The filter's actor id from an id, mobile number or e-mail; -1 (nobody) when it matches nobody, so
    the list is empty rather than unfiltered."""
    actor = (actor or "").strip()
    if not actor:
        return None
    if actor.isascii() and actor.isdigit() and len(actor) < 11:  # an id (a mobile number has 11 digits)
        return int(actor)
    found = residents.find_by_login(session=db, login=actor)
    return found.id if found is not None else -1


def _actors(items) -> set[int]:
    return {e.actor_id for e in items if e.actor_id is not None}


def diff_rows(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, str, str, bool]]:
    """(field, before, after, changed) for every field of either side, changed ones first; values readable
    (None as a dash, times as Beijing time ``2026-12-06 23:15``, lists and objects as compact JSON)."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    rows = [(k, _shown(before.get(k)), _shown(after.get(k)), before.get(k) != after.get(k)) for k in keys]
    return sorted(rows, key=lambda row: not row[3])


# A time as the audit trail stores it (isoformat, with or without its offset); a bare date stays as it is.
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")


def _shown(value: Any) -> str:
    value = _for_people(value)
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _for_people(value: Any) -> Any:
    """ISO times (anywhere in the value) as Beijing time for people; naive ones are UTC (clock.local_text)."""
    if isinstance(value, str) and ISO_TIME.fullmatch(value):
        return clock.local_text(datetime.fromisoformat(value))
    if isinstance(value, dict):
        return {k: _for_people(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_for_people(v) for v in value]
    return value
