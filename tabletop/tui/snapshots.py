"""A log replayed once, with the board's state at any event after that without replaying again.

Replaying is O(events); stepping through a long log one event at a time must
not be. The one replay keeps a copy of the state every ``stride`` events; the
state at event k is the nearest copy at or before k with the few events after
it folded on by the engine's own fold. Moving forward from the last state
shown folds only the events in between.

The replay viewer does not wait for that replay: :meth:`Snapshots.unverified`
folds the events as read, so the first steps show at once, and
:meth:`Snapshots.verify` (in a worker thread) replays the log meanwhile,
adding its copies as it goes. The UI thread only reads what the worker adds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tabletop import log as logmod
from tabletop import model as m
from tabletop.session import ReplayMismatch, Session, fold_events

MAX_SNAPSHOTS = 100

_UNKNOWN: Any = object()


class Snapshots:
    def __init__(self, contents: logmod.LogContents, scenario: m.Scenario, rules: m.Rules, stride: int | None = None):
        """Replay ``contents`` at once; ``error`` holds the first mismatch, and the events stop before it."""
        self._setup(contents.header, contents.events, scenario, rules)
        self.verify(contents, stride)
        self.finish()

    @classmethod
    def unverified(cls, header: dict[str, Any], events: list[dict[str, Any]], scenario: m.Scenario, rules: m.Rules) -> Snapshots:
        """States by folding the events as read, before any replay has checked them: for a first look."""
        self = cls.__new__(cls)
        self._setup(header, events, scenario, rules)
        return self

    def _setup(self, header: dict[str, Any], events: list[dict[str, Any]], scenario: m.Scenario, rules: m.Rules) -> None:
        self.header = header
        self.scenario = scenario
        self.rules = rules
        self.events: list[dict[str, Any]] = events
        self.stride = max(1, math.ceil(len(events) / MAX_SNAPSHOTS))
        # A session that never runs a command: it gives the initial state and a context for the fold.
        self._shell = Session(scenario, rules, int(header.get("seed", 0)), dict(header.get("seats") or {}), header=header)
        self.states: dict[int, m.WorldState] = {0: self._shell.state.copy()}
        self.error: ReplayMismatch | None = None
        self.replayed = 0
        self.verified = False
        self._cursor: tuple[int, m.WorldState] | None = None
        self._turn_starts: list[int] | None = None
        self._first_adjudicated: dict[str, Any] | None = _UNKNOWN

    def extend(self, events: list[dict[str, Any]]) -> None:
        """The whole log, once read; the events shown so far are its first ones."""
        self.events = events
        self.stride = max(1, math.ceil(len(events) / MAX_SNAPSHOTS))
        self._turn_starts = None
        self._first_adjudicated = _UNKNOWN

    def verify(self, contents: logmod.LogContents, stride: int | None = None, progress: Callable[[int, int], None] | None = None) -> None:
        """Replay the log (the engine re-issues every command), keeping a copy of the state every ``stride`` events.

        Safe to run in a worker thread while the UI thread calls :meth:`state_at`:
        this only adds to ``states``. Call :meth:`finish` on the UI thread after.
        """
        total = len(contents.events)
        stride = self.stride = stride or max(1, math.ceil(total / MAX_SNAPSHOTS))  # as extend() has it
        states = self.states

        def keep(count: int, state: m.WorldState) -> None:
            self.replayed = count
            if count % stride == 0 or count == total:
                states[count] = state.copy()
            if progress is not None:
                progress(count, total)

        try:
            Session.replay(contents, self.scenario, self.rules, on_event=keep)
        except ReplayMismatch as exc:
            self.error = exc
        self.verified = self.error is None

    def finish(self) -> None:
        """After :meth:`verify`: the events stop where the replay did."""
        if self.error is not None and self.replayed < len(self.events):
            self.extend(self.events[: self.replayed])
            self._cursor = None

    @property
    def first_adjudicated(self) -> dict[str, Any] | None:
        if self._first_adjudicated is _UNKNOWN:
            self._first_adjudicated = next((e for e in self.events if e.get("type") == "adjudicated"), None)
        return self._first_adjudicated

    def __len__(self) -> int:
        return len(self.events)

    def state_at(self, k: int) -> m.WorldState:
        """The state after the first k events (k = 0: before any). The value is only good until the next call."""
        k = max(0, min(k, len(self.events)))
        states = self.states
        if k in states:
            self._cursor = None
            return states[k]
        base = max(j for j in list(states) if j <= k)  # list(): a worker may be adding to it
        if self._cursor is not None and base <= self._cursor[0] <= k:
            start, state = self._cursor
        else:
            start, state = base, states[base].copy()
        self._shell.state = state
        self._cursor = None
        # Folding a long way (the replay has not got this far yet): keep a copy near k, so stepping back is quick.
        near = k - k % self.stride
        if near - start > self.stride and near not in states:
            fold_events(self._shell, state, self.events[start:near])
            states[near] = state.copy()
            start = near
        fold_events(self._shell, state, self.events[start:k])  # may raise on events no replay has checked yet
        self._cursor = (k, state)
        return state

    def turn_starts(self) -> list[int]:
        """Event numbers (1-based) of every turn_started event."""
        if self._turn_starts is None:
            self._turn_starts = [i + 1 for i, e in enumerate(self.events) if e.get("type") == "turn_started"]
        return self._turn_starts
