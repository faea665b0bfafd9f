"""The base of every form in the app: CSRF (Flask-WTF) and plain text only in every submitted field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

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
