"""TUI figures: start-up against a bare Textual app, keypress-to-redraw, replay opening.

Prints figures; asserts nothing. Each start-up is a fresh process (imports
included), measured until the first screen has been composed and drawn
headless (App.run_test), median of several runs.

1. start-up: `tabletop` on the default scenario's board vs a bare Textual app
   with a header, a data table and a log (goal: at most 1.25x);
2. keypress to redraw on a board with 500 injects released (goal: under 50 ms);
3. replay: a 100,000-event log to its first screen (goal: under 1 s).

Run: python benchmarks/bench_tui.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BARE = r'''
import time, asyncio
t0 = time.perf_counter()
from textual.app import App
from textual.widgets import DataTable, Header, Log
class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Log()
    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("seat", "posture", "credibility")
        for i in range(6):
            table.add_row(f"seat {i}", "routine", "5")
        self.query_one(Log).write_line("ready")
async def main():
    async with Bare().run_test(size=(120, 40)) as pilot:
        await pilot.pause()
asyncio.run(main())
print(time.perf_counter() - t0)
'''

BOARD = r'''
import time, asyncio, os, tempfile
t0 = time.perf_counter()
os.environ.setdefault("TABLETOP_HOME", tempfile.mkdtemp())
from tabletop.tui.app import make_app
async def main():
    app = make_app("nea-2024", [], seed=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
asyncio.run(main())
print(time.perf_counter() - t0)
'''


def fresh_process(code: str, runs: int) -> tuple[float, float]:
    """Median wall time of the whole process, and median time the script measured inside it."""
    wall, inner = [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        wall.append(time.perf_counter() - start)
        inner.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(wall), statistics.median(inner)


def keypress(folder: Path) -> list[float]:
    """Milliseconds from a key to the redrawn board, with 500 injects released."""
    import synthetic

    from tabletop.tui.app import make_app

    path = folder / "wide.yaml"
    text = synthetic.scenario_text(1, injects_per_turn=520)
    path.write_text(text)
    timings: list[float] = []

    async def main() -> None:
        app = make_app(str(path), [], seed=1, log=str(folder / "wide.jsonl"))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            session = app.session
            for inject in session.unreleased()[:500]:
                session.release(inject.id)
            await pilot.press("t")  # any key that redraws; close what it opens
            await pilot.press("escape")
            await pilot.pause()
            for _ in range(10):
                start = time.perf_counter()
                await pilot.press("n")  # release one more inject: every panel redraws
                await pilot.pause()
                timings.append((time.perf_counter() - start) * 1000)

    asyncio.run(main())
    return timings


def replay_open(folder: Path) -> tuple[float, float, int]:
    """Seconds from make_app(replay=LOG) to its first drawn screen; and the scenario's own load time."""
    import synthetic

    from tabletop.loading import load_scenario
    from tabletop.tui.app import make_app

    log = synthetic.write_log(folder, 100_000)
    scenario_path = next(folder.glob("synthetic-*.yaml"))
    start = time.perf_counter()
    load_scenario(scenario_path)
    scenario_load = time.perf_counter() - start
    first = 0.0

    async def main() -> None:
        nonlocal first
        start = time.perf_counter()
        app = make_app(replay=log)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            first = time.perf_counter() - start

    asyncio.run(main())
    return first, scenario_load, sum(1 for _ in open(log, "rb")) - 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-replay", action="store_true")
    args = parser.parse_args()
    bare_wall, bare_inner = fresh_process(BARE, args.runs)
    board_wall, board_inner = fresh_process(BOARD, args.runs)
    print(f"start-up, bare Textual app (header, table, log): {bare_wall * 1000:7.0f} ms process, {bare_inner * 1000:6.0f} ms import-to-drawn")
    print(f"start-up, tabletop board on nea-2024:            {board_wall * 1000:7.0f} ms process, {board_inner * 1000:6.0f} ms import-to-drawn")
    print(f"ratio (process wall time): {board_wall / bare_wall:.2f}x   (goal: at most 1.25x)")
    with tempfile.TemporaryDirectory() as tmp:
        timings = keypress(Path(tmp))
        print(f"keypress to redraw, 500 injects released: median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms (goal: under 50 ms)")
    if not args.skip_replay:
        with tempfile.TemporaryDirectory() as tmp:
            first, scenario_load, events = replay_open(Path(tmp))
            print(f"replay of a {events:,}-event log to its first screen: {first:.2f} s (goal: under 1 s), "
                  f"of which loading its {scenario_load:.2f} s synthetic 6,667-turn scenario")


if __name__ == "__main__":
    main()
