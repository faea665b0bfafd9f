"""Migrations are the only way the schema is made, and they match the models on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlmodel import SQLModel

from carbon_credit.platform.database import alembic_config, current_revision, migrate, read_session
from carbon_credit.residents.models import District


def test_database_is_at_head_with_the_seven_xiaogan_districts(engine):
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert current_revision(engine) == head
    with read_session(engine) as session:
        names = set(session.execute(select(District.name_zh)).scalars())
    assert names == {"孝南区", "汉川市", "应城市", "安陆市", "云梦县", "大悟县", "孝昌县"}


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(engine):
    from alembic import command

    command.downgrade(alembic_config(engine), "base")
    assert current_revision(engine) is None
    migrate(engine)
    with read_session(engine) as session:
        assert len(session.execute(select(District)).all()) == 7


def test_the_points_integrity_revisions_go_down_and_up_again_with_data(engine, settings):
    """With residents, accounts, activities, vouchers and stops in place (the demo data), the revisions of
    the points-integrity issue (evidence levels, debt, account security) go down to 0007 and up again with
    every balance and entry kept and no foreign key broken: on SQLite a table copy of a referenced table
    would fail here."""
    from alembic import command
    from sqlalchemy import func, text

    from carbon_credit.demo import seed_demo
    from carbon_credit.ledger import Account, LedgerEntry
    from carbon_credit.platform.database import session_scope

    with session_scope(engine) as session:
        seed_demo(session=session, settings=settings)

    def totals():
        with read_session(engine) as session:
            balances = session.execute(select(func.sum(Account.balance), func.count(Account.id))).one()
            entries = session.execute(select(func.sum(LedgerEntry.points), func.count(LedgerEntry.id))).one()
            return tuple(balances), tuple(entries)

    before = totals()
    assert before[0][0] > 0
    command.downgrade(alembic_config(engine), "0007")
    migrate(engine)
    assert totals() == before
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []


def test_the_last_use_is_filled_from_the_latest_of_creation_activities_tokens_and_chats(
    engine, settings, make_resident
):
    """Revision 0012 gives every account the latest of its creation, its recorded activities, its tokens'
    use and its chat sessions, so nobody who used the platform counts as unused from the upgrade on."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import update

    from carbon_credit.activities import Activity, ActivityInput, record_activity
    from carbon_credit.chat import ChatSession
    from carbon_credit.platform.database import session_scope
    from carbon_credit.residents import ApiToken, Resident, create_token

    def moment(year: int, month: int) -> datetime:
        return datetime(year, month, 1, 8, 30, tzinfo=UTC)

    walker, chatter, newcomer = make_resident(), make_resident(), make_resident()
    with session_scope(engine) as session:
        for who in (walker, newcomer):
            item = ActivityInput(who, "walking", {"steps": 9000}, "web", f"walk-{who}")
            record_activity(session=session, settings=settings, item=item)
        token, _ = create_token(session=session, resident_id=chatter, name="脚本")
        session.add(ChatSession(channel="web", external_id=str(chatter), resident_id=chatter))
        session.flush()
        made = {walker: moment(2020, 1), chatter: moment(2020, 1), newcomer: moment(2023, 5)}
        for who, when in made.items():
            session.execute(update(Resident).where(Resident.id == who).values(created_at=when))
        for who, when in ((walker, moment(2021, 6)), (newcomer, moment(2022, 2))):
            session.execute(update(Activity).where(Activity.resident_id == who).values(created_at=when))
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=moment(2022, 3)))
        chats = update(ChatSession).where(ChatSession.resident_id == chatter)
        session.execute(chats.values(updated_at=moment(2021, 1)))

    command.downgrade(alembic_config(engine), "0011")
    migrate(engine)

    with read_session(engine) as session:
        found = dict(session.execute(select(Resident.id, Resident.last_active_at)).all())
        notices = set(session.execute(select(Resident.inactivity_notice_at)).scalars())
    expected = {walker: moment(2021, 6), chatter: moment(2022, 3), newcomer: moment(2023, 5)}
    assert found == expected and notices == {None}
