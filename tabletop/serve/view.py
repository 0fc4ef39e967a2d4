"""A client's picture of the exercise: the records its role received, folded into a State.

The facilitator receives every record as written, so its fold is the server's.
A seat or the projector receives stand-ins for what it may not see
(:mod:`tabletop.serve.visibility`); they fold into placeholders that keep the
state's shape (a seat is in; the board after a withheld inject; ad-hoc inject
numbers), so the screens written for a local session show the same board.
When sealed records are revealed the view replaces them and folds again from
the start: a few thousand events at most, a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tabletop import events as ev
from tabletop import model as m
from tabletop.game import Game
from tabletop.sealing import SEALED
from tabletop.state import OpenObligation, State

STAND_IN = "withheld"


class ViewError(ValueError):
    """A record from the server that does not fit the exercise: the client starts over from the server's log."""


def fold(game: Game, state: State, record: dict[str, Any]) -> State:
    """``state`` after one received record (whole, sealed or withheld)."""
    kind = record.get("type")
    if kind in ev.LOG_RECORDS:
        return state
    if kind == STAND_IN:
        board = record.get("board")
        # A command like any other for undo: a retraction after it returns to the state before it.
        changes: dict[str, Any] = {}
        if isinstance(board, dict):
            changes.update(tension=board["tension"], credibility=dict(board["credibility"]), posture=dict(board["posture"]))
            changes["date"] = dt.date.fromisoformat(board["date"]) if board.get("date") else state.date
        return state.commanded(changes, "withheld")
    if record.get("sealed"):
        return game.evolve(state, placeholder(record))
    event = ev.from_json(record)
    if isinstance(event, ev.InjectReleased) and event.adhoc is not None:
        state = _pad_adhoc(state, event.inject)
    if isinstance(event, ev.ObligationTriggered):
        state = _pad_obligations(state, event.id)
    return game.evolve(state, event)


def placeholder(record: dict[str, Any]) -> ev.Decision | ev.ObligationAnswered | ev.Assessed:
    """A sealed record as an event that folds the way the real one does, carrying nothing of it (the log pane describes it so too)."""
    turn, seat, kind = record["turn"], record["seat"], record["type"]
    if kind == "decision":
        answers = record.get("answers")
        if isinstance(answers, dict) and answers.get("obligation"):
            return ev.Decision(turn, seat, "", "", "", ev.Answers(obligation=answers["obligation"]))
        return ev.Decision(turn, seat, None, "", "", None, SEALED)
    if kind == "obligation_answered":
        return ev.ObligationAnswered(turn, record["obligation"], seat, "")
    return ev.Assessed(turn, seat, 0, (), "")


def _pad_adhoc(state: State, inject_id: str) -> State:
    """Ad-hoc injects to other seats were withheld: hold their numbers, so ``adhoc-N`` is still the Nth."""
    digits = inject_id.removeprefix("adhoc-")
    if not digits.isdigit():
        return state
    adhoc = state.adhoc_injects
    while len(adhoc) < int(digits) - 1:
        n = len(adhoc) + 1
        adhoc = adhoc.append(m.Inject(id=f"adhoc-{n}", turn=state.turn, title="(not addressed to you)", text="", source="facilitator", to=()))
    return state.replace(adhoc_injects=adhoc)


WITHHELD = "withheld"  # the status of an obligation this role was not told of (the panels leave it out)


def _pad_obligations(state: State, obligation_id: str) -> State:
    """Obligations set off by what this role may not see were withheld: hold their numbers, so ``oN`` is still the Nth."""
    digits = obligation_id.removeprefix("o")
    if not digits.isdigit():
        return state
    held = state.all_obligations
    while len(held) < int(digits) - 1:
        blank = m.Obligation(treaty="", article="", kind="", obligor="", beneficiary="", status=WITHHELD, duty="", because="")
        held = held.append(OpenObligation(f"o{len(held) + 1}", blank, state.turn, WITHHELD))
    return state.replace(all_obligations=held)


class View:
    """The records received, by seq, and the state they fold to."""

    def __init__(self, game: Game) -> None:
        self.game = game
        self.records: list[dict[str, Any]] = []
        self.state = game.initial()

    @property
    def last(self) -> int:
        return self.records[-1]["seq"] if self.records else 0

    @property
    def sealed(self) -> list[int]:
        """Seqs held as sealed stand-ins (a reconnecting client asks for those revealed since)."""
        return [r["seq"] for r in self.records if r.get("sealed")]

    def add(self, record: dict[str, Any]) -> bool:
        """Fold the next record; False for one already held (never folded twice). ViewError for a gap or a misfit."""
        seq = record.get("seq")
        if type(seq) is not int:
            raise ViewError(f"a record without a seq: {record.get('type')!r}")
        if seq <= self.last:
            return False
        if seq != self.last + 1:
            raise ViewError(f"expected record {self.last + 1}, got {seq}: records were lost")
        try:
            state = fold(self.game, self.state, record)
        except (ev.EventError, KeyError, TypeError, ValueError) as exc:
            raise ViewError(f"record {seq} ({record.get('type')}) does not fit: {exc}") from None
        self.records.append(record)
        self.state = state
        return True

    def reveal(self, records: list[dict[str, Any]]) -> int:
        """Replace sealed stand-ins by the records revealed, and fold again; how many were replaced."""
        by_seq = {r.get("seq"): r for r in records if isinstance(r, dict)}
        replaced = 0
        for index, held in enumerate(self.records):
            new = by_seq.get(held["seq"])
            if new is not None and held.get("sealed") and new.get("type") == held.get("type"):
                self.records[index] = new
                replaced += 1
        if replaced:
            self.refold()
        return replaced

    def refold(self) -> None:
        state = self.game.initial()
        for record in self.records:
            try:
                state = fold(self.game, state, record)
            except (ev.EventError, KeyError, TypeError, ValueError) as exc:
                raise ViewError(f"record {record.get('seq')} ({record.get('type')}) does not fit: {exc}") from None
        self.state = state

    def reset(self) -> None:
        self.records = []
        self.state = self.game.initial()

    def events(self) -> list[dict[str, Any]]:
        """The records the screens list: withheld stand-ins and signatures left out."""
        return [r for r in self.records if r.get("type") != STAND_IN and r.get("type") not in ev.LOG_RECORDS]
