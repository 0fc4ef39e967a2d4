"""The last events of the log, one line each; decisions stay sealed until every seat is in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from tabletop import model as m
from tabletop.sealing import event_sealed
from tabletop.tui import literal
from tabletop.tui.describe import event_line

if TYPE_CHECKING:  # annotations only
    from tabletop.state import State

KEEP = 200
HIDDEN = frozenset({"obligation_answered"})  # the decision before it says the same


class LogTail(Static):
    """Describes only the events it draws (the last few), each once while its sealing stays the same."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._events: list[dict] = []
        self._count = 0
        self._scenario: m.Scenario | None = None
        self._rules: m.Rules | None = None
        self._state: State | None = None
        self._described: dict[tuple[int, bool], Content] = {}

    def on_mount(self) -> None:
        self.border_title = "Log"

    def show(self, events: list[dict], scenario: m.Scenario, rules: m.Rules, state: State) -> None:
        # The session's list only grows: keep it and the count, describe lazily what is drawn.
        self._events, self._count = events, len(events)
        self._scenario, self._rules, self._state = scenario, rules, state
        subtitle = f"{self._count} events"
        if subtitle != getattr(self, "_subtitle", None):
            self._subtitle = subtitle
            self.border_subtitle = literal.text(subtitle)
        self.refresh()

    def _line(self, index: int) -> Content:
        event = self._events[index]
        assert self._scenario is not None and self._rules is not None and self._state is not None
        sealed = event_sealed(event, self._state)
        key = (index, sealed)
        line = self._described.get(key)
        if line is None:
            if len(self._described) > 4 * KEEP:
                self._described.clear()
            line = self._described[key] = literal.assemble(
                (f"#{event.get('seq')} ", "dim"), event_line(event, self._scenario, self._rules, sealed=sealed)
            )
        return line

    def _tail(self, count: int) -> list[Content]:
        """The last ``count`` lines; an obligation's answer is told once, by the decision that gives it."""
        found: list[int] = []
        wanted, index = min(count, KEEP), self._count - 1
        while index >= 0 and len(found) < wanted:
            if self._events[index].get("type") not in HIDDEN:
                found.append(index)
            index -= 1
        return [self._line(i) for i in reversed(found)]

    @property
    def lines(self) -> list[str]:
        """The last events (up to KEEP), as plain text."""
        return [line.plain for line in self._tail(KEEP)]

    def render(self) -> Content:
        height = max(1, self.content_size.height)
        lines = self._tail(height)
        return Content("\n").join(lines) if lines else Content.styled("No events yet.", "dim italic")
