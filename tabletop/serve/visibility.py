"""What each client may see of the log, decided on the server.

Three roles: the *facilitator* sees every record as written; a *seat* (one
team) sees public records, its own decisions, answers and assessments, the
injects addressed to it or to all, and other seats' decisions only once they
are revealed (:mod:`tabletop.sealing`); the *projector view* sees public
records only: no notes, no injects addressed to some seats, nothing sealed.

A record a role may not see in full crosses the wire as a stand-in that
carries no more than the shared board shows anyway:

* ``{"type": "decision", "seq", "turn", "seat", "sealed": true}`` (and, for an
  answer, ``"answers": {"obligation": ID}``; ``obligation_answered`` and
  ``assessed`` alike): that a seat is in, as the seat cards show, never what
  it chose or why. The full record follows in a ``reveal`` frame once the
  turn's decide phase is over.
* ``{"type": "withheld", "seq", "turn"}``: a note, an inject addressed to
  other seats, a signature. When the withheld inject moved the board (tension,
  credibility, posture, the date), ``"board"`` carries the values after it, so
  every client shows the same board without learning the inject.

No record but the facilitator's carries ``prev``: the hash of the line before
would let a team test guesses at a sealed line (a bot's rationale follows from
its choice, so three guesses would do).
"""

from __future__ import annotations

from typing import Any

import attrs

from tabletop import model as m
from tabletop.sealing import SEALED_KINDS, event_sealed
from tabletop.state import State

FACILITATOR, SEAT, VIEW = "facilitator", "seat", "view"


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


def audience(record: dict[str, Any], scenario: m.Scenario) -> tuple[str, ...]:
    """Whom an ``inject_released`` record is addressed to (``all`` or seat ids)."""
    adhoc = record.get("adhoc")
    if isinstance(adhoc, dict):
        return tuple(adhoc.get("to") or ("all",))
    try:
        return tuple(scenario.inject(record.get("inject", "")).to)
    except KeyError:
        return ()  # an inject the scenario does not know: nobody but the facilitator


def full(record: dict[str, Any], role: Role, state: State, scenario: m.Scenario) -> bool:
    """May ``role`` see ``record`` as written, given the exercise's current ``state``?"""
    if role.kind == FACILITATOR:
        return True
    kind = record.get("type")
    if kind in SEALED_KINDS:
        return not event_sealed(record, state) or (role.kind == SEAT and record.get("seat") == role.seat)
    if kind == "inject_released":
        to = audience(record, scenario)
        return "all" in to or (role.kind == SEAT and role.seat in to)
    if kind in ("note", "signature"):
        return False
    return True


def visible(record: dict[str, Any], role: Role, state: State, scenario: m.Scenario, boards: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The record as ``role`` receives it: whole, sealed or withheld (see the module's docstring).

    ``boards`` holds, by seq, the board after each inject that moved it.
    """
    if role.kind == FACILITATOR:
        return record
    seq, turn, kind = record.get("seq"), record.get("turn", 0), record.get("type")
    if full(record, role, state, scenario):
        return {k: v for k, v in record.items() if k != "prev"}
    if kind in SEALED_KINDS:
        out: dict[str, Any] = {"type": kind, "seq": seq, "turn": turn}
        if kind == "obligation_answered":
            out["obligation"] = record.get("obligation")
        out["seat"] = record.get("seat")
        answers = record.get("answers")
        if kind == "decision" and isinstance(answers, dict) and "obligation" in answers:
            out["answers"] = {"obligation": answers["obligation"]}
        out["sealed"] = True
        return out
    out = {"type": "withheld", "seq": seq, "turn": turn}
    if kind == "inject_released" and seq in boards:
        out["board"] = boards[seq]
    return out
