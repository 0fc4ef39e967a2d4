"""Helpers for driving the app with Pilot: no pytest-asyncio needed, each test runs its own event loop."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from textual.notifications import Notify
from textual.widgets import Select

MINI = Path(__file__).resolve().parent.parent / "data" / "mini.yaml"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """A fresh TABLETOP_HOME per test: no test sees the real user's logs or another test's."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("TABLETOP_HOME", str(folder))
    return folder


@pytest.fixture
def mini_in_home(home) -> Path:
    """mini.yaml as one of the user's own scenarios, so the start screen lists it."""
    target = home / "scenarios" / "mini.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(MINI, target)
    return target


def run(coro):
    return asyncio.run(coro)


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


async def choose(pilot, select: Select, steps: int = 1) -> None:
    """Open a Select and move down ``steps`` options from the prompt, by keyboard."""
    select.focus()
    await pilot.press("enter", *["down"] * steps, "enter")
    await pilot.pause()


def notifications(messages) -> list:
    return [m.notification for m in messages if isinstance(m, Notify)]


async def click_seat(pilot, screen, seat: str) -> None:
    """Click a seat's line in the start screen's seat picker (its box and its name are one line of one widget)."""
    picker = screen.query_one("#seat-rows")
    row = picker.get_option_index(f"human-{seat}")
    await pilot.click(picker, offset=(picker.gutter.left + 1, picker.gutter.top + row - int(picker.scroll_offset.y)))
