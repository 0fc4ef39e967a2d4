"""Scenario load times: the bundled scenario and a synthetic one of 5,556 turns, each in a fresh process.

Prints figures; asserts nothing. The figure is the first `load_named` in a new
process (imports not included), median of 5, beside the same process's import of
tabletop.loading, so a reader sees what a user's command pays.
Run: python benchmarks/bench_load.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synthetic  # noqa: E402

PROBE = """
import sys, time
t0 = time.perf_counter()
from tabletop.loading import load_named
t1 = time.perf_counter()
load_named(sys.argv[1])
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def first_load(scenario: str) -> tuple[float, float]:
    imports, loads = [], []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", PROBE, scenario], capture_output=True, text=True, check=True).stdout.split()
        imports.append(float(out[0]))
        loads.append(float(out[1]))
    return statistics.median(imports), statistics.median(loads)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = synthetic.write_scenario(Path(tmp), 5_556)
        for name, scenario in (("nea-2024 (bundled)", "nea-2024"), ("synthetic, 5,556 turns", str(big))):
            imports, load = first_load(scenario)
            print(f"{name:<24} import {imports * 1000:7.1f} ms   first load {load * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
