"""The base of every form in the app: CSRF (Flask-WTF) and plain text only in every submitted field."""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from carbon_credit.platform.i18n import translate
from carbon_credit.platform.text import has_control_characters
from webapp.i18n import current_locale


def plain_text(form, field) -> None:
    """Refuse a submitted value with a control character (NUL, ESC ...) with a message under the field,
    before it reaches a service or the database (PostgreSQL cannot store NUL; SQLite would)."""
    if any(isinstance(raw, str) and has_control_characters(raw) for raw in field.raw_data or ()):
        raise ValidationError(translate("text_control_characters", current_locale()))


class Form(FlaskForm):
    """A FlaskForm whose every field, hidden ones included, also runs ``plain_text``."""

    def validate(self, extra_validators=None) -> bool:
        extra = {name: [*(extra_validators or {}).get(name, ()), plain_text] for name in self._fields}
        return super().validate(extra_validators=extra)


def new_key() -> str:
    """A fresh idempotency key for a form about to be shown."""
    return secrets.token_urlsafe(16)


class KeyedForm(Form):
    """A form whose submission changes state exactly once: its hidden ``idempotency_key`` is new each time
    the form is shown and comes back with the submission, so a double tap or a resubmitted page replays the
    first outcome (the services' idempotency) instead of acting twice. A form shown in the answer to another
    form's submission is made with ``formdata=None``, so it gets its own new key."""

    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=120), Regexp(r"^[A-Za-z0-9_-]+$")])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        shown = not self.is_submitted() or ("formdata" in kwargs and kwargs["formdata"] is None)
        if shown:  # a new key; a submission without one is refused by DataRequired
            self.idempotency_key.data = new_key()
