"""The layout's dependency rules hold: checked by import-linter and by a stdlib-only scan."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PACKAGES = ("carbon_credit", "webapp", "bot", "quantification")


def _lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess:
    """import-linter on the tree at ``root`` (not the installed one), all contracts or the named ones."""
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    command += [arg for contract in contracts for arg in ("--contract", contract)]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root)}
    return subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)


def test_import_linter_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 broken" in result.stdout and "No import cycles" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("carbon_credit/ledger/wrong.py", "import carbon_credit.activities", "feature-layers"),
        ("carbon_credit/platform/wrong.py", "import carbon_credit.residents", "feature-layers"),
        ("carbon_credit/campaigns/wrong.py", "import carbon_credit.activities", "feature-layers"),
        ("carbon_credit/review/wrong.py", "import carbon_credit.transit.models", "inside-transit"),
        ("carbon_credit/ledger/models.py", "import carbon_credit.ledger.operations", "acyclic"),
        ("carbon_credit/stats/wrong.py", "import flask", "no-frameworks"),
    ],
)
def test_a_wrong_import_breaks_the_build(tmp_path, module, line, contract):
    """Each contract holds on the real tree and breaks on a copy with one wrong import added."""
    assert _lint_imports(ROOT, contract).returncode == 0
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text((target.read_text() if target.exists() else "") + f"\n{line}  # noqa\n")
    result = _lint_imports(tmp_path, contract)
    assert result.returncode == 1 and "BROKEN" in result.stdout, result.stdout


def _imported_roots(package: str):
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield path, [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path, [node.module.split(".")[0]]


def test_quantification_imports_only_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"quantification", "__future__"}
    offenders = [
        (p.name, m) for p, mods in _imported_roots("quantification") for m in mods if m not in allowed
    ]
    assert offenders == []


def test_webapp_and_bot_never_import_each_other():
    offenders = [(p.name, m) for p, mods in _imported_roots("webapp") for m in mods if m == "bot"]
    offenders += [(p.name, m) for p, mods in _imported_roots("bot") for m in mods if m == "webapp"]
    assert offenders == []
