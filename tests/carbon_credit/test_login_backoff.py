"""Per-account login back-off: after five failures for one login, it waits a doubling delay whatever the
address, with the same answer whether or not an account has that login; in memory, or shared through Redis
when REDIS_URL is set. Passwords that are short or easy to guess are refused with a reason."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from carbon_credit import residents
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from carbon_credit.residents.attempts import RedisStore

REDIS = "redis://127.0.0.1:6379/0"
PASSWORD = "correct-horse-9"


def _redis_store() -> RedisStore:
    store = RedisStore(REDIS, prefix=f"test:{uuid.uuid4().hex}:")
    try:
        store._redis.ping()
    except Exception:  # noqa: BLE001 - any connection failure: no Redis here
        pytest.skip("no Redis on 127.0.0.1:6379")
    return store


@pytest.fixture(params=["memory", "redis"])
def attempts(request, settings, monkeypatch):
    monkeypatch.setattr(clock, "_offset", clock._offset)  # tests move the clock; put it back afterwards
    if request.param == "memory":
        yield residents.LoginAttempts(settings)
        return
    store = _redis_store()
    yield residents.LoginAttempts(settings.with_overrides(redis_url=REDIS), store=store)
    keys = store._redis.keys(store.prefix + "*")
    if keys:
        store._redis.delete(*keys)


def sign_in(engine, settings, attempts, login, password) -> str:
    """ "ok" or the refusal's code."""
    try:
        with read_session(engine) as session:
            residents.authenticate(
                session=session, settings=settings, login=login, password=password, attempts=attempts
            )
    except DomainError as refused:
        return refused.code
    return "ok"


def test_failures_lock_a_login_for_a_doubling_delay(engine, settings, make_resident, attempts):
    make_resident(email="wang@example.cn", password=PASSWORD)
    tries = [sign_in(engine, settings, attempts, "wang@example.cn", "wrong-password") for _ in range(5)]
    assert tries == ["bad_credentials"] * 5
    # Locked for a minute: even the right password is refused, from any address.
    assert sign_in(engine, settings, attempts, "Wang@Example.cn", PASSWORD) == "login_backoff"
    clock.running_from(clock.now() + timedelta(seconds=61))
    assert sign_in(engine, settings, attempts, "wang@example.cn", "wrong-password") == "bad_credentials"
    clock.running_from(clock.now() + timedelta(seconds=61))  # the sixth failure locked it for two minutes
    assert sign_in(engine, settings, attempts, "wang@example.cn", PASSWORD) == "login_backoff"
    clock.running_from(clock.now() + timedelta(seconds=60))
    assert sign_in(engine, settings, attempts, "wang@example.cn", PASSWORD) == "ok"
    assert sign_in(engine, settings, attempts, "wang@example.cn", "wrong-password") == "bad_credentials"
    assert sign_in(engine, settings, attempts, "wang@example.cn", PASSWORD) == "ok"  # the count restarted


def test_an_unknown_login_is_locked_with_the_same_words(engine, settings, make_resident, attempts):
    make_resident(phone="13800138000", password=PASSWORD)
    answers = []
    for login in ("13800138000", "13900139000"):  # an account, and no account
        for _ in range(5):
            sign_in(engine, settings, attempts, login, "wrong-password")
        try:
            attempts.check(login)
        except DomainError as refused:
            answers.append((message(refused, "zh_Hans"), message(refused, "en")))
    assert len(answers) == 2 and answers[0] == answers[1]
    assert "登录失败次数过多" in answers[0][0] and "Too many failed attempts" in answers[0][1]


@pytest.mark.parametrize("password", ["12345678", "password123", "qwertyuiop", "13800138000"])
def test_easy_passwords_are_refused_with_a_reason(engine, settings, make_resident, password):
    with pytest.raises(DomainError) as refused:
        make_resident(phone="13800138000", password=password)
    assert refused.value.code == "easy_password"
    assert "12345678" in message(refused.value, "zh_Hans") and "easy to guess" in message(refused.value, "en")


@pytest.mark.parametrize("password", ["correct-horse-9", "demo-pass-2026", "new-password-1"])
def test_passwords_the_demo_and_the_tests_use_still_pass(engine, make_resident, password):
    assert make_resident(password=password) > 0
