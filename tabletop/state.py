"""The state of an exercise: a frozen value that :func:`tabletop.game.Game.evolve` folds events into.

Everything the game remembers lives here, nothing beside it: the board
(turn, phase, tension, credibility, posture), what was released and decided,
every fact so far (the rule engine reads them to tell who started a war),
every obligation and which ones must not trigger again.

The state is immutable, so a fold is a pure function and any earlier state
can be kept, compared or stepped from. What grows with the length of an
exercise (facts, released injects, obligations, decisions by turn) is kept in
persistent vectors (``pyrsistent``): appending or replacing one item shares
the rest, so folding n events costs O(n), not the O(n^2) of copying a tuple
per event.

They are pyrsistent's pure-Python vectors, not its C ones (what
``pyrsistent.pvector()`` gives). A C vector's nodes are not Python objects,
so the garbage collector, which looks into every new object at each
young-generation pass, walks a new version of a C vector item by item: with
a new notes or facts vector after every event, each pass cost the length of
the exercise so far: verifying a log of 1,000,000 events took 223-278 us an
event on average, against 60-90 us over its first 50,000 events with the
collector off (benchmarks/bench_verify.py). A new
version of a pure-Python vector holds its root and tail lists, the old ones
shared with the version before, so a pass costs the same however long the
exercise (tests/test_long_session.py counts it). Its reads are slower (about
a microsecond an item), so what reads the end of a vector reads it item by
item (:func:`tail`), never by a slice, which this implementation makes by
copying the whole vector.

Maps that stay small (a turn's decisions, the open obligations, a seat's
credibility) are plain dicts, copied when they change and never written in
place. Ordered views give screens the mappings they read
(``state.decisions.get(turn, {})``, ``state.obligations[id]``) in a fixed
order: iteration never depends on hashing, so logs stay byte for byte the
same from run to run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs
from pyrsistent import PMap, PVector, pmap

try:  # the pure-Python vector (see the module's note); pyproject pins pyrsistent below 0.21 for this private name
    from pyrsistent._pvector import python_pvector
except ImportError:  # pragma: no cover - a pyrsistent that moved it: the public vector is correct, only slower on long logs
    from pyrsistent import pvector as python_pvector

from tabletop import model as m
from tabletop.treaties import Record

EMPTY: PVector[Any] = python_pvector()  # where every vector of the state starts

V = TypeVar("V")
Key = tuple[str, str, str, str, str, "str | None"]


@attrs.frozen
class OpenObligation:
    """An obligation in play: triggered in one turn, answered in a later decide phase."""

    id: str
    obligation: m.Obligation
    turn: int
    status: str  # triggered | contested | answered | void
    due: int = 0  # the turn in whose decide phase it must be answered
    answer: str | None = None
    answered_turn: int | None = None
    ruling: str | None = None  # the facilitator's ruling, if any


class Numbered(Mapping[str, V], Generic[V]):
    """A read-only mapping over a vector whose ids are ``{prefix}1``, ``{prefix}2``, ... in order."""

    __slots__ = ("_items", "_prefix")

    def __init__(self, items: PVector[V], prefix: str) -> None:
        self._items, self._prefix = items, prefix

    def index(self, key: object) -> int | None:
        if type(key) is not str or not key.startswith(self._prefix):
            return None
        digits = key[len(self._prefix):]
        if not digits.isdigit() or digits.startswith("0"):
            return None
        n = int(digits)
        return n - 1 if 0 < n <= len(self._items) else None

    def __getitem__(self, key: str) -> V:
        i = self.index(key)
        if i is None:
            raise KeyError(key)
        return self._items[i]

    def get(self, key: object, default: Any = None) -> Any:
        """As Mapping.get, without raising and catching a KeyError for a missing key (asked for every released inject)."""
        i = self.index(key)
        return default if i is None else self._items[i]

    def __contains__(self, key: object) -> bool:
        return self.index(key) is not None

    def __iter__(self) -> Iterator[str]:
        return (f"{self._prefix}{n}" for n in range(1, len(self._items) + 1))

    def __len__(self) -> int:
        return len(self._items)

    def values(self) -> Any:  # a sequence, in order
        return self._items


class ByTurn(Mapping[int, Mapping[str, V]], Generic[V]):
    """Per-turn mappings (a turn's decisions, its answers) over a vector indexed by turn - 1."""

    __slots__ = ("_items",)

    def __init__(self, items: PVector[Mapping[str, V]]) -> None:
        self._items = items

    def __getitem__(self, turn: int) -> Mapping[str, V]:
        if type(turn) is not int or not 0 < turn <= len(self._items):
            raise KeyError(turn)
        return self._items[turn - 1]

    def __iter__(self) -> Iterator[int]:
        return iter(range(1, len(self._items) + 1))

    def __len__(self) -> int:
        return len(self._items)


def tail(items: Sequence[V], start: int) -> list[V]:
    """``items[start:]`` as a list, item by item: the cost of the items read, whatever the vector's length (see the module's note on vectors)."""
    return [items[i] for i in range(max(start, 0), len(items))]


def _at(items: PVector[Mapping[str, V]], turn: int, key: str, value: V) -> PVector[Mapping[str, V]]:
    """``items`` with ``value`` under ``key`` in turn ``turn``'s mapping (a small dict, copied)."""
    while len(items) < turn:
        items = items.append({})
    current = dict(items[turn - 1])
    current[key] = value
    return items.set(turn - 1, current)


@attrs.frozen(slots=False)  # its fields in a dict: replace() copies that dict (see there)
class State:
    """The exercise after some events. Read it; only ``Game.evolve`` makes a new one."""

    turn: int = 0
    phase: str = "setup"
    date: dt.date | None = None
    tension: int = 0
    credibility: Mapping[str, int] = attrs.field(factory=dict)
    posture: Mapping[str, str] = attrs.field(factory=dict)
    ended: bool = False
    events: int = 0  # events folded so far
    released: PVector[str] = EMPTY  # every released inject's id, in order
    released_now: frozenset[str] = frozenset()  # those released in this turn
    adhoc_injects: PVector[m.Inject] = EMPTY  # the facilitator's own, adhoc-1, adhoc-2, ...
    facts: PVector[m.Fact] = EMPTY
    turn_starts: PVector[int] = EMPTY  # by turn - 1: how many facts there were when the turn began (the ladder reads a turn's facts)
    answerable_from: int = 0  # facts from here on can still be answered this turn (a red line crossed since the last adjudication)
    hostilities: Record = Record()  # every fact so far as the rule engine reads it: their count, and the attacks among them
    turn_decisions: PVector[Mapping[str, Any]] = EMPTY  # by turn - 1: seat -> events.Decision
    turn_answers: PVector[Mapping[str, Any]] = EMPTY  # by turn - 1: obligation id -> events.ObligationAnswered
    turn_assessments: PVector[Mapping[str, Any]] = EMPTY  # by turn - 1: seat -> events.Assessed (the latest)
    all_obligations: PVector[OpenObligation] = EMPTY  # o1, o2, ...
    open_ids: tuple[str, ...] = ()  # triggered or contested and not yet answered, in the order they opened
    known: PMap[Key, str] = pmap()  # obligations that must not trigger again: key -> id
    adjudicated_turns: int = 0  # turns 1..n are adjudicated (each must be before the next starts)
    tension_history: PVector[tuple[int, int]] = EMPTY  # (turn, tension) at each adjudication
    notes: PVector[Any] = EMPTY
    overrides: PVector[Any] = EMPTY
    council: PVector[Any] = EMPTY
    reports: PVector[Any] = EMPTY
    withheld: frozenset[str] = frozenset()  # scheduled injects the facilitator keeps as standby (injects_withheld)
    dropped: frozenset[str] = frozenset()  # scheduled injects the facilitator dropped: never released
    control: Mapping[str, str] = attrs.field(factory=dict)  # seats handed over since the log's header: seat -> who plays it now (handed_over)
    before: Mapping[str, Any] | None = None  # what the last command's events overwrote, field -> value before it: a retraction puts it back (one level)
    last_command: str = ""  # the type of the last command's first event ('' once retracted)

    def replace(self, **changes: Any) -> State:
        """A copy with ``changes``: what ``attrs.evolve`` does, in a fifth of its time (see :meth:`changed`)."""
        return self.changed(changes)

    def commanded(self, changes: dict[str, Any], command: str) -> State:
        """The state after the first event of a command (of type ``command``): ``changes`` in, one more event, and
        what they overwrite kept (``before``, with the phase, which a retraction checks: the start cannot be taken back)."""
        was = self.__dict__
        before = {k: was[k] for k in changes}
        before["phase"] = was["phase"]
        changes["before"] = before
        changes["last_command"] = command
        changes["events"] = was["events"] + 1
        return self.changed(changes)

    def changed(self, changes: Mapping[str, Any]) -> State:
        """A copy with ``changes`` (field -> value): the fold makes one per event.

        The state's fields live in its ``__dict__`` (a frozen attrs class
        without slots), so the copy is that dict copied whole (a copy of its
        table, not field by field) and the changes put in: no call of the
        constructor with every one of its thirty-odd fields. The constructor
        only assigns (no validators, no converters), so the copy is the state
        the constructor would give.
        """
        fields = self.__dict__.copy()
        fields.update(changes)
        if len(fields) != _COUNT:  # the dict holds every field and nothing else: a name that is none adds one
            raise TypeError(f"State has no field {', '.join(sorted(changes.keys() - _NAMES))}")
        new = _new(State)
        _set(new, "__dict__", fields)
        return new

    # ---- views
    @property
    def obligations(self) -> Numbered[OpenObligation]:
        return Numbered(self.all_obligations, "o")

    @property
    def open(self) -> dict[str, OpenObligation]:
        obligations = self.obligations
        return {i: obligations[i] for i in self.open_ids}

    @property
    def adhoc(self) -> Numbered[m.Inject]:
        return Numbered(self.adhoc_injects, "adhoc-")

    @property
    def decisions(self) -> ByTurn[Any]:
        return ByTurn(self.turn_decisions)

    @property
    def answers(self) -> ByTurn[Any]:
        return ByTurn(self.turn_answers)

    @property
    def assessments(self) -> ByTurn[Any]:
        return ByTurn(self.turn_assessments)

    @property
    def adjudicated(self) -> range:
        return range(1, self.adjudicated_turns + 1)

    def pending_for(self, seat: str) -> list[OpenObligation]:
        return [o for o in self.open.values() if o.obligation.obligor == seat]

    def status_of(self, key: Key) -> str | None:
        """The status an obligation with this key was raised with (for the engine's strongest-status rule)."""
        ob_id = self.known.get(key)
        return None if ob_id is None else self.obligations[ob_id].obligation.status


_NAMES = frozenset(field.name for field in attrs.fields(State))
_COUNT = len(_NAMES)
_new, _set = object.__new__, object.__setattr__  # looked up once: State.changed runs once an event
if any(field.validator or field.converter for field in attrs.fields(State)):
    raise TypeError("State.replace copies a state without its constructor: a field with a validator or converter needs it")

__all__ = ["EMPTY", "ByTurn", "Numbered", "OpenObligation", "State", "_at", "tail"]
