"""Typed commands and events, and their JSON in the exercise log (``tabletop-log/1``).

A *command* is what a front end asks for (release an inject, decide, advance);
an *event* is what happened, as the log records it. :mod:`tabletop.game`
turns a command into events (``decide``) and folds events into the state
(``evolve``). Both kinds are frozen attrs classes, defined once here: the
log's wire format is derived from these classes by cattrs, with a few hooks
that keep it byte for byte what earlier versions wrote (field order, optional
fields left out, facts in their compact form), so every log written so far
still reads and verifies.

Reading is strict: a field of the wrong JSON type (a number given as ``2.0``
or ``true``, a rationale given as a list) is an :class:`EventError`, never a
silent coercion, because replay compares what the engine gives with what was
logged and a coerced value would hide an edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar, cast

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from tabletop import model as m


class EventError(ValueError):
    """A log record that is not a well-formed event; the message says which field and what was expected."""


# ------------------------------------------------------------------- events


@attrs.frozen
class TurnStarted:
    TYPE: ClassVar[str] = "turn_started"
    turn: int
    date: dt.date


@attrs.frozen
class PhaseChanged:
    TYPE: ClassVar[str] = "phase_changed"
    turn: int
    phase: str


@attrs.frozen
class Adhoc:
    """A facilitator's own inject, written during play (it has no entry in the scenario)."""

    title: str
    text: str = ""
    to: tuple[str, ...] = ("all",)
    facts: tuple[m.Fact, ...] = ()
    tension: int = 0


@attrs.frozen
class InjectReleased:
    TYPE: ClassVar[str] = "inject_released"
    turn: int
    inject: str
    adhoc: Adhoc | None = None


@attrs.frozen
class Answers:
    """What a decision answers: an inject released this turn, or a treaty obligation (exactly one)."""

    inject: str | None = None
    obligation: str | None = None


@attrs.frozen
class Decision:
    """A seat's choice with its rationale.

    A decision that answers an obligation carries the answer word as its
    option. A free-text decision (a course of action in the seat's own words,
    where it has no menu or prefers none) has no option and carries ``text``;
    the facilitator assesses what it does (:class:`Assessed`).
    """

    TYPE: ClassVar[str] = "decision"
    turn: int
    seat: str
    option: str | None
    rationale: str
    by: str
    answers: Answers | None = None
    text: str | None = None

    @property
    def free(self) -> bool:
        return self.option is None

    @property
    def obligation(self) -> str | None:
        return self.answers.obligation if self.answers is not None else None

    @property
    def inject(self) -> str | None:
        return self.answers.inject if self.answers is not None else None


@attrs.frozen
class Assessed:
    """The facilitator's ruling on what a free-text decision does: a change of tension, facts, or nothing, with a reason."""

    TYPE: ClassVar[str] = "assessed"
    turn: int
    seat: str
    tension: int
    facts: tuple[m.Fact, ...]
    reason: str


@attrs.frozen
class ObligationTriggered:
    TYPE: ClassVar[str] = "obligation_triggered"
    turn: int
    id: str
    treaty: str
    article: str
    kind: str
    obligor: str
    beneficiary: str
    status: str
    duty: str
    because: str
    attacker: str | None
    location: str | None
    scale: str | None = None  # of the attack that set it off; left out of the JSON when none (as logs before it)

    def obligation(self) -> m.Obligation:
        return m.Obligation(
            treaty=self.treaty, article=self.article, kind=self.kind, obligor=self.obligor, beneficiary=self.beneficiary,
            status=self.status, duty=self.duty, because=self.because, attacker=self.attacker, location=self.location,
            scale=self.scale,
        )


@attrs.frozen
class ObligationUpgraded:
    """A later, clearer fact made an open obligation stronger (contested -> triggered); ``because`` says which."""

    TYPE: ClassVar[str] = "obligation_upgraded"
    turn: int
    obligation: str
    status: str
    because: str


@attrs.frozen
class ObligationAnswered:
    TYPE: ClassVar[str] = "obligation_answered"
    turn: int
    obligation: str
    seat: str
    answer: str


@attrs.frozen
class Cause:
    """Why a number moved, in one sentence: what moved (``tension``, ``credibility``, ``posture``), whose, by how much.

    ``delta`` is the step in rungs or points (a posture moves to ``to``); the
    steps of one number add up to its change, before the ladder's bounds.
    """

    what: str
    because: str
    seat: str | None = None
    delta: int = 0
    to: str | None = None


@attrs.frozen
class Changes:
    """What an adjudication changed: each as [before, after], and ``causes``, the sentences that say why."""

    tension: tuple[int, int]
    credibility: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)
    posture: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    causes: tuple[Cause, ...] = ()


@attrs.frozen
class Adjudicated:
    """A turn's decisions and answers applied; ``state_hash`` is the digest of the state after it (game.state_hash)."""

    TYPE: ClassVar[str] = "adjudicated"
    turn: int
    changes: Changes
    facts: tuple[m.Fact, ...]
    state_hash: str = ""


@attrs.frozen
class CouncilDecided:
    TYPE: ClassVar[str] = "council_decided"
    turn: int
    fact: int
    draft_by: str
    outcome: str
    vetoed_by: tuple[str, ...]
    because: str


@attrs.frozen
class ReportOwed:
    TYPE: ClassVar[str] = "report_owed"
    turn: int
    by: str
    article: str
    fact: int
    because: str


@attrs.frozen
class Overridden:
    """The facilitator overrules the adjudication; ``value`` is a rung, a credibility, a posture or a ruling."""

    TYPE: ClassVar[str] = "override"
    turn: int
    what: str
    value: Any
    reason: str
    seat: str | None = None
    obligation: str | None = None


@attrs.frozen
class Noted:
    """A note in the log: the facilitator's, or an observer's about a seat, tagged with the exercise objective it bears on.

    ``finding`` says what the observation is against the objective (``strength``
    or ``improvement``, HSEEP's two kinds), for the after-action report.
    """

    TYPE: ClassVar[str] = "note"
    turn: int
    text: str
    seat: str | None = None
    objective: str | None = None
    finding: str | None = None


@attrs.frozen
class ExerciseEnded:
    TYPE: ClassVar[str] = "exercise_ended"
    turn: int
    reason: str = ""


@attrs.frozen
class InjectsWithheld:
    """Scheduled injects the facilitator chose not to release on time: kept as standby (``s`` releases one), or dropped."""

    TYPE: ClassVar[str] = "injects_withheld"
    turn: int
    injects: tuple[str, ...]
    how: str  # standby | drop


@attrs.frozen
class TimerSet:
    """The phase timer: started, paused, extended or reset, with the seconds left at that moment and the phase's length.

    It changes nothing in the game; it is logged so that a resumed exercise
    shows the time that was left, and so that the report can say how long
    phases ran. Undo passes over it (:class:`Retracted`).
    """

    TYPE: ClassVar[str] = "timer"
    turn: int
    phase: str
    action: str  # start | pause | extend | reset | alarm
    remaining: int
    minutes: int


@attrs.frozen
class HandedOver:
    """Who plays a seat from now on: its team (``human``), a bot, or the facilitator's keyboard (``hotseat``; game.CONTROLS).

    The facilitator's hand-over in a served exercise, public like the seat
    cards it changes. The state keeps it (``State.control``), so a restarted
    server plays the seats as they were played when it stopped, and a
    retracted hand-over is undone like any command.
    """

    TYPE: ClassVar[str] = "handed_over"
    turn: int
    seat: str
    to: str


@attrs.frozen
class Retracted:
    """The facilitator takes back the last command: the state is as it was before that command's events.

    ``what`` is the type of the retracted command's first event; ``revealed``
    says the players had already seen it (an inject, an adjudication, a phase
    change), so the room must be told; ``reason`` is the facilitator's. The
    retracted events stay in the log: the chain is never rewritten. Only the
    last command can be retracted, once (:func:`retracted_groups`).
    """

    TYPE: ClassVar[str] = "retracted"
    turn: int
    what: str
    revealed: bool
    reason: str


Event = (
    TurnStarted | PhaseChanged | InjectReleased | Decision | Assessed | ObligationTriggered | ObligationUpgraded | ObligationAnswered
    | Adjudicated | CouncilDecided | ReportOwed | Overridden | Noted | ExerciseEnded | InjectsWithheld | TimerSet | HandedOver | Retracted
)
EVENTS: dict[str, type[Any]] = {
    cls.TYPE: cls
    for cls in (TurnStarted, PhaseChanged, InjectReleased, Decision, Assessed, ObligationTriggered, ObligationUpgraded, ObligationAnswered,
                Adjudicated, CouncilDecided, ReportOwed, Overridden, Noted, ExerciseEnded, InjectsWithheld, TimerSet, HandedOver, Retracted)
}
# Events that only follow another in its command's group: no command is re-issued for them.
FOLLOWERS = frozenset({"obligation_triggered", "obligation_upgraded", "obligation_answered", "council_decided", "report_owed"})
# Events that undo passes over: they change nothing in the game, so "the last command" is the one before them.
UNDO_TRANSPARENT = frozenset({"timer"})
# Lines of the log that are not game events: replay passes over them (the log module checks them).
LOG_RECORDS = frozenset({"signature"})
# Fields every record carries beside the event's own: the log's bookkeeping, not the game's.
RECORD_FIELDS = ("type", "seq", "prev", "ts")


# ----------------------------------------------------------------- commands


@attrs.frozen
class Advance:
    """Move to the next phase, or from review to the next turn's brief (from setup: start turn 1)."""


@attrs.frozen
class Release:
    inject: str


@attrs.frozen
class ReleaseAdhoc:
    title: str
    text: str = ""
    to: tuple[str, ...] = ("all",)
    facts: tuple[m.Fact, ...] = ()
    tension: int = 0


@attrs.frozen
class Decide:
    """A seat decides: an option of its menu, or (``option`` None) a course of action in its own words, ``text``."""

    seat: str
    option: str | None
    rationale: str
    by: str | None = None
    answers: str | None = None  # the id of an inject released this turn that the decision answers
    text: str | None = None


@attrs.frozen
class Assess:
    """The facilitator rules on what a seat's free-text decision this turn does (before the turn is adjudicated)."""

    seat: str
    reason: str
    tension: int = 0
    facts: tuple[m.Fact, ...] = ()


@attrs.frozen
class Answer:
    seat: str
    obligation: str
    answer: str
    rationale: str
    by: str | None = None


@attrs.frozen
class Adjudicate:
    pass


@attrs.frozen
class Override:
    what: str
    value: Any
    reason: str
    seat: str | None = None
    obligation: str | None = None


@attrs.frozen
class Note:
    text: str
    seat: str | None = None
    objective: str | None = None
    finding: str | None = None


@attrs.frozen
class End:
    reason: str = ""


@attrs.frozen
class Withhold:
    """Keep this turn's unreleased scheduled injects as standby, or drop them (``how``: standby | drop)."""

    injects: tuple[str, ...]
    how: str


@attrs.frozen
class Timer:
    """Log the phase timer's state (``action``: start | pause | extend | reset | alarm)."""

    action: str
    remaining: int
    minutes: int


@attrs.frozen
class HandOver:
    """Hand a seat to its team (``human``), a bot, or the facilitator's keyboard (``hotseat``): who plays it from now on."""

    seat: str
    to: str


@attrs.frozen
class Retract:
    """Take back the last command, with a reason."""

    reason: str


Command = Advance | Release | ReleaseAdhoc | Decide | Answer | Assess | Adjudicate | Override | Note | End | Withhold | Timer | HandOver | Retract


def command_of(event: Any) -> Command:
    """The command that produced ``event``, the first event of its group (replay re-issues it).

    Raises KeyError for events that only follow from another (obligations, council
    outcomes, reports): no command produces them first.
    """
    command = _COMMANDS.get(type(event))
    if command is None:
        raise KeyError(type(event).TYPE)
    return command(event)


def _decided(event: Decision) -> Decide | Answer:
    answers = event.answers
    if answers is not None and answers.obligation is not None:
        return Answer(event.seat, answers.obligation, event.option or "", event.rationale, event.by)
    return Decide(event.seat, event.option, event.rationale, event.by, answers.inject if answers is not None else None, event.text)


def _released(event: InjectReleased) -> Release | ReleaseAdhoc:
    adhoc = event.adhoc
    if adhoc is not None:
        return ReleaseAdhoc(adhoc.title, adhoc.text, adhoc.to, adhoc.facts, adhoc.tension)
    return Release(event.inject)


# The command behind each kind of event that a command gives first (the followers have none).
_COMMANDS: dict[type[Any], Any] = {
    Decision: _decided,
    Assessed: lambda e: Assess(e.seat, e.reason, e.tension, e.facts),
    TurnStarted: lambda e: Advance(),
    PhaseChanged: lambda e: Advance(),
    InjectReleased: _released,
    Adjudicated: lambda e: Adjudicate(),
    Overridden: lambda e: Override(e.what, e.value, e.reason, e.seat, e.obligation),
    Noted: lambda e: Note(e.text, e.seat, e.objective, e.finding),
    ExerciseEnded: lambda e: End(e.reason),
    InjectsWithheld: lambda e: Withhold(e.injects, e.how),
    TimerSet: lambda e: Timer(e.action, e.remaining, e.minutes),
    HandedOver: lambda e: HandOver(e.seat, e.to),
    Retracted: lambda e: Retract(e.reason),
}
if {cls.TYPE for cls in _COMMANDS} | FOLLOWERS != set(EVENTS):
    raise TypeError("an event that is neither a command's first nor a follower")


def retracted_groups(records: Any) -> set[int]:
    """The seqs of every record a later ``retracted`` event took back (each command's whole group).

    The log is read in order, as the fold reads it: a retraction takes back the
    last command group before it that is not itself a retraction, nor one undo
    passes over (the timer); the game allows one retraction of each command.
    Reports, the log panel and the replay list leave these records out or mark them.
    """
    groups: list[list[int]] = []
    gone: set[int] = set()
    for record in records:
        kind = record.get("type")
        if kind in LOG_RECORDS or kind in UNDO_TRANSPARENT:
            continue
        seq = record.get("seq")
        if kind == Retracted.TYPE:
            if groups:
                gone.update(groups.pop())
            groups.clear()  # nothing before a retraction can be retracted in turn
            continue
        if kind in FOLLOWERS and groups:
            groups[-1].append(seq)
        else:
            groups.append([seq])
    return gone


# ---------------------------------------------------------------- the JSON


def _strict(kind: type[Any], name: str) -> Any:
    def check(value: Any, _: Any) -> Any:
        if type(value) is not kind:  # not isinstance: True is not a number here, nor 2.0 an int
            raise EventError(f"expected {name}, got {_json_type(value)}")
        return value

    return check


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a whole number",
            float: "a decimal number", type(None): "null"}.get(type(value), type(value).__name__)


def _date(value: Any, _: Any) -> dt.date:
    if type(value) is not str:
        raise EventError(f"expected a date (YYYY-MM-DD), got {_json_type(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise EventError(f"expected a date (YYYY-MM-DD), got {value!r}") from None


_FACT_TEXT = ("by", "target", "location", "on_behalf_of")


def _fact(value: Any, _: Any) -> m.Fact:
    if type(value) is not dict:
        raise EventError(f"expected a fact (an object), got {_json_type(value)}")
    if type(value.get("kind")) is not str:
        raise EventError("a fact needs 'kind' as text")
    for key in _FACT_TEXT:
        if key in value and value[key] is not None and type(value[key]) is not str:
            raise EventError(f"fact field {key!r} must be text")
    if value.get("date") is not None:
        _date(value["date"], None)
    return m.Fact.from_json(value)


def _tuple_of(item: Any) -> Any:
    def structure(value: Any, _: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            raise EventError(f"expected a list, got {_json_type(value)}")
        return tuple(item(v, None) for v in value)

    return structure


def _pair(item: Any) -> Any:
    def structure(value: Any, _: Any) -> tuple[Any, Any]:
        if type(value) is not list or len(value) != 2:
            raise EventError("expected [before, after]")
        return (item(value[0], None), item(value[1], None))

    return structure


def _mapping_of(item: Any) -> Any:
    def structure(value: Any, _: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise EventError(f"expected an object, got {_json_type(value)}")
        return {k: item(v, None) for k, v in value.items()}

    return structure


def _optional(cls: type[Any]) -> Any:
    def structure(value: Any, _: Any) -> Any:
        return None if value is None else converter.structure(value, cls)

    return structure


def _is(hint: Any) -> Any:
    return lambda t: t == hint


def _make_converter() -> tuple[cattrs.Converter, dict[type[Any], Any]]:
    """The log's converter, and its structure function of each event class (from_json calls it directly)."""
    c = cattrs.Converter(unstruct_collection_overrides={tuple: list}, forbid_extra_keys=True)
    text, whole = _strict(str, "text"), _strict(int, "a whole number")
    c.register_structure_hook(str, text)
    c.register_structure_hook(int, whole)
    c.register_structure_hook(bool, _strict(bool, "true or false"))
    c.register_structure_hook(str | None, lambda v, _: None if v is None else text(v, None))
    c.register_structure_hook(Any, lambda v, _: v)
    c.register_structure_hook(dt.date, _date)
    c.register_unstructure_hook(dt.date, dt.date.isoformat)
    c.register_structure_hook(m.Fact, _fact)
    c.register_unstructure_hook(m.Fact, m.Fact.to_json)
    c.register_structure_hook_func(_is(tuple[str, ...]), _tuple_of(text))
    c.register_structure_hook_func(_is(tuple[m.Fact, ...]), _tuple_of(_fact))
    c.register_structure_hook_func(_is(tuple[int, int]), _pair(whole))
    c.register_structure_hook_func(_is(Mapping[str, tuple[int, int]]), _mapping_of(_pair(whole)))
    c.register_structure_hook_func(_is(Mapping[str, tuple[str, str]]), _mapping_of(_pair(text)))
    c.register_structure_hook(Cause, make_dict_structure_fn(Cause, c, _cattrs_forbid_extra_keys=True))
    c.register_structure_hook_func(_is(tuple[Cause, ...]), _tuple_of(lambda v, _: c.structure(v, Cause)))
    omit = override(omit_if_default=True)
    # Fields left out of the JSON when they hold their default, as the log has always been written.
    optional: dict[type[Any], tuple[str, ...]] = {
        InjectReleased: ("adhoc",), Decision: ("answers", "text"), Answers: ("inject", "obligation"), Overridden: ("seat", "obligation"),
        Noted: ("seat", "objective", "finding"), ObligationTriggered: ("scale",), ExerciseEnded: ("reason",), Changes: ("credibility", "posture", "causes"), Cause: ("seat", "delta", "to"),
    }
    structures: dict[type[Any], Any] = {}
    for cls in (Adhoc, Answers, Cause, Changes, *EVENTS.values()):  # the parts first: a class's hook builds on its fields'
        fields = {name: omit for name in optional.get(cls, ())}
        c.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, c, **cast(Any, fields)))
        structures[cls] = make_dict_structure_fn(cls, c, _cattrs_forbid_extra_keys=True)
        c.register_structure_hook(cls, structures[cls])
    c.register_structure_hook(Adhoc | None, _optional(Adhoc))
    c.register_structure_hook(Answers | None, _optional(Answers))
    return c, structures


converter, _STRUCTURE = _make_converter()
# Each event class's quick structure function: the record as read (its type, seq, prev and ts among its
# fields), no note of where a problem lies. from_json tries it first, and asks _STRUCTURE what is wrong only
# when it fails: structuring the few hundred thousand events a long log holds costs half as much.
_QUICK = {cls: make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=False, _cattrs_detailed_validation=False)
          for cls in EVENTS.values()}
_ALLOWED = {cls: frozenset(RECORD_FIELDS) | {a.name for a in attrs.fields(cls)} for cls in EVENTS.values()}  # what a record may hold


def to_json(event: Any) -> dict[str, Any]:
    """The event as the log writes it: ``type`` first, then its fields (the writer adds seq and prev)."""
    return {"type": event.TYPE, **converter.unstructure(event)}


def from_json(record: Mapping[str, Any]) -> Any:
    """The typed event of a log record; EventError names the field that is wrong and what was expected."""
    kind = record.get("type")
    cls = EVENTS.get(kind) if type(kind) is str else None
    if cls is None:
        raise EventError(f"unknown event type {kind!r}")
    event = None
    if record.keys() <= _ALLOWED[cls]:
        try:
            event = _QUICK[cls](record, cls)
        except Exception:  # noqa: BLE001 - said below, where the detailed structuring names the field and what was expected
            event = None
    if event is None:
        fields = {k: v for k, v in record.items() if k not in RECORD_FIELDS}
        try:
            event = _STRUCTURE[cls](fields, cls)
        except EventError as exc:
            raise EventError(f"{kind} event: {exc}") from None
        except cattrs.BaseValidationError as exc:
            raise EventError(f"{kind} event: {_first_problem(exc)}") from None
    if isinstance(event, Decision):
        if event.answers is not None and (event.answers.inject is None) == (event.answers.obligation is None):
            raise EventError("decision event: 'answers' names either an inject or an obligation")
        if (event.option is None) == (event.text is None):
            raise EventError("decision event: expected either an option or, for a decision in the seat's own words, a text")
    return event


def _first_problem(exc: cattrs.BaseValidationError) -> str:
    """The first problem cattrs found, in the words of the hooks above where they raised it."""

    def say(error: BaseException, hint: Any) -> str:
        if isinstance(error, EventError):
            return str(error)
        if isinstance(error, cattrs.ForbiddenExtraKeysError):
            return "unexpected field(s) " + ", ".join(repr(k) for k in sorted(error.extra_fields))
        if isinstance(error, KeyError):
            return "required field missing"
        return cattrs.v.format_exception(error, hint)

    for message in cattrs.transform_error(exc, path="", format_exception=say):
        where, _, place = message.partition(" @ ")
        place = place.lstrip("$").lstrip(".")
        return f"{place}: {where}" if place else where
    return str(exc)
