"""SVG snapshots of every main screen, at 80x24 and 120x40.

Each screen is reached the way a facilitator reaches it, by keys, from a fixed
start: the test scenario (tests/data/mini.yaml), seed 1, China played by a
human (it owes no treaty answer in turn 1, so its private decision is one
option and a rationale), no clock shown, no timer running, the cursor not
blinking. The replay and its branch dialog open a log the headless runner
wrote with the same seed.

To add a screen, add a row to SCREENS: a name and the steps that reach it.
Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and
look at every SVG that changed before keeping it (``rsvg-convert`` turns one
into a PNG). The snapshots change whenever a screen's text or layout does, on
purpose or not: that is what they are for.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from textual.worker import WorkerState

from tabletop import runner
from tabletop.loading import load_scenario
from tabletop.tui.app import make_app

from .conftest import MINI

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
SEED = 1
RATIONALE = "Keep the alliance steady"

Steps = Callable[[Pilot], Awaitable[None]]


DIALOG_WORKERS = {"branch"}  # workers that wait for a dialog's answer: they end when it is closed


async def settle(pilot: Pilot) -> None:
    """Every worker done, every message handled, no cursor blinking: the screen as it will stay."""
    app = pilot.app
    busy = [w for w in app.workers if w.group not in DIALOG_WORKERS and w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
    if busy:  # (an empty list would mean every worker to wait_for_complete)
        await app.workers.wait_for_complete(busy)
    await pilot.pause()
    for widget in app.screen.query("Input, TextArea").results():
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()


async def keys(pilot: Pilot, *pressed: str) -> None:
    for key in pressed:
        await pilot.press(key)
        await settle(pilot)


async def text(pilot: Pilot, words: str) -> None:
    for ch in words:
        await pilot.press("space" if ch == " " else ch)
    await settle(pilot)


# The board, turn 1: N releases the scheduled injects, space walks the phases.
async def brief(pilot: Pilot) -> None:
    await keys(pilot, "N")


async def deliberate(pilot: Pilot) -> None:
    await keys(pilot, "N", "space")


async def handover(pilot: Pilot) -> None:  # entering decide: the bots decide, China is handed the keyboard
    await keys(pilot, "N", "space", "space")


async def decide_phase(pilot: Pilot) -> None:  # "not now": the board in its decide phase, China still to decide
    await handover(pilot)
    await keys(pilot, "escape")


async def decision(pilot: Pilot) -> None:
    await handover(pilot)
    await keys(pilot, "enter")


async def reveal(pilot: Pilot) -> None:
    await decision(pilot)
    await keys(pilot, "down", "enter")  # the first option; the rationale field has the focus next
    await text(pilot, RATIONALE)
    await keys(pilot, "enter")


async def adjudication(pilot: Pilot) -> None:
    await reveal(pilot)
    await keys(pilot, "escape", "space")


async def adjudicate_phase(pilot: Pilot) -> None:
    await adjudication(pilot)
    await keys(pilot, "escape")


async def review(pilot: Pilot) -> None:
    await adjudicate_phase(pilot)
    await keys(pilot, "space")


async def override(pilot: Pilot) -> None:
    await review(pilot)
    await keys(pilot, "o")


async def ruling(pilot: Pilot) -> None:
    """The ruling step on a contested obligation. The limited strike that makes one comes with facts, which the
    ad-hoc dialog does not take (an MSEL or a scenario inject would carry them): released through the session."""
    from tabletop.model import Fact

    await keys(pilot, "N")
    pilot.app.session.release_adhoc("A limited strike", "The ROK shells a DPRK position.",
                                    facts=[Fact(kind="armed_attack", by="rok", target="dprk", location="dprk", details={"scale": "limited"})])
    pilot.app.screen.refresh_board()
    await keys(pilot, "r")


async def hotwash(pilot: Pilot) -> None:
    await review(pilot)
    await keys(pilot, "e", "y")


async def board_help(pilot: Pilot) -> None:
    await keys(pilot, "question_mark")


async def start(pilot: Pilot) -> None:
    await settle(pilot)


async def replay(pilot: Pilot) -> None:
    await keys(pilot, "right", "right", "right")


async def branch(pilot: Pilot) -> None:
    await replay(pilot)
    await keys(pilot, "b")


# name: (which app, the steps from its first screen)
SCREENS: dict[str, tuple[str, Steps]] = {
    "start": ("start", start),
    "board-brief": ("board", brief),
    "board-deliberate": ("board", deliberate),
    "hot-seat-handover": ("board", handover),
    "board-decide": ("board", decide_phase),
    "private-decision": ("board", decision),
    "reveal": ("board", reveal),
    "adjudication": ("board", adjudication),
    "board-adjudicate": ("board", adjudicate_phase),
    "board-review": ("board", review),
    "override": ("board", override),
    "ruling": ("board", ruling),
    "hot-wash": ("board", hotwash),
    "help": ("board", board_help),
    "replay": ("replay", replay),
    "branch-dialog": ("replay", branch),
}


def app_for(kind: str, folder: Path):
    if kind == "start":
        return make_app(seed=SEED, start=True)
    if kind == "board":
        # The log's header names its scenario's path, and the hot wash shows the log's head hash:
        # the scenario is read from the same place on every machine, whatever the checkout's.
        fixed = Path(tempfile.gettempdir()) / "tabletop-snapshots" / MINI.name
        fixed.parent.mkdir(exist_ok=True)
        if not fixed.exists() or fixed.read_bytes() != MINI.read_bytes():
            temp = fixed.with_name(f".{fixed.name}.{os.getpid()}")
            temp.write_bytes(MINI.read_bytes())
            os.replace(temp, fixed)
        return make_app(str(fixed), ["china=human"], seed=SEED, log=folder / "board.jsonl")
    log = folder / "exercise.jsonl"  # the replay shows the file's name, so it is the same every run
    scenario, rules = load_scenario(MINI)
    runner.play(scenario, rules, seed=SEED, log_path=log, fsync=False)
    return make_app(replay=log)


@pytest.fixture(autouse=True)
def _fixed_clock_and_key(monkeypatch, home):
    """No wall clock in the log (the hot wash shows its head's hash), and one facilitator key made from fixed bytes.

    The test session's own key is random, made once per run; its fingerprint and
    the signatures it makes would show on the hot wash and the replay.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tabletop import session, signing

    monkeypatch.setattr(session, "_now", lambda: "2025-01-01T09:00:00+00:00")
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    path = signing.key_path()
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    signing._create_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()))


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, tmp_path, screen, size):
    kind, steps = SCREENS[screen]
    assert snap_compare(app_for(kind, tmp_path), terminal_size=SIZES[size], run_before=steps)
