"""TUI figures: start-up as a user sees it, keypress-to-redraw, replay opening.

Prints figures; asserts nothing.

1. start-up in a real terminal (the main figure): tmux at 120x40, from the
   launch of ``tabletop`` until the six seat names show on its start screen,
   read by polling ``tmux capture-pane -p``; against a bare Textual app with a
   Header, a Static line, a DataTable, a RichLog and a Footer, timed the same
   way until its static line shows. The two take turns, run by run; median
   of --terminal-runs (at least 11). Goal: at most 1.15x the bare app.
   The same pair headless (App.run_test, until the first screen has been
   composed and drawn) follows as a second row: it hides the output and
   counts the bare app's exit, so it is not what a user waits for;
2. keypress to redraw on a board with 500 injects released (goal: under 50 ms),
   timed from the key to the written frame (see key_to_frame; Pilot's own
   idle waits add ~62 ms to any key and are shown apart);
3. replay: a 100,000-event log to its first screen, the first step drawn
   (goal: under 1 s besides the engine's scenario load, shown apart), and to
   the end of its verification in the background; and a 100,000-event log of
   the bundled nea-2024 (mostly notes), where the scenario is small.

The benchmark keeps TABLETOP_HOME in a temporary folder of its own, never the user's.

Run: python benchmarks/bench_tui.py [--runs N] [--terminal-runs N] [--skip-replay] [--only-terminal | --only-replay]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

# The bare app of the terminal figure: what any Textual app of this shape costs to show.
BARE_TERMINAL = r'''
from textual.app import App
from textual.widgets import DataTable, Footer, Header, RichLog, Static
class Bare(App):
    def compose(self):
        yield Header()
        yield Static("bare app ready")
        yield DataTable()
        yield RichLog()
        yield Footer()
    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("seat", "posture", "credibility")
        for i in range(6):
            table.add_row(f"seat {i}", "routine", "5")
        self.query_one(RichLog).write("ready")
Bare().run()
'''

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

# A tmux server of the benchmark's own (its own socket), kept up by an idle session between runs. Every session
# is named SESSION-..., and only those are ever killed, one by one: never `kill-server`, which on a shared socket
# would take other people's sessions with it. The server exits by itself once its last session is gone.
SESSION = f"tabletop-bench-{os.getpid()}"
TMUX = ["tmux", "-L", SESSION]


def kill_session(name: str) -> None:
    subprocess.run([*TMUX, "kill-session", "-t", f"={name}"], capture_output=True)  # '=': this exact name, not a prefix match


def remove_socket(socket: str) -> None:
    """The benchmark's own socket file, which tmux leaves behind; only once its server is gone (no session answers)."""
    if socket and subprocess.run([*TMUX, "list-sessions"], capture_output=True).returncode != 0:
        Path(socket).unlink(missing_ok=True)


def in_terminal(command: list[str], ready, env: dict[str, str], size: tuple[int, int] = (120, 40), timeout: float = 30.0) -> float:
    """Seconds from launching ``command`` in a fresh tmux window of ``size`` until ``ready(screen_text)`` holds.

    The window is polled with ``tmux capture-pane -p`` (a few milliseconds a
    look, the same for both apps), then closed.
    """
    name = f"{SESSION}-run-{time.monotonic_ns()}"
    width, height = size
    shell = " ".join(_quote(part) for part in command)
    start = time.perf_counter()
    subprocess.run([*TMUX, "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), shell], check=True, env=env)
    try:
        while True:
            screen = subprocess.run([*TMUX, "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if ready(screen):
                return time.perf_counter() - start
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"{command} did not show what was awaited; last screen:\n{screen}")
            time.sleep(0.002)
    finally:
        kill_session(name)


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


def terminal_start_up(runs: int) -> tuple[float, float, list[float], list[float]]:
    """Median seconds to the awaited screen, bare app and ``tabletop``, alternating; and every run of each."""
    home = tempfile.mkdtemp(prefix="tabletop-home-")
    # Compiled modules cached for both apps, as an installed package runs: without this (PYTHONDONTWRITEBYTECODE
    # set, say) tabletop's modules would compile from source on every run and Textual's never.
    env = {**os.environ, "TABLETOP_HOME": home, "PYTHONPATH": str(ROOT), "TERM": os.environ.get("TERM", "xterm-256color"),
           "PYTHONPYCACHEPREFIX": os.path.join(home, "pycache")}
    env.pop("TMUX", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    from tabletop.loading import load_named

    names = [seat.name for seat in load_named("nea-2024")[0].seats.values()]

    def seats_shown(screen: str) -> bool:
        return all(name in screen for name in names) and "Seats" in screen

    keep = f"{SESSION}-keep"
    subprocess.run([*TMUX, "new-session", "-d", "-s", keep, "sleep 3600"], check=True, env=env)
    socket = subprocess.run([*TMUX, "display-message", "-p", "-t", f"={keep}", "#{socket_path}"], capture_output=True, text=True).stdout.strip()
    bare_cmd = [sys.executable, "-c", BARE_TERMINAL]
    tabletop_cmd = [sys.executable, "-m", "tabletop"]
    bare: list[float] = []
    board: list[float] = []
    try:
        for command, ready in ((bare_cmd, lambda screen: "bare app ready" in screen), (tabletop_cmd, seats_shown)):
            in_terminal(command, ready, env)  # once each first: bytecode compiled and the disk cache warm for both
        for _ in range(runs):
            bare.append(in_terminal(bare_cmd, lambda screen: "bare app ready" in screen, env))
            board.append(in_terminal(tabletop_cmd, seats_shown, env))
    finally:
        kill_session(keep)
        remove_socket(socket)
        shutil.rmtree(home, ignore_errors=True)
    return statistics.median(bare), statistics.median(board), bare, board


def fresh_processes(codes: list[str], runs: int, env: dict[str, str] | None = None) -> list[tuple[float, float]]:
    """For each script: median wall time of the whole process, and median time the script measured inside it.

    The scripts take turns, run by run, so a busy machine slows them alike.
    """
    wall: list[list[float]] = [[] for _ in codes]
    inner: list[list[float]] = [[] for _ in codes]
    for _ in range(runs):
        for i, code in enumerate(codes):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
            wall[i].append(time.perf_counter() - start)
            inner[i].append(float(out.stdout.strip().splitlines()[-1]))
    return [(statistics.median(w), statistics.median(n)) for w, n in zip(wall, inner, strict=True)]


def with_bytecode(runs: int) -> tuple[float, float]:
    """Both start-ups again with compiled modules cached (in a temporary folder), as an installed package runs.

    With PYTHONDONTWRITEBYTECODE set, every run compiles tabletop's modules from
    source while Textual's come compiled from site-packages.
    """
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        fresh_processes([BARE, BOARD], 1, env)  # compile once
        (bare, _), (board, _) = fresh_processes([BARE, BOARD], runs, env)
    return bare, board


async def key_to_frame(pilot, key: str, done) -> float:
    """Milliseconds from a key reaching the app to the redrawn screen written to the (headless) terminal.

    Pilot.press() and Pilot.pause() wait for the process to look idle in sleeps
    of 20 ms, three for each key: a key that does nothing at all measures 62 ms
    that way, so they cannot show a redraw under 50 ms. Here the key is posted
    as the driver posts it, the app runs until ``done()`` says the command took
    effect and the messages it set off are handled, and the frame is then laid
    out, rendered and written at once. Not included: the wait for Textual's
    next refresh tick (at most 1/60 s), the same for every app.
    """
    from textual import events

    app = pilot.app
    start = time.perf_counter()
    app.post_message(events.Key(key, key if len(key) == 1 else None))
    while not done():
        if time.perf_counter() - start > 10:
            raise TimeoutError(f"key {key!r} had no effect")
        await asyncio.sleep(0)
    await pilot._wait_for_screen()  # the board's refresh and whatever it posted in turn
    app.screen._on_timer_update()  # layout, render, write the frame
    return (time.perf_counter() - start) * 1000


def keypress(folder: Path) -> tuple[list[float], list[float]]:
    """Milliseconds from a key to the redrawn board, with 500 injects released; and the same through Pilot.press+pause."""
    import synthetic

    from tabletop.tui.app import make_app

    path = folder / "wide.yaml"
    text = synthetic.scenario_text(1, injects_per_turn=520)
    path.write_text(text)
    timings: list[float] = []
    piloted: list[float] = []

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
                released = len(session.state.released)
                # release one more inject: every panel is asked to redraw
                timings.append(await key_to_frame(pilot, "n", lambda before=released: len(session.state.released) > before))
                await pilot.pause()
            for _ in range(10):
                start = time.perf_counter()
                await pilot.press("n")
                await pilot.pause()
                piloted.append((time.perf_counter() - start) * 1000)

    asyncio.run(main())
    return timings, piloted


def synthetic_log(folder: Path) -> tuple[Path, float, int]:
    """A 100,000-event synthetic log; its scenario's own load in seconds, timed by itself; the scenario's turns."""
    import synthetic

    from tabletop.loading import load_scenario

    log = synthetic.write_log(folder, 100_000)
    scenario_path = next(folder.glob("synthetic-*.yaml"))
    start = time.perf_counter()
    scenario, _ = load_scenario(scenario_path)
    return log, time.perf_counter() - start, len(scenario.turns)


def real_log(folder: Path) -> Path:
    """A 100,000-event log of the bundled nea-2024 (turn 1 opened, then notes).

    A long log of a real scenario separates what the log costs to open from
    what a synthetic scenario of thousands of turns costs to parse.
    """
    from tabletop.loading import load_named
    from tabletop.session import Session

    scenario, rules = load_named("nea-2024")
    log = folder / "nea-notes.jsonl"
    session = Session.new(scenario, rules, seed=1, log_path=log, fsync=False)
    while len(session.events) < 100_000:
        session.note(f"Observation {len(session.events)}: the class discussed the inject again.")
    session.close()
    return log


def in_own_process(log: Path) -> tuple[float, float]:
    """open_replay(log) in a fresh Python process, as `tabletop replay LOG` opens it: (first step drawn, verified) in seconds.

    What writing the log left behind (its garbage, its session) must not slow the opening.
    """
    import json

    out = subprocess.run([sys.executable, __file__, "--replay-one", str(log)], capture_output=True, text=True, check=True).stdout
    first, verified = json.loads(out.strip().splitlines()[-1])
    return first, verified


def open_replay(log: Path) -> tuple[float, float]:
    """Seconds from make_app(replay=LOG) to its first step drawn, and to the log verified.

    The first screen counts once it shows the log (the first step on the board,
    the timeline), not a loading spinner; it is awaited by polling, since
    Pilot.pause() waits for the CPU to go idle and a worker verifying the log
    in the background keeps it busy (up to pause's one-second limit).
    """
    from tabletop.tui.app import make_app

    first = verified = 0.0

    async def main() -> None:
        nonlocal first, verified
        start = time.perf_counter()
        app = make_app(replay=log)
        async with app.run_test(size=(120, 40)) as pilot:
            while getattr(app.screen, "step", 0) < 1:
                if time.perf_counter() - start > 300:
                    raise TimeoutError("the replay never showed its first step")
                await asyncio.sleep(0.005)
            await pilot._wait_for_screen()
            app.screen._on_timer_update()  # draw it now
            first = time.perf_counter() - start
            await app.workers.wait_for_complete()
            verified = time.perf_counter() - start

    asyncio.run(main())
    return first, verified


def start_up(runs: int) -> None:
    """The headless start-up figures (second row): the bare app and the board on nea-2024, by turns."""
    (bare_wall, bare_inner), (board_wall, board_inner) = fresh_processes([BARE, BOARD], runs)
    print(f"start-up headless, bare Textual app (header, table, log): {bare_wall * 1000:7.0f} ms process, {bare_inner * 1000:6.0f} ms import-to-drawn")
    print(f"start-up headless, tabletop board on nea-2024:            {board_wall * 1000:7.0f} ms process, {board_inner * 1000:6.0f} ms import-to-drawn")
    print(f"ratio (process wall time): {board_wall / bare_wall:.2f}x")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        bare_cached, board_cached = with_bytecode(runs)
        print(f"  with bytecode cached, as installed: {bare_cached * 1000:.0f} ms vs {board_cached * 1000:.0f} ms = "
              f"{board_cached / bare_cached:.2f}x (PYTHONDONTWRITEBYTECODE is set: above, tabletop's modules compile on every run, Textual's never)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--terminal-runs", type=int, default=11)
    parser.add_argument("--skip-replay", action="store_true")
    parser.add_argument("--only-terminal", action="store_true")
    parser.add_argument("--only-replay", action="store_true")
    parser.add_argument("--replay-one", metavar="LOG", help=argparse.SUPPRESS)  # in_own_process's child
    args = parser.parse_args()
    if args.replay_one:
        import json

        print(json.dumps(open_replay(Path(args.replay_one))))
        return
    if args.only_replay:
        pass
    elif shutil.which("tmux"):
        bare, board, bare_runs, board_runs = terminal_start_up(max(11, args.terminal_runs))
        print(f"start-up in tmux 120x40, launch to the six seat names on the start screen: {board * 1000:.0f} ms; "
              f"bare Textual app (header, static, table, rich log, footer) to its static line: {bare * 1000:.0f} ms; "
              f"{board / bare:.2f}x (goal: at most 1.15x; median of {len(board_runs)}, alternating)")
        print(f"  every run, ms: bare {' '.join(f'{x * 1000:.0f}' for x in bare_runs)}; tabletop {' '.join(f'{x * 1000:.0f}' for x in board_runs)}")
    else:
        print("start-up in a terminal: skipped, tmux is not installed")
    if args.only_terminal:
        return
    if not args.only_replay:
        start_up(args.runs)
        with tempfile.TemporaryDirectory() as tmp:
            timings, piloted = keypress(Path(tmp))
            print(f"keypress to redraw, 500 injects released: median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms (goal: under 50 ms)")
            print(f"  the same through Pilot.press+pause: median {statistics.median(piloted):.1f} ms (its idle waits alone: ~62 ms a key)")
    if not args.skip_replay:
        with tempfile.TemporaryDirectory() as tmp:
            log, scenario_load, turns = synthetic_log(Path(tmp))
            first, verified = in_own_process(log)
            events = sum(1 for _ in open(log, "rb")) - 1
            print(f"replay of a {events:,}-event log to its first screen: {first:.2f} s (goal: under 1 s besides the scenario), "
                  f"of which loading its synthetic {turns:,}-turn scenario {scenario_load:.2f} s")
            print(f"  the log read, chain-checked and replayed in the background: {verified:.2f} s after opening")
        with tempfile.TemporaryDirectory() as tmp:
            log = real_log(Path(tmp))
            first, verified = in_own_process(log)
            events = sum(1 for _ in open(log, "rb")) - 1
            print(f"replay of a {events:,}-event log of nea-2024 (turn 1, then notes) to its first screen: "
                  f"{first:.2f} s (goal: under 1 s); verified in the background {verified:.2f} s after opening")

if __name__ == "__main__":
    main()
