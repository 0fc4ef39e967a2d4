"""The exercise as a state machine: commands in, events out, state = fold(apply, events).

Every front end (the TUI, the headless runner, the bots, replay) goes through
:class:`Session`. A command is checked against the phase and the seat, turned
into events, each event is appended to the log (fsynced) and only then folded
into the state. Replaying a log re-issues the same commands against the same
scenario and rules and compares what they produce with what was logged, so
``verify`` checks the adjudication itself, not just the bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tabletop import __version__, gc_pause
from tabletop import log as logmod
from tabletop import model as m
from tabletop.treaties import Engine, History, force_fact

PHASES = ("brief", "deliberate", "decide", "adjudicate", "review")
ANSWERS = ("honour", "partial", "consult", "decline")
RELEASE_PHASES = ("brief", "deliberate")
OVERRIDABLE = ("tension", "credibility", "posture", "obligation")
DERIVED = frozenset({"obligation_triggered", "obligation_answered", "council_decided", "report_owed"})
IGNORED_IN_REPLAY = ("ts", "seq", "prev")


class CommandError(Exception):
    """A command the facilitator or a seat cannot give now; the message says why."""


class ReplayMismatch(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(f"line {line}: {message}")


def _summary(state: m.WorldState) -> dict[str, Any]:
    """What the board shows, in a size that does not grow with the length of the exercise.

    Everything that accumulates (injects, facts, answered obligations) enters as
    a count and its latest item; the hash chain of the log covers the rest.
    """
    open_obs = [[k, o.status] for k, o in state.open.items()]
    return {
        "turn": state.turn,
        "phase": state.phase,
        "date": state.date.isoformat() if state.date else None,
        "tension": state.tension,
        "credibility": sorted(state.credibility.items()),
        "posture": sorted(state.posture.items()),
        "released": [len(state.released), state.released[-1] if state.released else None],
        "facts": len(state.facts),
        "obligations": [len(state.obligations), open_obs[-50:]],
        "adjudicated": len(state.adjudicated),
        "history": state.tension_history[-1] if state.tension_history else None,
        "ended": state.ended,
    }


_SUMMARY_JSON = json.JSONEncoder(separators=(",", ":"))  # one encoder, not one a call: replay hashes every turn


def _digest(summary: dict[str, Any]) -> str:
    return hashlib.sha256(_SUMMARY_JSON.encode(summary).encode()).hexdigest()


def state_hash(state: m.WorldState) -> str:
    """A digest of what the board shows; replay must arrive at the same one."""
    return _digest(_summary(state))


class Session:
    """One exercise of one scenario under one set of rules."""

    def __init__(
        self,
        scenario: m.Scenario,
        rules: m.Rules,
        seed: int = 0,
        seats: dict[str, str] | None = None,
        writer: logmod.Writer | None = None,
        clock: Callable[[], str] | None = None,
        header: dict[str, Any] | None = None,
    ):
        self.scenario = scenario
        self.rules = rules
        self.seed = seed
        self.seats = {s: (seats or {}).get(s, "bot") for s in scenario.seats}
        self.writer = writer
        self.clock = clock
        self.engine = Engine(rules, scenario.treaties)
        self.state = _initial_state(scenario, rules)
        self.events: list[dict[str, Any]] = []
        self.header = header or {}
        self._replay: list[dict[str, Any]] | None = None
        self._replay_at = 0
        self._resolved = 0  # facts up to this index have been resolved
        self._past = History()  # who struck whom first, over the facts resolved so far
        # Obligations that must not trigger again: every assistance obligation (one war, one
        # duty), and consultations still open. A fresh threat after consultations were
        # answered calls for consultations again.
        self._known: set[tuple[str, str, str, str, str, str | None]] = set()
        self._on_event: Callable[[int, m.WorldState], None] | None = None
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self._partial = False  # replay: may the log stop inside a command?
        self.unwritten: list[dict[str, Any]] = []  # replay: the events such a command still owes the log
        self._adjudicated_facts: list[m.Fact] | None = None  # handed from adjudicate to _apply, unparsed

    # ------------------------------------------------------------------ setup
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
    ) -> Session:
        """Start an exercise: write the header, then start turn 1."""
        seat_kinds = {s: (seats or {}).get(s, "bot") for s in scenario.seats}
        header = {
            "scenario": scenario.id,
            "scenario_path": scenario.path,
            "scenario_sha256": scenario.sha256,
            "rules_sha256": rules.sha256,
            "seed": seed,
            "seats": seat_kinds,
            "tabletop": __version__,
        }
        if parent:
            header["parent"] = parent
        if clock:
            header["created"] = _now()
        writer = logmod.Writer.create(log_path, header, fsync=fsync) if log_path else None
        session = cls(scenario, rules, seed, seat_kinds, writer, _now if clock else None, header)
        session.advance()
        return session

    @classmethod
    def of_log(cls, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules) -> Session:
        """A fresh session with a log's seed and seats, nothing yet replayed or folded into it."""
        return cls(scenario, rules, int(header.get("seed", 0)), dict(header.get("seats") or {}), header=header)

    @classmethod
    def replay(
        cls,
        contents: logmod.LogContents,
        scenario: m.Scenario,
        rules: m.Rules,
        upto: int | None = None,
        on_event: Callable[[int, m.WorldState], None] | None = None,
        partial: bool = False,
    ) -> Session:
        """Re-issue every logged command; raise ReplayMismatch at the first difference.

        With ``upto``, stop at the first end of a command's group of events at or
        after that many events (``len(session.events)`` says where). With
        ``partial``, accept a log that stops inside a command, as a crash between
        two of its events leaves it: the events the command still owes are folded
        and kept in ``unwritten`` (:meth:`resume` writes them). Without it such a
        log is a mismatch, since it cannot be told from an edited last line.
        """
        header = contents.header
        session = cls.of_log(header, scenario, rules)
        events = contents.events
        stop = len(events) if upto is None else min(upto, len(events))
        session.rerun(events, stop, on_event, partial)
        return session

    def rerun(
        self,
        events: list[dict[str, Any]],
        stop: int,
        on_event: Callable[[int, m.WorldState], None] | None = None,
        partial: bool = False,
    ) -> None:
        """Re-issue the commands of ``events`` from where this session stands up to ``stop`` (see replay)."""
        self._replay = events
        self._replay_at = len(self.events)
        self._on_event = on_event
        self._partial = partial
        try:
            with gc_pause.paused():  # the state grows and lives on; cyclic collection would re-walk it
                while self._replay_at < stop:
                    self._redo(events[self._replay_at])
        finally:
            self._replay = None

    @classmethod
    def folded_to(cls, header: dict[str, Any], events: list[dict[str, Any]], upto: int, scenario: m.Scenario, rules: m.Rules) -> Session:
        """A session after the first ``upto`` events, folded, with what replay keeps beside the board.

        For checking the rest of a long log on another core while this one
        replays the start: ``upto`` must be a turn's start, where every fact has
        been resolved. What replay keeps beside the board is rebuilt from the
        events (who struck first, from the facts; which obligations must not
        trigger again, from the obligations triggered and answered), so the
        result counts only once the replayed session's :meth:`internals` match
        this one's.
        """
        session = cls.of_log(header, scenario, rules)
        state = session.state
        with gc_pause.paused():
            for event in events[:upto]:
                _apply(state, event, session)
                kind = event["type"]
                if kind == "obligation_triggered":
                    session._known.add(state.obligations[event["id"]].obligation.key)
                elif kind == "obligation_answered":
                    ob = state.obligations[event["obligation"]].obligation
                    if ob.kind == "consult":
                        session._known.discard(ob.key)
            session.events.extend(events[:upto])
            for fact in state.facts:
                session._past.add(fact)
            session._resolved = len(state.facts)
        return session

    def internals(self) -> str:
        """A digest of everything a replay carries from one command to the next.

        Two sessions with equal internals give the same result for the same
        commands: the board (all of it, not only what the state hash covers),
        the position in the log, and the engine's memory of past facts and
        obligations.
        """
        state, past = self.state, self._past
        parts = [
            len(self.events), self._resolved, state_hash(state), len(state.facts), repr(state.facts[-1:]),
            sorted(self._known, key=repr), sorted(map(sorted, past.war)), past.count,
            sorted((sorted(pair), first) for pair, first in past.first.items()),
            sorted((k, o.status, o.answer, o.ruling, o.due) for k, o in state.obligations.items()),
            sorted(state.released_ids), state.tension_history[-3:], len(state.notes), len(state.overrides),
            len(state.council), len(state.reports), sorted(state.adjudicated)[-3:],
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    @classmethod
    def fold(cls, contents: logmod.LogContents, scenario: m.Scenario, rules: m.Rules, upto: int | None = None) -> Session:
        """The board after exactly ``upto`` events, by folding them without re-issuing commands.

        For looking (the replay viewer steps event by event, even inside a group);
        such a session cannot play on: use :meth:`replay` or :meth:`branch` for that.
        """
        header = contents.header
        session = cls.of_log(header, scenario, rules)
        for event in contents.events[: len(contents.events) if upto is None else upto]:
            _apply(session.state, event, session)
            session.events.append(event)
        return session

    @classmethod
    def resume(cls, path: str | Path, scenario: m.Scenario, rules: m.Rules, clock: bool = False) -> tuple[Session, list[str]]:
        """Rebuild an exercise from its log and carry on appending to it."""
        contents = logmod.read(path)
        session = cls.replay(contents, scenario, rules, partial=True)
        session.writer = logmod.Writer.reopen(contents)
        for event in session.unwritten:  # first finish the command the log stopped inside
            record = session.writer.append(event)
            session.events[record["seq"] - 1] = record
        session.unwritten = []
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
        obligations it set off.
        """
        contents = logmod.read(parent)
        events = contents.events
        if not 0 <= at <= len(events):
            raise CommandError(f"{parent} has events 1 to {len(events)}; cannot branch at {at}")
        at = len(cls.replay(contents, scenario, rules, upto=at).events)  # the prefix must hold; snap to a group's end
        kinds = dict(contents.header.get("seats") or {})
        kinds.update(seats or {})
        header = {k: v for k, v in contents.header.items() if k not in ("type", "format", "created", "parent")}
        header.update(
            scenario_path=scenario.path, scenario_sha256=scenario.sha256, rules_sha256=rules.sha256, seats=kinds,
            parent={"log": str(Path(parent).resolve()), "seq": at, "line_sha256": contents.digests[at]},
        )
        if clock:
            header["created"] = _now()
        writer = logmod.Writer.create(log_path, header)
        session = cls(scenario, rules, int(header.get("seed", 0)), kinds, writer, None, header)
        done = 0
        while done < at:
            before = len(session.events)
            session._redo(events[done])
            done += len(session.events) - before
        session.clock = _now if clock else None
        return session

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    # --------------------------------------------------------------- queries
    @property
    def turn(self) -> m.Turn:
        return self.scenario.turn(self.state.turn)

    @property
    def is_last_turn(self) -> bool:
        return self.state.turn == self.scenario.turns[-1].id

    def options(self, seat: str) -> tuple[m.Option, ...]:
        return self.scenario.options_for(seat, self.state.turn)

    def unreleased(self, include_standby: bool = True) -> list[m.Inject]:
        done = self.state.released_ids
        return [
            i for i in self.scenario.injects_for(self.state.turn)
            if i.id not in done and (include_standby or not i.standby)
        ]

    def undecided(self) -> list[str]:
        decided = self.state.decisions.get(self.state.turn, {})
        return [s for s in self.scenario.seats if s not in decided]

    def unanswered(self, seat: str | None = None) -> list[m.OpenObligation]:
        """Obligations due in this turn's decide phase and not yet answered."""
        return [
            o for o in self.state.open.values()
            if o.due <= self.state.turn
            and (seat is None or o.obligation.obligor == seat)
        ]

    def inject(self, inject_id: str) -> m.Inject:
        if inject_id in self.state.adhoc:
            return self.state.adhoc[inject_id]
        return self.scenario.inject(inject_id)

    # -------------------------------------------------------------- commands
    def release(self, inject_id: str) -> list[dict[str, Any]]:
        """Release a scripted inject of the current turn to the seats."""
        self._phase(RELEASE_PHASES, "release an inject")
        try:
            inject = self.scenario.inject(inject_id)
        except KeyError:
            raise CommandError(f"no inject {inject_id!r} in scenario {self.scenario.id}") from None
        if inject.turn != self.state.turn:
            raise CommandError(f"inject {inject_id!r} belongs to turn {inject.turn}; this is turn {self.state.turn}")
        if inject_id in self.state.released_ids:
            raise CommandError(f"inject {inject_id!r} was already released")
        event = {"type": "inject_released", "turn": self.state.turn, "inject": inject_id}
        return self._emit([event], after=lambda: self._resolve_new(inject.date))

    def release_adhoc(self, title: str, text: str, to: Iterable[str] = ("all",), facts: Iterable[m.Fact] = (), tension: int = 0) -> list[dict[str, Any]]:
        """A facilitator's own inject, written during play."""
        self._phase(RELEASE_PHASES, "release an inject")
        if not title.strip():
            raise CommandError("an ad-hoc inject needs a title")
        inject_id = f"adhoc-{len(self.state.adhoc) + 1}"
        fact_list = [f.to_json() for f in facts]
        for fact in fact_list:
            if fact["kind"] not in self.rules.fact_kinds:
                raise CommandError(f"unknown fact kind {fact['kind']!r}")
        event = {
            "type": "inject_released",
            "inject": inject_id,
            "adhoc": {"title": title.strip(), "text": text.strip(), "to": list(to), "facts": fact_list, "tension": tension},
        }
        return self._emit([event], after=lambda: self._resolve_new(None))

    def decide(self, seat: str, option_id: str, rationale: str, by: str | None = None, answers: str | None = None) -> list[dict[str, Any]]:
        """A seat's decision for this turn; hidden from the others until adjudication."""
        self._phase(("decide",), "decide")
        self._seat(seat)
        if not self.scenario.has_option(seat, self.state.turn, option_id):
            options = [o.id for o in self.options(seat)]
            raise CommandError(f"{seat} has no option {option_id!r} in turn {self.state.turn}; open options: {', '.join(options)}")
        if seat in self.state.decisions.get(self.state.turn, {}):
            raise CommandError(f"{seat} has already decided this turn")
        if not rationale.strip():
            raise CommandError("a decision needs a rationale: one sentence on why")
        if answers is not None and not (answers in self.state.released_ids and self._released_this_turn(answers)):
            raise CommandError(f"{answers!r} is not an inject released this turn")
        event: dict[str, Any] = {"type": "decision", "turn": self.state.turn, "seat": seat, "option": option_id, "rationale": rationale.strip(), "by": by or self.seats.get(seat, "human")}
        if answers:
            event["answers"] = {"inject": answers}
        return [self._one(event)]

    def answer(self, seat: str, obligation_id: str, answer: str, rationale: str, by: str | None = None) -> list[dict[str, Any]]:
        """The obliged seat answers a treaty obligation: honour, partial, consult or decline."""
        self._phase(("decide",), "answer an obligation")
        self._seat(seat)
        open_ob = self.state.obligations.get(obligation_id)
        if open_ob is None:
            raise CommandError(f"no obligation {obligation_id!r}")
        if open_ob.obligation.obligor != seat:
            raise CommandError(f"obligation {obligation_id} is owed by {open_ob.obligation.obligor}, not {seat}")
        if open_ob.status not in ("triggered", "contested"):
            raise CommandError(f"obligation {obligation_id} is {open_ob.status}; nothing to answer")
        if answer not in ANSWERS:
            raise CommandError(f"expected one of {', '.join(ANSWERS)}, got {answer!r}")
        if not rationale.strip():
            raise CommandError("an answer needs a rationale: one sentence on why")
        decision = {
            "type": "decision", "seat": seat, "option": answer, "rationale": rationale.strip(),
            "by": by or self.seats.get(seat, "human"), "answers": {"obligation": obligation_id},
        }
        answered = {"type": "obligation_answered", "turn": self.state.turn, "obligation": obligation_id, "seat": seat, "answer": answer}
        events = self._emit([decision, answered])
        if open_ob.obligation.kind == "consult":
            self._known.discard(open_ob.obligation.key)
        return events

    def adjudicate(self) -> list[dict[str, Any]]:
        """Apply the turn's decisions and answers, then resolve what they set off."""
        self._phase(("adjudicate",), "adjudicate")
        if self.state.turn in self.state.adjudicated:
            raise CommandError(f"turn {self.state.turn} is already adjudicated")
        changes, facts = self._changes()
        event: dict[str, Any] = {"type": "adjudicated", "turn": self.state.turn, "changes": changes, "facts": [f.to_json() for f in facts]}
        replaying = self._replay is not None and self._replay_at < len(self._replay) and "state_hash" in self._replay[self._replay_at]
        if replaying:
            # The logged hash is checked against the state once this event is folded
            # (see _one): the real state, not a prediction of it, and one hash less.
            event["state_hash"] = self._replay[self._replay_at].get("state_hash")
        else:
            event["state_hash"] = _digest(self._summary_after(changes, len(facts)))
        self._adjudicated_facts = facts
        try:
            return self._emit([event], after=lambda: self._resolve_new(self.turn.end))
        finally:
            self._adjudicated_facts = None

    def override(self, what: str, value: Any, reason: str, seat: str | None = None, obligation: str | None = None) -> list[dict[str, Any]]:
        """The facilitator overrules the adjudication; the reason goes in the log."""
        self._phase(("adjudicate", "review", "decide", "brief", "deliberate"), "override")
        if not reason or not reason.strip():
            raise CommandError("an override needs a reason")
        if what not in OVERRIDABLE:
            raise CommandError(f"can override {', '.join(OVERRIDABLE)}, not {what!r}")
        event: dict[str, Any] = {"type": "override", "what": what, "value": value, "reason": reason.strip()}
        esc = self.rules.escalation
        if what == "tension":
            if type(value) is not int or not esc.bottom <= value <= esc.top:  # not a bool, not 2.0
                raise CommandError(f"tension is a rung from {esc.bottom} to {esc.top}")
        elif what in ("credibility", "posture"):
            self._seat(seat or "")
            event["seat"] = seat
            if what == "credibility" and (type(value) is not int or not esc.credibility_min <= value <= esc.credibility_max):
                raise CommandError(f"credibility runs from {esc.credibility_min} to {esc.credibility_max}")
            if what == "posture" and value not in {p.id for p in esc.postures}:
                raise CommandError(f"unknown posture {value!r}")
        else:
            if obligation not in self.state.obligations:
                raise CommandError(f"no obligation {obligation!r}")
            if value not in ("triggered", "void"):
                raise CommandError("an obligation can be upheld ('triggered') or set aside ('void')")
            event["obligation"] = obligation
        return [self._one(event)]

    def note(self, text: str, seat: str | None = None) -> list[dict[str, Any]]:
        if self.state.ended:
            raise CommandError("the exercise has ended")
        if not text.strip():
            raise CommandError("an empty note")
        if seat is not None:
            self._seat(seat)
        event: dict[str, Any] = {"type": "note", "text": text.strip()}
        if seat:
            event["seat"] = seat
        return [self._one(event)]

    def advance(self) -> list[dict[str, Any]]:
        """Move to the next phase, or from review to the next turn's brief."""
        state = self.state
        if state.ended:
            raise CommandError("the exercise has ended")
        if state.phase == "setup":
            return [self._one(self._turn_started(self.scenario.turns[0]))]
        if state.phase == "decide":
            missing = self.undecided()
            if missing:
                raise CommandError(f"waiting for decisions from: {', '.join(missing)}")
            owed = self.unanswered()
            if owed:
                raise CommandError("waiting for answers to obligations: " + ", ".join(f"{o.id} ({o.obligation.obligor})" for o in owed))
        if state.phase == "adjudicate" and state.turn not in state.adjudicated:
            raise CommandError("adjudicate the turn before moving on")
        if state.phase == "review":
            if self.is_last_turn:
                raise CommandError("this is the last turn: end the exercise")
            following = self.scenario.turn(state.turn + 1)  # turn ids run 1, 2, 3 (the loader checks)
            return [self._one(self._turn_started(following))]
        phase = PHASES[PHASES.index(state.phase) + 1]
        return [self._one({"type": "phase_changed", "turn": state.turn, "phase": phase})]

    def end(self, reason: str = "") -> list[dict[str, Any]]:
        if self.state.ended:
            raise CommandError("the exercise has already ended")
        event: dict[str, Any] = {"type": "exercise_ended"}
        if reason:
            event["reason"] = reason
        return [self._one(event)]

    # -------------------------------------------------------------- helpers
    def _phase(self, allowed: tuple[str, ...], action: str) -> None:
        if self.state.ended:
            raise CommandError("the exercise has ended")
        if self.state.phase not in allowed:
            raise CommandError(f"cannot {action} in the {self.state.phase} phase; only in: {', '.join(allowed)}")

    def _seat(self, seat: str) -> None:
        if seat not in self.scenario.seats:
            raise CommandError(f"no seat {seat!r}; seats: {', '.join(self.scenario.seats)}")

    def _released_this_turn(self, inject_id: str) -> bool:
        try:
            return self.inject(inject_id).turn == self.state.turn or inject_id in self.state.adhoc
        except KeyError:
            return False

    def _turn_started(self, turn: m.Turn) -> dict[str, Any]:
        return {"type": "turn_started", "turn": turn.id, "date": turn.start.isoformat()}

    def _changes(self) -> tuple[dict[str, Any], list[m.Fact]]:
        """What this turn's decisions and answers do, computed from the scenario and rules."""
        state, esc = self.state, self.rules.escalation
        tension = state.tension
        cred = dict(state.credibility)
        posture = dict(state.posture)
        facts: list[m.Fact] = []
        date = self.turn.end
        for seat, decision in state.decisions.get(state.turn, {}).items():
            option = self.scenario.option(seat, decision["option"])
            tension += option.effects.tension
            for s, d in option.effects.credibility.items():
                cred[s] = cred.get(s, esc.credibility_initial) + d
            posture.update(option.effects.posture)
            facts.extend(f if f.date else _dated(f, date) for f in option.facts)
        for ob_id, answer in state.answers.get(state.turn, {}).items():
            open_ob = state.obligations[ob_id]
            ob = open_ob.obligation
            contested = ob.status == "contested" and open_ob.ruling != "triggered"
            table = esc.answers.get("contested" if contested else ob.kind, {})
            effect = table.get(answer["answer"])
            if effect is None:
                continue
            tension += effect.tension
            cred[ob.obligor] = cred.get(ob.obligor, esc.credibility_initial) + effect.credibility
            if effect.posture:
                posture[ob.obligor] = effect.posture
            if effect.force:
                fact = force_fact(ob, date)
                if fact is not None:
                    facts.append(fact)
        tension = max(esc.bottom, min(esc.top, tension))
        changes: dict[str, Any] = {"tension": [state.tension, tension]}
        cred_changes = {}
        for s, v in cred.items():
            v = max(esc.credibility_min, min(esc.credibility_max, v))
            if v != state.credibility.get(s):
                cred_changes[s] = [state.credibility.get(s), v]
        if cred_changes:
            changes["credibility"] = cred_changes
        post_changes = {s: [state.posture.get(s), v] for s, v in posture.items() if v != state.posture.get(s)}
        if post_changes:
            changes["posture"] = post_changes
        return changes, facts

    def _summary_after(self, changes: dict[str, Any], new_facts: int) -> dict[str, Any]:
        """The summary the state will have once the adjudicated event is folded (see _apply)."""
        state = self.state
        summary = _summary(state)
        credibility = dict(state.credibility)
        credibility.update((s, v[1]) for s, v in changes.get("credibility", {}).items())
        posture = dict(state.posture)
        posture.update((s, v[1]) for s, v in changes.get("posture", {}).items())
        tension = changes["tension"][1]
        summary.update(
            tension=tension,
            credibility=sorted(credibility.items()),
            posture=sorted(posture.items()),
            facts=len(state.facts) + new_facts,
            adjudicated=len(state.adjudicated | {state.turn}),
            history=(state.turn, tension),
            date=self.turn.end.isoformat(),
        )
        return summary

    def _resolve_new(self, date: dt.date | None) -> list[dict[str, Any]]:
        """Events for what the facts folded since the last resolution set off."""
        state = self.state
        start = self._resolved
        new = state.facts[start:]
        self._resolved = len(state.facts)
        if not new:
            return []
        when = date or state.date or self.scenario.start
        result = self.engine.resolve(new, when, past=self._past, known=self._known)
        self._known.update(ob.key for ob in result.obligations)
        events: list[dict[str, Any]] = []
        for outcome in result.council:
            events.append({"type": "council_decided", **outcome.to_json()})
        for report in result.reports:
            events.append({"type": "report_owed", **report.to_json()})
        count = len(state.obligations)
        for ob in result.obligations:
            count += 1
            payload = ob.to_json()
            payload.update(attacker=ob.attacker, location=ob.location)
            events.append({"type": "obligation_triggered", "turn": state.turn, "id": f"o{count}", **payload})
        return events

    # ------------------------------------------------------- emit and replay
    def _emit(self, events: list[dict[str, Any]], after: Callable[[], list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
        written = []
        for event in events:
            written.append(self._one(event))
        if after is not None:
            for event in after():
                written.append(self._one(event))
        return written

    def _one(self, event: dict[str, Any]) -> dict[str, Any]:
        if "turn" not in event:
            event = {"type": event["type"], "turn": self.state.turn, **event}
        replay = self._replay
        folded = None
        if replay is None:
            if self.clock is not None:
                event["ts"] = self.clock()
            if self.writer is not None:
                record = self.writer.append(event)
            else:
                record = {"type": event["type"], "seq": len(self.events) + 1, **{k: v for k, v in event.items() if k != "type"}}
        else:
            at = self._replay_at
            if at < len(replay):
                record = replay[at]
                stripped = dict(record)
                for key in IGNORED_IN_REPLAY:
                    stripped.pop(key, None)
                if stripped != event:  # equal is the common case, compared in C
                    self._mismatch(event)
                if event["type"] == "adjudicated":
                    # Fold the engine's numbers, not the log's: equal is not the same (2.0 and true equal
                    # 2 and 1 in Python), and the logged state hash must then match what the engine gives.
                    folded = event
                self._replay_at = at + 1
            elif self._partial:
                # The log stops inside this command: the rest was never written, so never acknowledged.
                record = {"type": event["type"], "seq": len(self.events) + 1, **{k: v for k, v in event.items() if k != "type"}}
                self.unwritten.append(event)
            else:
                raise ReplayMismatch(at + 2, f"the log ends where the engine expected a {event['type']} event")
        _apply(self.state, folded or record, self)
        self.events.append(record)
        if replay is not None:
            if self._on_event is not None:
                self._on_event(len(self.events), self.state)
            if record["type"] == "adjudicated" and record.get("state_hash") != state_hash(self.state):
                raise ReplayMismatch(self._replay_at + 1, "state hash differs from the replayed state")
        for listener in self.listeners:
            listener(record)
        return record

    def _mismatch(self, produced: dict[str, Any]) -> None:
        """Say how the logged event differs from the one replay produced."""
        assert self._replay is not None
        line = self._replay_at + 2
        logged = self._replay[self._replay_at]
        for key, value in produced.items():
            if key not in IGNORED_IN_REPLAY and logged.get(key) != value:
                raise ReplayMismatch(line, f"{logged.get('type')} event: {key} is {logged.get(key)!r} in the log, but replay gives {value!r}")
        extra = sorted(set(logged) - set(produced) - set(IGNORED_IN_REPLAY))
        raise ReplayMismatch(line, f"{logged.get('type')} event has unexpected fields: {', '.join(extra)}")

    def _redo(self, event: dict[str, Any]) -> None:
        """Re-issue the command that produced ``event`` (the first of its group)."""
        kind = event.get("type")
        line = self._replay_at + 2
        try:
            if kind == "decision":
                answers = event.get("answers") or {}
                if "obligation" in answers:
                    self.answer(event["seat"], answers["obligation"], event["option"], event["rationale"], by=event.get("by"))
                else:
                    self.decide(event["seat"], event["option"], event["rationale"], by=event.get("by"), answers=answers.get("inject"))
            elif kind in ("turn_started", "phase_changed"):
                self.advance()
            elif kind == "inject_released":
                adhoc = event.get("adhoc")
                if adhoc:
                    facts = [m.Fact.from_json(f) for f in adhoc.get("facts", [])]
                    self.release_adhoc(adhoc["title"], adhoc.get("text", ""), adhoc.get("to", ["all"]), facts, adhoc.get("tension", 0))
                else:
                    self.release(event["inject"])
            elif kind == "adjudicated":
                self.adjudicate()
            elif kind == "override":
                self.override(event["what"], event["value"], event["reason"], seat=event.get("seat"), obligation=event.get("obligation"))
            elif kind == "note":
                self.note(event["text"], seat=event.get("seat"))
            elif kind == "exercise_ended":
                self.end(event.get("reason", ""))
            elif kind in DERIVED:
                raise ReplayMismatch(line, f"a {kind} event that no command produced here (the engine gives a different result)")
            else:
                raise ReplayMismatch(line, f"unknown event type {kind!r}")
        except CommandError as exc:
            raise ReplayMismatch(line, f"{kind} event cannot be replayed: {exc}") from None
        except KeyError as exc:
            raise ReplayMismatch(line, f"{kind} event lacks the field {exc}") from None


# ---------------------------------------------------------------------- fold


def fold_events(session: Session, state: m.WorldState, events: Iterable[dict[str, Any]]) -> m.WorldState:
    """Fold logged events into ``state`` in place, in the context of ``session``'s scenario and rules.

    For viewers that keep snapshots of a log and step from the nearest one; it
    does not re-issue commands, so it checks nothing (``Session.replay`` does).
    """
    for event in events:
        _apply(state, event, session)
    return state



def _initial_state(scenario: m.Scenario, rules: m.Rules) -> m.WorldState:
    esc = rules.escalation
    state = m.WorldState()
    state.tension = scenario.initial.tension if scenario.initial.tension is not None else esc.initial_tension
    state.credibility = {s: scenario.initial.credibility.get(s, esc.credibility_initial) for s in scenario.seats}
    state.posture = {s: scenario.initial.posture.get(s, esc.postures[0].id) for s in scenario.seats}
    state.date = scenario.start
    return state


def _dated(fact: m.Fact, date: dt.date) -> m.Fact:
    # Direct construction: attrs.evolve is several times slower, and replay does this a lot.
    return m.Fact(fact.kind, fact.by, fact.target, fact.location, fact.details, fact.on_behalf_of, date)


def _clamp_tension(value: int, rules: m.Rules) -> int:
    esc = rules.escalation
    return max(esc.bottom, min(esc.top, value))


def _apply(state: m.WorldState, event: dict[str, Any], session: Session) -> None:
    """Fold one event into the state. Deterministic; reads only the event, scenario and rules."""
    kind = event["type"]
    state.events += 1
    scenario, rules = session.scenario, session.rules
    # The branches in order of how often they come: decisions are two events in five.
    if kind == "decision":
        answers = event.get("answers")
        if answers is None or "obligation" not in answers:
            state.decisions.setdefault(state.turn, {})[event["seat"]] = event
    elif kind == "phase_changed":
        state.phase = event["phase"]
    elif kind == "turn_started":
        state.turn = event["turn"]
        state.phase = "brief"
        state.date = dt.date.fromisoformat(event["date"])
        state.decisions.setdefault(state.turn, {})
    elif kind == "inject_released":
        adhoc = event.get("adhoc")
        if adhoc:
            inject = m.Inject(
                id=event["inject"], turn=state.turn, title=adhoc["title"], text=adhoc.get("text", ""),
                source="facilitator", date=state.date, to=tuple(adhoc.get("to", ["all"])),
                facts=tuple(m.Fact.from_json(f) for f in adhoc.get("facts", [])),
                effects=m.Effect(tension=int(adhoc.get("tension", 0))),
            )
            state.adhoc[inject.id] = inject
        else:
            inject = scenario.inject(event["inject"])
        state.released.append(inject.id)
        state.released_ids.add(inject.id)
        if inject.date is not None:
            state.date = inject.date
        state.facts.extend(f if f.date else _dated(f, inject.date or state.date) for f in inject.facts)
        effects = inject.effects
        if not effects.is_empty():
            state.tension = _clamp_tension(state.tension + effects.tension, rules)
            esc = rules.escalation
            for seat, delta in effects.credibility.items():
                state.credibility[seat] = max(esc.credibility_min, min(esc.credibility_max, state.credibility.get(seat, esc.credibility_initial) + delta))
            state.posture.update(effects.posture)
    elif kind == "obligation_triggered":
        ob = m.Obligation(
            treaty=event["treaty"], article=event["article"], kind=event["kind"], obligor=event["obligor"],
            beneficiary=event["beneficiary"], status=event["status"], duty=event["duty"], because=event["because"],
            attacker=event.get("attacker"), location=event.get("location"),
        )
        # Set off by an inject before the decide phase: due in this turn; else in the next.
        due = state.turn if state.phase in ("brief", "deliberate") else state.turn + 1
        state.obligations[event["id"]] = state.open[event["id"]] = m.OpenObligation(event["id"], ob, state.turn, ob.status, due=due)
    elif kind == "obligation_answered":
        open_ob = state.obligations[event["obligation"]]
        state.answers.setdefault(state.turn, {})[event["obligation"]] = event
        open_ob.answer = event["answer"]
        open_ob.answered_turn = state.turn
        open_ob.status = "answered"
        state.open.pop(open_ob.id, None)
    elif kind == "adjudicated":
        changes = event["changes"]
        state.tension = changes["tension"][1]
        for seat, (_, after) in changes.get("credibility", {}).items():
            state.credibility[seat] = after
        for seat, (_, after) in changes.get("posture", {}).items():
            state.posture[seat] = after
        made = session._adjudicated_facts  # the objects the event was written from, when at hand
        if made is not None:
            state.facts.extend(made)
            session._adjudicated_facts = None
        else:
            state.facts.extend(m.Fact.from_json(f) for f in event.get("facts", []))
        state.adjudicated.add(state.turn)
        state.tension_history.append((state.turn, state.tension))
        state.date = session.turn.end if state.turn else state.date
    elif kind == "council_decided":
        state.council.append(event)
        effect = rules.council.effects.get(event["outcome"])
        if effect is not None:
            state.tension = _clamp_tension(state.tension + effect.tension, rules)
    elif kind == "report_owed":
        state.reports.append(event)
    elif kind == "override":
        state.overrides.append(event)
        what, value = event["what"], event["value"]
        if what == "tension":
            state.tension = value
            if state.tension_history and state.tension_history[-1][0] == state.turn:
                state.tension_history[-1] = (state.turn, value)
        elif what == "credibility":
            state.credibility[event["seat"]] = value
        elif what == "posture":
            state.posture[event["seat"]] = value
        elif what == "obligation":
            open_ob = state.obligations[event["obligation"]]
            open_ob.ruling = value
            if open_ob.status in ("triggered", "contested", "void"):
                open_ob.status = value
                if value == "void":
                    state.open.pop(open_ob.id, None)
                else:
                    state.open[open_ob.id] = open_ob
    elif kind == "note":
        state.notes.append(event)
    elif kind == "exercise_ended":
        state.ended = True


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
