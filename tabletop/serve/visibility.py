"""What each client may see of the log, decided on the server: one table, :data:`ACCESS`.

Three roles: the *facilitator* sees every record as written; a *seat* (one
team) sees what is addressed to everyone, what is addressed to it, and its own
decisions; the *projector view* sees only what is addressed to everyone. Two
rules decide it, and :data:`ACCESS` says for every event type which apply:

* **Audience** (who may ever see the record): everyone, or a set of seats. An
  inject's audience is its ``to``. A record *derived* from another (an
  obligation, a Security Council outcome or an Art. 51 report that a released
  inject or an adjudication set off; an answer to an obligation; an override of
  an obligation) has the audience of what it derives from, so nothing an inject
  addressed to some seats set off reaches the others. The one widening: the seat
  that *owes* an obligation is told it even when the inject was not addressed to
  it, because the rules require its answer this turn (it learns what its treaty
  makes it learn, as it would by diplomatic note).
* **Sealing** (:mod:`tabletop.sealing`): a decision, an answer or an assessment
  is hidden from all but its own seat until its turn's decide phase is over.

A record a role may not see crosses the wire as a stand-in that carries no more
than the shared board shows anyway:

* ``{"type": "decision", "seq", "turn", "seat", "sealed": true}`` (and, for an
  answer, ``"answers": {"obligation": ID}``; ``obligation_answered`` and
  ``assessed`` alike), for a sealed record the role may see once revealed: that
  a seat is in, as the seat cards show, never what it chose or why. The full
  record follows in a ``reveal`` frame once the turn's decide phase is over.
* ``{"type": "withheld", "seq", "turn"}`` for a record outside the role's
  audience (never revealed). When it moved the board (tension, credibility,
  posture, the date), ``"board"`` carries the values after it, so every client
  shows the same board without learning what moved it.

Some records are sent with a part left out for roles outside that part's
audience (:class:`Ledger` says which): an adjudication's facts include the force
or aid a seat gave in answer to an obligation whose reasons the role is not
shown, and its causes' sentences cite the turn's injects, answers and facts; a
derived record's ``because`` cites earlier attacks; a decision names the inject
it answers.

No record but the facilitator's carries ``prev``: the hash of the line before
would let a team test guesses at a sealed line (a bot's rationale follows from
its choice, so three guesses would do).
"""

from __future__ import annotations

from typing import Any

import attrs

from tabletop import model as m
from tabletop.conflict import WAR_KINDS
from tabletop.sealing import SEALED_KINDS, event_sealed
from tabletop.state import State

FACILITATOR, SEAT, VIEW = "facilitator", "seat", "view"
STAND_IN = "withheld"
WITHHELD_BECAUSE = "(why is not yours to see: it follows from information addressed to other seats; the facilitator knows)"

# An audience: None for everyone, else the seats that may see a record (the facilitator always may).
Audience = frozenset[str] | None
NOBODY: Audience = frozenset()


@attrs.frozen
class Access:
    """Who may see one event type, and when: the row of :data:`ACCESS`."""

    audience: str  # everyone | addressees | cause | obligation | facilitator (see AUDIENCES)
    sealed: bool = False  # hidden from all but its seat while its turn's decide phase is open
    part: str = ""  # the parts left out for roles outside that part's audience (see Ledger)


AUDIENCES = {
    "everyone": "every role",
    "addressees": "the seats the inject is addressed to (its `to`)",
    "cause": "the audience of what set it off (the inject or the adjudication it follows), and the seat that owes it",
    "obligation": "the audience of the obligation it concerns (every role, unless an inject addressed to some seats set the obligation off)",
    "facilitator": "the facilitator alone",
}

# The table: every event type of tabletop/events.py, and the log's own records. docs/protocol.md shows the same.
ACCESS: dict[str, Access] = {
    "turn_started": Access("everyone"),
    "phase_changed": Access("everyone"),
    "inject_released": Access("addressees"),
    "decision": Access("obligation", sealed=True, part="answers"),  # an answer: the obligation's audience; else everyone
    "assessed": Access("everyone", sealed=True),
    "obligation_triggered": Access("cause", part="cause, because"),
    "obligation_upgraded": Access("cause", part="because"),  # and no wider than the obligation's own audience
    "obligation_answered": Access("obligation", sealed=True),
    "adjudicated": Access("everyone", part="facts, causes"),
    "council_decided": Access("cause", part="because"),
    "report_owed": Access("cause", part="because"),
    "override": Access("obligation"),  # of an obligation: its audience; of tension, credibility, posture: everyone
    "note": Access("facilitator"),
    "exercise_ended": Access("everyone"),
    "signature": Access("facilitator"),
    "injects_withheld": Access("facilitator"),  # which injects are still to come: the players must not learn it
    "timer": Access("everyone"),
    "handed_over": Access("everyone"),  # who plays a seat: the seat cards show it to every role anyway
    "retracted": Access("everyone"),  # what it takes back is said by type only; the board returns to before it
}


@attrs.frozen
class Role:
    """Who a connection speaks for: the facilitator, one seat's team, or the projector view."""

    kind: str
    seat: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "seat": self.seat} if self.seat else {"kind": self.kind}

    def __str__(self) -> str:
        return f"seat {self.seat}" if self.kind == SEAT else self.kind


def board(state: State) -> dict[str, Any]:
    """The public figures of the board: what every role's screen shows."""
    return {
        "tension": state.tension,
        "credibility": dict(state.credibility),
        "posture": dict(state.posture),
        "date": state.date.isoformat() if state.date else None,
    }


def addressees(record: dict[str, Any], scenario: m.Scenario) -> Audience:
    """Whom an ``inject_released`` record is addressed to: None for all, else the seats."""
    adhoc = record.get("adhoc")
    if isinstance(adhoc, dict):
        to = tuple(adhoc.get("to") or ("all",))
    else:
        try:
            to = tuple(scenario.inject(record.get("inject", "")).to)
        except KeyError:
            return NOBODY  # an inject the scenario does not know: nobody but the facilitator
    return None if "all" in to else frozenset(to)


def sees(audience: Audience, role: Role) -> bool:
    return role.kind == FACILITATOR or audience is None or (role.kind == SEAT and role.seat in audience)


def _narrow(a: Audience, b: Audience) -> Audience:
    """Both audiences at once: the seats in each (None is everyone)."""
    if a is None:
        return b
    return a if b is None else a & b


def _widen(a: Audience, seat: str | None) -> Audience:
    return a if a is None or seat is None else a | {seat}


class Ledger:
    """The audience of every record of one exercise, worked out record by record as the log is written.

    The server keeps one, fed every record in order with the state folded to
    it (on a restart, from the log), so the answer for a record never changes.
    Kept apart from the state because the state does not say what set off what.

    Besides a record's audience it keeps, by seq, the *parts* some of its
    audience may not see: an adjudication's facts (by index) and its
    ``causes`` (their sentences may cite any inject or fact so far, so they are
    shown only to those sent every one not addressed to everyone); a decision's
    ``answers``; an obligation's ``cause`` (attacker, location, scale: the
    attack it answers) for the obligor told of it outside the inject's
    audience; and the ``because`` of a derived record, whose sentence may cite
    any earlier attack (the conflict model reads every armed attack so far), so
    it is shown only to those who saw every attack not addressed to everyone.
    """

    def __init__(self, scenario: m.Scenario) -> None:
        self.scenario = scenario
        self.audience: dict[int, Audience] = {}  # seq -> who may see it (the row of ACCESS applied)
        self.parts: dict[int, dict[Any, Audience]] = {}  # seq -> part -> who may see that part
        self._injects: dict[str, Audience] = {}
        self._obligations: dict[str, Audience] = {}  # who sees the obligation (its reasons' audience and its obligor)
        self._reasons: dict[str, Audience] = {}  # who sees what set it off
        self._obligors: dict[str, str | None] = {}
        self._cause: Audience = None  # the audience of the record that leads the current command's group
        self._cause_facts: dict[int, Audience] = {}  # of an adjudication leading it: its facts not for everyone
        self._wars: Audience = None  # those who saw every armed attack so far that was not for everyone
        self._wars_before: Audience = None  # the same before the current group's own facts
        self._private: Audience = None  # those who were sent every inject and fact so far that was not for everyone

    def add(self, record: dict[str, Any], state: State) -> None:
        """Work out ``record``'s audience; ``state`` is the exercise folded up to and including it."""
        kind, seq = record.get("type"), record.get("seq")
        if type(seq) is not int:
            return
        access = ACCESS.get(str(kind))
        audience: Audience = NOBODY
        if access is None or access.audience == "facilitator":
            pass
        elif kind == "inject_released":
            audience = addressees(record, self.scenario)
            self._injects[str(record.get("inject"))] = audience
            self._lead(audience, {}, self._inject_facts(record))
            self._private = _narrow(self._private, audience)  # the causes may name the inject itself, facts or none
        elif kind == "adjudicated":
            audience = None
            hidden = self._answer_facts(record, state)
            self._lead(None, hidden, [(f.get("kind") if isinstance(f, dict) else None, hidden.get(i)) for i, f in enumerate(record.get("facts") or [])])
            parts: dict[Any, Audience] = dict(hidden)
            causes = self._causes(record, state)
            changes = record.get("changes")
            if causes is not None and isinstance(changes, dict) and changes.get("causes"):
                parts["causes"] = causes
            if parts:
                self.parts[seq] = parts
        elif access.audience == "cause":
            audience = self._caused(seq, record)
        elif access.audience == "obligation":
            obligation = _obligation_of(record)
            audience = self._obligations.get(obligation, None) if obligation else None
            if kind == "decision":
                audience = _widen(audience, record.get("seat"))
                answers = record.get("answers")
                inject = answers.get("inject") if isinstance(answers, dict) else None
                if inject is not None and self._injects.get(inject) is not None:
                    self.parts[seq] = {"answers": _widen(self._injects[inject], record.get("seat"))}
            self._lead(audience, {}, [])
        else:
            audience = None
            self._lead(None, {}, [])
        self.audience[seq] = audience

    def _lead(self, audience: Audience, hidden: dict[int, Audience], facts: list[tuple[Any, Audience]]) -> None:
        """A record that leads its command's group; ``facts``: the kind and audience of each fact it adds to the exercise."""
        self._cause, self._cause_facts = audience, hidden
        self._wars_before = self._wars
        for fact_kind, fact_audience in facts:
            self._private = _narrow(self._private, fact_audience)
            if fact_kind in WAR_KINDS:
                self._wars = _narrow(self._wars, fact_audience)

    def _inject_facts(self, record: dict[str, Any]) -> list[tuple[Any, Audience]]:
        audience = addressees(record, self.scenario)
        adhoc = record.get("adhoc")
        if isinstance(adhoc, dict):
            kinds = [f.get("kind") for f in adhoc.get("facts") or [] if isinstance(f, dict)]
        else:
            try:
                kinds = [f.kind for f in self.scenario.inject(str(record.get("inject"))).facts]
            except KeyError:
                kinds = []
        return [(k, audience) for k in kinds]

    def _caused(self, seq: int, record: dict[str, Any]) -> Audience:
        """The audience of what a released inject or an adjudication set off, and the parts of it kept from some."""
        kind = record.get("type")
        base = self._cause
        if kind in ("council_decided", "report_owed"):
            index = record.get("fact")
            base = _narrow(base, self._cause_facts.get(index)) if type(index) is int else base
        else:
            # An obligation an adjudication set off may follow from any of its facts: from a withheld one, only its audience sees it.
            for part in self._cause_facts.values():
                base = _narrow(base, part)
        obligor = record.get("obligor") if kind == "obligation_triggered" else None
        if kind == "obligation_upgraded":
            known = str(record.get("obligation"))
            base = _narrow(base, self._reasons.get(known))
            obligor = self._obligors.get(known)
        obligor = obligor if type(obligor) is str else None
        audience = _widen(base, obligor)
        parts: dict[Any, Audience] = {}
        if audience != base:
            parts["cause"] = base  # the obligor, told of it outside the inject's audience: not the attack itself
        because = _narrow(base, self._wars_before)
        if because != audience:
            parts["because"] = because
        if parts:
            self.parts[seq] = parts
        if kind == "obligation_triggered":
            ob_id = str(record.get("id"))
            self._obligations[ob_id], self._reasons[ob_id], self._obligors[ob_id] = audience, base, obligor
        return audience

    def _answer_facts(self, record: dict[str, Any], state: State) -> dict[int, Audience]:
        """The facts of an adjudication that answer an obligation whose reasons not everyone is shown (force, aid), by index.

        The engine marks such a fact as answering the article (``answers``: "TREATY Art. N"), done by the obligor.
        """
        facts = record.get("facts")
        if not isinstance(facts, list):
            return {}
        turn = record.get("turn", state.turn)
        out: dict[int, Audience] = {}
        for ob_id in state.answers.get(turn, {}):
            reasons = self._reasons.get(ob_id)
            open_ob = state.obligations.get(ob_id)
            if reasons is None or open_ob is None:
                continue
            ob = open_ob.obligation
            for index, fact in enumerate(facts):
                if isinstance(fact, dict) and fact.get("by") == ob.obligor and fact.get("answers") == f"{ob.treaty} Art. {ob.article}":
                    out[index] = _narrow(out.get(index), reasons) if index in out else reasons
        return out

    def _causes(self, record: dict[str, Any], state: State) -> Audience:
        """Who may read an adjudication's causes: their sentences cite this turn's injects, answers and facts, and earlier facts."""
        audience = self._private
        for ob_id in state.answers.get(record.get("turn", state.turn), {}):
            audience = _narrow(audience, self._reasons.get(ob_id))
        return audience


def _obligation_of(record: dict[str, Any]) -> str | None:
    """The obligation a record concerns, if any (an answer, an override of an obligation)."""
    if record.get("type") == "decision":
        answers = record.get("answers")
        value = answers.get("obligation") if isinstance(answers, dict) else None
    else:
        value = record.get("obligation")
    return value if type(value) is str else None


def full(record: dict[str, Any], role: Role, state: State, ledger: Ledger) -> bool:
    """May ``role`` see ``record`` whole now (in its audience, and not sealed from it), given the exercise's ``state``?"""
    if role.kind == FACILITATOR:
        return True
    if not sees(ledger.audience.get(record.get("seq", -1), NOBODY), role):
        return False
    if record.get("type") in SEALED_KINDS and event_sealed(record, state):
        return role.kind == SEAT and record.get("seat") == role.seat
    return True


def visible(record: dict[str, Any], role: Role, state: State, ledger: Ledger, boards: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The record as ``role`` receives it: whole, sealed, withheld, or with a part left out (see the module's docstring).

    ``boards`` holds, by seq, the board after each record that moved it.
    """
    if role.kind == FACILITATOR:
        return record
    seq, turn, kind = record.get("seq"), record.get("turn", 0), record.get("type")
    if not sees(ledger.audience.get(seq if type(seq) is int else -1, NOBODY), role):
        out: dict[str, Any] = {"type": STAND_IN, "seq": seq, "turn": turn}
        if seq in boards:
            out["board"] = boards[seq]
        return out
    if full(record, role, state, ledger):
        out = {k: v for k, v in record.items() if k != "prev"}
        hidden = {part for part, audience in ledger.parts.get(seq if type(seq) is int else -1, {}).items() if not sees(audience, role)}
        if "answers" in hidden:
            out.pop("answers", None)
        if "cause" in hidden:
            out.update(attacker=None, location=None)
            out.pop("scale", None)
        if "because" in hidden or "cause" in hidden:
            out["because"] = WITHHELD_BECAUSE
        changes = record.get("changes")
        if "causes" in hidden and isinstance(changes, dict):
            out["changes"] = {**changes, "causes": [{**c, "because": WITHHELD_BECAUSE} if isinstance(c, dict) else c for c in changes.get("causes") or []]}
        indices = {i for i in hidden if type(i) is int}
        if indices and isinstance(record.get("facts"), list):
            out["facts"] = [f for i, f in enumerate(record["facts"]) if i not in indices]
        return out
    out = {"type": kind, "seq": seq, "turn": turn}
    if kind == "obligation_answered":
        out["obligation"] = record.get("obligation")
    out["seat"] = record.get("seat")
    answers = record.get("answers")
    if kind == "decision" and isinstance(answers, dict) and "obligation" in answers:
        out["answers"] = {"obligation": answers["obligation"]}
    out["sealed"] = True
    return out
