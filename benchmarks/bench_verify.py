"""`verify` of generated logs against plain json.loads of the same lines, at several lengths.

Prints figures; asserts nothing. Goal: verify at most 4x the baseline, in one
process, and linear in the log's length (the ratio stays flat from 2,000 to
1,000,000 events). Verify reads every line (parse, seq, hash chain) and then
re-decides every command against the scenario and rules (see tabletop/verify.py).
Peak memory is tracemalloc's peak during one verify.
Run: python benchmarks/bench_verify.py [EVENTS ...]   (default: 2000 20000 100000)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
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


def measure(folder: Path, events: int) -> None:
    log = synthetic.write_log(folder, events)
    lines = log.read_bytes().splitlines()
    scenario, rules = load_scenario(next(folder.glob(f"synthetic-{events // 18 + 1}.yaml")))
    runs = 5 if events <= 100_000 else 1

    def baseline() -> None:
        for line in lines:
            json.loads(line)

    base = best_of(runs, baseline)
    chain = best_of(runs, lambda: logmod.read(log))
    full = best_of(runs, lambda: verifying.verify(log, scenario, rules))
    tracemalloc.start()
    verifying.verify(log, scenario, rules)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{len(lines) - 1:>9,} events  json.loads {base * 1000:9.1f} ms  read+chain {chain * 1000:9.1f} ms ({chain / base:4.2f}x)  "
          f"verify {full * 1000:9.1f} ms ({full / base:4.2f}x)  peak {peak / 1e6:7.1f} MB ({peak / (len(lines) - 1):,.0f} B/event)")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [2_000, 20_000, 100_000]
    with tempfile.TemporaryDirectory() as tmp:
        for events in sizes:
            measure(Path(tmp), events)


if __name__ == "__main__":
    main()
