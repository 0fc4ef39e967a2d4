"""Scenario load times with the compiled-scenario cache off, empty and warm.

Prints figures; asserts nothing. Each figure is the median, over fresh
processes, of the first ``load_named`` in the process, as the CLI and the TUI
do it (imports not included):

- cold: the cache off (TABLETOP_CACHE=off), the scenario parsed;
- storing: an empty cache, the scenario parsed and then stored;
- warm: from the cache.

The cache is a temporary folder of the benchmark's own, never the user's.
Run: python benchmarks/bench_load.py [--runs N] [SCENARIO ...]
(default: nea-2024 and a synthetic scenario of 5,556 turns, as in bench_verify.py)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synthetic  # noqa: E402

CHILD = r"""
import sys, time
from tabletop.loading import load_named
start = time.perf_counter()
load_named(sys.argv[1])
print(time.perf_counter() - start)
"""


def once(scenario: str, cache: str) -> float:
    """Seconds of one first load in a fresh process, with TABLETOP_CACHE set to ``cache``."""
    env = {**os.environ, "TABLETOP_CACHE": cache}
    out = subprocess.run([sys.executable, "-c", CHILD, scenario], capture_output=True, text=True, check=True, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def figures(scenario: str, runs: int, folder: Path) -> tuple[float, float, float]:
    """Median seconds: cold (cache off), storing (each run an empty cache), warm (a filled cache)."""
    cold = [once(scenario, "off") for _ in range(runs)]
    storing = [once(scenario, str(folder / f"empty-{i}")) for i in range(runs)]
    warm_cache = str(folder / "warm")
    once(scenario, warm_cache)  # fill it
    warm = [once(scenario, warm_cache) for _ in range(runs)]
    return statistics.median(cold), statistics.median(storing), statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenarios = args.scenarios or ["nea-2024", str(synthetic.write_scenario(folder / "synthetic", 5556, injects_per_turn=3))]
        for i, scenario in enumerate(scenarios):
            cold, storing, warm = figures(scenario, args.runs, folder / f"cache-{i}")
            print(f"{Path(scenario).name}: cold (cache off) {cold * 1000:7.1f} ms, storing (empty cache) {storing * 1000:7.1f} ms, "
                  f"warm (cached) {warm * 1000:7.1f} ms = {cold / warm:.1f}x faster")


if __name__ == "__main__":
    main()
