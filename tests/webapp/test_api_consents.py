"""Consents over the API as a resident's own program would use them: read every switch with its history,
turn one off and on, and see the refusals a client gets for a bad purpose or body."""

from __future__ import annotations

import pytest

from tests.webapp.test_api import Api, error_of, new_token


@pytest.fixture
def api_of(app, engine, make_resident):
    """``api_of(**resident_overrides)``: a client program with a token of a new resident."""

    def make(**overrides) -> Api:
        return Api(app, app.test_client(), new_token(engine, make_resident(**overrides)))

    return make


def test_the_resident_sees_each_switch_and_its_history(api_of):
    answer = api_of().call("GET", "/api/v1/me/consents")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["consents"] == {
        "trips": True,
        "card": True,
        "photos": True,
        "chat": True,
        "leaderboard": False,
        "weekly_summary": False,
    }
    assert body["notice_current"] is True and body["notice_version"]
    assert [r["purpose"] for r in body["history"]] == ["chat", "photos", "card", "trips", "notice"]
    assert {r["channel"] for r in body["history"]} == {"web"}


def test_a_resident_with_no_consents_sees_everything_off(api_of):
    body = api_of(consents=False).call("GET", "/api/v1/me/consents").get_json()
    assert not any(body["consents"].values())
    assert body["history"] == [] and body["notice_version"] is None and body["notice_current"] is False


def test_withdrawing_and_granting_again_are_recorded_from_the_api(api_of):
    api = api_of()
    off = api.call("PUT", "/api/v1/me/consents/photos", body={"granted": False})
    assert off.status_code == 200
    assert off.get_json() == {"purpose": "photos", "granted": False, "changed": True}
    again = api.call("PUT", "/api/v1/me/consents/photos", body={"granted": False})
    assert again.get_json()["changed"] is False  # nothing recorded twice
    body = api.call("GET", "/api/v1/me/consents").get_json()
    assert body["consents"]["photos"] is False
    newest = body["history"][0]
    assert (newest["purpose"], newest["granted"], newest["channel"]) == ("photos", False, "api")
    on = api.call("PUT", "/api/v1/me/consents/leaderboard", body={"granted": True})
    assert on.get_json()["changed"] is True
    assert api.call("GET", "/api/v1/me/consents").get_json()["consents"]["leaderboard"] is True


def test_one_residents_consents_are_not_anothers(api_of):
    first, second = api_of(), api_of()
    first.call("PUT", "/api/v1/me/consents/chat", body={"granted": False})
    assert second.call("GET", "/api/v1/me/consents").get_json()["consents"]["chat"] is True


def test_the_notice_cannot_be_withdrawn_and_unknown_purposes_are_refused(api_of):
    api = api_of(locale="en")
    notice = api.call("PUT", "/api/v1/me/consents/notice", body={"granted": False})
    assert notice.status_code == 400
    assert error_of(notice)["code"] == "notice_cannot_be_withdrawn"
    assert "delete your account" in error_of(notice)["message"]
    unknown = api.call("PUT", "/api/v1/me/consents/marketing", body={"granted": True})
    assert unknown.status_code == 400
    assert error_of(unknown)["code"] == "unexpected_input"


@pytest.mark.parametrize("body", [{}, {"granted": "yes"}, {"granted": 1}, {"granted": True, "x": 1}])
def test_bad_bodies_are_400_naming_the_field(api_of, body):
    answer = api_of().call("PUT", "/api/v1/me/consents/photos", body=body)
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "invalid_request"


def test_consents_need_a_token_and_are_documented(api_of):
    api = api_of()
    assert api.call("GET", "/api/v1/me/consents", token=None).status_code == 401
    paths = api.doc["paths"]
    assert "put" in paths["/api/v1/me/consents/{purpose}"]
    assert "get" in paths["/api/v1/me/consents"]
