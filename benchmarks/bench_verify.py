"""`verify` of a generated 100,000-event log against plain json.loads of the same lines.

Prints figures; asserts nothing. Goal: verify at most 3x the baseline, under 1 s.
Verify re-issues every command (see tabletop/verify.py); on a log this long
`tabletop verify` splits the work over two processes, and the one-process
figure is printed beside it.
Also the scenario's load time, cold (parsed, the compiled-scenario cache off),
on a first load that also fills an empty cache, and warm (from the cache). The
benchmark keeps its cache in its temporary folder, never the user's.
Run: python benchmarks/bench_verify.py [EVENTS]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synthetic  # noqa: E402

from tabletop import log as logmod  # noqa: E402
from tabletop import verify as verifying  # noqa: E402
from tabletop.loading import load_scenario  # noqa: E402


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def load_times(scenario_path: Path, cache: Path) -> tuple[float, float, float]:
    """Seconds to load the scenario: parsed with the cache off; parsed and stored into an empty cache; from the cache."""
    os.environ["TABLETOP_CACHE"] = "off"
    cold = best_of(1, lambda: load_scenario(scenario_path))
    os.environ["TABLETOP_CACHE"] = str(cache)
    storing = best_of(1, lambda: load_scenario(scenario_path))
    warm = best_of(3, lambda: load_scenario(scenario_path))
    return cold, storing, warm


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["TABLETOP_CACHE"] = "off"
        log = synthetic.write_log(folder, events)
        lines = sum(1 for _ in open(log, "rb"))
        scenario_path = next(folder.glob("synthetic-*.yaml"))
        cold, storing, warm = load_times(scenario_path, folder / "cache")
        scenario, rules = load_scenario(scenario_path)

        def baseline() -> None:
            with open(log, "rb") as handle:
                for line in handle:
                    json.loads(line)

        def one_process() -> None:
            verifying.verify(log, scenario, rules, split=False)

        def as_the_cli() -> None:  # split over two processes for a log this long, where os.fork exists
            verifying.verify(log, scenario, rules)

        def chain_only() -> None:
            logmod.read(log)

        base = best_of(5, baseline)
        chain = best_of(5, chain_only)
        single = best_of(5, one_process)
        full = best_of(5, as_the_cli)
        split = verifying.verify(log, scenario, rules).split
    print(f"log: {lines - 1:,} events")
    print(f"baseline json.loads of every line: {base * 1000:8.1f} ms")
    print(f"read + hash chain:                 {chain * 1000:8.1f} ms  ({chain / base:.2f}x baseline)")
    print(f"verify in one process:             {single * 1000:8.1f} ms  ({single / base:.2f}x baseline)")
    where = f"split at event {split:,}" if split is not None else "not split"
    print(f"verify as `tabletop verify` does:  {full * 1000:8.1f} ms  ({full / base:.2f}x baseline; {where})")
    print(f"loading the {len(scenario.turns):,}-turn scenario (not in the above): cold, parsed {cold * 1000:.0f} ms; "
          f"parsed and stored in an empty cache {storing * 1000:.0f} ms; warm, from the cache {warm * 1000:.0f} ms")


if __name__ == "__main__":
    main()
