"""Headless runs: `tabletop run nea-2024 --runs 1000` and `--runs 10000`, in the same run, and what the bots cost.

Prints figures; asserts nothing. Each `run --runs K` is a fresh process (two
worker processes on a two-core machine), timed from launch to exit, the two
sizes taking turns so a busy machine slows both alike; median of --repeat.
Linear means the 10,000 runs take ten times the 1,000 less the start-up.
Then the bots alone: bots.decide for every seat over the states of 100
exercises, in process.

Run: python benchmarks/bench_runs.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_run(runs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tabletop", "run", "nea-2024", "--runs", str(runs)], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def bots_alone(exercises: int = 100) -> tuple[float, int]:
    """Seconds for bots.decide over every seat and every decide phase of ``exercises`` bot exercises, and the calls."""
    sys.path.insert(0, str(ROOT))
    from tabletop import bots, facilitation
    from tabletop.loading import load_named
    from tabletop.session import Session

    scenario, rules = load_named("nea-2024")
    states = []
    for seed in range(exercises):
        session = Session.new(scenario, rules, seed=seed, fsync=False)
        while not session.state.ended:
            facilitation.release_scheduled(session)
            while session.state.phase in ("brief", "deliberate"):
                session.advance()
            states.append((session.state, seed))  # immutable: no copy needed
            facilitation.enter_phase(session, list(scenario.seats))
            session.advance()
            facilitation.enter_phase(session)
            session.advance()
            if session.is_last_turn:
                session.end("done")
            else:
                session.advance()
    start = time.perf_counter()
    calls = 0
    for state, seed in states:
        for seat in scenario.seats:
            bots.decide(state, scenario, rules, seat, seed)
            calls += 1
    return time.perf_counter() - start, calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    small: list[float] = []
    large: list[float] = []
    for _ in range(args.repeat):
        small.append(timed_run(1000))
        large.append(timed_run(10_000))
    a, b = statistics.median(small), statistics.median(large)
    print(f"run nea-2024 --runs 1000:  {a:6.2f} s  (median of {args.repeat})")
    print(f"run nea-2024 --runs 10000: {b:6.2f} s  = {b / a:.1f}x the 1,000 runs; {1000 * b / 10_000:.2f} ms an exercise")
    seconds, calls = bots_alone()
    print(f"bots.decide alone: {1e6 * seconds / calls:.1f} us a call ({calls:,} calls over 100 exercises)")


if __name__ == "__main__":
    main()
