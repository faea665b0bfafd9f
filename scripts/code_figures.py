#!/usr/bin/env python3
"""Code figures the style guide asks for (../shared/STYLE.md): module sizes and function sizes.

    python3 scripts/code_figures.py            # figures for carbon_credit, webapp, bot, quantification
    python3 scripts/code_figures.py --check    # exit 1 when a module is over 300 lines or the median
                                               # function is over 12 lines

Lines of a module: every line of the file. Lines of a function: from its ``def`` (decorators excluded) to
its last line, docstring included; nested functions count inside their parent and on their own.
Standard library only.
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("carbon_credit", "webapp", "bot", "quantification")
MAX_MODULE_LINES = 300
MAX_MEDIAN_FUNCTION_LINES = 12


def modules() -> list[Path]:
    """Every Python module of the application packages."""
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def function_lengths(path: Path) -> list[tuple[str, int]]:
    """(qualified-ish name, lines) of every function and method in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def main(argv: list[str]) -> int:
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in modules()}
    functions = [(path, name, n) for path in sizes for name, n in function_lengths(path)]
    lengths = [n for _, _, n in functions]
    median = statistics.median(lengths)
    big = sorted(((n, p) for p, n in sizes.items() if n > MAX_MODULE_LINES), reverse=True)
    print(f"modules: {len(sizes)}, largest {max(sizes.values())} lines, over {MAX_MODULE_LINES}: {len(big)}")
    for n, path in big:
        print(f"  {path.relative_to(ROOT)}: {n}")
    print(f"functions: {len(lengths)}, median {median:g} lines, mean {statistics.mean(lengths):.1f}")
    longest = sorted(functions, key=lambda f: -f[2])[:5]
    print("  longest: " + ", ".join(f"{p.relative_to(ROOT)}:{name} {n}" for p, name, n in longest))
    if "--check" in argv:
        return 1 if big or median > MAX_MEDIAN_FUNCTION_LINES else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
