"""Opening a resident's full record (PIPL, staff access): only an administrator, only with a reason; each
opening is one audit entry with its reason (a resubmitted page is the same opening); the resident's list of
staff access names the staff member (never their contact), says what they did in plain words and why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from carbon_credit import privacy, residents
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, IdempotencyConflict, NotFound
from carbon_credit.platform.models import AuditEntry
from carbon_credit.residents import Resident

PHONE, EMAIL, CARD = "13800138000", "wang@example.cn", "XG-0001-2345"
REASON = "核实居民来电投诉：积分未到账"


@pytest.fixture
def people(engine, make_resident) -> dict[str, int]:
    """王小明 with a mobile number, an e-mail address, a transit card and a Telegram link; 管理员甲 (with an
    e-mail address of their own); a merchant; a second, locked administrator."""
    ids = {
        "resident": make_resident(display_name="王小明", phone=PHONE, email=EMAIL, locale="zh_Hans"),
        "admin": make_resident(display_name="管理员甲", email="jia@city.example", role="admin"),
        "merchant": make_resident(display_name="茶饮店", role="merchant"),
        "locked_admin": make_resident(display_name="管理员乙", role="admin"),
    }
    with session_scope(engine) as session:
        session.execute(
            update(Resident)
            .where(Resident.id == ids["resident"])
            .values(transit_card=CARD, telegram_id=987654321)
        )
        session.execute(update(Resident).where(Resident.id == ids["locked_admin"]).values(is_active=False))
    return ids


def open_record(engine, actor: int, resident: int, reason: str | None = REASON, key: str = "k1"):
    with session_scope(engine) as session:
        return residents.open_full_record(
            session=session, actor_id=actor, resident_id=resident, reason=reason, idempotency_key=key
        )


def openings(engine, resident: int) -> list[dict]:
    with read_session(engine) as session:
        rows = session.execute(
            select(AuditEntry.actor_id, AuditEntry.after)
            .where(AuditEntry.action == "resident.record_opened", AuditEntry.target_id == resident)
            .order_by(AuditEntry.id)
        )
        return [{"actor_id": actor, **after} for actor, after in rows]


def test_an_administrator_sees_every_contact_and_the_opening_is_logged_with_its_reason(engine, people):
    record = open_record(engine, people["admin"], people["resident"], f"  {REASON}  ")
    assert (record.phone, record.email, record.transit_card) == (PHONE, EMAIL, CARD)
    assert record.telegram_linked and record.display_name == "王小明" and record.district_zh == "孝南区"
    logged = openings(engine, people["resident"])
    assert len(logged) == 1
    assert logged[0]["actor_id"] == people["admin"] and logged[0]["reason"] == REASON  # trimmed
    assert PHONE not in str(logged) and EMAIL not in str(logged)  # the entry names fields, not values


def test_a_resubmitted_opening_shows_the_record_again_without_a_second_entry(engine, people):
    first = open_record(engine, people["admin"], people["resident"], key="same")
    again = open_record(engine, people["admin"], people["resident"], key="same")
    assert again == first and len(openings(engine, people["resident"])) == 1
    with pytest.raises(IdempotencyConflict):
        open_record(engine, people["admin"], people["resident"], "另一个原因", key="same")
    open_record(engine, people["admin"], people["resident"], "再次核实", key="new")
    assert [e["reason"] for e in openings(engine, people["resident"])] == [REASON, "再次核实"]


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        (None, "record_reason_required"),
        ("", "record_reason_required"),
        ("   \n ", "record_reason_required"),
        ("查" * 256, "record_reason_too_long"),
        ("核实\x00投诉", "text_control_characters"),
    ],
)
def test_an_opening_without_a_fit_reason_is_refused_and_nothing_is_logged(engine, people, reason, code):
    with pytest.raises(DomainError) as refused:
        open_record(engine, people["admin"], people["resident"], reason)
    assert refused.value.code == code
    assert openings(engine, people["resident"]) == []
    with read_session(engine) as session:
        assert session.execute(select(func.count(AuditEntry.id))).scalar_one() == 0


@pytest.mark.parametrize("actor", ["resident", "merchant", "locked_admin"])
def test_only_an_active_administrator_may_open_a_record(engine, people, actor):
    with pytest.raises(DomainError) as refused:
        open_record(engine, people[actor], people["resident"])
    assert refused.value.code == "record_access_admin_only"
    assert openings(engine, people["resident"]) == []


def test_an_unknown_resident_is_not_found_and_nothing_is_logged(engine, people):
    with pytest.raises(NotFound):
        open_record(engine, people["admin"], 999_999)
    assert openings(engine, 999_999) == []


def test_the_resident_sees_who_looked_what_they_did_and_why(engine, settings, people):
    open_record(engine, people["admin"], people["resident"])
    with session_scope(engine) as session:
        residents.set_active(
            session=session,
            actor_id=people["admin"],
            resident_id=people["resident"],
            active=False,
            reason="冒用他人公交卡",
            idempotency_key="lock",
        )
        residents.update_profile(
            session=session, settings=settings, resident_id=people["resident"], display_name="王小明明"
        )  # the resident's own change: in their export, not among staff actions
    with read_session(engine) as session:
        seen = privacy.staff_access(session=session, resident_id=people["resident"])
        english = privacy.staff_access(session=session, resident_id=people["resident"], locale="en")
        theirs = privacy.staff_access(session=session, resident_id=people["merchant"])
    assert [(e["staff_name"], e["what"], e["reason"]) for e in seen] == [
        ("管理员甲", "锁定了你的账号", "冒用他人公交卡"),
        ("管理员甲", "查看了你的完整个人信息（手机号、邮箱、公交卡号）", REASON),
    ]
    assert seen[1]["action"] == "resident.record_opened" and seen[1]["actor_id"] == people["admin"]
    assert english[0]["what"] == "locked your account"
    assert english[1]["what"].startswith("opened your full record")
    assert "jia@city.example" not in str(seen)  # the staff member by name, never by contact
    assert theirs == []
