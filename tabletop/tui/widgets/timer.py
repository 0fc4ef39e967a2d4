"""A phase timer for the facilitator: paused until started, reset when the phase changes."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from tabletop.tui import literal


class PhaseTimer(Static):
    remaining: reactive[int] = reactive(600)
    running: reactive[bool] = reactive(False)

    def __init__(self, minutes: int = 10, **kwargs) -> None:
        super().__init__(**kwargs)
        self.minutes = minutes
        self.set_reactive(PhaseTimer.remaining, minutes * 60)
        self._warned = False

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1, self._tick, pause=True)

    def toggle(self) -> bool:
        self.running = not self.running
        if self.running:
            self._ticker.resume()
        else:
            self._ticker.pause()
        return self.running

    def extend(self, seconds: int = 60) -> None:
        self.remaining += seconds
        if self.remaining > 0:
            self._warned = False

    def reset(self, minutes: int | None = None) -> None:
        if minutes is not None:
            self.minutes = minutes
        self.running = False
        self._ticker.pause()
        self.remaining = self.minutes * 60
        self._warned = False

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0 and not self._warned:
            self._warned = True
            self.app.bell()
            self.app.notify("Time is up for this phase (+ adds a minute).", severity="warning")

    def render(self) -> Content:
        left = self.remaining
        sign = "-" if left < 0 else ""
        left = abs(left)
        clock = f"{sign}{left // 60:02d}:{left % 60:02d}"
        style = "bold $error" if self.remaining <= 0 else ("bold $warning" if self.remaining < 60 else "bold")
        if self.running:
            return literal.assemble((clock, style), (" running", "dim"), "\n", ("p pause +1 min", "dim"))
        return literal.assemble((clock, style), (" paused", "dim"), "\n", ("p start", "dim"))
