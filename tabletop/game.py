"""The rules of play: ``decide(state, command) -> events`` and ``evolve(state, event) -> state``.

Both are pure. ``decide`` checks a command against the phase and the seat and
returns the events it amounts to, or raises :class:`CommandError` saying why
not; it never changes anything. ``evolve`` folds one event into a new state
and is the only fold there is: a live session, a replay, a resumed exercise
and the replay viewer all build their state with it. Replay and ``verify``
re-decide every logged command and require the same events, so what is
checked is the adjudication itself, not only the bytes.

A :class:`Game` holds what does not change during an exercise: the scenario,
the rules, the rule engine built from them and who plays each seat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from tabletop import conditions, ladder, rulings
from tabletop import events as ev
from tabletop import model as m
from tabletop.state import Key, OpenObligation, State, _at, tail
from tabletop.treaties import Engine, force_fact

PHASES = ("brief", "deliberate", "decide", "adjudicate", "review")
ANSWERS = ("honour", "partial", "measures", "consult", "decline")  # every word; each obligation offers those of its table
RELEASE_PHASES = ("brief", "deliberate")
OVERRIDABLE = ("tension", "credibility", "posture", "obligation")
OVERRIDE_PHASES = ("brief", "deliberate", "decide", "adjudicate", "review")
OPEN_STATUSES = ("triggered", "contested")
WITHHOLD = ("standby", "drop")
TIMER_ACTIONS = ("start", "pause", "extend", "reset", "alarm")
# Who may play a seat, and in what words: its team (on its own client in a served exercise, at the board's
# keyboard in a local one), a bot, or in a served exercise the facilitator's keyboard (the hot seat). A log's
# header says human or bot for each seat; a hand-over (HandOver) may name any of these.
CONTROLS = {"human": "its team", "bot": "a bot", "hotseat": "the facilitator's keyboard (hot seat)"}
# A retracted command of these kinds had been seen by the players (a decision or answer: once revealed).
PUBLIC = frozenset({"turn_started", "phase_changed", "inject_released", "adjudicated", "override", "exercise_ended", "handed_over"})


class CommandError(Exception):
    """A command the facilitator or a seat cannot give now; the message says why."""


def played_by(name: str, to: str) -> str:
    """A hand-over in words, for the log pane and the report: ``ROK is played by a bot from now on``."""
    return f"{name} is played by {CONTROLS.get(to, to)} from now on"


# ------------------------------------------------------------------ the hash


def summary(state: State) -> dict[str, Any]:
    """What the board shows, in a size that does not grow with the length of the exercise.

    Everything that accumulates (injects, facts, obligations) enters as a count
    and its latest items; the hash chain of the log covers the rest. Its shape
    is part of the log format: every ``adjudicated`` event ever written carries
    the digest of this summary, so it must not change.
    """
    obligations = state.obligations
    open_obs = [[k, obligations[k].status] for k in state.open_ids]
    return {
        "turn": state.turn,
        "phase": state.phase,
        "date": state.date.isoformat() if state.date else None,
        "tension": state.tension,
        "credibility": sorted(state.credibility.items()),
        "posture": sorted(state.posture.items()),
        "released": [len(state.released), state.released[-1] if state.released else None],
        "facts": len(state.facts),
        "obligations": [len(obligations), open_obs[-50:]],
        "adjudicated": state.adjudicated_turns,
        "history": list(state.tension_history[-1]) if state.tension_history else None,
        "ended": state.ended,
    }


def state_hash(state: State) -> str:
    """A digest of what the board shows; a replay must arrive at the same one."""
    return hashlib.sha256(json.dumps(summary(state), separators=(",", ":")).encode()).hexdigest()


class _Known(Mapping[Key, str]):
    """The obligations already raised, key -> the status they were raised with, as the engine reads them."""

    def __init__(self, state: State) -> None:
        self._state = state

    def __getitem__(self, key: Key) -> str:
        status = self._state.status_of(key)
        if status is None:
            raise KeyError(key)
        return status

    def __contains__(self, key: object) -> bool:
        return key in self._state.known

    def __iter__(self) -> Iterator[Key]:
        return iter(self._state.known)

    def __len__(self) -> int:
        return len(self._state.known)


# ------------------------------------------------------------------ the game


@attrs.frozen
class Game:
    """One scenario under one set of rules, with who plays each seat (``human`` or ``bot``)."""

    scenario: m.Scenario
    rules: m.Rules
    seats: Mapping[str, str] = attrs.field(factory=dict)
    seed: int = 0  # the bots' seed
    engine: Engine = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "engine", Engine(self.rules, self.scenario.treaties))
        object.__setattr__(self, "seats", {s: dict(self.seats).get(s, "bot") for s in self.scenario.seats})

    def initial(self) -> State:
        esc, scenario = self.rules.escalation, self.scenario
        return State(
            tension=scenario.initial.tension if scenario.initial.tension is not None else esc.initial_tension,
            credibility={s: scenario.initial.credibility.get(s, esc.credibility_initial) for s in scenario.seats},
            posture={s: scenario.initial.posture.get(s, esc.postures[0].id) for s in scenario.seats},
            date=scenario.start,
        )

    # ---------------------------------------------------------- queries
    def turn(self, state: State) -> m.Turn:
        return self.scenario.turn(state.turn)

    def is_last_turn(self, state: State) -> bool:
        """True in the last turn of the scenario, and in a closing response round after it."""
        return state.turn >= self.scenario.turns[-1].id

    def closing_owed(self, state: State) -> bool:
        """True when the scenario's turns are played out and obligations are still open: a closing response round is owed."""
        return self.is_last_turn(state) and bool(state.open_ids)

    def answer_key(self, open_ob: OpenObligation) -> str:
        return answer_key(self.rules, open_ob)

    def answers_for(self, open_ob: OpenObligation) -> Mapping[str, m.AnswerEffect]:
        """The answers this obligation offers, word -> what it means and does, in the order the rules list them."""
        return answers_for(self.rules, open_ob)

    def options(self, state: State, seat: str) -> tuple[m.Option, ...]:
        """The options ``seat`` can take now: open this turn, conditions met (tabletop/conditions.py)."""
        return conditions.open_options(state, self.scenario, self.rules, seat)

    def inject(self, state: State, inject_id: str) -> m.Inject:
        adhoc = state.adhoc
        if inject_id in adhoc:
            return adhoc[inject_id]
        return self.scenario.inject(inject_id)

    def unreleased(self, state: State, include_standby: bool = True) -> list[m.Inject]:
        """This turn's injects not yet released nor dropped; without ``include_standby``, the scheduled ones still due."""
        done, dropped, withheld = state.released_now, state.dropped, state.withheld
        return [
            i for i in self.scenario.injects_for(state.turn)
            if i.id not in done and i.id not in dropped and (include_standby or not (i.standby or i.id in withheld))
        ]

    def undecided(self, state: State) -> list[str]:
        if self.scenario.is_closing(state.turn):  # a closing round asks only for the answers still owed
            return []
        decided = state.decisions.get(state.turn, {})
        return [s for s in self.scenario.seats if s not in decided]

    def control(self, state: State) -> dict[str, str]:
        """Who plays each seat now (a word of CONTROLS): the log's header, then the hand-overs since, in scenario order."""
        handed = state.control
        return {s: handed.get(s, self.seats[s]) for s in self.scenario.seats}

    def unanswered(self, state: State, seat: str | None = None) -> list[OpenObligation]:
        """Obligations due in this turn's decide phase and not yet answered."""
        return [o for o in state.open.values() if o.due <= state.turn and (seat is None or o.obligation.obligor == seat)]

    # ----------------------------------------------------------- decide
    def decide(self, state: State, command: ev.Command) -> list[Any]:
        """The events ``command`` amounts to in ``state``; CommandError if it cannot be given now."""
        one = _ONE_EVENT.get(type(command))
        if one is not None:
            return [one(self, state, command)]
        several = _EVENTS.get(type(command))
        if several is None:
            raise CommandError(f"unknown command {type(command).__name__}")
        return several(self, state, command)

    def _end(self, state: State, command: ev.End) -> ev.ExerciseEnded:
        if state.ended:
            raise CommandError("the exercise has already ended")
        return ev.ExerciseEnded(state.turn, command.reason)

    def _phase(self, state: State, allowed: tuple[str, ...], action: str) -> None:
        if state.ended:
            raise CommandError("the exercise has ended")
        if state.phase not in allowed:
            raise CommandError(f"cannot {action} in the {state.phase} phase; only in: {', '.join(allowed)}")

    def _seat(self, seat: str | None) -> None:
        if seat not in self.scenario.seats:
            raise CommandError(f"no seat {seat!r}; seats: {', '.join(self.scenario.seats)}")

    def _release(self, state: State, command: ev.Release) -> list[Any]:
        self._phase(state, RELEASE_PHASES, "release an inject")
        inject_id = command.inject
        try:
            inject = self.scenario.inject(inject_id)
        except KeyError:
            raise CommandError(f"no inject {inject_id!r} in scenario {self.scenario.id}") from None
        if inject.turn != state.turn:
            raise CommandError(f"inject {inject_id!r} belongs to turn {inject.turn}; this is turn {state.turn}")
        if inject_id in state.released_now:
            raise CommandError(f"inject {inject_id!r} was already released")
        if inject_id in state.dropped:
            raise CommandError(f"inject {inject_id!r} was dropped this turn")
        event = ev.InjectReleased(state.turn, inject_id)
        return [event, *self._resolve(state, self._facts_released(state, inject), inject.date or state.date)]

    def _release_adhoc(self, state: State, command: ev.ReleaseAdhoc) -> list[Any]:
        self._phase(state, RELEASE_PHASES, "release an inject")
        if not command.title.strip():
            raise CommandError("an ad-hoc inject needs a title")
        for fact in command.facts:
            if fact.kind not in self.rules.fact_kinds:
                raise CommandError(f"unknown fact kind {fact.kind!r}")
        adhoc = ev.Adhoc(command.title.strip(), command.text.strip(), tuple(command.to), tuple(command.facts), command.tension)
        event = ev.InjectReleased(state.turn, f"adhoc-{len(state.adhoc_injects) + 1}", adhoc)
        inject = _adhoc_inject(event, state)
        return [event, *self._resolve(state, self._facts_released(state, inject), state.date)]

    def _decision(self, state: State, command: ev.Decide) -> ev.Decision:
        self._phase(state, ("decide",), "decide")
        seat = command.seat
        self._seat(seat)
        by = command.by or "human"
        if command.option is None:
            # In its own words: where the seat has no menu (an open-response exercise), or a person prefers to.
            if not (command.text or "").strip():
                raise CommandError("a decision in the seat's own words needs its text: what the seat does")
            if by != "human" and not self.scenario.free_text(seat):
                raise CommandError(f"only a person writes a decision of their own; {seat} has options to choose from")
        elif not self.scenario.has_option(seat, state.turn, command.option):
            options = [o.id for o in self.options(state, seat)]
            raise CommandError(f"{seat} has no option {command.option!r} in turn {state.turn}; open options: {', '.join(options) or 'none'}")
        else:
            option = next(o for o in self.scenario.options_for(seat, state.turn) if o.id == command.option)
            lacking = conditions.unmet(option, state, self.scenario, self.rules, seat)
            if lacking is not None:
                options = [o.id for o in self.options(state, seat)]
                raise CommandError(f"{seat} cannot take {command.option!r} now: {lacking}; open options: {', '.join(options) or 'none'}")
        if seat in state.decisions.get(state.turn, {}):
            raise CommandError(f"{seat} has already decided this turn")
        if not command.rationale.strip():
            raise CommandError("a decision needs a rationale: one sentence on why")
        answers = command.answers
        if answers is not None and not self._released_this_turn(state, answers):
            raise CommandError(f"{answers!r} is not an inject released this turn")
        return ev.Decision(
            state.turn, seat, command.option, command.rationale.strip(), by, ev.Answers(inject=answers) if answers else None,
            command.text.strip() if command.option is None and command.text else None,
        )

    def _assess(self, state: State, command: ev.Assess) -> ev.Assessed:
        self._phase(state, ("decide", "adjudicate"), "assess a decision")
        if state.turn in state.adjudicated:
            raise CommandError(f"turn {state.turn} is already adjudicated")
        self._seat(command.seat)
        decision = state.decisions.get(state.turn, {}).get(command.seat)
        if decision is None or not decision.free:
            raise CommandError(f"{command.seat} has no decision in its own words this turn to assess")
        if not command.reason.strip():
            raise CommandError("an assessment needs a reason: what the decision does, and why")
        esc = self.rules.escalation
        span = esc.top - esc.bottom
        if type(command.tension) is not int or not -span <= command.tension <= span:
            raise CommandError(f"a change of tension is a whole number from {-span} to {span}")
        for fact in command.facts:
            if fact.kind not in self.rules.fact_kinds:
                raise CommandError(f"unknown fact kind {fact.kind!r}")
        return ev.Assessed(state.turn, command.seat, command.tension, tuple(command.facts), command.reason.strip())

    def _released_this_turn(self, state: State, inject_id: str) -> bool:
        # Any ad-hoc inject counts, as it always has: logs written so far rely on it.
        return inject_id in state.released_now or inject_id in state.adhoc

    def _answer(self, state: State, command: ev.Answer) -> list[Any]:
        self._phase(state, ("decide",), "answer an obligation")
        seat = command.seat
        self._seat(seat)
        open_ob = state.obligations.get(command.obligation)
        if open_ob is None:
            raise CommandError(f"no obligation {command.obligation!r}")
        if open_ob.obligation.obligor != seat:
            raise CommandError(f"obligation {open_ob.id} is owed by {open_ob.obligation.obligor}, not {seat}")
        if open_ob.status not in OPEN_STATUSES:
            raise CommandError(f"obligation {open_ob.id} is {open_ob.status}; nothing to answer")
        offered = self.answers_for(open_ob)
        if command.answer not in offered:
            raise CommandError(f"expected one of {', '.join(offered) or 'nothing'} for obligation {open_ob.id} "
                               f"({self.answer_key(open_ob)} in the rules' answers), got {command.answer!r}")
        if not command.rationale.strip():
            raise CommandError("an answer needs a rationale: one sentence on why")
        by = command.by or "human"
        return [
            ev.Decision(state.turn, seat, command.answer, command.rationale.strip(), by, ev.Answers(obligation=open_ob.id)),
            ev.ObligationAnswered(state.turn, open_ob.id, seat, command.answer),
        ]

    def _adjudicate(self, state: State) -> list[Any]:
        self._phase(state, ("adjudicate",), "adjudicate")
        if state.turn in state.adjudicated:
            raise CommandError(f"turn {state.turn} is already adjudicated")
        changes, facts = self._changes(state)
        event = ev.Adjudicated(state.turn, changes, tuple(facts))
        # The hash of the state this event gives: folded, not predicted.
        event = attrs.evolve(event, state_hash=state_hash(self.evolve(state, event)))
        return [event, *self._resolve(state, facts, self.turn(state).end)]

    def _override(self, state: State, command: ev.Override) -> ev.Overridden:
        self._phase(state, OVERRIDE_PHASES, "override")
        reason = (command.reason or "").strip()
        if not reason:
            raise CommandError("an override needs a reason")
        what, value, esc = command.what, command.value, self.rules.escalation
        if what not in OVERRIDABLE:
            raise CommandError(f"can override {', '.join(OVERRIDABLE)}, not {what!r}")
        seat = obligation = None
        if what == "tension":
            if type(value) is not int or not esc.bottom <= value <= esc.top:  # not a bool, not 2.0
                raise CommandError(f"tension is a rung from {esc.bottom} to {esc.top}")
        elif what in ("credibility", "posture"):
            self._seat(command.seat)
            seat = command.seat
            if what == "credibility" and (type(value) is not int or not esc.credibility_min <= value <= esc.credibility_max):
                raise CommandError(f"credibility runs from {esc.credibility_min} to {esc.credibility_max}")
            if what == "posture" and (type(value) is not str or value not in {p.id for p in esc.postures}):  # a list is no posture
                raise CommandError(f"unknown posture {value!r}")
        else:
            if command.obligation not in state.obligations:
                raise CommandError(f"no obligation {command.obligation!r}")
            if type(value) is not str or value not in rulings.VALUES:
                raise CommandError("an obligation can be upheld ('triggered'), set aside ('void') or held to consultation only ('consult')")
            obligation = command.obligation
        return ev.Overridden(state.turn, what, value, reason, seat, obligation)

    def _withhold(self, state: State, command: ev.Withhold) -> ev.InjectsWithheld:
        self._phase(state, RELEASE_PHASES, "withhold an inject")
        if command.how not in WITHHOLD:
            raise CommandError(f"an inject is kept as standby ('standby') or dropped ('drop'), not {command.how!r}")
        if not command.injects:
            raise CommandError("name the injects to withhold")
        open_ids = {i.id for i in self.unreleased(state)}
        for inject_id in command.injects:
            if inject_id not in open_ids:
                raise CommandError(f"inject {inject_id!r} is not an unreleased inject of turn {state.turn}")
        return ev.InjectsWithheld(state.turn, tuple(command.injects), command.how)

    def _timer(self, state: State, command: ev.Timer) -> ev.TimerSet:
        if state.ended:
            raise CommandError("the exercise has ended")
        if command.action not in TIMER_ACTIONS:
            raise CommandError(f"a timer is {', '.join(TIMER_ACTIONS)}, not {command.action!r}")
        if type(command.remaining) is not int or type(command.minutes) is not int or command.minutes < 0:
            raise CommandError("the timer's seconds left and minutes are whole numbers")
        return ev.TimerSet(state.turn, state.phase, command.action, command.remaining, command.minutes)

    def _hand_over(self, state: State, command: ev.HandOver) -> ev.HandedOver:
        """A seat to its team, a bot or the hot seat, in any phase until the end; never to what already plays it."""
        if state.ended:
            raise CommandError("the exercise has ended")
        self._seat(command.seat)
        if command.to not in CONTROLS:
            raise CommandError(f"a seat is handed to {', '.join(CONTROLS)}, not {command.to!r}")
        if self.control(state)[command.seat] == command.to:
            raise CommandError(f"{command.seat} is already played by {CONTROLS[command.to]}")
        return ev.HandedOver(state.turn, command.seat, command.to)

    def _retract(self, state: State, command: ev.Retract) -> ev.Retracted:
        """Only the last command, once: its state before is kept (State.before), so the fold returns to it exactly."""
        before = state.before
        if before is None or not state.last_command:
            raise CommandError("nothing to retract: only the last command can be taken back, once")
        if before["phase"] == "setup":
            raise CommandError("the exercise's start cannot be retracted")
        if not command.reason.strip():
            raise CommandError("a retraction needs a reason")
        what = state.last_command
        revealed = what in PUBLIC
        if what in ("decision", "assessed"):  # sealed until every seat is in; then the reveal has shown them
            revealed = state.phase != "decide" or (not self.undecided(state) and not self.unanswered(state))
        return ev.Retracted(state.turn, what, revealed, command.reason.strip())

    def _note(self, state: State, command: ev.Note) -> ev.Noted:
        if state.ended:
            raise CommandError("the exercise has ended")
        if not command.text.strip():
            raise CommandError("an empty note")
        if command.seat is not None:
            self._seat(command.seat)
        objectives = [o.id for o in self.scenario.objectives] if command.objective is not None else []
        if command.objective is not None and command.objective not in objectives:
            raise CommandError(f"no objective {command.objective!r}; objectives: {', '.join(objectives) or 'none in this scenario'}")
        if command.finding is not None and command.finding not in m.FINDINGS:
            raise CommandError(f"a finding is {' or '.join(m.FINDINGS)}, not {command.finding!r}")
        if command.finding is not None and command.objective is None:
            raise CommandError("a finding is made against an objective: name the objective too")
        return ev.Noted(state.turn, command.text.strip(), command.seat or None, command.objective, command.finding)

    def _advance(self, state: State) -> Any:
        if state.ended:
            raise CommandError("the exercise has ended")
        if state.phase == "setup":
            first = self.scenario.turns[0]
            return ev.TurnStarted(first.id, first.start)
        if state.phase == "decide":
            missing = self.undecided(state)
            if missing:
                raise CommandError(f"waiting for decisions from: {', '.join(missing)}")
            owed = self.unanswered(state)
            if owed:
                raise CommandError("waiting for answers to obligations: " + ", ".join(f"{o.id} ({o.obligation.obligor})" for o in owed))
        if state.phase == "adjudicate" and state.turn not in state.adjudicated:
            raise CommandError("adjudicate the turn before moving on")
        if state.phase == "review":
            if self.closing_owed(state):
                # The treaty test is played: what the last adjudication raised is answered before the end.
                # Its turn opens straight on the decide phase (evolve): there is nothing to brief or deliberate.
                closing = self.scenario.turn(state.turn + 1)
                return ev.TurnStarted(closing.id, closing.start)
            if self.is_last_turn(state):
                raise CommandError("this is the last turn: end the exercise")
            following = self.scenario.turn(state.turn + 1)  # turn ids run 1, 2, 3 (the loader checks)
            return ev.TurnStarted(following.id, following.start)
        return ev.PhaseChanged(state.turn, PHASES[PHASES.index(state.phase) + 1])

    def _changes(self, state: State) -> tuple[ev.Changes, list[m.Fact]]:
        """What this turn's facts, decisions and answers do, computed from the scenario and rules, each change with its cause."""
        esc, rules, scenario = self.rules.escalation, self.rules, self.scenario
        words = ladder.Words(scenario, rules)
        name = words.state
        cred = dict(state.credibility)
        posture = dict(state.posture)
        causes: list[ev.Cause] = []
        explicit: list[ladder.Step] = []
        facts: list[m.Fact] = []
        date = self.turn(state).end

        def credit(seat: str, delta: int, because: str) -> None:
            if delta:
                cred[seat] = cred.get(seat, esc.credibility_initial) + delta
                causes.append(ev.Cause("credibility", because, seat, delta))

        def stance(seat: str, to: str, because: str) -> None:
            if posture.get(seat) != to:
                posture[seat] = to
                causes.append(ev.Cause("posture", because, seat, to=to))

        released = tail(state.released, len(state.released) - len(state.released_now))
        for inject_id in released:
            inject = self.inject(state, inject_id)
            if inject.effects.tension:
                # An inject addressed to some seats only is not named: the adjudication is public, the inject is not.
                named = f"The inject '{inject.title}'" if "all" in inject.to else f"An inject to {words.states(inject.to)}"
                explicit.append(ladder.Step(inject.effects.tension, f"{named} moves tension by {inject.effects.tension:+d} (the scenario says so)."))
        decisions = state.decisions.get(state.turn, {})
        for seat, decision in decisions.items():
            if decision.free:  # what it does is the facilitator's assessment, below
                continue
            option = scenario.option(seat, decision.option)
            chose = f"{name(seat)} chose '{option.label}'."
            if option.effects.tension:
                explicit.append(ladder.Step(option.effects.tension, f"{name(seat)} chose '{option.label}', which moves tension by {option.effects.tension:+d} (the scenario says so)."))
            for s, d in option.effects.credibility.items():
                credit(s, d, chose)
            for s, p in option.effects.posture.items():
                stance(s, p, chose)
            facts.extend(f if f.date else _dated(f, date) for f in option.facts)
        for seat, assessed in state.assessments.get(state.turn, {}).items():
            if assessed.tension:
                explicit.append(ladder.Step(assessed.tension, f"The facilitator assessed {name(seat)}'s decision: {assessed.reason}"))
            facts.extend(f if f.date else _dated(f, date) for f in assessed.facts)
        obligations = state.obligations
        answered_firmly: set[str] = set()
        for ob_id, answer in state.answers.get(state.turn, {}).items():
            open_ob = obligations[ob_id]
            ob = open_ob.obligation
            effect = self.answers_for(open_ob).get(answer.answer)
            if effect is None:
                continue
            treaty = rules.treaties.get(ob.treaty)
            cite = f"{treaty.label if treaty else ob.treaty} Art. {ob.article}"
            said = effect.text.rstrip(".") if effect.text else answer.answer
            because = f"{name(ob.obligor)} answered its {cite} obligation to {name(ob.beneficiary)}: {said[:1].lower() + said[1:]}."
            credit(ob.obligor, effect.credibility, because)
            if effect.tension:
                explicit.append(ladder.Step(effect.tension, because))
            if effect.posture:
                stance(ob.obligor, effect.posture, because)
            if effect.force or effect.aid:
                answered_firmly.add(ob.obligor)
            if effect.force:
                fact = force_fact(ob, date)
                if fact is not None:
                    facts.append(fact)
            elif effect.aid and ob.obligor != ob.beneficiary:
                facts.append(m.Fact("assistance", by=ob.obligor, target=ob.beneficiary, date=date,
                                    details={"answers": f"{ob.treaty} Art. {ob.article}"}))
        if not self.turn(state).closing:
            # A red line crossed since the last adjudication, and the seat did nothing firm this turn.
            crossing = tail(state.facts, state.answerable_from)
            for seat_id, seat_def in scenario.seats.items():
                for line in seat_def.watch:
                    fact = ladder.crossed(line, seat_id, crossing, rules)
                    if fact is None or seat_id in answered_firmly or self._firm(seat_id, decisions.get(seat_id)):
                        continue
                    credit(seat_id, esc.red_line_unanswered,
                           f"{name(seat_id)}'s red line, '{line.text}', was crossed by {words.fact(fact)}, and {name(seat_id)} did nothing firm in answer.")
        def recent(turns: int) -> list[m.Fact]:
            return [*self.recent_facts(state, turns), *facts]

        tension, steps = ladder.move(esc, rules, words, state.tension, recent(0), recent, explicit)
        causes[:0] = [ev.Cause("tension", step.because, delta=step.delta) for step in steps]
        cred_changes = {}
        for s, v in cred.items():
            v = max(esc.credibility_min, min(esc.credibility_max, v))
            if v != state.credibility.get(s):
                cred_changes[s] = (state.credibility.get(s), v)
        post_changes = {s: (state.posture.get(s), v) for s, v in posture.items() if v != state.posture.get(s)}
        return ev.Changes((state.tension, tension), cred_changes, post_changes, tuple(causes)), facts  # type: ignore[arg-type]  # .get gives int | None; every seat has a credibility from Game.initial on

    def _firm(self, seat: str, decision: Any) -> bool:
        """Whether a seat's decision this turn answers a crossed red line: an option the rules call firm, or its own words (the facilitator judges those)."""
        if decision is None:
            return False
        if decision.free:
            return True
        option = self.scenario.option(seat, decision.option)
        return any(tag in self.rules.escalation.firm_tags for tag in option.tags)

    def recent_facts(self, state: State, turns: int) -> list[m.Fact]:
        """The facts of this turn and the ``turns`` before it (what a rung's ``needs`` reads)."""
        first = max(1, state.turn - turns)
        begin = state.turn_starts[first - 1] if len(state.turn_starts) >= first else len(state.facts)
        return tail(state.facts, begin)

    def _facts_released(self, state: State, inject: m.Inject) -> list[m.Fact]:
        date = inject.date or state.date
        return [f if f.date else _dated(f, date) for f in inject.facts]

    def _resolve(self, state: State, new: list[m.Fact], date: dt.date | None) -> list[Any]:
        """The events for what ``new`` facts set off, given every fact before them."""
        if not new:
            return []
        result = self.engine.resolve(new, date or state.date or self.scenario.start, history=state.hostilities, known=_Known(state))
        turn = state.turn
        out: list[Any] = [ev.CouncilDecided(turn, c.fact, c.draft_by, c.outcome, tuple(c.vetoed_by), c.because) for c in result.council]
        out.extend(ev.ReportOwed(turn, r.by, "51", r.fact, r.because) for r in result.reports)
        count = len(state.all_obligations)
        obligations = state.obligations
        for ob in result.obligations:
            known = state.known.get(ob.key)
            if known is not None and obligations[known].status in OPEN_STATUSES:
                out.append(ev.ObligationUpgraded(turn, known, ob.status, ob.because))
                continue
            count += 1
            out.append(ev.ObligationTriggered(
                turn, f"o{count}", ob.treaty, ob.article, ob.kind, ob.obligor, ob.beneficiary, ob.status, ob.duty, ob.because,
                ob.attacker, ob.location, ob.scale,
            ))
        return out

    # ----------------------------------------------------------- evolve
    def evolve(self, state: State, event: Any) -> State:
        """The state after ``event``. Deterministic; reads only the event, the state, the scenario and the rules.

        Each kind of event says what it changes (``_CHANGES``: field -> new
        value), and the state is copied once with those changes. A command's
        events also keep what they overwrote (``State.before``, the fields as
        they were before the command's first event): a retraction puts those
        back, so it folds to exactly the state before the command, and the
        fold, replay, verify and the report need nothing else to honour it.
        """
        if type(event) is ev.Retracted:
            before = state.before
            if before is None:
                raise CommandError("nothing to retract")
            return state.replace(**before, events=state.events + 1, before=None, last_command="")
        changes = _CHANGES.get(type(event))
        if changes is None:
            raise TypeError(f"not an event: {event!r}")
        new = changes(self, state, event)
        if event.TYPE in ev.FOLLOWERS:  # one more of the command's events: what it overwrites, unless an earlier one did
            kept = state.before
            if kept is not None and not new.keys() <= kept.keys():
                kept = {**{k: getattr(state, k) for k in new if k not in kept}, **kept}
            new["before"] = kept
        elif type(event) is not ev.TimerSet:  # the timer is no command to retract: the last one stays the one a retraction takes back
            return state.commanded(new, event.TYPE)
        new["events"] = state.events + 1
        return state.changed(new)

    def _decision_changes(self, state: State, event: ev.Decision) -> dict[str, Any]:
        if event.answers is not None and event.answers.obligation is not None:
            return {}
        return {"turn_decisions": _at(state.turn_decisions, state.turn, event.seat, event)}

    def _turn_changes(self, state: State, event: ev.TurnStarted) -> dict[str, Any]:
        decisions = state.turn_decisions
        while len(decisions) < event.turn:
            decisions = decisions.append({})
        return {
            "turn": event.turn, "date": event.date, "phase": "decide" if self.scenario.is_closing(event.turn) else "brief",
            "released_now": frozenset(), "turn_decisions": decisions, "turn_starts": state.turn_starts.append(len(state.facts)),
        }

    def _release_changes(self, state: State, event: ev.InjectReleased) -> dict[str, Any]:
        adhoc = state.adhoc_injects
        if event.adhoc is not None:
            inject = _adhoc_inject(event, state)
            adhoc = adhoc.append(inject)
        else:
            inject = self.scenario.inject(event.inject)
        facts = self._facts_released(state, inject)
        changes: dict[str, Any] = {
            "released": state.released.append(inject.id), "released_now": state.released_now | {inject.id},
            "adhoc_injects": adhoc, "facts": state.facts.extend(facts), "hostilities": _hostilities(state, facts, self.engine.model_kinds),
            "date": inject.date if inject.date is not None else state.date,
        }
        effects = inject.effects
        if effects.credibility or effects.posture:  # its tension counts at the adjudication, with the turn's facts
            esc = self.rules.escalation
            if effects.credibility:
                credibility = dict(state.credibility)
                for seat, delta in effects.credibility.items():
                    credibility[seat] = max(esc.credibility_min, min(esc.credibility_max, credibility.get(seat, esc.credibility_initial) + delta))
                changes["credibility"] = credibility
            if effects.posture:
                changes["posture"] = {**state.posture, **effects.posture}
        return changes

    def _triggered_changes(self, state: State, event: ev.ObligationTriggered) -> dict[str, Any]:
        ob = event.obligation()
        # Set off by an inject before the decide phase: due in this turn; else in the next.
        due = state.turn if state.phase in RELEASE_PHASES else state.turn + 1
        return {
            "all_obligations": state.all_obligations.append(OpenObligation(event.id, ob, state.turn, ob.status, due=due)),
            "open_ids": (*state.open_ids, event.id), "known": state.known.set(ob.key, event.id),
        }

    def _upgraded_changes(self, state: State, event: ev.ObligationUpgraded) -> dict[str, Any]:
        index = state.obligations.index(event.obligation)
        if index is None:
            raise CommandError(f"no obligation {event.obligation!r} to upgrade")
        open_ob = state.all_obligations[index]
        ob = attrs.evolve(open_ob.obligation, status=event.status, because=event.because)
        status = event.status if open_ob.status in OPEN_STATUSES else open_ob.status
        return {"all_obligations": state.all_obligations.set(index, attrs.evolve(open_ob, obligation=ob, status=status))}

    def _answered_changes(self, state: State, event: ev.ObligationAnswered) -> dict[str, Any]:
        index = state.obligations.index(event.obligation)
        if index is None:
            raise CommandError(f"no obligation {event.obligation!r} to answer")
        open_ob = state.all_obligations[index]
        known = state.known
        if open_ob.obligation.kind == "consult":  # a fresh threat after consultations calls for consultations again
            known = known.discard(open_ob.obligation.key)
        return {
            "all_obligations": state.all_obligations.set(index, attrs.evolve(open_ob, answer=event.answer, answered_turn=state.turn, status="answered")),
            "open_ids": tuple(i for i in state.open_ids if i != open_ob.id), "known": known,
            "turn_answers": _at(state.turn_answers, state.turn, open_ob.id, event),
        }

    def _adjudicated_changes(self, state: State, event: ev.Adjudicated) -> dict[str, Any]:
        changes = event.changes
        credibility, posture = dict(state.credibility), dict(state.posture)
        credibility.update((s, after) for s, (_, after) in changes.credibility.items())
        posture.update((s, after) for s, (_, after) in changes.posture.items())
        tension = changes.tension[1]
        return {
            "tension": tension, "credibility": credibility, "posture": posture,
            "facts": state.facts.extend(event.facts), "hostilities": _hostilities(state, event.facts, self.engine.model_kinds),
            "adjudicated_turns": max(state.adjudicated_turns, state.turn), "answerable_from": len(state.facts),
            "tension_history": state.tension_history.append((state.turn, tension)),
            "date": self.turn(state).end if state.turn else state.date,
        }

    def _council_changes(self, state: State, event: ev.CouncilDecided) -> dict[str, Any]:
        effect = self.rules.council.effects.get(event.outcome)
        # Under the ceiling the facts allow: a veto is no armed attack.
        tension = state.tension if effect is None else ladder.capped(
            self.rules.escalation, self.rules, state.tension + effect.tension, lambda k: self.recent_facts(state, k))
        return {"council": state.council.append(event), "tension": tension}

    def _override_changes(self, state: State, event: ev.Overridden) -> dict[str, Any]:
        what, value = event.what, event.value
        overrides = state.overrides.append(event)
        if what == "tension":
            history = state.tension_history
            if history and history[-1][0] == state.turn:
                history = history.set(len(history) - 1, (state.turn, value))
            return {"overrides": overrides, "tension": value, "tension_history": history}
        if what == "credibility":
            return {"overrides": overrides, "credibility": {**state.credibility, event.seat: value}}
        if what == "posture":
            return {"overrides": overrides, "posture": {**state.posture, event.seat: value}}
        index = state.obligations.index(event.obligation)
        if index is None:
            raise CommandError(f"no obligation {event.obligation!r} to rule on")
        open_ob = state.all_obligations[index]
        open_ids = state.open_ids
        if open_ob.status in ("triggered", "contested", "void"):  # consultation only is owed as a triggered obligation is
            open_ob = attrs.evolve(open_ob, ruling=value, status="triggered" if value == "consult" else value)
            if value == "void":
                open_ids = tuple(i for i in open_ids if i != open_ob.id)
            elif open_ob.id not in open_ids:
                open_ids = (*open_ids, open_ob.id)
        else:
            open_ob = attrs.evolve(open_ob, ruling=value)
        return {"overrides": overrides, "all_obligations": state.all_obligations.set(index, open_ob), "open_ids": open_ids}

    def _withheld_changes(self, state: State, event: ev.InjectsWithheld) -> dict[str, Any]:
        ids = frozenset(event.injects)
        if event.how == "drop":
            return {"dropped": state.dropped | ids, "withheld": state.withheld - ids}
        return {"withheld": state.withheld | ids}


# What each command amounts to: one event, or several (an inject and the obligations it sets off).
_ONE_EVENT: dict[type, Any] = {
    ev.Decide: Game._decision, ev.Advance: lambda game, state, command: game._advance(state), ev.Override: Game._override,
    ev.Assess: Game._assess, ev.Note: Game._note, ev.End: Game._end, ev.Withhold: Game._withhold, ev.Timer: Game._timer,
    ev.HandOver: Game._hand_over, ev.Retract: Game._retract,
}
_EVENTS: dict[type, Any] = {
    ev.Release: Game._release, ev.ReleaseAdhoc: Game._release_adhoc, ev.Answer: Game._answer,
    ev.Adjudicate: lambda game, state, command: game._adjudicate(state),
}
if set(_ONE_EVENT) | set(_EVENTS) != set(typing.get_args(ev.Command)):
    raise TypeError("a command without its place in Game.decide")

# What each kind of event changes in the state: field -> its new value (Game.evolve copies the state once with them).
_CHANGES: dict[type, Any] = {
    ev.Decision: Game._decision_changes,
    ev.PhaseChanged: lambda game, state, event: {"phase": event.phase},
    ev.Assessed: lambda game, state, event: {"turn_assessments": _at(state.turn_assessments, state.turn, event.seat, event)},
    ev.TurnStarted: Game._turn_changes,
    ev.InjectReleased: Game._release_changes,
    ev.ObligationTriggered: Game._triggered_changes,
    ev.ObligationUpgraded: Game._upgraded_changes,
    ev.ObligationAnswered: Game._answered_changes,
    ev.Adjudicated: Game._adjudicated_changes,
    ev.CouncilDecided: Game._council_changes,
    ev.ReportOwed: lambda game, state, event: {"reports": state.reports.append(event)},
    ev.Overridden: Game._override_changes,
    ev.Noted: lambda game, state, event: {"notes": state.notes.append(event)},
    ev.ExerciseEnded: lambda game, state, event: {"ended": True},
    ev.InjectsWithheld: Game._withheld_changes,
    ev.HandedOver: lambda game, state, event: {"control": {**state.control, event.seat: event.to}},
    ev.TimerSet: lambda game, state, event: {},
}
if set(_CHANGES) | {ev.Retracted} != set(ev.EVENTS.values()):
    raise TypeError("an event without its place in Game.evolve")


def answer_key(rules: m.Rules, open_ob: OpenObligation) -> str:
    """Which table of answers (rules/escalation.yaml) an obligation takes: its kind, and for assistance the article's strength.

    ``contested`` while the facilitator has not ruled on a contested trigger;
    ``consult`` once ruled consultation only (tabletop/rulings.py).
    """
    ob = open_ob.obligation
    if open_ob.ruling == "consult":
        return "consult"
    if ob.status == "contested" and open_ob.ruling != "triggered":
        return "contested"
    if ob.kind != "assist":
        return ob.kind
    treaty = rules.treaties.get(ob.treaty)
    article = next((a for a in treaty.articles if a.id == ob.article), None) if treaty is not None else None
    strength = next((c.obligation.strength for c in article.clauses if c.obligation.kind == ob.kind), "") if article else ""
    return f"assist/{strength}" if strength else "assist"


def answers_for(rules: m.Rules, open_ob: OpenObligation) -> Mapping[str, m.AnswerEffect]:
    """The answers an obligation offers, word -> what it means and does, in the order the rules list them."""
    return rules.escalation.answer_table(answer_key(rules, open_ob))


def _adhoc_inject(event: ev.InjectReleased, state: State) -> m.Inject:
    adhoc = event.adhoc
    assert adhoc is not None
    return m.Inject(
        id=event.inject, turn=state.turn, title=adhoc.title, text=adhoc.text, source="facilitator", date=state.date,
        to=tuple(adhoc.to), facts=tuple(adhoc.facts), effects=m.Effect(tension=adhoc.tension),
    )


def _hostilities(state: State, facts: Any, kinds: frozenset[str]) -> Any:
    return state.hostilities.extend(list(facts), kinds) if facts else state.hostilities


def _dated(fact: m.Fact, date: dt.date | None) -> m.Fact:
    """The fact on ``date``: built field by field (the adjudication dates every fact of the turn; attrs.evolve introspects each time)."""
    return m.Fact(fact.kind, by=fact.by, target=fact.target, location=fact.location, details=fact.details, on_behalf_of=fact.on_behalf_of, date=date)


if tuple(field.name for field in attrs.fields(m.Fact)) != ("kind", "by", "target", "location", "details", "on_behalf_of", "date"):
    raise TypeError("model.Fact changed its fields: game._dated copies them one by one")
