"""The registry's forms: what an administrator types (tonnes and yuan as text, which the registry's own
parsers read exactly) and a resident's donation. Every rule is the registry's; the forms only check that a
field is there and is plain text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from carbon_credit.platform import clock
from webapp.forms import KeyedForm

REQUIRED = InputRequired(message=_l("Please fill in this field."))
TONNES = {"inputmode": "decimal", "placeholder": "1.5"}
YUAN = {"inputmode": "decimal", "placeholder": "1234.50"}


def today():
    """Today in Beijing: the default of every date field."""
    return clock.local_day(clock.now())


def _day(label):
    return DateField(label, default=today, validators=[REQUIRED])


def _text(label, limit: int = 128, **kwargs):
    return StringField(label, validators=[REQUIRED, Length(max=limit)], **kwargs)


class PoolForm(KeyedForm):
    """Pool a calendar month (Beijing time) into a batch."""

    month = StringField(
        _l("Month to pool"),
        validators=[
            REQUIRED,
            Regexp(r"^\s*20\d{2}-(0[1-9]|1[0-2])\s*$", message=_l("Enter a month, for example 2026-11.")),
        ],
        render_kw={"type": "month", "placeholder": "2026-11"},
    )


class VerifyForm(KeyedForm):
    """The verifier's conclusion, with the records they excluded."""

    verifier = _text(_l("Verifier (organisation)"))
    report_ref = _text(_l("Verification report reference"))
    verified_on = _day(_l("Verified on"))
    exclusions = TextAreaField(
        _l("Excluded records, one per line: activity id, reason"),
        validators=[Optional(), Length(max=50_000)],
        render_kw={"rows": 4, "placeholder": "1024, 照片无法辨认"},
    )


class IssueForm(KeyedForm):
    """The authority's issuance."""

    issuance_ref = _text(_l("Issuance reference"))
    issued_on = _day(_l("Issued on"))


class SellForm(KeyedForm):
    """A sale of this batch's available tonnes."""

    buyer = _text(_l("Buyer"))
    tonnes = _text(_l("Quantity (tCO2e)"), 40, render_kw=TONNES)
    price = _text(_l("Total price (yuan)"), 40, render_kw=YUAN)
    sold_on = _day(_l("Sold on"))
    contract_ref = _text(_l("Contract reference"))


class RetireForm(KeyedForm):
    """A retirement and its certificate: from a sale of this batch, this batch, or the oldest issued first."""

    source = SelectField(_l("Retire from"), choices=[], validate_choice=False)
    tonnes = _text(_l("Quantity (tCO2e)"), 40, render_kw=TONNES)
    beneficiary = _text(_l("Beneficiary"))
    purpose = _text(_l("Purpose"), 255)
    retired_on = _day(_l("Retired on"))
    event = SelectField(_l("For the event (optional)"), choices=[], validate_choice=False)


class AllocateForm(KeyedForm):
    """Move sale revenue into a campaign's points budget."""

    campaign = SelectField(_l("Campaign"), choices=[], validate_choice=False)
    amount = _text(_l("Amount (yuan)"), 40, render_kw=YUAN)


class EventForm(KeyedForm):
    """A neutralisation event residents donate points to."""

    slug = _text(
        _l("Web name (letters, digits, hyphens)"), 64, render_kw={"placeholder": "xiaogan-marathon-2026"}
    )
    name_zh = _text(_l("Name (Chinese)"))
    name_en = _text(_l("Name (English)"))
    target = _text(_l("Target (tCO2e)"), 40, render_kw=TONNES)
    starts_on = _day(_l("Starts on"))
    ends_on = _day(_l("Ends on"))


class DonateForm(KeyedForm):
    """A resident's confirmed donation (the points come from the confirmation page's link)."""

    points = StringField(
        _l("Points to donate"),
        validators=[REQUIRED, Regexp(r"^\s*\d{1,12}\s*$", message=_l("Enter a whole number."))],
        render_kw={"inputmode": "numeric"},
    )
