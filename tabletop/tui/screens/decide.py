"""The decide phase on one keyboard: hand over, decide in private, then reveal to all.

A human seat's choice is made on its own modal screen; the board behind it
never shows another seat's option or rationale until every seat is in. Bots
decide at once on entering the phase (:mod:`tabletop.facilitation`).
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Collapsible, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from tabletop.game import answers_for
from tabletop.model import seat_name
from tabletop.palette import seat_colour
from tabletop.session import Session
from tabletop.tui import literal
from tabletop.tui.commands import run_command
from tabletop.tui.describe import option_label, treaty_label
from tabletop.tui.widgets.fields import TextInput


class HandoverScreen(ModalScreen[bool]):
    """An interstitial so the previous seat's choices are off the screen before the next sits down."""

    BINDINGS = [
        Binding("enter", "ready", "Show my options", id="handover-ready", priority=True),
        Binding("escape", "later", "Not now", id="handover-later"),
    ]

    def __init__(self, seat: str, name: str) -> None:
        super().__init__()
        self.seat, self.seat_name = seat, name

    def compose(self) -> ComposeResult:
        colour = seat_colour(self.seat)
        with Vertical(classes="dialog handover"):
            yield Static(literal.assemble("Pass the keyboard to\n\n", (self.seat_name, f"bold reverse {colour}")), classes="handover-name")
            yield Static(literal.text(f"Everyone else looks away. {self.seat_name}: press Enter to see your options in private."), classes="handover-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(literal.text(f"I am {self.seat_name}"), variant="primary", id="ready", compact=True)
                yield Button("Not now", id="later", compact=True)
        yield Footer(compact=True)

    @on(Button.Pressed, "#ready")
    def action_ready(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#later")
    def action_later(self) -> None:
        self.dismiss(False)


OWN_WORDS = "own-words"  # the option list's last line: a course of action in the seat's own words


def this_turn_first(options: tuple[Any, ...], turn: int) -> list[Any]:
    """The options written for this turn (they answer its injects) before those open in every turn; each group in scenario order."""
    return [o for o in options if o.turns and turn in o.turns] + [o for o in options if not o.turns]


def option_notes(option: Any) -> list[literal.Part]:
    """What follows an option's label in the list: "this turn" for one written for this turn, then its text."""
    parts: list[literal.Part] = [("  this turn", "italic $accent")] if option.turns else []
    if option.text.strip():
        parts += ["\n", (option.text.strip(), "dim")]
    return parts


class DecisionScreen(ModalScreen[bool]):
    """One seat's private choice: an option with a rationale, and an answer to each obligation it owes."""

    BINDINGS = [
        Binding("escape", "later", "Later", id="decision-later"),
        Binding("ctrl+s", "submit", "Submit", id="decision-submit"),
    ]

    def __init__(self, session: Session, seat: str) -> None:
        super().__init__()
        self.session = session
        self.seat = seat
        self.chosen: str | None = None
        self.owed = session.unanswered(seat)
        self.deciding = seat in session.undecided()

    def compose(self) -> ComposeResult:
        session, seat = self.session, self.seat
        info = session.scenario.seats[seat]
        colour = seat_colour(seat)
        rules = session.rules
        with Vertical(classes="dialog decision"):
            yield Static(
                literal.assemble((f" {info.name} ", f"bold reverse {colour}"), f"  private decision, turn {session.state.turn}: {session.turn.title}"),
                classes="dialog-title",
            )
            with VerticalScroll(id="decision-body"):
                brief = [info.brief.strip()]
                if info.objectives:
                    brief.append("Objectives: " + "; ".join(info.objectives))
                if info.red_lines:
                    brief.append("Red lines: " + "; ".join(info.red_lines))
                with Collapsible(title="Your brief", collapsed=True):
                    yield Static(literal.text("\n".join(b for b in brief if b)))
                if self.deciding:
                    options = this_turn_first(session.options(seat), session.state.turn)
                    if options:
                        yield Label("Or click one; the last line is a course of action in your own words.")  # the list's title says the keys
                        menu = OptionList(
                            *[
                                Option(literal.assemble((o.label, "bold"), *option_notes(o)), id=o.id)
                                for o in options
                            ],
                            Option(literal.styled("Our own course of action, in our words", "italic"), id=OWN_WORDS),
                            id="options",
                        )
                        menu.border_title = "↓ to an option, Enter to choose"  # on the list itself: at 80x24 the lines above it scroll away
                        yield menu
                    owed_note = f" You also owe an answer to {len(self.owed)} obligation(s), below." if self.owed else ""
                    first = "No option chosen yet." if options else "This seat has no menu: say what it does, in your own words."
                    yield Static(literal.styled(first + owed_note, "dim italic"), id="chosen")
                    own = TextInput(placeholder="what we do: who, what, where", id="own-words")
                    own.display = not options
                    yield own
                    yield Label("Rationale: one sentence on why")
                    yield TextInput(placeholder="because ...", id="rationale")
                else:
                    yield Static(literal.styled("Your decision for this turn is recorded; the answers below are still owed.", "italic"))
                for open_ob in self.owed:
                    ob = open_ob.obligation
                    yield Static(
                        literal.assemble(
                            ("Obligation ", "bold"), (f"{open_ob.id}: {treaty_label(rules, ob.treaty)} Art. {ob.article}", "bold $warning"),
                            f" ({ob.kind}, {open_ob.status}) to {seat_name(session.scenario, rules, ob.beneficiary)}\n",
                            ("duty: ", "dim"), ob.duty, "\n", ("because: ", "dim"), ob.because,
                        ),
                        classes="owed",
                    )
                    yield Select(
                        [(literal.prompt(f"{word}: {effect.text}" if effect.text else word), word) for word, effect in answers_for(rules, open_ob).items()],
                        prompt="Answer", id=f"answer-{open_ob.id}", compact=True,
                    )
                    if self.deciding:
                        yield TextInput(placeholder="why (blank: the rationale above)", id=f"why-{open_ob.id}")
                    else:
                        yield TextInput(placeholder="why: one sentence", id=f"why-{open_ob.id}")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Submit (ctrl+s)", variant="primary", id="submit", compact=True)
                yield Button("Later (esc)", id="later", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.deciding and not self.query("#options"):
            self.chosen = OWN_WORDS
            self.query_one("#own-words", Input).focus()
        elif self.deciding:
            # Nothing highlighted, so an Enter already on its way (pressed twice at the hand-over) chooses
            # nothing: the seat moves to an option itself (down, or a click) before Enter takes it.
            options = self.query_one("#options", OptionList)
            options.highlighted = None
            options.focus()
        elif self.owed:
            self.query_one(f"#answer-{self.owed[0].id}", Select).focus()

    @on(OptionList.OptionSelected, "#options")
    def _chose(self, event: OptionList.OptionSelected) -> None:
        self.chosen = event.option.id
        own = self.query_one("#own-words", Input)
        own.display = self.chosen == OWN_WORDS
        if self.chosen == OWN_WORDS:
            self.query_one("#chosen", Static).update(literal.styled("Your own course of action: write it below.", "bold $success"))
            own.focus()
            return
        label = option_label(self.session.scenario, self.seat, self.chosen or "")
        self.query_one("#chosen", Static).update(literal.assemble(("Chosen: ", "dim"), (label, "bold $success")))
        self.query_one("#rationale", Input).focus()

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        if event.input.id == "own-words":  # Enter in the course of action moves on to the rationale
            self.query_one("#rationale", Input).focus()
            return
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        session, seat = self.session, self.seat
        still_deciding = seat in session.undecided()
        if still_deciding and self.chosen is None:
            self.notify("Choose an option first (Enter or click on it).", severity="error")
            self.query_one("#options").focus()
            return
        owed = session.unanswered(seat)
        for open_ob in owed:
            select = self.query_one(f"#answer-{open_ob.id}", Select)
            if select.value is Select.NULL:
                literal.notify(self, f"Answer obligation {open_ob.id} first.", severity="error")
                select.focus()
                return
        rationale = self.query_one("#rationale", Input).value if self.deciding else ""
        if still_deciding:
            own = self.chosen == OWN_WORDS
            text = self.query_one("#own-words", Input).value if own else None
            if run_command(self, session.decide, seat, None if own else self.chosen, rationale, None, None, text) is None:
                self.query_one("#own-words" if own and not (text or "").strip() else "#rationale", Input).focus()
                return
        for open_ob in owed:
            word: Any = self.query_one(f"#answer-{open_ob.id}", Select).value
            why = self.query_one(f"#why-{open_ob.id}", Input).value.strip() or rationale
            if run_command(self, session.answer, seat, open_ob.id, word, why) is None:
                self.query_one(f"#why-{open_ob.id}", Input).focus()
                return
        self.dismiss(True)

    @on(Button.Pressed, "#later")
    def action_later(self) -> None:
        self.dismiss(False)


def decisions_content(session: Session, turn: int) -> Content:
    """Every seat's choice this turn with its rationale, bots included, and each answer to an obligation."""
    scenario, rules = session.scenario, session.rules
    decided = session.state.decisions.get(turn, {})
    answers: dict[str, list[dict[str, Any]]] = {}
    for event in session.events:
        if event.get("type") == "decision" and event.get("turn") == turn and "obligation" in (event.get("answers") or {}):
            answers.setdefault(event["seat"], []).append(event)
    blocks = []
    for seat_id in scenario.seats:
        colour = seat_colour(seat_id)
        decision = decided.get(seat_id)
        parts: list[literal.Part] = [(f" {scenario.seats[seat_id].name} ", f"bold reverse {colour}")]
        if decision is None:
            parts += ["  ", ("no decision", "dim italic")]
        else:
            parts += [
                "  ", (option_label(scenario, seat_id, decision.option, decision.text), "bold"), (f"  ({decision.by})", "dim"),
                "\n", (decision.rationale, "italic"),
            ]
        for answer in answers.get(seat_id, []):
            ob_id = answer["answers"]["obligation"]
            open_ob = session.state.obligations.get(ob_id)
            where = f"{treaty_label(rules, open_ob.obligation.treaty)} Art. {open_ob.obligation.article}" if open_ob else ob_id
            parts += ["\n", ("answers ", "dim"), (f"{ob_id} {where}", "bold"), ": ", (answer["option"], "bold $accent"), " - ", (answer.get("rationale", ""), "italic")]
        blocks.append(literal.assemble(*parts))
    return literal.join("\n\n", blocks)


class RevealScreen(ModalScreen[None]):
    """All decisions of the turn at once, after the last seat is in."""

    BINDINGS = [Binding("escape,enter,space", "close", "Close", id="reveal-close")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        session = self.session
        with Vertical(classes="dialog wide"):
            yield Static(literal.text(f"Decisions revealed: turn {session.state.turn}, {session.turn.title}"), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(decisions_content(session, session.state.turn))
            yield Static(literal.styled("Close, then space on the board to adjudicate.", "dim"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close", compact=True)
        yield Footer(compact=True)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
