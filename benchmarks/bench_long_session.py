"""Long sessions: time and memory of a synthetic bot exercise of 200 turns, and of 400 for comparison.

    python benchmarks/bench_long_session.py [--turns 200 400] [--fsync] [--no-log]

Each length runs in a fresh child process so that its peak RSS (``ru_maxrss``)
is its own: the child loads the scenario, plays it once for the time (without
tracemalloc, which slows Python down), then again under tracemalloc for the
peak of traced memory, and replays the log as ``tabletop verify`` does. The
log is written with fsync off unless ``--fsync`` is given (the CLI's setting:
it measures the disk, not the program).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, kB on Linux


def one(turns: int, fsync: bool, log: bool) -> dict:
    from benchmarks.synthetic import write_scenario
    from tabletop import log as logmod
    from tabletop import runner
    from tabletop.loading import load_scenario
    from tabletop.session import Session

    folder = Path(tempfile.mkdtemp(prefix="tabletop-long-"))
    started = time.perf_counter()
    scenario, rules = load_scenario(write_scenario(folder, turns))
    load_s = time.perf_counter() - started
    rss_loaded = max_rss_mb()

    def play(name: str):
        path = folder / name if log else None
        return runner.play(scenario, rules, seed=1, log_path=path, fsync=fsync)

    gc.collect()
    started = time.perf_counter()
    session = play("timed.jsonl")
    play_s = time.perf_counter() - started
    events = len(session.events)
    del session
    gc.collect()

    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    session = play("traced.jsonl")
    traced = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del session
    gc.collect()

    replay_s = None
    if log:
        started = time.perf_counter()
        Session.replay(logmod.read(folder / "timed.jsonl"), scenario, rules)
        replay_s = time.perf_counter() - started
    return {
        "turns": turns, "events": events, "load_s": load_s, "play_s": play_s, "replay_s": replay_s,
        "traced_mb": traced / 1e6, "rss_loaded_mb": rss_loaded, "rss_mb": max_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[200, 400])
    parser.add_argument("--fsync", action="store_true", help="fsync every event, as the CLI does")
    parser.add_argument("--no-log", action="store_true", help="play without writing a log")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.fsync, not args.no_log)))
        return 0
    rows = []
    for turns in args.turns:
        cmd = [sys.executable, __file__, "--one", str(turns)] + (["--fsync"] if args.fsync else []) + (["--no-log"] if args.no_log else [])
        result = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    mode = "no log" if args.no_log else ("log, fsync per event" if args.fsync else "log, fsync off")
    print(f"synthetic exercise, 6 bot seats, 4 injects a turn ({mode}); Python {sys.version.split()[0]}")
    print(f"{'turns':>5} {'events':>7} {'load':>7} {'play':>7} {'events/s':>9} {'replay':>7} {'traced peak':>12} {'per event':>10} {'max RSS':>8}")
    for r in rows:
        replay = f"{r['replay_s']:.2f} s" if r["replay_s"] is not None else "-"
        print(
            f"{r['turns']:>5} {r['events']:>7,} {r['load_s']:>5.2f} s {r['play_s']:>5.2f} s {r['events'] / r['play_s']:>9,.0f} "
            f"{replay:>7} {r['traced_mb']:>9.1f} MB {1e6 * r['traced_mb'] / r['events'] / 1024:>7.2f} kB {r['rss_mb']:>5.0f} MB"
        )
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        print(
            f"{b['turns']} vs {a['turns']} turns: events x{b['events'] / a['events']:.2f}, play time x{b['play_s'] / a['play_s']:.2f}, "
            f"traced peak x{b['traced_mb'] / a['traced_mb']:.2f}, max RSS {a['rss_mb']:.0f} -> {b['rss_mb']:.0f} MB "
            f"(of which {a['rss_loaded_mb']:.0f} / {b['rss_loaded_mb']:.0f} MB once the interpreter, rules and scenario are loaded)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
