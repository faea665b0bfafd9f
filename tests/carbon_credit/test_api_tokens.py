"""Personal API tokens: stored hashed, shown once, revocable only by their owner, refused once revoked."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.residents import ApiToken, Resident
from carbon_credit.residents import tokens as api_tokens


def create(engine, resident_id: int, name: str = "my script") -> tuple[int, str]:
    with session_scope(engine) as session:
        token, plaintext = api_tokens.create_token(session=session, resident_id=resident_id, name=name)
        return token.id, plaintext


def authenticate(engine, plaintext: str) -> int:
    """As the API does: read the owner, then record the use when it is due."""
    with read_session(engine) as session:
        owner = api_tokens.owner_of_token(session=session, token=plaintext)
    if owner.use_is_stale():
        with session_scope(engine) as session:
            api_tokens.record_use(session=session, token_id=owner.token_id)
    return owner.id


def test_the_plaintext_is_never_stored_only_its_hash(engine, make_resident):
    resident = make_resident()
    token_id, plaintext = create(engine, resident)
    assert plaintext.startswith("cc_") and len(plaintext) >= 40
    with engine.connect() as conn:
        rows = [tuple(map(str, row)) for row in conn.execute(text("SELECT * FROM api_tokens"))]
    assert rows and not any(plaintext in value for row in rows for value in row)
    with read_session(engine) as session:
        stored = session.get(ApiToken, token_id)
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert stored.prefix == plaintext[:11] and plaintext.startswith(stored.prefix)
    assert stored.revoked_at is None and stored.last_used_at is None


def test_each_token_is_different(engine, make_resident):
    resident = make_resident()
    assert create(engine, resident)[1] != create(engine, resident)[1]


def test_a_token_authenticates_its_owner_and_records_use_at_most_once_a_minute(engine, make_resident):
    resident = make_resident()
    token_id, plaintext = create(engine, resident)
    assert authenticate(engine, plaintext) == resident
    with read_session(engine) as session:
        first = session.get(ApiToken, token_id).last_used_at
    assert first is not None
    authenticate(engine, plaintext)
    with read_session(engine) as session:
        assert session.get(ApiToken, token_id).last_used_at == first
    with session_scope(engine) as session:  # a minute later it is written again
        session.execute(update(ApiToken).values(last_used_at=first - timedelta(minutes=2)))
    authenticate(engine, plaintext)
    with read_session(engine) as session:
        assert session.get(ApiToken, token_id).last_used_at > first - timedelta(minutes=2)


def test_a_writes_token_check_records_the_due_use_in_its_transaction(engine, make_resident):
    """A write's check (``record_use``): on PostgreSQL its own statement writes the due use, once a minute,
    and the write's rollback takes it back (the API then records it on its own); SQLite's check only reads."""
    resident = make_resident()
    token_id, plaintext = create(engine, resident)
    postgresql = engine.dialect.name == "postgresql"

    def check() -> api_tokens.TokenOwner:
        with session_scope(engine) as session:
            return api_tokens.owner_of_token(session=session, token=plaintext, record_use=True)

    def last_used():
        with read_session(engine) as session:
            return session.get(ApiToken, token_id).last_used_at

    first = check()
    assert first.id == resident and first.last_used_at is None and first.use_is_stale()
    assert first.use_recorded is postgresql and (last_used() is not None) is postgresql
    if not postgresql:
        return
    assert check().use_recorded is False  # not due again within the minute
    with session_scope(engine) as session:
        session.execute(update(ApiToken).values(last_used_at=last_used() - timedelta(minutes=2)))
    stale = last_used()
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        assert api_tokens.owner_of_token(session=session, token=plaintext, record_use=True).use_recorded
        raise RuntimeError("the write was refused")
    assert last_used() == stale
    assert check().use_recorded and last_used() > stale


@pytest.mark.parametrize("bad", ["", "cc_", "cc_not-a-real-token", "Bearer cc_x", "x" * 500, "令牌"])
def test_unknown_tokens_are_refused(engine, make_resident, bad):
    create(engine, make_resident())
    with pytest.raises(DomainError) as refused:
        authenticate(engine, bad)
    assert refused.value.code == "invalid_token"


def test_a_revoked_token_is_refused(engine, make_resident):
    resident = make_resident()
    token_id, plaintext = create(engine, resident)
    with session_scope(engine) as session:
        api_tokens.revoke_token(session=session, resident_id=resident, token_id=token_id)
    with pytest.raises(DomainError, match="invalid_token"):
        authenticate(engine, plaintext)
    with session_scope(engine) as session:  # revoking twice is harmless
        api_tokens.revoke_token(session=session, resident_id=resident, token_id=token_id)
        assert api_tokens.tokens_of(session=session, resident_id=resident)[0].revoked_at is not None


def test_a_deactivated_residents_tokens_are_refused(engine, make_resident):
    resident = make_resident()
    _, plaintext = create(engine, resident)
    with session_scope(engine) as session:
        session.execute(update(Resident).where(Resident.id == resident).values(is_active=False))
    with pytest.raises(DomainError, match="invalid_token"):
        authenticate(engine, plaintext)


def test_another_resident_cannot_revoke_a_token(engine, make_resident):
    owner, other = make_resident(), make_resident()
    token_id, plaintext = create(engine, owner)
    with pytest.raises(NotFound) as refused, session_scope(engine) as session:
        api_tokens.revoke_token(session=session, resident_id=other, token_id=token_id)
    assert refused.value.code == "token_not_found"
    assert authenticate(engine, plaintext) == owner
    with pytest.raises(NotFound), session_scope(engine) as session:
        api_tokens.revoke_token(session=session, resident_id=owner, token_id=token_id + 1000)


def test_tokens_are_listed_newest_first_with_revoked_ones(engine, make_resident):
    resident, other = make_resident(), make_resident()
    first, _ = create(engine, resident, "first")
    create(engine, resident, "second")
    create(engine, other, "someone else's")
    with session_scope(engine) as session:
        api_tokens.revoke_token(session=session, resident_id=resident, token_id=first)
        listed = api_tokens.tokens_of(session=session, resident_id=resident)
    assert [t.name for t in listed] == ["second", "first"]
    assert listed[1].revoked_at is not None and listed[0].revoked_at is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "tab\there", "bell\x07"])
def test_a_token_needs_a_sensible_name(engine, make_resident, name):
    resident = make_resident()
    with pytest.raises(DomainError) as refused, session_scope(engine) as session:
        api_tokens.create_token(session=session, resident_id=resident, name=name)
    assert refused.value.code == "invalid_token_name"


def test_active_tokens_are_limited_but_revoking_frees_a_place(engine, make_resident):
    resident = make_resident()
    ids = [create(engine, resident, f"t{n}")[0] for n in range(api_tokens.MAX_ACTIVE_TOKENS)]
    with pytest.raises(DomainError, match="too_many_tokens"):
        create(engine, resident)
    with session_scope(engine) as session:
        api_tokens.revoke_token(session=session, resident_id=resident, token_id=ids[0])
    create(engine, resident, "one more")
    with read_session(engine) as session:
        count = len(session.execute(select(ApiToken).where(ApiToken.resident_id == resident)).all())
    assert count == api_tokens.MAX_ACTIVE_TOKENS + 1
