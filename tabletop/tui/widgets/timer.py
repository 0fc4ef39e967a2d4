"""A phase timer for the facilitator: paused until started, reset to the phase's length when the phase changes.

At zero it rings the terminal bell and turns red on reverse (visible from the back of
the room); it then counts on below zero so the facilitator sees how far over the phase is.
The board logs each start, pause and extension (the ``timer`` event), so a resume shows
the time that was left.
"""

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
            self.set_class(False, "-alarm")

    def reset(self, minutes: int | None = None) -> None:
        if minutes is not None:
            self.minutes = minutes
        self.running = False
        if hasattr(self, "_ticker"):
            self._ticker.pause()
        self.remaining = self.minutes * 60
        self._warned = False
        self.set_class(False, "-alarm")

    def restore(self, remaining: int, minutes: int) -> None:
        """As the log last had it (paused): ``remaining`` seconds of a ``minutes`` phase."""
        self.reset(minutes)
        self.remaining = remaining
        self._warned = remaining <= 0
        self.set_class(remaining <= 0, "-alarm")

    def clock(self) -> str:
        left = self.remaining
        return f"{'-' if left < 0 else ''}{abs(left) // 60:02d}:{abs(left) % 60:02d}"

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0 and not self._warned:
            self.alarm()

    def alarm(self) -> None:
        """Time is up: the bell, a warning that stays a while, and the clock in reverse red."""
        self._warned = True
        self.set_class(True, "-alarm")
        self.app.bell()
        self.app.notify("Time is up for this phase (+ adds a minute).", title="Phase timer", severity="warning", timeout=15)

    def render(self) -> Content:
        clock = self.clock()
        style = "bold reverse $error" if self.remaining <= 0 else ("bold $warning" if self.remaining < 60 else "bold")
        if self.remaining <= 0:
            clock = f" TIME {clock} "
        if self.running:
            return literal.assemble((clock, style), (" running", "dim"), "\n", ("p pause +1 min", "dim"))
        return literal.assemble((clock, style), (" paused", "dim"), "\n", ("p start", "dim"))
