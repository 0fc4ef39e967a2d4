"""One exercise in play: decide, append to the log, evolve, notify.

Every front end (the TUI, the headless runner, the bots, a network client)
sends its commands through :meth:`Session.execute`. The game decides what
events a command amounts to (:meth:`tabletop.game.Game.decide`); each event is
appended to the log, fsynced, and only then folded into the state
(:meth:`~tabletop.game.Game.evolve`) and handed to the listeners. An event in
the state is therefore always on disk.

Starting, resuming and branching an exercise are the ways a Session comes to
be; reading a log back is :mod:`tabletop.replay`'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tabletop import __version__
from tabletop import events as ev
from tabletop import log as logmod
from tabletop import model as m
from tabletop.game import ANSWERS, OVERRIDABLE, PHASES, RELEASE_PHASES, CommandError, Game, state_hash
from tabletop.replay import ReplayMismatch, game_of, replay
from tabletop.state import OpenObligation, State

DERIVED = ev.FOLLOWERS  # the name tests and tools have used

__all__ = ["ANSWERS", "DERIVED", "OVERRIDABLE", "PHASES", "RELEASE_PHASES", "CommandError", "Commands", "ReplayMismatch", "Session", "state_hash"]

# Events after which the writer signs the chain head: a turn's end (the next one's start) and the exercise's end.
SIGNED_AFTER = (ev.TurnStarted, ev.ExerciseEnded)


class Commands:
    """The commands by their names, each a call of ``execute``, and the questions screens ask of the game now.

    Shared by the local session and the remote one (serve/client.py): each
    says how it executes a command and where its game and state are (``board``).
    """

    def execute(self, command: ev.Command) -> list[dict[str, Any]]:
        raise NotImplementedError

    def board(self) -> tuple[Game, State]:
        """The game and the state as they stand now."""
        raise NotImplementedError

    @property
    def scenario(self) -> m.Scenario:
        return self.board()[0].scenario

    @property
    def rules(self) -> m.Rules:
        return self.board()[0].rules

    @property
    def turn(self) -> m.Turn:
        game, state = self.board()
        return game.turn(state)

    @property
    def is_last_turn(self) -> bool:
        game, state = self.board()
        return game.is_last_turn(state)

    @property
    def closing_owed(self) -> bool:
        """The turns are played and obligations are still open: advancing opens the closing response round."""
        game, state = self.board()
        return game.closing_owed(state)

    @property
    def control(self) -> dict[str, str]:
        """Who plays each seat now: the log's header, then the hand-overs since (``human``, ``bot`` or ``hotseat``)."""
        game, state = self.board()
        return game.control(state)

    def options(self, seat: str) -> tuple[m.Option, ...]:
        game, state = self.board()
        return game.options(state, seat)

    def undecided(self) -> list[str]:
        game, state = self.board()
        return game.undecided(state)

    def unanswered(self, seat: str | None = None) -> list[OpenObligation]:
        game, state = self.board()
        return game.unanswered(state, seat)

    def inject(self, inject_id: str) -> m.Inject:
        game, state = self.board()
        return game.inject(state, inject_id)

    def release(self, inject_id: str) -> list[dict[str, Any]]:
        """Release a scripted inject of the current turn to the seats."""
        return self.execute(ev.Release(inject_id))

    def release_adhoc(self, title: str, text: str, to: Iterable[str] = ("all",), facts: Iterable[m.Fact] = (), tension: int = 0) -> list[dict[str, Any]]:
        """A facilitator's own inject, written during play."""
        return self.execute(ev.ReleaseAdhoc(title, text, tuple(to), tuple(facts), tension))

    def decide(
        self, seat: str, option_id: str | None, rationale: str, by: str | None = None, answers: str | None = None, text: str | None = None
    ) -> list[dict[str, Any]]:
        """A seat's decision for this turn (an option, or None and ``text``: its own words); sealed until every seat is in."""
        return self.execute(ev.Decide(seat, option_id, rationale, by, answers, text))

    def assess(self, seat: str, reason: str, tension: int = 0, facts: Iterable[m.Fact] = ()) -> list[dict[str, Any]]:
        """The facilitator rules on what a seat's decision in its own words does this turn."""
        return self.execute(ev.Assess(seat, reason, tension, tuple(facts)))

    def answer(self, seat: str, obligation_id: str, answer: str, rationale: str, by: str | None = None) -> list[dict[str, Any]]:
        """The obliged seat answers a treaty obligation: honour, partial, consult or decline."""
        return self.execute(ev.Answer(seat, obligation_id, answer, rationale, by))

    def adjudicate(self) -> list[dict[str, Any]]:
        """Apply the turn's decisions and answers, then resolve what they set off."""
        return self.execute(ev.Adjudicate())

    def override(self, what: str, value: Any, reason: str, seat: str | None = None, obligation: str | None = None) -> list[dict[str, Any]]:
        """The facilitator overrules the adjudication; the reason goes in the log."""
        return self.execute(ev.Override(what, value, reason, seat, obligation))

    def note(self, text: str, seat: str | None = None, objective: str | None = None, finding: str | None = None) -> list[dict[str, Any]]:
        """A note for the log (an observer's, tagged with an objective and a finding, strength or improvement, goes into the AAR's evaluation)."""
        return self.execute(ev.Note(text, seat, objective, finding))

    def advance(self) -> list[dict[str, Any]]:
        """Move to the next phase, or from review to the next turn's brief."""
        return self.execute(ev.Advance())

    def end(self, reason: str = "") -> list[dict[str, Any]]:
        return self.execute(ev.End(reason))

    def withhold(self, injects: Iterable[str], how: str) -> list[dict[str, Any]]:
        """Keep this turn's unreleased scheduled injects as standby (``how='standby'``), or drop them (``'drop'``)."""
        return self.execute(ev.Withhold(tuple(injects), how))

    def timer(self, action: str, remaining: int, minutes: int) -> list[dict[str, Any]]:
        """Log the phase timer: start, pause, extend, reset or alarm, with the seconds left and the phase's minutes."""
        return self.execute(ev.Timer(action, remaining, minutes))

    def hand_over(self, seat: str, to: str) -> list[dict[str, Any]]:
        """Who plays ``seat`` from now on: its team (``human``), a bot (``bot``) or the facilitator's keyboard (``hotseat``)."""
        return self.execute(ev.HandOver(seat, to))

    def retract(self, reason: str) -> list[dict[str, Any]]:
        """Take back the last command (logged with the reason; the state returns to what it was before it)."""
        return self.execute(ev.Retract(reason))


class Session(Commands):
    """One exercise of one scenario under one set of rules."""

    def __init__(
        self,
        game: Game,
        state: State | None = None,
        events: list[dict[str, Any]] | None = None,
        writer: logmod.Writer | None = None,
        clock: Callable[[], str] | None = None,
        header: dict[str, Any] | None = None,
    ):
        self.game = game
        self.state = game.initial() if state is None else state
        self.events: list[dict[str, Any]] = events if events is not None else []  # the log's records, as written
        self.writer = writer
        self.clock = clock
        self.header = header or {}
        self.listeners: list[Callable[[dict[str, Any]], None]] = []

    # ------------------------------------------------------------ the loop
    def execute(self, command: ev.Command) -> list[dict[str, Any]]:
        """Carry out one command; CommandError (nothing written) if it cannot be given now.

        A command's events go to the log in one write and one fsync, all or
        none: a failed write (a full disk) leaves nothing of the command, and
        the same command can be given again. Only then are they folded and
        handed to the listeners. After a turn's start or the exercise's end the
        writer signs the chain head.
        """
        produced = self.game.decide(self.state, command)
        data = [ev.to_json(event) for event in produced]
        if self.clock is not None:
            for item in data:
                item["ts"] = self.clock()
        if self.writer is not None:
            records = self.writer.append_all(data)
        else:
            records = [{"type": d.pop("type"), "seq": len(self.events) + 1 + i, **d} for i, d in enumerate(data)]
        for event, record in zip(produced, records, strict=True):
            self._fold(event, record)
        if self.writer is not None and any(isinstance(e, SIGNED_AFTER) for e in produced):
            signature = self.writer.sign()
            if signature is not None:
                self.events.append(signature)
        return records

    def _fold(self, event: Any, record: dict[str, Any]) -> None:
        self.state = self.game.evolve(self.state, event)
        self.events.append(record)
        for listener in self.listeners:
            listener(record)

    # ------------------------------------------------------------ starting
    @classmethod
    def new(
        cls,
        scenario: m.Scenario,
        rules: m.Rules,
        seed: int = 0,
        seats: dict[str, str] | None = None,
        log_path: str | Path | None = None,
        clock: bool = False,
        parent: dict[str, Any] | None = None,
        fsync: bool = True,
        sign: bool = True,
        name: str | None = None,
        minutes: int | None = None,
        timer_autostart: bool = False,
    ) -> Session:
        """Start an exercise: write the header, then start turn 1. With ``sign``, the facilitator's key signs the log.

        ``name`` (a class, a date), the default ``minutes`` of a phase and whether the
        phase timer starts by itself go in the header when given (fields a log
        without them simply lacks), for the resume list and a resumed board.
        """
        game = Game(scenario, rules, seats or {}, seed)
        header: dict[str, Any] = {
            "scenario": scenario.id,
            "scenario_path": scenario.path,
            "scenario_sha256": scenario.sha256,
            "rules_sha256": rules.sha256,
            "seed": seed,
            "seats": dict(game.seats),
            "tabletop": __version__,
        }
        if parent:
            header["parent"] = parent
        if name and name.strip():
            header["name"] = name.strip()
        if minutes is not None:
            header["minutes"] = minutes
        if timer_autostart:
            header["timer_autostart"] = True
        if clock:
            header["created"] = _now()
        writer = logmod.Writer.create(log_path, header, fsync=fsync, signer=_signer(sign)) if log_path else None
        session = cls(game, writer=writer, clock=_now if clock else None, header=header)
        session.execute(ev.Advance())
        return session

    @classmethod
    def replay(cls, contents: logmod.LogContents, scenario: m.Scenario, rules: m.Rules, upto: int | None = None) -> Session:
        """A session holding a replayed log (checked: ReplayMismatch at the first difference); it writes nowhere."""
        game = game_of(contents.header, scenario, rules)
        done = replay(game, contents.events, upto)
        return cls(game, done.state, list(contents.events[: done.events]), header=contents.header)

    @classmethod
    def resume(cls, path: str | Path, scenario: m.Scenario, rules: m.Rules, clock: bool = False) -> tuple[Session, list[str]]:
        """Rebuild an exercise from its log and carry on appending to it (after finishing a command a crash cut short)."""
        contents = logmod.read(path)
        game = game_of(contents.header, scenario, rules)
        done = replay(game, contents.events, partial=True)
        writer = logmod.Writer.reopen(contents, signer=_signer(True))
        session = cls(game, done.state, list(contents.events), writer, header=contents.header)
        if done.unwritten:  # first finish the command the log stopped inside
            owed = list(done.unwritten)
            for event, record in zip(owed, writer.append_all([ev.to_json(e) for e in owed]), strict=True):
                session._fold(event, record)
        signature = writer.sign_if_owed()  # a crash between a turn's start and its signature
        if signature is not None:
            session.events.append(signature)
        session.clock = _now if clock else None
        return session, contents.warnings

    @classmethod
    def branch(
        cls,
        parent: str | Path,
        at: int,
        log_path: str | Path,
        scenario: m.Scenario,
        rules: m.Rules,
        seats: dict[str, str] | None = None,
        clock: bool = False,
    ) -> Session:
        """Play on from event ``at`` of a saved log into a new log; the parent is only read.

        The new log repeats the parent's events up to the branch point (so it
        verifies on its own) and its header names the parent log, the event and
        that line's hash. A branch point inside a command's group of events
        moves to the end of the group: an inject is never released without the
        obligations it set off (the header's ``parent.seq`` is where it moved).
        ``seats`` (who plays each seat named there) replaces the parent's
        hand-overs of those seats: they are left out of the new log, with any
        retraction of one.
        """
        contents = logmod.read(parent)
        records = contents.events
        if not 0 <= at <= len(records):
            raise CommandError(f"{parent} has events 1 to {len(records)}; cannot branch at {at}")
        at = replay(game_of(contents.header, scenario, rules), records, upto=at).events  # the prefix must hold
        kinds = dict(contents.header.get("seats") or {})
        kinds.update(seats or {})
        header = {k: v for k, v in contents.header.items() if k not in ("type", "format", "created", "parent")}
        header.update(
            scenario_path=scenario.path, scenario_sha256=scenario.sha256, rules_sha256=rules.sha256, seats=kinds,
            parent={"log": str(Path(parent).resolve()), "seq": at, "line_sha256": contents.digests[at]},
        )
        if clock:
            header["created"] = _now()
        game = Game(scenario, rules, kinds, int(header.get("seed", 0)))
        session = cls(game, writer=logmod.Writer.create(log_path, header, signer=_signer(True)), header=header)
        chosen = set(seats or {})
        dropped = False  # the last command was a hand-over left out: a retraction of it is left out too
        for record in records[:at]:  # the parent's commands again, as they were given
            kind = record.get("type")
            if kind in ev.LOG_RECORDS or kind in ev.FOLLOWERS:
                continue
            command = ev.command_of(ev.from_json(record))
            if isinstance(command, ev.HandOver) and command.seat in chosen:
                dropped = True  # the branch's seats say who plays this seat from here on, not the parent's hand-overs
                continue
            if not (dropped and isinstance(command, ev.Retract)):
                session.execute(command)
            dropped = dropped and kind in ev.UNDO_TRANSPARENT
        session.clock = _now if clock else None
        return session

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    # ------------------------------------------------------------- queries
    @property
    def seed(self) -> int:
        return self.game.seed

    @property
    def seats(self) -> dict[str, str]:
        """Who plays each seat now, as this machine's screens and the facilitation policy read it: ``bot``, or ``human`` at this keyboard.

        The log's header, then the hand-overs since (``control``): a served
        exercise resumed on one machine plays its seats as they were handed over,
        a team's and the hot seat both at the keyboard.
        """
        return {seat: "bot" if kind == "bot" else "human" for seat, kind in self.control.items()}

    def board(self) -> tuple[Game, State]:
        return self.game, self.state

    def unreleased(self, include_standby: bool = True) -> list[m.Inject]:
        return self.game.unreleased(self.state, include_standby)


class ResumeError(Exception):
    """A saved exercise that cannot be carried on; ``str()`` is the one line to show. ``io``: the disk failed, not the log."""

    def __init__(self, message: str, io: bool = False):
        super().__init__(message)
        self.io = io


def resume_log(path: str | Path, clock: bool = False, opened: Any = None, named: str | Path | None = None) -> tuple[Session, list[str]]:
    """Carry on the exercise in ``path`` with its own scenario and rules; the warnings to show (in order, each once).

    The one way the TUI, the headless runner and the server resume a log, with
    one set of messages (ResumeError): the log opened as the CLI, the TUI and
    the report open it (:func:`tabletop.replay.open_log`, which finds its
    scenario by its recorded path, else by its id, and says what changed
    since), then replayed and reopened for writing (:meth:`Session.resume`).
    ``opened``: the log as the caller already opened it (``replay.Opened``), to check it first.
    ``named``: the scenario the user gave with it, for a log whose own cannot be found (``replay.load_for``).
    """
    from tabletop.replay import OpenError, open_log

    try:
        opened = opened if opened is not None else open_log(path, named=named)
        session, read = Session.resume(path, opened.scenario, opened.rules, clock=clock)
    except (OpenError, logmod.LogError, ReplayMismatch, OSError) as exc:
        raise ResumeError(resume_failed(path, exc), io=isinstance(exc, OSError)) from None
    return session, list(dict.fromkeys([*opened.basis.warnings, *opened.changed, *read]))


def resume_failed(path: str | Path, exc: Exception) -> str:
    """The one line that says why the log at ``path`` cannot be carried on (its scenario, the log, its replay, the disk)."""
    from tabletop import files
    from tabletop.replay import OpenError

    if isinstance(exc, (OpenError, logmod.LogBusy)):  # these name the log themselves
        return f"cannot resume {exc}"
    if isinstance(exc, logmod.LogError):
        return f"cannot resume {path}: {exc}"
    if isinstance(exc, ReplayMismatch):
        return f"cannot resume {path}: line {exc.line}: {exc.message}; run 'tabletop verify {path}'"
    if isinstance(exc, OSError):  # a read-only log, a full disk
        return f"cannot resume {path}: {files.explain(exc, path, 'write to the log')}"
    raise exc


def _signer(sign: bool) -> Any:
    """The facilitator's key (read or made when first needed), or None for an unsigned log."""
    if not sign:
        return None
    from tabletop.signing import Signer

    return Signer()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
