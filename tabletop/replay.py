"""Reading a log back: open it with its scenario, replay it (checked) or fold it (for looking).

*Replay* re-issues every logged command: for each group of events a command
wrote, ``Game.decide`` must give exactly the logged events (the same typed
events, field for field, the state hash where one is logged), and only then
are they folded with ``Game.evolve``. This is what ``verify``, resuming,
branching and the report rest on. A bot is a client like a team: its
decision is a logged command, re-decided like any other (the option must be
open to the seat then), not its policy re-run, so a log keeps verifying
after the bots' policies change.

*Fold* only evolves the logged events, without re-deciding: for a viewer that
steps through a log event by event, inside a command's group too. It checks
the shape of every event but not that the engine would have produced it.

:func:`open_log` is the one way the CLI, the TUI and the report open a saved
exercise: the log, the scenario it names (by its recorded path, else by id)
and that scenario's rules, with one set of messages for what can go wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from tabletop import bots as botmod
from tabletop import events as ev
from tabletop import log as logmod
from tabletop import model as m
from tabletop import paths
from tabletop.game import CommandError, Game
from tabletop.state import State


class ReplayMismatch(Exception):
    """The log differs from what the engine gives at this line (1-based; line 1 is the header)."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(f"line {line}: {message}")


def game_of(header: dict[str, Any], scenario: m.Scenario, rules: m.Rules) -> Game:
    """The game a log's header describes: its scenario, rules, seed and who played each seat."""
    return Game(scenario, rules, dict(header.get("seats") or {}), int(header.get("seed", 0)))


@attrs.frozen
class Replayed:
    """A replayed log: the state after it and, for a log cut inside a command, the events that command still owes.

    ``state`` is the fold of the logged events only; the owed ones are not in it.
    """

    state: State
    events: int  # how many of the log's records were replayed (a group's end at or after ``upto``)
    unwritten: tuple[Any, ...] = ()
    hashes: int = 0  # how many logged state hashes (one in each adjudicated event) were found to match


def replay(
    game: Game,
    records: Sequence[dict[str, Any]],
    upto: int | None = None,
    on_event: Callable[[int, State], None] | None = None,
    partial: bool = False,
    bots: bool = False,
) -> Replayed:
    """Re-decide every logged command and compare; raise ReplayMismatch at the first difference.

    With ``upto``, stop at the first end of a command's group at or after that
    many records. With ``partial``, accept a log that stops inside a command, as
    a crash between two of its events leaves it: the events still owed are
    returned in ``unwritten`` (resuming writes them). Without it such a log is a
    mismatch, since it cannot be told from an edited last line. With ``bots``,
    also re-run each bot's policy where the log says a bot decided, and
    require its choice and rationale (:func:`check_bot`).
    """
    return replay_lines(game, ((i + 2, r, None) for i, r in enumerate(records)), upto, on_event, partial, bots)


def replay_lines(
    game: Game,
    lines: Iterable[tuple[int, dict[str, Any], bytes | None]],
    upto: int | None = None,
    on_event: Callable[[int, State], None] | None = None,
    partial: bool = False,
    bots: bool = False,
) -> Replayed:
    """:func:`replay` over ``(line number, record, the line's bytes or None)``, as :class:`tabletop.log.Lines` reads them.

    A logged event matches when it structures (strictly: ``2.0`` or ``true`` is
    no whole number) to the very event the engine gives; how the line is
    spaced or its fields ordered is the hash chain's and the signature's
    concern, not the engine's.
    """
    state = game.initial()
    done = hashes = 0
    decide, evolve, from_json, skipped = game.decide, game.evolve, ev.from_json, ev.LOG_RECORDS  # looked up once: a long log is mostly this loop
    stream = iter(lines)
    for number, record, _ in stream:
        if upto is not None and done >= upto:
            break
        done += 1
        if record.get("type") in skipped:  # a signature: the log module checks it
            continue
        try:
            logged = from_json(record)
        except ev.EventError as exc:
            raise ReplayMismatch(number, str(exc)) from None
        try:
            command = ev.command_of(logged)
        except KeyError:
            raise ReplayMismatch(number, f"a {record.get('type')} event that no command produced here (the engine gives a different result)") from None
        if bots:
            check_bot(game, state, command, number)
        try:
            produced = decide(state, command)
        except CommandError as exc:
            raise ReplayMismatch(number, f"{record.get('type')} event cannot be replayed: {exc}") from None
        for index, event in enumerate(produced):
            if index:
                following = next(stream, None)
                if following is None:
                    if partial:  # the state is that of the log; the owed events are for the writer to append
                        return Replayed(state, done, tuple(produced[index:]), hashes)
                    raise ReplayMismatch(number + 1, f"the log ends where the engine expected a {event.TYPE} event")
                number, record, _ = following
                done += 1
                logged = _event(record, number, event)
            if logged != event:
                _differ(record, event, number)
            if type(event) is ev.Adjudicated:
                hashes += 1
            state = evolve(state, event)
            if on_event is not None:
                on_event(done, state)
    return Replayed(state, done, hashes=hashes)


def _event(record: dict[str, Any], line: int, expected: Any = None) -> Any:
    """The typed event a record holds; where the engine expects ``expected`` there, a record that is none says how it differs."""
    try:
        return ev.from_json(record)
    except ev.EventError as exc:
        if expected is not None:
            _differ(record, expected, line)
        raise ReplayMismatch(line, str(exc)) from None


def check_bot(game: Game, state: State, command: ev.Command, line: int) -> None:
    """A decision logged as a bot's must be the one the bot makes here under the log's seed (``verify --bots``).

    Not part of every replay: a bot is a client whose decision is a command
    like a team's, and a log made before a change to the bots' policies must
    still replay. This asks the further question of a bot-played log: would
    the bots as they are now have decided so?
    """
    if isinstance(command, ev.Decide) and command.by == "bot" and command.answers is None and command.seat in game.scenario.seats:
        choice = botmod.decide(state, game.scenario, game.rules, command.seat, game.seed)
        if choice.option != command.option or choice.text != (command.text.strip() if command.text else None):
            raise ReplayMismatch(line, f"decision event: the bot for {command.seat} would choose {choice.option!r} here "
                                       f"under seed {game.seed}, not {command.option!r}")
        if choice.rationale != command.rationale.strip():
            raise ReplayMismatch(line, f"decision event: the rationale is not the bot's for {command.seat} here "
                                       f"(it gives: {choice.rationale!r})")
    elif isinstance(command, ev.Answer) and command.by == "bot":
        open_ob = state.obligations.get(command.obligation)
        if open_ob is None or open_ob.obligation.obligor not in game.scenario.seats:
            return  # decide names what is wrong with it
        reply = botmod.answer(state, game.scenario, game.rules, open_ob, game.seed)
        if reply.answer != command.answer:
            raise ReplayMismatch(line, f"decision event: the bot for {command.seat} would answer {command.obligation} with "
                                       f"{reply.answer!r} under seed {game.seed}, not {command.answer!r}")
        if reply.rationale != command.rationale.strip():
            raise ReplayMismatch(line, f"decision event: the rationale is not the bot's for {command.seat} here "
                                       f"(it gives: {reply.rationale!r})")


def _differ(logged: dict[str, Any], event: Any, line: int) -> None:
    """Raise ReplayMismatch saying how a logged record differs from the event the engine gives there."""
    produced = ev.to_json(event)
    written = {k: v for k, v in logged.items() if k not in ev.RECORD_FIELDS[1:]}
    if logged.get("type") != produced["type"]:
        raise ReplayMismatch(line, f"expected a {produced['type']} event here, the log has {logged.get('type')!r}")
    if produced["type"] == "adjudicated" and {k: v for k, v in written.items() if k != "state_hash"} == {
        k: v for k, v in produced.items() if k != "state_hash"
    }:
        if "state_hash" not in written:
            raise ReplayMismatch(line, "adjudicated event lacks its state_hash")
        raise ReplayMismatch(line, "state hash differs from the replayed state")
    # As JSON, not as Python values: 2.0 and true equal 2 and 1 in Python, not in the log.
    for key, value in produced.items():
        if logmod.encode({key: written.get(key)}) != logmod.encode({key: value}):
            raise ReplayMismatch(line, f"{produced['type']} event: {key} is {written.get(key)!r} in the log, but replay gives {value!r}")
    extra = sorted(set(written) - set(produced))
    if extra:
        raise ReplayMismatch(line, f"{produced['type']} event has unexpected fields: {', '.join(extra)}")
    raise ReplayMismatch(line, f"{produced['type']} event differs from what the engine gives here")


def fold(game: Game, records: Sequence[dict[str, Any]], state: State | None = None, start: int = 0, stop: int | None = None) -> State:
    """The state after records ``start`` to ``stop`` folded into ``state`` (default: the start), without re-deciding.

    For viewers; raises ReplayMismatch for a record that is not a well-formed event.
    """
    state = game.initial() if state is None else state
    for index in range(start, len(records) if stop is None else stop):
        record = records[index]
        if record.get("type") in ev.LOG_RECORDS:
            continue
        try:
            event = ev.from_json(record)
            state = game.evolve(state, event)
        except ev.EventError as exc:
            raise ReplayMismatch(index + 2, str(exc)) from None
        except (CommandError, KeyError) as exc:
            raise ReplayMismatch(index + 2, f"{record.get('type')} event does not fit the exercise here: {exc}") from None
    return state


# ------------------------------------------------------------------ opening


class OpenError(Exception):
    """A saved exercise that cannot be opened; the message says what and where, in one line."""


@attrs.frozen
class Basis:
    """The scenario and rules a log was written against, as found now, and what to say about them.

    ``changed``: the scenario or rule modules differ from those the log was
    written with (verify fails; the others warn). ``warnings``: said, not
    failing (a recorded scenario path refused, the scenario found by its id).
    """

    scenario: m.Scenario
    rules: m.Rules
    changed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@attrs.frozen
class Opened:
    """A log with the scenario and rules it was written against, and what changed since."""

    contents: logmod.LogContents
    basis: Basis

    @property
    def scenario(self) -> m.Scenario:
        return self.basis.scenario

    @property
    def rules(self) -> m.Rules:
        return self.basis.rules

    @property
    def changed(self) -> tuple[str, ...]:
        return self.basis.changed

    @property
    def warnings(self) -> tuple[str, ...]:
        """What to say on opening it: the basis's warnings, then the log's own (a torn last line dropped)."""
        return (*self.basis.warnings, *self.contents.warnings)

    @property
    def game(self) -> Game:
        return game_of(self.contents.header, self.scenario, self.rules)


def scenario_of(header: dict[str, Any], log: str | os.PathLike[str]) -> Path:
    """The scenario file a log names (its recorded path, else its id); OpenError if neither is found."""
    path = paths.scenario_for_log(header)
    if path is None:
        refused = paths.recorded_scenario(header)[1]
        raise OpenError(
            f"{log}: its scenario {header.get('scenario')!r} is not at {header.get('scenario_path')!r} "
            "nor among the bundled and your own scenarios" + (f" ({refused})" if refused else "")
        )
    return path


def load_for(header: dict[str, Any], log: str | os.PathLike[str], named: str | os.PathLike[str] | None = None) -> Basis:
    """The scenario and rules a log's header names, loaded, and what changed since the log was written.

    The one place the CLI, the TUI, the server and the report find a log's
    scenario: OpenError, in one line naming the log, when it cannot be had.
    ``named``: a scenario the user gave with the log (``run SCENARIO --log L
    --resume``); used when the log's own cannot be found (moved, or a checkout
    that is gone), provided it is the log's scenario by its id.
    """
    from tabletop.loading import load_scenario
    from tabletop.yamlnodes import InputError

    refused = paths.recorded_scenario(header)[1]
    notes: list[str] = []
    try:
        scenario_path = scenario_of(header, log)
    except OpenError:
        found = paths.find_scenario(str(named)) if named is not None else None
        if found is None:
            raise
        scenario_path = found
        notes.append(f"the log's scenario is not at {header.get('scenario_path')!r}; using {found}, as you named it")
    try:
        scenario, rules = load_scenario(scenario_path)
    except InputError as exc:
        first = exc.problems[0] if exc.problems else ""
        raise OpenError(f"{log}: its scenario {scenario_path} no longer loads ({len(exc.problems)} problem(s); first: {first})") from None
    except OSError as exc:
        raise OpenError(f"{log}: cannot read its scenario {scenario_path}: {exc.strerror or exc}") from None
    if notes and scenario.id != header.get("scenario"):
        raise OpenError(f"{log}: its scenario {header.get('scenario')!r} is not at {header.get('scenario_path')!r}, "
                        f"and {named} is scenario {scenario.id!r}")
    changed = []
    if header.get("scenario_sha256") and scenario.sha256 != header["scenario_sha256"]:
        changed.append(
            f"scenario {scenario_path} changed since the log was written "
            f"(sha256 {str(scenario.sha256)[:12]}..., log has {str(header.get('scenario_sha256'))[:12]}...)"
        )
    if header.get("rules_sha256") and rules.sha256 != header["rules_sha256"]:
        changed.append(f"rule modules in {rules.path} changed since the log was written")
    if refused and not notes:
        notes.append(f"{refused}; scenario {header.get('scenario')!r} found by its id instead: {scenario_path}")
    return Basis(scenario, rules, tuple(changed), tuple(notes))


def open_log(path: str | os.PathLike[str], contents: logmod.LogContents | None = None, named: str | os.PathLike[str] | None = None) -> Opened:
    """Read a log and load its scenario and rules. LogError for a bad log; OpenError when its scenario cannot be had.

    A scenario that still loads but changed since the log was written is
    opened all the same and named in ``changed``: the caller warns (verify fails).
    ``named``: as :func:`load_for` has it.
    """
    contents = contents if contents is not None else logmod.read(path)
    return Opened(contents, load_for(contents.header, path, named))
