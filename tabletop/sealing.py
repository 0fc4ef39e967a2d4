"""The sealing rule: a seat's decision, and its answers to obligations, stay hidden until every seat is in.

Seminar games keep each team's choice from the others until all have
chosen, so that nobody answers what another did this turn. A decision or an
answer of a turn is *sealed* while that turn's decide phase is open; once the
phase moves on (every seat has decided, the engine requires it), all are
revealed together. The board, the obligations panel, the replay viewer and the
report all ask here, so what one shows sealed no other shows open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tabletop.state import OpenObligation, State

if TYPE_CHECKING:  # annotations only
    from tabletop import events as ev

SEALED = "sealed until every seat has decided"
SEALED_KINDS = frozenset({"decision", "obligation_answered", "assessed"})


def phase_open(state: State, turn: int) -> bool:
    """Is ``turn``'s decide phase still open in ``state``?"""
    return state.phase == "decide" and state.turn == turn and not state.ended


def event_sealed(record: dict[str, Any], state: State) -> bool:
    """A logged decision, answer or assessment whose turn's decide phase is still open.

    On a client, the server's stand-in for one (``"sealed": true``,
    tabletop/serve/visibility.py) is sealed until the reveal replaces it, even
    once the phase is over: it carries nothing to show but that the seat is in.
    """
    return record.get("type") in SEALED_KINDS and (record.get("sealed") is True or phase_open(state, record.get("turn", -1)))


def sealed(event: ev.Event, state: State) -> bool:
    """:func:`event_sealed` for a typed event (tabletop/events.py), as the report reads the log."""
    return event.TYPE in SEALED_KINDS and phase_open(state, event.turn)


def answer_sealed(open_ob: OpenObligation, state: State) -> bool:
    """An obligation answered in a decide phase still open: the other seats must not see the answer yet."""
    return open_ob.status == "answered" and open_ob.answered_turn is not None and phase_open(state, open_ob.answered_turn)
