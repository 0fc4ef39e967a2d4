"""Tension over the turns as bars on the ladder's own scale, with the rung it stands on.

The bars run from the ladder's lowest rung to its highest, not from the data's
own minimum to its maximum: "Confrontation" is the same height in every
exercise, and a flat exercise at "Crisis" does not look like one at "Stable".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from tabletop import model as m
from tabletop.palette import OKABE_ITO
from tabletop.tui import literal

if TYPE_CHECKING:  # annotations only
    from tabletop.state import State


def starting_tension(events: list[dict]) -> int | None:
    """Tension just before the first adjudication, read from its event; None before there is one."""
    first = next((e for e in events if e.get("type") == "adjudicated"), None)
    return first["changes"]["tension"][0] if first is not None else None


def tension_series(state: State, start: int | None = None) -> list[int]:
    """Tension before the first adjudication, after each one, and now (when the turn is still open)."""
    series: list[int] = []
    if start is not None and state.tension_history:
        series.append(start)
    series += [t for _, t in state.tension_history]
    if state.turn not in state.adjudicated or not series:
        series.append(state.tension)
    return series


EIGHTHS = " ▁▂▃▄▅▆▇█"


def bar_rows(series: list[int], bottom: int, top: int, height: int) -> list[list[str]]:
    """The bars of ``series`` scaled to the ladder, ``height`` rows of block characters, top row first."""
    span = max(1, top - bottom)
    units = [round((min(top, max(bottom, v)) - bottom) * height * 8 / span) for v in series]
    rows = []
    for row in range(height - 1, -1, -1):
        rows.append([EIGHTHS[max(0, min(8, u - row * 8))] for u in units])
    return rows


class LadderBars(Static):
    """One bar per adjudication (and the turn so far), scaled to the ladder."""

    series: tuple[int, ...] = ()
    scale: tuple[int, int] = (0, 1)

    def plot(self, series: list[int], bottom: int, top: int) -> None:
        self.series, self.scale = tuple(series), (bottom, top)
        self.refresh()

    def render(self) -> Content:
        bottom, top = self.scale
        height = max(1, self.size.height)
        series = list(self.series[-max(1, self.size.width // 2):])
        if not series:
            return Content("")
        colours = [_colour(v, bottom, top) for v in series]
        lines = []
        for row in bar_rows(series, bottom, top, height):
            parts: list[literal.Part] = []
            for char, colour in zip(row, colours, strict=True):
                parts += [(char, colour), " "]
            lines.append(literal.assemble(*parts))
        return Content("\n").join(lines)


def _colour(value: int, bottom: int, top: int) -> str:
    share = (value - bottom) / max(1, top - bottom)
    if share >= 0.6:
        return OKABE_ITO["vermillion"]
    if share >= 0.4:
        return OKABE_ITO["orange"]
    return OKABE_ITO["bluish_green"]


class TensionChart(Vertical):
    _shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="tension-label")
        yield LadderBars(id="tension-spark")

    def on_mount(self) -> None:
        self.border_title = "Tension"

    def show(self, rules: m.Rules, state: State, start: int | None = None) -> None:
        esc = rules.escalation
        series = tension_series(state, start)
        label = literal.assemble(
            (f"{state.tension}", "bold"), (f"/{esc.top} ", "dim"), (esc.rung_name(state.tension), "bold"),
        )
        live = state.turn not in state.adjudicated and len(series) > 1
        shown = [str(t) for t in series]
        if live:
            shown[-1] = f"now {shown[-1]}"
        key = (label.plain, series, live)
        if key == self._shown:
            return  # unchanged: nothing to redraw
        self._shown = key
        self.query_one("#tension-label", Static).update(label, layout=False)
        self.query_one(LadderBars).plot(series, esc.bottom, esc.top)
        self.border_subtitle = literal.text(" ".join(shown[-10:]))
