"""A log's states at any event, for stepping through it without replaying again.

States are immutable values (``tabletop.state``), so keeping one costs only
what differs from its neighbours. The replay in the background keeps the
state every ``stride`` events; the state at event k is the nearest kept one at
or before k with the few events after it folded on (``tabletop.replay.fold``).
Moving forward from the last state shown folds only the events in between.

The viewer does not wait for the replay: :meth:`Snapshots.unverified` folds
the events as read, so the first steps show at once, and :meth:`verify` (in a
worker thread) replays the log meanwhile, adding its states as it goes. The UI
thread only reads what the worker adds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tabletop import log as logmod
from tabletop import model as m
from tabletop.replay import ReplayMismatch, fold, game_of, replay
from tabletop.sealing import SEALED_KINDS, event_sealed
from tabletop.state import State

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
        self.game = game_of(header, scenario, rules)
        self.events: list[dict[str, Any]] = events
        self.stride = max(1, math.ceil(len(events) / MAX_SNAPSHOTS))
        self.states: dict[int, State] = {0: self.game.initial()}
        self.error: ReplayMismatch | None = None
        self.replayed = 0
        self.verified = False
        self._cursor: tuple[int, State] | None = None
        self._turn_starts: list[int] | None = None
        self._first_adjudicated: dict[str, Any] | None = _UNKNOWN
        self._end: tuple[int, State | None] | None = None

    def extend(self, events: list[dict[str, Any]]) -> None:
        """The whole log, once read; the events shown so far are its first ones."""
        self.events = events
        self.stride = max(1, math.ceil(len(events) / MAX_SNAPSHOTS))
        self._turn_starts = None
        self._first_adjudicated = _UNKNOWN

    def verify(self, contents: logmod.LogContents, stride: int | None = None, progress: Callable[[int, int], None] | None = None) -> None:
        """Replay the log (every command re-decided), keeping the state every ``stride`` events.

        Safe to run in a worker thread while the UI thread calls :meth:`state_at`:
        this only adds to ``states``. Call :meth:`finish` on the UI thread after.
        """
        total = len(contents.events)
        stride = self.stride = stride or max(1, math.ceil(total / MAX_SNAPSHOTS))  # as extend() has it
        states = self.states

        def keep(count: int, state: State) -> None:
            self.replayed = count
            if count % stride == 0 or count == total:
                states[count] = state
            if progress is not None:
                progress(count, total)

        try:
            replay(self.game, contents.events, on_event=keep)
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

    def sealed(self, event: dict[str, Any]) -> bool:
        """Is ``event`` sealed in the log as far as it goes (its turn's decide phase still open at the end)?

        The rule of :mod:`tabletop.sealing`, asked of the state after the last
        event: a log of an exercise still in its decide phase shows, stepped
        through, whose decisions are in, not what they are. Until the replay in
        the background has kept a state near the end (within a stride, so the
        UI thread folds a few events, never the whole log), and where the
        events cannot be folded to the end (a log no replay has checked),
        every decision, answer and assessment is shown sealed.
        """
        if event.get("type") not in SEALED_KINDS:
            return False
        if self._end is None or self._end[0] != len(self.events):
            count = len(self.events)
            if count - max(j for j in list(self.states) if j <= count) > self.stride:  # list(): a worker may be adding to it
                return True
            try:
                end: State | None = self.state_at(len(self.events))
            except Exception:  # noqa: BLE001 - an event the engine cannot fold; the replay names it
                end = None
            self._end = (len(self.events), end)
        end = self._end[1]
        return True if end is None else event_sealed(event, end)

    def state_at(self, k: int) -> State:
        """The state after the first k events (k = 0: before any)."""
        k = max(0, min(k, len(self.events)))
        states = self.states
        if k in states:
            return states[k]
        base = max(j for j in list(states) if j <= k)  # list(): a worker may be adding to it
        start, state = base, states[base]
        if self._cursor is not None and base <= self._cursor[0] <= k:
            start, state = self._cursor
        near = k - k % self.stride
        if near - start > self.stride and near not in states:  # a long way: keep a state near k, so stepping back is quick
            state = states[near] = fold(self.game, self.events, state, start, near)
            start = near
        state = fold(self.game, self.events, state, start, k)  # may raise on events no replay has checked yet
        self._cursor = (k, state)
        return state

    def turn_starts(self) -> list[int]:
        """Event numbers (1-based) of every turn_started event."""
        if self._turn_starts is None:
            self._turn_starts = [i + 1 for i, e in enumerate(self.events) if e.get("type") == "turn_started"]
        return self._turn_starts
