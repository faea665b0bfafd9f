"""Time quantify() per behaviour family and print calls per second.

python benchmarks/bench_quantify.py [calls]      (default 20,000 calls per family)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quantification import quantify  # noqa: E402 - after the path set-up, so the script runs from a checkout

CASES = [
    ("transit, 1 leg", "transit", {"mode": "bus", "km": "8"}),
    (
        "transit, 3 legs",
        "transit",
        {
            "legs": [
                {"mode": "shared_bike", "km": "1.2"},
                {"mode": "bus", "km": 5},
                {"mode": "metro", "km": "12.5"},
            ]
        },
    ),
    ("walking", "walking", {"steps": 8000}),
    ("recycling (WARM)", "recycling", {"material": "aluminium_cans", "kg": "0.5"}),
    ("tree_planting", "tree_planting", {"trees": 3, "years": 1}),
    ("electricity", "electricity", {"kwh": "120", "scope": "hubei"}),
    (
        "afforestation",
        "afforestation",
        {
            "volume_t1": "100",
            "volume_t2": "160",
            "t1": 2020,
            "t2": 2025,
            "wood_density": "0.5",
            "bef": "1.4",
            "root_shoot_ratio": "0.25",
        },
    ),
]


def bench(behaviour: str, inputs: dict, calls: int) -> float:
    """Calls per second of quantify(behaviour, **inputs) over ``calls`` calls (after one warm-up call)."""
    quantify(behaviour, **inputs)
    start = time.perf_counter()
    for _ in range(calls):
        quantify(behaviour, **inputs)
    return calls / (time.perf_counter() - start)


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print(f"quantify() throughput, {calls:,} calls per family, Python {sys.version.split()[0]}")
    print(f"{'family':<20} {'calls/s':>12} {'µs/call':>10}")
    for label, behaviour, inputs in CASES:
        rate = bench(behaviour, inputs, calls)
        print(f"{label:<20} {rate:>12,.0f} {1e6 / rate:>10.1f}")


if __name__ == "__main__":
    main()
