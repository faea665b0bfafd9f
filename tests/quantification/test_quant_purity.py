"""quantification/ imports only the standard library and itself."""

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "quantification"


def imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_standard_library_only():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 10
    for path in files:
        for name in imported_top_levels(path):
            assert name in sys.stdlib_module_names or name == "quantification", f"{path.name} imports {name}"


def test_data_files_are_shipped_beside_the_code():
    names = {p.name for p in (PACKAGE / "methodologies").glob("*.toml")}
    assert {
        "transit.toml",
        "walking.toml",
        "recycling.toml",
        "recycling_textiles.toml",
        "trees.toml",
        "forest_growth.toml",
        "afforestation.toml",
        "electricity.toml",
    } <= names
