"""Six seat cards (name, human or bot, posture, credibility and open obligations), and the start screen's seat picker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

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


class SeatPicker(SelectionList[str]):
    """Who plays each seat: one line a seat, its box checked for a human team, and the word (human or bot) after the name.

    One widget for every seat, not a checkbox and a label in a row of their own
    for each: the start screen's first frame styles and lays out 17 widgets
    fewer (bench_tui.py). Up and down move between the seats; space, enter or a
    click turns a seat from bot to human and back.
    """

    def __init__(self, seats: Sequence[tuple[str, str]] = (), humans: Iterable[str] = (), **kwargs: Any) -> None:
        self.names: dict[str, str] = dict(seats)
        super().__init__(*self._selections(set(humans)), compact=True, **kwargs)

    def show(self, seats: Sequence[tuple[str, str]], humans: Iterable[str]) -> None:
        """List ``seats`` ((id, name) pairs, in order), those in ``humans`` checked."""
        highlighted = self.highlighted
        self.names = dict(seats)
        self.clear_options()
        self.add_options(self._selections(set(humans)))
        if self.names:
            self.highlighted = min(highlighted or 0, len(self.names) - 1)

    def kinds(self) -> dict[str, str]:
        """Each seat listed, in order: "human" or "bot"."""
        chosen = set(self.selected)
        return {seat_id: "human" if seat_id in chosen else "bot" for seat_id in self.names}

    def _selections(self, humans: set[str]) -> list[Selection[str]]:
        return [Selection(self._prompt(seat_id, seat_id in humans), seat_id, seat_id in humans, id=f"human-{seat_id}") for seat_id in self.names]

    def _prompt(self, seat_id: str, human: bool) -> Content:
        names = {key: literal.styled(name, f"bold {seat_colour(key)}") for key, name in self.names.items()}
        width = max(name.cell_length for name in names.values()) + 2
        return literal.assemble(names[seat_id], " " * (width - names[seat_id].cell_length), seat_kind(human))

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        """The word after the name follows the box."""
        seat_id = event.selection.value
        self.replace_option_prompt_at_index(event.selection_index, self._prompt(seat_id, seat_id in self.selected))
