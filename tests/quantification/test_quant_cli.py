"""python -m quantification, run as a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "quantification", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_list():
    done = run("--list")
    assert done.returncode == 0, done.stderr
    for expected in (
        "green-travel 1.0 [V]",
        "AR-CM-001 V01",
        "recycling-textiles-bir 2008",
        "mee-grid-factor 2024",
        "碳汇造林项目方法学",
        "Household recycling",
        "DB11/T 3043—2024",
        "TO CONFIRM",
    ):
        assert expected in done.stdout


def test_quantify_with_audit_trail():
    done = run("recycling", "material=pet", "kg=2")
    assert done.returncode == 0, done.stderr
    assert "recycling-warm 1.0" in done.stdout
    assert "pet = -1.04 MTCO2E/short ton [S]" in done.stdout
    assert "pet_per_kg" in done.stdout and "[D]" in done.stdout
    assert "US EPA" in done.stdout
    assert "grams:       2293 g CO2e" in done.stdout


def test_json_and_legs():
    done = run("transit", "legs=bus:5,metro:12", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["grams"] == 695  # 5 × 26.9 + 12 × 46.7 = 694.9
    assert data["inputs"] == {"legs": [{"mode": "bus", "km": "5"}, {"mode": "metro", "km": "12"}]}


def test_bad_input_exits_2():
    done = run("transit", "mode=bus", "km=2000")
    assert done.returncode == 2
    assert "implausible" in done.stderr and done.stdout == ""
    assert run("walking", "steps").returncode == 2
    assert run("cycling", "km=1").returncode == 2


def test_choices():
    done = run("--choices", "recycling")
    assert done.returncode == 0
    assert "aluminium_cans\t铝罐\tAluminium cans" in done.stdout
