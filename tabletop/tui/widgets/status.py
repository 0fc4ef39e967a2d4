"""The board's two header lines: scenario, turn, phase, date and what the next advance does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Static

from tabletop import model as m
from tabletop.session import PHASES
from tabletop.tui import literal

if TYPE_CHECKING:  # annotations only
    from tabletop.state import State


def next_step(scenario: m.Scenario, state: State) -> str:
    """What the advance key does from here, in the facilitator's words."""
    if state.ended:
        return "exercise ended"
    if state.phase == "adjudicate" and state.turn not in state.adjudicated:
        return "adjudicate"
    if state.phase == "review":
        return "end exercise" if state.turn == scenario.turns[-1].id else "next turn"
    if state.phase in PHASES[:-1]:
        return PHASES[PHASES.index(state.phase) + 1]
    return "start"


class StatusLine(Static):
    """Title on the first line; turn, phase, date, what space does and the turn's title on the second."""

    _shown: Content | None = None

    def show(
        self, scenario: m.Scenario, state: State, prefix: str = "", advance_hint: bool = True, note: Content | None = None
    ) -> None:
        """``note`` follows the title on the first line (the replay says there whether the log verified)."""
        try:
            turn_text, title = f"Turn {state.turn}/{len(scenario.turns)}", scenario.turn(state.turn).title
        except KeyError:
            turn_text, title = "Not started", ""
        phase = state.phase
        position = f" ({PHASES.index(phase) + 1}/{len(PHASES)})" if phase in PHASES else ""
        parts: list[literal.Part] = []
        if prefix:
            parts += [(prefix, "bold $accent"), "  "]
        parts += [(scenario.title, "bold")]
        if note is not None:
            parts += ["  ", note]
        second: list[literal.Part] = [
            (turn_text, "bold"),
            "  ",
            ("ENDED" if state.ended else phase.upper(), "reverse bold" if not state.ended else "bold $error"),
            (position, "dim"),
            "  ",
            (state.date.isoformat() if state.date else "", ""),
        ]
        if advance_hint and not state.ended:
            second += ["  ", (f"space: {next_step(scenario, state)}", "dim")]
        if title:  # last: at 80 columns the line is cut from the right, and the situation panel names the turn too
            second += ["  ", (title, "bold")]
        content = literal.assemble(*parts, "\n", *second)
        if self._shown is not None and content.is_same(self._shown):
            return  # most commands leave the header as it was: no repaint
        super().update(content, layout=False)  # two lines, sized by the stylesheet
        self._shown = content

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._shown = None  # whatever show() drew last is gone
        super().update(content, layout=layout)
