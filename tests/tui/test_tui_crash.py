"""Kill the TUI with SIGKILL mid-exercise, many times: nothing acknowledged is lost, resuming carries on.

A child process drives the real app headless (App.run_test with Pilot): it
releases injects, writes notes and advances phases with the board's own keys,
and prints each event's number the moment the session has logged it (the
acknowledgement a facilitator sees). The test kills it at seeded random
moments, checks that every acknowledged event is in the log exactly as
printed, and that the next child, resuming the same log through the app's
own resume, carries on from there. At the end the log replays and verifies.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tabletop import log as logmod
from tabletop.loading import load_scenario
from tabletop.session import Session

from .conftest import MINI

pytestmark = pytest.mark.slow  # kills the TUI's process again and again

CHILD = r"""
import asyncio, sys
from pathlib import Path
from tabletop.tui.app import make_app

log, steps = Path(sys.argv[1]), int(sys.argv[2])

def acknowledge(record):
    print(json.dumps([record["seq"], record["type"]]), flush=True)

import json

async def main():
    if log.exists():
        app = make_app(None, [], seed=1, start=True)
    else:
        app = make_app(sys.argv[3], [], seed=1, log=log)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        if app.session is None:  # resume, as the start screen's Resume button does
            assert app.resume_exercise(log, 10), "resume refused"
            await pilot.pause()
        app.session.listeners.append(acknowledge)
        board = len(app.screen_stack)  # screens above the board are dialogs to close
        print(json.dumps(["ready", len(app.session.events)]), flush=True)
        for i in range(steps):
            if app.session.state.ended:
                break
            key = ["n", "t", "space"][i % 3]
            if key == "t":
                await pilot.press("t")
                await pilot.pause()
                for ch in f"note {i}":
                    await pilot.press("space" if ch == " " else ch)
                await pilot.press("enter")
            else:
                await pilot.press(key)
            await pilot.pause()
            while len(app.screen_stack) > board and app.session.state.phase != "brief":
                await pilot.press("escape")  # close the reveal or adjudication screens
                await pilot.pause()

asyncio.run(main())
"""


def start(log: Path, steps: int, home: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, TABLETOP_HOME=str(home))
    errors = open(log.with_suffix(".stderr"), "a")  # a file, not a pipe nobody reads: it cannot fill up
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(log), str(steps), str(MINI)],
        stdout=subprocess.PIPE, stderr=errors, text=True, env=env, cwd=home,
    )


def lines(proc: subprocess.Popen[str], deadline: float):
    """The child's lines as they come, until it closes stdout or the deadline passes."""
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if not line:
                return
            yield line


def test_sigkill_the_tui_at_random_moments(tmp_path, home):
    log = tmp_path / "tui.jsonl"
    rng = random.Random(20241204)
    acknowledged: dict[int, str] = {}
    kills = 0
    while kills < 6:
        proc = start(log, 200, home)
        ready = None
        deadline = time.monotonic() + 20
        wanted = rng.randint(1, 12)  # kill after this many further acknowledgements
        seen = 0
        for line in lines(proc, deadline):
            item = json.loads(line)
            if item[0] == "ready":
                ready = item[1]
                continue
            acknowledged[item[0]] = item[1]
            seen += 1
            if seen >= wanted:
                time.sleep(rng.random() * 0.02)
                proc.send_signal(signal.SIGKILL)
                break
        else:
            proc.send_signal(signal.SIGKILL)  # stalled or finished: either way, stop it here
        proc.wait(timeout=30)
        kills += 1
        assert ready is not None, "the app never came up"
        contents = logmod.read(log)  # a torn last line is dropped with a warning
        logged = {e["seq"]: e["type"] for e in contents.events}
        for seq, kind in acknowledged.items():
            assert logged.get(seq) == kind, f"acknowledged event {seq} ({kind}) lost after kill {kills}"
    # One more child resumes and plays on; then the whole log replays and verifies.
    proc = start(log, 30, home)
    proc.communicate(timeout=120)
    assert proc.returncode == 0, log.with_suffix(".stderr").read_text()
    scenario, rules = load_scenario(MINI)
    contents = logmod.read(log)
    assert not contents.warnings
    Session.replay(contents, scenario, rules)
    assert max(acknowledged) <= len(contents.events)
