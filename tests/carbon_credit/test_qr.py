"""Stop tokens: compact, deep-link safe, and refused when forged, tampered or signed with another key."""

from __future__ import annotations

import re

import pytest

from carbon_credit.platform.errors import DomainError
from carbon_credit.stops import read_stop_token, sign_stop

KEY = "test-qr-key"


def test_a_token_round_trips_and_fits_a_telegram_deep_link():
    token = sign_stop(123456, 7, KEY)
    assert read_stop_token(token, KEY) == (123456, 7)
    assert token.startswith("123456-7-")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len("stop_" + sign_stop(9_999_999_999, 9_999_999_999, KEY)) <= 64


def test_signing_is_deterministic_and_depends_on_stop_version_and_key():
    assert sign_stop(1, 1, KEY) == sign_stop(1, 1, KEY)
    variants = {sign_stop(1, 1, KEY), sign_stop(2, 1, KEY), sign_stop(1, 2, KEY), sign_stop(1, 1, "other")}
    assert len(variants) == 4


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("5-1-", "6-1-", 1),  # another stop's id under this signature
        lambda t: t.replace("5-1-", "5-2-", 1),  # a newer version under the old signature
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character of the signature changed
        lambda t: t[:-1],  # truncated
        lambda t: t + "A",  # too long
        lambda t: "05" + t[1:],  # non-canonical stop id
        lambda t: t.replace("-", "_", 1),
        lambda t: "",
        lambda t: "5-1-" + "A" * 22,
        lambda t: t + "\n",
    ],
)
def test_forged_or_tampered_tokens_are_refused(mutate):
    token = sign_stop(5, 1, KEY)
    with pytest.raises(DomainError) as caught:
        read_stop_token(mutate(token), KEY)
    assert caught.value.code == "invalid_stop_token"


def test_a_token_signed_with_another_key_is_refused():
    with pytest.raises(DomainError, match="invalid_stop_token"):
        read_stop_token(sign_stop(5, 1, "someone-elses-key"), KEY)
