"""A resident's copy of their data: a section for every table with a resident column, and every other table
named here as holding no one's personal data (both sets built from the models, so a new table fails here
until the export covers it), each section holding all of that resident's rows and none of anyone else's, no
secret, times with their offset, and the same content as an Excel workbook."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import or_, select
from sqlmodel import SQLModel

import carbon_credit.tables  # noqa: F401 - every model, so the expected set is complete
from carbon_credit import chat, privacy, residents
from carbon_credit.demo import seed_demo
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident
from carbon_credit.stops import Stop
from carbon_credit.transit import TapIn

RESIDENT, NEIGHBOUR, ADMIN = (
    "resident@demo.xiaogan.local",
    "yunmeng@demo.xiaogan.local",
    "admin@demo.xiaogan.local",
)


# Tables without a section, and why they hold no one's personal data.
NO_PERSONAL_DATA = {
    "campaigns": "the city's campaigns",
    "daily_rollups": "totals by day, district and behaviour, with no one's id",
    "districts": "reference data",
    "job_runs": "the scheduler's record of its runs",
    "route_stops": "the bus network",
    "routes": "the bus network",
    "stops": "the bus network",
}


def tables_with_a_resident_column() -> set[str]:
    """Built from the models, not from the export: every table with a foreign key to residents.id."""
    return {
        table.name
        for table in SQLModel.metadata.sorted_tables
        if any(fk.target_fullname == "residents.id" for c in table.columns for fk in c.foreign_keys)
    }


@pytest.fixture
def people(engine, settings) -> dict[str, int]:
    """The demo week (activities, vouchers, reviews, a merchant, staff), plus for two residents an API token,
    a web chat, a Telegram link code and a tap-in, and an administrator's lock and unlock of one of them."""
    with session_scope(engine) as session:
        seed_demo(session=session, settings=settings)
        ids = {
            email: session.execute(select(Resident.id).where(Resident.email == email)).scalar_one()
            for email in (RESIDENT, NEIGHBOUR, ADMIN)
        }
    for email in (RESIDENT, NEIGHBOUR):
        rid = ids[email]
        with session_scope(engine) as session:
            residents.create_token(session=session, resident_id=rid, name=f"script of {rid}")
            chat.create_link_code(session=session, resident_id=rid)
            incoming = chat.Incoming(
                "web", str(rid), text="余额", update_key=f"update-of-{rid}", resident_id=rid
            )
            chat.handle(session=session, settings=settings, incoming=incoming)
            stop = session.execute(select(Stop.id).order_by(Stop.id).limit(1)).scalar_one()
            session.add(TapIn(resident_id=rid, stop_id=stop, tapped_in_at=clock.now()))  # consent aside
    for active, key in ((False, "lock"), (True, "unlock")):
        with session_scope(engine) as session:
            residents.set_active(
                session=session, actor_id=ids[ADMIN], resident_id=ids[RESIDENT], active=active,
                idempotency_key=key, reason="核查异常扫码",
            )  # fmt: skip
    return ids


def export(engine, resident_id: int) -> dict:
    with read_session(engine) as session:
        return json.loads("".join(privacy.export_json(session=session, resident_id=resident_id)))


def test_every_table_with_a_resident_column_has_a_section(engine, people):
    document = export(engine, people[RESIDENT])
    tables = {section["table"] for section in document["sections"].values()}
    assert tables_with_a_resident_column() <= tables
    assert {"profile", "staff_access", "ledger_entries", "activities", "vouchers", "tap_ins"} <= set(
        document["sections"]
    )
    for name, section in document["sections"].items():
        assert section["count"] == len(section["rows"]), name


def test_every_table_is_exported_or_holds_no_ones_data():
    exported = {source.table.name for source in privacy.export_sources()}
    assert set(SQLModel.metadata.tables) - exported == set(NO_PERSONAL_DATA)


def test_every_section_is_named_and_explained_in_both_languages():
    for source in privacy.export_sources():
        for locale in ("zh_Hans", "en"):
            assert privacy.section_label(source.name, locale) != source.name, source.name
            assert privacy.section_about(source.name, locale), source.name


def rows_of(table, resident_id: int):
    """The rows a table with resident columns holds for the resident, from its foreign keys alone:
    ``resident_id`` when it has one, else any of them (a merchant's rewards, a staff member's imports)."""
    columns = [c for c in table.columns if any(fk.target_fullname == "residents.id" for fk in c.foreign_keys)]
    owners = [c for c in columns if c.name == "resident_id"] or columns
    return or_(*(column == resident_id for column in owners))


def ids(session, table, where) -> set[tuple]:
    """The primary keys of the rows of ``table`` that ``where`` selects."""
    return {tuple(row) for row in session.execute(select(*table.primary_key.columns).where(where))}


def exported_ids(section: dict, table) -> set[tuple]:
    return {tuple(row[c.name] for c in table.primary_key.columns) for row in section["rows"]}


def test_each_section_holds_all_of_that_residents_rows_and_no_one_elses(engine, people):
    mine, theirs = people[RESIDENT], people[NEIGHBOUR]
    document = export(engine, mine)
    sections, filled = document["sections"], set()
    with read_session(engine) as session:
        for source in privacy.export_sources():
            table = source.table
            exported = exported_ids(sections[source.name], table)
            expected = ids(session, table, source.match(mine))
            if source.name != "staff_access" and table.name in tables_with_a_resident_column():
                assert expected == ids(session, table, rows_of(table, mine)), source.name
            assert exported == expected, source.name
            assert not exported & ids(session, table, source.match(theirs)), source.name
            filled |= {source.name} if exported else set()
        neighbour = session.get(Resident, theirs)
    # the fixture gives the resident rows in these, so the comparisons above are not between empty sets
    assert {"activities", "ledger_entries", "vouchers", "tap_ins", "api_tokens", "chat_sessions"} <= filled
    assert {"link_codes", "idempotency_records", "consent_records", "staff_access", "accounts"} <= filled
    assert sections["profile"]["rows"][0]["email"] == RESIDENT and sections["profile"]["count"] == 1
    text = json.dumps(document, ensure_ascii=False)
    assert neighbour.email not in text and neighbour.display_name not in text
    assert f"update-of-{mine}" in text and f"update-of-{theirs}" not in text  # chat turns, by chat session


def test_the_staff_access_log_shows_who_changed_the_account(engine, people):
    mine = export(engine, people[RESIDENT])["sections"]["staff_access"]["rows"]
    theirs = export(engine, people[NEIGHBOUR])["sections"]["staff_access"]["rows"]
    locks = [row for row in mine if row["target_type"] == "resident"]
    assert [row["actor_id"] for row in locks] == [people[ADMIN]] * 2
    assert (
        locks[0]["after"]["is_active"] is False
        and locks[0]["after"]["reason"] == "核查异常扫码"
        and locks[0]["created_at"].endswith("+08:00")
    )
    assert not [row for row in theirs if row["target_id"] == people[RESIDENT]]
    with read_session(engine) as session:
        latest = privacy.staff_access(session=session, resident_id=people[RESIDENT], limit=1)
    assert latest[0]["actor_id"] == people[ADMIN]


def test_no_secret_is_ever_exported(engine, people):
    document = export(engine, people[RESIDENT])
    with read_session(engine) as session:
        me = session.get(Resident, people[RESIDENT])
        hashes = [t.token_hash for t in residents.tokens_of(session=session, resident_id=me.id)]
    text = json.dumps(document, ensure_ascii=False)
    assert me.password_hash and me.password_hash not in text
    assert hashes and not any(h in text for h in hashes)
    for section in document["sections"].values():
        assert not {"password_hash", "token_hash", "session_version"} & set(section["columns"])
    assert document["sections"]["api_tokens"]["rows"][0]["prefix"].startswith("cc_")
    assert "code" not in document["sections"]["link_codes"]["columns"]


def test_values_are_json_safe_with_offsets(engine, people):
    document = export(engine, people[RESIDENT])
    activity = document["sections"]["activities"]["rows"][0]
    assert activity["created_at"].endswith("+08:00") and activity["local_day"].count("-") == 2
    assert (
        activity["methodology_id"]
        and activity["methodology_version"]
        and isinstance(activity["factors"], list)
    )
    assert document["format"] == privacy.FORMAT and document["resident_id"] == people[RESIDENT]


def test_the_workbook_has_a_sheet_per_section_that_holds_rows_with_the_same_rows(engine, people):
    file = io.BytesIO()
    with read_session(engine) as session:
        written = privacy.export_xlsx(session=session, resident_id=people[RESIDENT], file=file)
        summary = privacy.data_summary(session=session, resident_id=people[RESIDENT])
    workbook = load_workbook(io.BytesIO(file.getvalue()), read_only=True)
    labels = [privacy.section_label(s.name) for s in summary if s.count]
    assert workbook.sheetnames[0] == "个人资料" and "减排记录" in workbook.sheetnames
    assert workbook.sheetnames == labels and len(labels) < len(summary)  # no sheet for an empty section
    activities = workbook[privacy.section_label("activities")]
    rows = list(activities.iter_rows(values_only=True))
    assert "methodology_id" in rows[0] and len(rows) - 1 == written["activities"] > 0
    assert {s.name: s.count for s in summary} == written
