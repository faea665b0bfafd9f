"""An account deletion in a process SIGKILLed half-way leaves the account either whole or fully deleted, never
in between; run again, the deletion completes.

The deleting process is a child of the test (``python -c`` calling :func:`child` below) with a resident who
has activities, a photo, a voucher, a transit card and a Telegram link (the world of
tests/carbon_credit/test_account_deletion.py). Kill points, installed in the child only:

- ``mid``: at ``DELETE FROM chat_sessions``, after the vouchers were cancelled and the photos and cards
  erased (written, not committed): the transaction dies with the process, the account must be whole;
- ``commit``: right after the COMMIT, before the process removes the photo files: the account must be
  deleted; the photo file it had no time to remove goes with the daily retention's sweep of orphan files.

The child writes a marker file (the statements it ran) and blocks; the test waits for the marker and kills
it with SIGKILL, as a worker killed by the OOM killer or a restart would die.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from carbon_credit import ledger, privacy, residents
from carbon_credit.activities import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.rewards import Voucher
from tests.carbon_credit.test_account_deletion import (
    CARD,
    EMAIL,
    NAME,
    PASSWORD,
    PHONE,
    TELEGRAM,
    assert_whole,
    build_world,
    delete_own_account,
    traces,
)

ROOT = Path(__file__).resolve().parents[2]
MID_STATEMENT = "DELETE FROM CHAT_SESSIONS"
FIRST_WRITES = ("UPDATE VOUCHERS", "UPDATE ACTIVITIES", "DELETE FROM CARD_CLAIMS")  # before the kill at mid
WAIT_S = 60


@pytest.fixture
def config(settings, tmp_path):
    return settings.with_overrides(upload_folder=str(tmp_path / "uploads"))


def child() -> None:
    """In the child process: delete the account (argv: settings pickle, resident id, marker file, kill
    point); at the kill point write the marker and block until killed."""
    settings_file, resident_id, marker, phase = sys.argv[1:5]
    config = pickle.loads(Path(settings_file).read_bytes())
    ran: list[str] = []

    def block() -> None:
        Path(f"{marker}.tmp").write_text("\n".join(ran), encoding="utf-8")
        os.replace(f"{marker}.tmp", marker)
        time.sleep(WAIT_S)  # the test kills us here
        os._exit(3)

    def statement(_conn, _cursor, text, *_args) -> None:
        ran.append(" ".join(text.split()).upper())
        if phase == "mid" and ran[-1].startswith(MID_STATEMENT):
            block()

    def committed(session) -> None:
        if phase == "commit" and not session.in_nested_transaction():  # a released SAVEPOINT fires too
            block()

    from sqlalchemy import Engine, event
    from sqlalchemy.orm import Session

    from carbon_credit.platform.database import make_engine

    event.listen(Engine, "after_cursor_execute", statement)
    event.listen(Session, "after_commit", committed)  # before the deletion's own (the photo files)
    delete_own_account(make_engine(config.database_url), config, int(resident_id))
    os._exit(4)  # the kill point was never reached


def killed_deletion(config, tmp_path: Path, resident_id: int, phase: str) -> list[str]:
    """Start the child, wait for its marker, SIGKILL it; returns the statements it had run."""
    settings_file, marker, log = (
        tmp_path / "settings.pickle",
        tmp_path / f"{phase}.marker",
        tmp_path / "child.log",
    )
    settings_file.write_bytes(pickle.dumps(config))
    command = "from tests.faults.test_deletion_killed import child; child()"
    args = [sys.executable, "-c", command, str(settings_file), str(resident_id), str(marker), phase]
    with log.open("wb") as output:
        process = subprocess.Popen(args, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + WAIT_S
        while not marker.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the child never reached {phase} (exit {process.poll()}):\n{log.read_text()}")
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL, log.read_text()
    return marker.read_text(encoding="utf-8").splitlines()


def deleted(engine, world, config) -> None:
    """Fully deleted: no trace of the person, the voucher cancelled, the activities kept."""
    assert traces(engine, [PHONE, EMAIL, CARD, str(TELEGRAM), NAME, world["photo"]], [TELEGRAM]) == []
    with read_session(engine) as session:
        me = session.get(residents.Resident, world["me"])
        assert not me.is_active and me.password_hash is None
        assert session.get(Voucher, world["voucher"]).status == "void"
        kept = session.execute(select(Activity.id).where(Activity.resident_id == world["me"])).all()
        assert len(kept) == 3
        assert ledger.discrepancies(session=session) == []


@pytest.mark.parametrize("phase", ["mid", "commit"])
def test_a_deletion_killed_half_way_leaves_the_account_whole_or_deleted(
    engine, config, make_resident, tmp_path, phase
):
    world = build_world(engine, config, make_resident)

    ran = killed_deletion(config, tmp_path, world["me"], phase)

    if phase == "mid":
        assert all(any(s.startswith(write) for s in ran) for write in FIRST_WRITES), ran
        # it signs in, its token, card and Telegram link work, the voucher is unused, the photo is there
        assert_whole(engine, world, config)
        with read_session(engine) as session:
            assert ledger.discrepancies(session=session) == []
        delete_own_account(engine, config, world["me"])  # run again, it completes
    else:
        deleted(engine, world, config)
        with pytest.raises(DomainError, match="account_closed"):
            delete_own_account(engine, config, world["me"])  # run again: nothing left to do
    deleted(engine, world, config)
    with read_session(engine) as session, pytest.raises(DomainError, match="bad_credentials"):
        residents.authenticate(session=session, settings=config, login=PHONE, password=PASSWORD)
    photo = Path(config.upload_folder) / world["photo"]
    if phase == "commit":  # killed before the file's removal: no row names it, the daily sweep removes it
        later = clock.now() + timedelta(days=2)
        with session_scope(engine) as session:
            swept = privacy.apply_retention(session=session, settings=config, now=later)
        assert swept["orphan_photos"] == 1
    assert not photo.exists()
