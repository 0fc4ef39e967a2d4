"""The facilitation policy: what happens when an exercise enters a phase, for every front end.

Entering *decide*, the bot seats decide, and answer every obligation they owe,
at once; the human seats then decide in their own time (the TUI hands each the
keyboard in turn). Entering *adjudicate*, the turn is adjudicated at once. The
board (``tabletop/tui/screens/board.py``) and the headless runner
(``tabletop/runner.py``) both go through :func:`enter_phase`, so a turn played
on the board and one played headless take the same steps in the same order,
and a resumed exercise finishes what entering its phase still owed.

The scripted facilitator of headless runs (:func:`play_turn`) adds what a
human facilitator decides for themselves: it releases every scheduled inject
of the turn in MSEL order (standby injects stay in reserve) and walks the
phases. Only the session's public commands are used, so whatever the session
logs, it logs the same way here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tabletop import bots as botmod
from tabletop.session import RELEASE_PHASES, Session


def bot_seats(session: Session) -> list[str]:
    """The seats a bot plays in this exercise, in scenario order."""
    return [seat for seat, kind in session.seats.items() if kind == "bot"]


def pending_humans(session: Session) -> list[str]:
    """Human seats that still owe a decision or an answer this decide phase, in scenario order."""
    if session.state.phase != "decide":
        return []
    undecided = set(session.undecided())
    return [s for s, kind in session.seats.items() if kind == "human" and (s in undecided or session.unanswered(s))]


def release_scheduled(session: Session) -> list[Any]:
    """Release the rest of this turn's scheduled injects, in MSEL order; the events logged."""
    events: list[Any] = []
    for inject in session.unreleased(include_standby=False):
        events += session.release(inject.id)
    return events


def enter_phase(session: Session, bots: Iterable[str] | None = None) -> list[Any]:
    """Do what entering the current phase asks, and return the events it logged (none when nothing was owed).

    ``bots`` are the seats a bot plays (default: the session's bot seats). Only
    what is still owed is done, so calling it again, or on an exercise resumed
    in the middle of a phase, is safe. In *adjudicate* the events returned are
    the turn's adjudication, as :meth:`Session.adjudicate` gives them. A command
    the session refuses raises its ``CommandError``; a bot with no option open
    raises ``ValueError``.
    """
    state = session.state
    if state.ended:
        return []
    if state.phase == "decide":
        seats = bot_seats(session) if bots is None else list(bots)
        return botmod.play_turn_decisions(session, seats)
    if state.phase == "adjudicate" and state.turn not in state.adjudicated:
        return list(session.adjudicate())
    return []


def owed(session: Session, bots: Iterable[str] | None = None) -> bool:
    """Does entering the current phase still owe something that :func:`enter_phase` would do?

    In *decide*: a bot seat's decision or an answer it owes; in *adjudicate*:
    the turn's adjudication. A front end that finds it owed (the bots' writes
    failed, or the exercise was resumed before it could) does it before moving on.
    """
    state = session.state
    if state.ended:
        return False
    if state.phase == "decide":
        undecided = set(session.undecided())
        return any(s in undecided or session.unanswered(s) for s in (bot_seats(session) if bots is None else bots))
    return state.phase == "adjudicate" and state.turn not in state.adjudicated


def at_end(session: Session) -> bool:
    """Is the exercise at its end: the last turn's review, with no closing round of obligation answers owed?"""
    return session.state.phase == "review" and session.is_last_turn and not session.closing_owed


def advance(session: Session, bots: Iterable[str] | None = None) -> list[Any]:
    """Move to the next phase and do what entering it asks; every event logged, the phase change first."""
    events = list(session.advance())
    return events + enter_phase(session, bots)


def play_turn(session: Session, bots: Iterable[str] | None = None) -> None:
    """The scripted facilitator: play the current turn from wherever it stands to its review phase.

    Every scheduled inject is released in the release phases, then the phases
    are walked; ``bots`` play as in :func:`enter_phase` (the headless runner
    gives every seat to a bot).
    """
    seats = None if bots is None else list(bots)
    if session.state.phase in RELEASE_PHASES:
        release_scheduled(session)
    while session.state.phase in RELEASE_PHASES:
        advance(session, seats)
    if session.state.phase == "decide":
        enter_phase(session, seats)  # a resumed exercise may still owe the bots' decisions
        advance(session, seats)
    if session.state.phase == "adjudicate":
        enter_phase(session, seats)
        advance(session, seats)
