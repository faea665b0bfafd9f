"""Withdrawing a consent takes effect at once (PIPL Art. 15): turning ``card`` off unlinks the transit card in
the same transaction, so the next operator file credits nobody with it, and an administrator can no longer
approve a card claim waiting from before; turning ``chat`` off unlinks the Telegram account and ends its
dialogue. One check (``residents.require_consent``) refuses every purpose with its own message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import chat, ledger, residents, transit
from carbon_credit.chat import ChatSession, Incoming
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate
from carbon_credit.platform.models import AuditEntry
from carbon_credit.residents import Resident
from tests.carbon_credit.test_card_claims import build_line

CARD = "31040000000088"
TG = 4343
HEADER = "card_number,boarding_stop,alighting_stop,boarding_time,alighting_time"
T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)


def switch(engine, resident: int, purpose: str, granted: bool, channel: str = "web"):
    with session_scope(engine) as session:
        return residents.set_consent(
            session=session, resident_id=resident, purpose=purpose, granted=granted, channel=channel
        )


def row(engine, resident: int) -> Resident:
    with read_session(engine) as session:
        found = session.get(Resident, resident)
        session.expunge(found)
        return found


def balance(engine, resident: int) -> int:
    with read_session(engine) as session:
        return ledger.balance(
            session=session, account_id=ledger.account_id_for(session=session, resident_id=resident)
        )


def local(moment) -> str:
    return moment.astimezone(clock.BEIJING).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def operator(engine, settings, tmp_path, make_resident):
    """Bus route A -> B (3 km); ``operator(*boarding times)`` imports the operator's trips on CARD."""
    with session_scope(engine) as session:
        build_line(session)
    admin = make_resident(role="admin")
    config = settings.with_overrides(upload_folder=str(tmp_path / "uploads"))
    keys = iter(range(10**6))

    def upload(*starts):
        lines = [f"{CARD},A,B,{local(s)},{local(s + timedelta(minutes=15))}" for s in starts]
        data = ("\n".join([HEADER, *lines]) + "\n").encode()
        with session_scope(engine) as session:
            batch, _ = transit.create_batch(
                session=session,
                settings=config,
                actor_id=admin,
                filename=f"trips{next(keys)}.csv",
                data=data,
                idempotency_key=f"upload-{next(keys)}",
            )
        return transit.process_batch(engine=engine, settings=config, batch_id=batch.id, now=clock.now())

    upload.admin = admin
    return upload


# ---- card -------------------------------------------------------------------------------------------------


def test_withdrawing_card_unlinks_it_and_the_next_operator_file_credits_nobody(
    engine, settings, operator, make_resident
):
    resident = make_resident()
    with session_scope(engine) as session:
        transit.link_card(session=session, resident_id=resident, card=CARD)
    assert operator(clock.now() - timedelta(hours=3)).credited == 1  # linked: the trip is theirs
    earned = balance(engine, resident)
    assert earned > 0
    assert switch(engine, resident, "card", False) is not None
    unlinked = row(engine, resident)
    assert (unlinked.transit_card, unlinked.transit_card_since) == (None, None)
    later = operator(clock.now() - timedelta(hours=2))
    assert later.credited == 0 and balance(engine, resident) == earned
    with read_session(engine) as session:
        assert transit.card_holder(session=session, card=CARD) is None
    with pytest.raises(DomainError) as refused, session_scope(engine) as session:
        transit.claim_card(session=session, settings=settings, resident_id=resident, card=CARD)
    assert refused.value.code == "card_consent_required"


def test_the_card_stays_linked_when_the_withdrawal_is_not_committed(engine, make_resident):
    resident = make_resident()
    with session_scope(engine) as session:
        transit.link_card(session=session, resident_id=resident, card=CARD)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        residents.set_consent(
            session=session, resident_id=resident, purpose="card", granted=False, channel="web"
        )
        raise RuntimeError("the request failed after the withdrawal")
    assert row(engine, resident).transit_card == CARD
    with read_session(engine) as session:
        assert residents.has_consent(session=session, resident_id=resident, purpose="card")


def decide(engine, admin: int, claim_id: int, approve: bool, key: str):
    with session_scope(engine) as session:
        return transit.decide_card_claim(
            session=session, actor_id=admin, claim_id=claim_id, approve=approve, idempotency_key=key
        )


def waiting(engine) -> list:
    with read_session(engine) as session:
        return transit.card_claims_waiting(session=session)


def audits(engine) -> int:
    with read_session(engine) as session:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "card_claim.decide")
        return session.execute(query).scalar_one()


def test_approving_a_claim_after_the_claimant_withdrew_card_is_refused_and_changes_nothing(
    engine, settings, make_resident
):
    owner, claimant, admin = make_resident(), make_resident(), make_resident(role="admin")
    with session_scope(engine) as session:
        transit.link_card(session=session, resident_id=owner, card=CARD)
        outcome = transit.claim_card(session=session, settings=settings, resident_id=claimant, card=CARD)
    assert outcome.status == "review"
    (claim,) = waiting(engine)
    switch(engine, claimant, "card", False)
    with pytest.raises(DomainError) as refused:
        decide(engine, admin, claim.id, True, "approve-1")
    assert refused.value.code == "card_claim_consent_withdrawn"
    assert "公交卡" in translate(refused.value.code, "zh_Hans") and "reject" in translate(
        refused.value.code, "en"
    )
    assert row(engine, owner).transit_card == CARD and row(engine, claimant).transit_card is None
    assert [c.id for c in waiting(engine)] == [claim.id] and audits(engine) == 0
    decide(engine, admin, claim.id, False, "reject-1")  # rejecting still works
    assert waiting(engine) == [] and row(engine, owner).transit_card == CARD and audits(engine) == 1


def test_a_claim_approved_after_consent_is_given_again_moves_the_card(engine, settings, make_resident):
    claimant, admin = make_resident(), make_resident(role="admin")
    with session_scope(engine) as session:
        transit.claim_card(session=session, settings=settings, resident_id=claimant, card=CARD)
    (claim,) = waiting(engine)
    switch(engine, claimant, "card", False)
    switch(engine, claimant, "card", True)
    decide(engine, admin, claim.id, True, "approve-2")
    assert row(engine, claimant).transit_card == CARD


# ---- chat -------------------------------------------------------------------------------------------------


def say(engine, settings, text: str, key: str):
    incoming = Incoming("telegram", str(TG), text=text, update_key=key)
    with session_scope(engine) as session:
        return "\n".join(
            r.text for r in chat.handle(session=session, settings=settings, incoming=incoming, now=T0)
        )


def test_withdrawing_chat_unlinks_telegram_and_ends_its_dialogue(engine, settings, make_resident):
    resident = make_resident(display_name="小周")
    with session_scope(engine) as session:
        code = chat.create_link_code(session=session, resident_id=resident, now=T0).code
    assert "小周" in say(engine, settings, f"/start link_{code}", "u1")
    assert "积分" in say(engine, settings, "今天走了6000步", "u2")  # a preview waits for Confirm
    switch(engine, resident, "chat", False)
    assert row(engine, resident).telegram_id is None
    answer = say(engine, settings, "确认", "u3")  # the Confirm of the old dialogue does nothing
    assert "绑定" in answer and "已记录" not in answer
    with read_session(engine) as session:
        session_row = session.execute(
            select(ChatSession).where(ChatSession.external_id == str(TG))
        ).scalar_one()
        assert session_row.resident_id is None and session_row.state == "idle"
        assert "pending" not in session_row.data and "小周" not in str(session_row.data)
        assert chat.linked_telegram_id(session=session, resident_id=resident) is None


# ---- the one check ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", residents.SWITCHES)
def test_require_consent_refuses_each_purpose_with_its_own_message_until_it_is_given(
    engine, make_resident, purpose
):
    resident = make_resident(consents=False)
    with read_session(engine) as session, pytest.raises(DomainError) as refused:
        residents.require_consent(session=session, resident_id=resident, purpose=purpose)
    for locale in ("zh_Hans", "en"):
        said = translate(refused.value.code, locale)
        assert said != refused.value.code and "/account/privacy" in said
    switch(engine, resident, purpose, True)
    with read_session(engine) as session:
        residents.require_consent(session=session, resident_id=resident, purpose=purpose)  # no refusal
