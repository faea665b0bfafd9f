"""Command line: list methodologies, or quantify one behaviour with a full audit trail.

    python -m quantification --list
    python -m quantification recycling material=pet kg=2
    python -m quantification transit legs=bus:5,metro:12 --json
    python -m quantification --choices recycling

Bad input prints the error message to stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import behaviours, choices, list_methodologies, quantify
from .errors import QuantificationError
from .types import Factor, Methodology, Result, Source


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.list:
            print("\n\n".join(_describe(m) for m in list_methodologies()))
            return 0
        if args.choices:
            print("\n".join(f"{c.key}\t{c.label_zh}\t{c.label_en}" for c in choices(args.choices)))
            return 0
        if not args.behaviour:
            parser.error("give a behaviour (one of: " + ", ".join(behaviours()) + ") or --list")
        result = quantify(
            args.behaviour, methodology_version=args.methodology_version, **_inputs(args.inputs)
        )
    except QuantificationError as error:
        print(f"error ({error.code}): {error}", file=sys.stderr)
        return 2
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if args.json else _audit(result))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m quantification", description=__doc__.splitlines()[0])
    parser.add_argument("behaviour", nargs="?", help="one of: " + ", ".join(behaviours()))
    parser.add_argument(
        "inputs", nargs="*", metavar="name=value", help="inputs, e.g. kg=2 or legs=bus:5,metro:12"
    )
    parser.add_argument("--list", action="store_true", help="list every methodology and version")
    parser.add_argument(
        "--choices", metavar="BEHAVIOUR", help="list the modes/materials/scopes of a behaviour"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--methodology-version", metavar="VERSION", help="use this methodology version")
    return parser


def _inputs(pairs: list[str]) -> dict[str, str]:
    inputs: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise SystemExit(_fail(f"expected name=value, got {pair!r}"))
        if name.strip() in inputs:
            raise SystemExit(_fail(f"input {name.strip()!r} given twice"))
        inputs[name.strip()] = value.strip()
    return inputs


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _describe(m: Methodology) -> str:
    lines = [
        f"{m.id} {m.version} [{m.status}] ({m.behaviour})",
        f"  {m.title_zh} / {m.title_en}",
        f"  source: {m.source.cite()}",
    ]
    lines += [f"  {_factor_line(f, m.source)}" for f in m.factors.values()]
    return "\n".join(lines)


def _factor_line(f: Factor, default: Source | None = None) -> str:
    flag = " TO CONFIRM" if f.to_confirm else ""
    source = "" if f.source == default else f" ({f.source.cite()})"
    return f"{f.key} = {f.value} {f.unit} [{f.status}]{flag}{source}"


def _audit(r: Result) -> str:
    lines = [
        f"behaviour:   {r.behaviour}",
        f"methodology: {r.methodology_id} {r.methodology_version}",
        "inputs:      " + json.dumps(r.inputs, ensure_ascii=False),
        "factors:",
    ]
    for f in r.factors:
        lines.append(f"  {_factor_line(f)}")
        if f.source.note:
            lines.append(f"      note: {f.source.note}")
    lines += [f"formula:     {r.formula}", f"grams:       {r.grams} g CO2e"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
