"""Six seat cards: name, human or bot, posture, credibility and open obligations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from tabletop.palette import seat_colour
from tabletop.tui import literal

if TYPE_CHECKING:  # annotations only: the start screen imports seat_kind from here before any scenario is loaded
    from tabletop import model as m
    from tabletop.state import State


class SeatCard(Static):
    """One seat, framed in its own colour."""

    def __init__(self, seat: str, name: str, kind: str) -> None:
        super().__init__(id=f"seat-{seat}", classes="seat-card")
        self.seat = seat
        self.colour = seat_colour(seat)
        self.border_title = literal.styled(name, f"bold {self.colour}")
        self.kind = kind

    def on_mount(self) -> None:
        self.styles.border = ("round", self.colour)

    def show(self, posture: str, credibility: int | None, pending: int, decided: bool | None) -> None:
        figures = (posture, credibility, pending)
        if figures != getattr(self, "_figures", None):
            self._figures = figures
            self.refresh()
        if decided != getattr(self, "_decided", ()):
            self._decided = decided
            mark = ""
            if decided is not None:
                mark = " ✓" if decided else " …"
            self.border_subtitle = literal.styled(f"{self.kind}{mark}", "dim" if not decided else "")

    def render(self) -> Content:
        posture, credibility, pending = getattr(self, "_figures", ("", None, 0))
        wide = self.content_size.width >= len(f"cred {credibility} ob {pending}")
        owed_style = "bold $warning" if pending else "dim"
        return literal.assemble(
            (posture, ""), "\n",
            ("cred " if wide else "c", "dim"), (f"{credibility}", "bold"), " ", ("ob " if wide else "o", owed_style), (f"{pending}", owed_style),
        )


class SeatCards(Horizontal):
    """The cards of every seat in the scenario, in its order."""

    def __init__(self, scenario: m.Scenario, seats: dict[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.seats = seats

    def compose(self) -> ComposeResult:
        for seat_id, seat in self.scenario.seats.items():
            yield SeatCard(seat_id, seat.name, self.seats.get(seat_id, "bot"))

    def show(self, rules: m.Rules, state: State) -> None:
        postures = {p.id: p.name for p in rules.escalation.postures}
        deciding = state.phase == "decide"
        decided = state.decisions.get(state.turn, {})
        for card in self.query(SeatCard):
            posture = state.posture.get(card.seat, "")
            card.show(
                postures.get(posture, posture),
                state.credibility.get(card.seat),
                len(state.pending_for(card.seat)),
                (card.seat in decided) if deciding else None,
            )


def seat_kind(human: bool) -> Content:
    """The word beside a seat's checkbox: a checked box alone is hard to read on a projector."""
    return Content.styled("human", "bold $accent") if human else Content.styled("bot", "dim")
