"""Every error a resident can cause has a message in Chinese (default) and English."""

from __future__ import annotations

import pytest

from carbon_credit.platform.i18n import MESSAGES, message, normalise_locale, translate
from quantification import QuantificationError, quantify
from quantification.errors import MESSAGES as QUANTIFICATION_CODES

BAD_INPUTS = [
    ("transit", {"mode": "rocket", "km": "3"}),
    ("transit", {"mode": "bus", "km": "2000"}),
    ("transit", {"legs": ["bus"]}),
    ("transit", {"legs": "bus:1,bus:1,bus:1,bus:1,bus:1,bus:1,bus:1"}),
    ("recycling", {"material": "uranium", "kg": "1"}),
    ("recycling", {"material": "pet", "kg": "-2"}),
    ("recycling", {"material": "pet", "kg": "abc"}),
    ("walking", {"steps": "1.5"}),
    ("walking", {}),
    ("walking", {"steps": 10, "colour": "red"}),
    ("electricity", {"kwh": "3", "scope": "mars"}),
    ("electricity", {"kwh": "3", "scope": "hubei", "year": 1999}),
    ("teleport", {}),
]


def test_every_quantification_error_code_has_both_languages():
    for code in QUANTIFICATION_CODES:
        assert set(MESSAGES[code]) == {"zh_Hans", "en"}, code


@pytest.mark.parametrize(("behaviour", "inputs"), BAD_INPUTS)
@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_real_errors_translate_with_their_own_params(behaviour, inputs, locale):
    with pytest.raises(QuantificationError) as caught:
        quantify(behaviour, **inputs)
    text = message(caught.value, locale)
    assert text != translate("domain_error", locale), f"{caught.value.code} fell back to the generic message"
    assert "{" not in text


def test_chinese_is_the_default_and_english_is_recognised():
    assert normalise_locale(None) == normalise_locale("zh-CN") == normalise_locale("fr") == "zh_Hans"
    assert normalise_locale("en-GB") == "en"
    assert translate("insufficient_points", needed=5, balance=2) == "积分不足：需要 5 分，当前余额 2 分。"


def test_unknown_codes_and_missing_params_fall_back_to_a_generic_message():
    assert translate("no_such_code", "en") == "That did not work. Please try again later."
    assert translate("insufficient_points", "en") == "That did not work. Please try again later."
