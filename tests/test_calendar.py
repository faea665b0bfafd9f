"""The domain's tests pass whatever the calendar says: run again (in a child pytest, on SQLite) with the
platform clock moved to New Year's Eve half an hour before midnight, to a leap day, and to a Monday at
00:00 in Beijing, where day, week, month and year boundaries meet caps, claim windows and statistics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = os.environ.get("TEST_DATABASES", "sqlite,postgresql")
MOMENTS = {
    "new-years-eve": "2026-12-31T23:30:00+08:00",
    "leap-day": "2028-02-29T00:00:00+08:00",
    "monday-midnight": "2027-01-04T00:00:00+08:00",
}


@pytest.fixture(scope="module")
def children(tmp_path_factory):
    """The three child runs, started together: the parent only waits, so they share both cores."""
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "tests/carbon_credit"]
    command += ["--ignore", "tests/carbon_credit/test_demo.py"]  # it moves its own clock to these edges
    started = {}
    for name, moment in MOMENTS.items():
        env = {**os.environ, "TEST_CLOCK_START": moment, "TEST_DATABASES": "sqlite"}
        output = (tmp_path_factory.mktemp("calendar") / f"{name}.log").open("w+")
        started[moment] = (subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output), output)
    yield started
    for child, output in started.values():
        if child.poll() is None:
            child.kill()
        output.close()


@pytest.mark.skipif("sqlite" not in BACKENDS, reason="runs once per suite, in the SQLite pass")
@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_the_domain_tests_pass_at_calendar_edges(children, moment):
    child, output = children[moment]
    returncode = child.wait(timeout=900)
    output.seek(0)
    text = output.read()
    assert returncode == 0, text[-6000:]
    assert " passed" in text.strip().splitlines()[-1]
