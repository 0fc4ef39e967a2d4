"""Tension over the turns as a sparkline, with the rung it stands on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from tabletop import model as m
from tabletop.palette import OKABE_ITO
from tabletop.tui import literal


def starting_tension(events: list[dict]) -> int | None:
    """Tension just before the first adjudication, read from its event; None before there is one."""
    first = next((e for e in events if e.get("type") == "adjudicated"), None)
    return first["changes"]["tension"][0] if first is not None else None


def tension_series(state: m.WorldState, start: int | None = None) -> list[int]:
    """Tension before the first adjudication, after each one, and now (when the turn is still open)."""
    series: list[int] = []
    if start is not None and state.tension_history:
        series.append(start)
    series += [t for _, t in state.tension_history]
    if state.turn not in state.adjudicated or not series:
        series.append(state.tension)
    return series


class TensionChart(Vertical):
    _shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="tension-label")
        yield Sparkline([], id="tension-spark", min_color=OKABE_ITO["bluish_green"], max_color=OKABE_ITO["vermillion"])

    def on_mount(self) -> None:
        self.border_title = "Tension"

    def show(self, rules: m.Rules, state: m.WorldState, start: int | None = None) -> None:
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
        # One point would fill the whole box as if it were the maximum: show a flat line until there are two.
        self.query_one(Sparkline).data = series if len(series) > 1 else []
        self.border_subtitle = literal.text(" ".join(shown[-10:]))
