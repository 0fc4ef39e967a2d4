"""A log replayed once, with the board's state at any event after that without replaying again.

Replaying is O(events); stepping through a long log one event at a time must
not be. The one replay keeps a copy of the state every ``stride`` events; the
state at event k is the nearest copy at or before k with the few events after
it folded on by the engine's own fold. Moving forward from the last state
shown folds only the events in between.
"""

from __future__ import annotations

import math
from typing import Any

from tabletop import log as logmod
from tabletop import model as m
from tabletop.session import ReplayMismatch, Session, fold_events

MAX_SNAPSHOTS = 100


class Snapshots:
    def __init__(self, contents: logmod.LogContents, scenario: m.Scenario, rules: m.Rules, stride: int | None = None):
        self.contents = contents
        self.scenario = scenario
        self.rules = rules
        total = len(contents.events)
        self.stride = stride or max(1, math.ceil(total / MAX_SNAPSHOTS))
        header = contents.header
        # A session that never runs a command: it gives the initial state and a context for the fold.
        self._shell = Session(scenario, rules, int(header.get("seed", 0)), dict(header.get("seats") or {}), header=header)
        self.states: dict[int, m.WorldState] = {0: self._shell.state.copy()}
        self.error: ReplayMismatch | None = None
        self.replayed = 0

        def keep(count: int, state: m.WorldState) -> None:
            self.replayed = count
            if count % self.stride == 0 or count == total:
                self.states[count] = state.copy()

        try:
            Session.replay(contents, scenario, rules, on_event=keep)
        except ReplayMismatch as exc:
            self.error = exc
        self.events: list[dict[str, Any]] = contents.events[: self.replayed]
        self._cursor: tuple[int, m.WorldState] | None = None
        self._turn_starts: list[int] | None = None
        self.first_adjudicated = next((e for e in self.events if e.get("type") == "adjudicated"), None)

    def __len__(self) -> int:
        return len(self.events)

    def state_at(self, k: int) -> m.WorldState:
        """The state after the first k events (k = 0: before any). The value is only good until the next call."""
        k = max(0, min(k, len(self.events)))
        if k in self.states:
            self._cursor = None
            return self.states[k]
        base = max(j for j in self.states if j <= k)
        if self._cursor is not None and base <= self._cursor[0] <= k:
            start, state = self._cursor
        else:
            start, state = base, self.states[base].copy()
        self._shell.state = state
        fold_events(self._shell, state, self.events[start:k])
        self._cursor = (k, state)
        return state

    def turn_starts(self) -> list[int]:
        """Event numbers (1-based) of every turn_started event."""
        if self._turn_starts is None:
            self._turn_starts = [i + 1 for i, e in enumerate(self.events) if e.get("type") == "turn_started"]
        return self._turn_starts
