"""The last events of the log, one line each; decisions stay sealed until every seat is in."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tabletop import model as m
from tabletop.tui.describe import event_line, is_sealed

KEEP = 200


class LogTail(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines: list[Content] = []

    def on_mount(self) -> None:
        self.border_title = "Log"

    def show(self, events: list[dict], scenario: m.Scenario, rules: m.Rules, state: m.WorldState) -> None:
        self._lines = [
            Content.assemble((f"#{e.get('seq')} ", "dim"), event_line(e, scenario, rules, sealed=is_sealed(e, state)))
            for e in events[-KEEP:]
        ]
        self.border_subtitle = f"{len(events)} events"
        self.refresh()

    @property
    def lines(self) -> list[str]:
        """The lines kept, as plain text."""
        return [line.plain for line in self._lines]

    def render(self) -> Content:
        height = max(1, self.content_size.height)
        lines = self._lines[-height:]
        return Content("\n").join(lines) if lines else Content.styled("No events yet.", "dim italic")
