"""The layout's dependency rules hold: checked by import-linter and by a stdlib-only scan."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout


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
