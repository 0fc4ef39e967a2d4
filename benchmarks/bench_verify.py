"""`verify` of generated logs against plain json.loads of the same lines, at several lengths.

Prints figures; asserts nothing. Goal (issue 10): verify at most 4x the
baseline, in one process, and linear in the log's length (the ratio and the
time an event stay flat from 2,000 to 1,000,000 events), peak memory quoted.
Verify reads every line (parse, seq, hash chain) and re-decides every command
against the scenario and rules (tabletop/verify.py); a bot's decision is
re-decided as a command, its policy not re-run (that is ``verify --bots``,
timed here too as a third column).

Two mixes of events (benchmarks/synthetic.py):

- ``facilitated`` (the default): a facilitated exercise at a real log's
  density, about 167 events a turn (notes, ad-hoc injects, the timer, the
  scheduled injects, six bot decisions, the adjudication), so 2,000 events
  are a dozen turns. 1,000,000 events are about 6,000 turns, a 4 MB
  scenario that the ordinary loader reads under its ordinary 8 MiB limit:
  the benchmark needs no loader of its own and the limit stays as it is.
- ``runner``: the headless runner's log, about 18 events a turn, a bot
  decision in every third event (the figures before this mix existed were of
  it). Its scenario grows a turn per 18 events and is over the 8 MiB limit
  past about 200,000 events, so it stops at 100,000 here.

The baseline is timed in the same run, alternating with the others (best of
five; of one at 1,000,000 events): on a shared machine the ratio is what
counts. "read+chain" is the first half of verify alone (tabletop.log.Lines:
each line parsed, its seq and hash link checked), streamed as verify reads.
Peak memory is tracemalloc's peak during one more verify (it slows that run
down; it is not the timed one) and the process's peak RSS so far
(resource.getrusage, which also counts making the log and holding its lines
for the baseline). For the RSS of verify alone, keep the logs (``--keep DIR``)
and run ``/usr/bin/time -v python -m tabletop verify DIR/facilitated-1000000.jsonl``.

Run: python benchmarks/bench_verify.py [--mix facilitated|runner] [--keep DIR] [--by-kind] [EVENTS ...]
     (default: 2000 20000 100000 1000000 facilitated; 2000 20000 100000 runner)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synthetic  # noqa: E402

from tabletop import log as logmod  # noqa: E402
from tabletop import verify as verifying  # noqa: E402
from tabletop.loading import load_scenario  # noqa: E402


def write(folder: Path, mix: str, events: int) -> tuple[Path, Path]:
    if mix == "facilitated":
        return synthetic.write_facilitated_log(folder, events)
    log = synthetic.write_log(folder, events)
    return log, folder / f"synthetic-{events // 18 + 1}.yaml"


def read_and_chain(log: Path) -> None:
    with logmod.Lines(log) as lines:
        for _ in lines:
            pass


def measure(folder: Path, mix: str, events: int) -> None:
    start = time.perf_counter()
    log, scenario_path = write(folder, mix, events)
    made = time.perf_counter() - start
    scenario, rules = load_scenario(scenario_path)
    lines = log.read_bytes().splitlines()
    runs = 5 if events <= 100_000 else 1

    def baseline() -> None:
        for line in lines:
            json.loads(line)

    steps: dict[str, Callable[[], object]] = {
        "json.loads": baseline,
        "read+chain": lambda: read_and_chain(log),
        "verify": lambda: verifying.verify(log, scenario, rules),
        "--bots": lambda: verifying.verify(log, scenario, rules, bots=True),
    }
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(runs):  # alternating, so that a burst of load on the machine falls on all alike
        for name, step in steps.items():
            began = time.perf_counter()
            step()
            best[name] = min(best[name], time.perf_counter() - began)
    tracemalloc.start()
    verdict = verifying.verify(log, scenario, rules)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    count, base = verdict.events, best["json.loads"]
    print(f"{mix:>11} {count:>9,} events {verdict.turn:>5,} turns  json.loads {base * 1000:8.1f} ms  "
          f"read+chain {best['read+chain'] * 1000:8.1f} ms ({best['read+chain'] / base:4.2f}x)  "
          f"verify {best['verify'] * 1000:9.1f} ms ({best['verify'] / base:5.2f}x, {best['verify'] / count * 1e6:5.1f} us/event)  "
          f"--bots {best['--bots'] / base:5.2f}x  "
          f"peak {peak / 1e6:6.1f} MB ({peak / count:,.0f} B/event)  RSS {rss / 1e6:,.0f} MB  "
          f"(log {log.stat().st_size / 1e6:,.1f} MB, scenario {scenario_path.stat().st_size / 1e6:.2f} MB, made in {made:.0f} s; "
          f"load {os.getloadavg()[0]:.1f})",
          flush=True)


def by_kind(folder: Path, mix: str, events: int) -> None:
    """Where verify's time goes, by kind of event: each step of the replay's loop timed apart, against json.loads of the same lines.

    The steps are those of tabletop.replay.replay_lines (structure the record,
    the command behind it, decide, compare, evolve), called the same way, so
    their sum is what verify spends on a kind besides reading and chaining
    its lines. Best of three passes; timing each step adds a little to each.
    """
    from tabletop import events as ev
    from tabletop.replay import game_of

    log, scenario_path = write(folder, mix, events)
    scenario, rules = load_scenario(scenario_path)
    lines = log.read_bytes().splitlines()
    records = [json.loads(line) for line in lines]
    game = game_of(records[0], scenario, rules)
    clock = time.perf_counter
    best: dict[str, list[float]] = {}
    for _ in range(3):
        spent: dict[str, list[float]] = {}
        state = game.initial()
        at = 1
        while at < len(records):
            record = records[at]
            if record["type"] in ev.LOG_RECORDS:
                at += 1
                continue
            began = clock()
            json.loads(lines[at])
            loaded = clock()
            logged = ev.from_json(record)
            read = clock()
            produced = game.decide(state, ev.command_of(logged))
            decided = clock()
            for index, event in enumerate(produced):
                if index:
                    at += 1
                    began = clock()
                    json.loads(lines[at])
                    loaded = clock()
                    logged = ev.from_json(records[at])
                    read = decided = clock()
                assert logged == event, f"line {at + 1} does not replay"
                state = game.evolve(state, event)
                folded = clock()
                row = spent.setdefault(event.TYPE, [0, 0.0, 0.0, 0.0, 0.0])
                row[0] += 1
                row[1] += loaded - began
                row[2] += read - loaded
                row[3] += decided - read
                row[4] += folded - decided
            at += 1
        for kind, row in spent.items():
            if kind not in best or sum(row[1:]) < sum(best[kind][1:]):
                best[kind] = row
    print(f"{mix}, {len(lines) - 1:,} events, us an event (a command's decide is counted on its first event; its followers show what reading them costs):")
    print(f"  {'kind':<22} {'count':>7} {'json.loads':>10} {'structure':>10} {'decide':>8} {'evolve':>8}  {'x json.loads':>12}  {'share of verify':>15}")
    total = sum(sum(row[2:]) for row in best.values())
    for kind, (count, loads, read, decide, fold) in sorted(best.items(), key=lambda item: -sum(item[1][2:])):
        per = [v / count * 1e6 for v in (loads, read, decide, fold)]
        print(f"  {kind:<22} {count:>7,} {per[0]:>10.1f} {per[1]:>10.1f} {per[2]:>8.1f} {per[3]:>8.1f}  "
              f"{(loads + read + decide + fold) / loads:>11.1f}x  {(read + decide + fold) / total:>14.0%}")
    print("  (x json.loads: the line read, structured, decided and folded, against json.loads of it; verify also checks each line's seq and hash link)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", nargs="*", type=int)
    parser.add_argument("--mix", choices=("facilitated", "runner"), default="facilitated")
    parser.add_argument("--keep", metavar="DIR", help="write the logs and scenarios there and leave them (for tabletop verify)")
    parser.add_argument("--by-kind", action="store_true", help="where verify's time goes, by kind of event (of the first size only)")
    args = parser.parse_args()
    sizes = args.events or ([2_000, 20_000, 100_000, 1_000_000] if args.mix == "facilitated" else [2_000, 20_000, 100_000])
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if args.by_kind:
            by_kind(folder, args.mix, sizes[0])
            return
        for events in sizes:
            measure(folder, args.mix, events)


if __name__ == "__main__":
    main()
