"""The facilitator's small modal dialogs: ad-hoc inject, note, override, confirm, play on.

Each calls one Session command. A refused command (CommandError) is shown as
a notification and the dialog stays open, so nothing typed is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from tabletop import model as m
from tabletop.palette import seat_colour
from tabletop.session import Session
from tabletop.tui import literal
from tabletop.tui.commands import run_command
from tabletop.tui.widgets.fields import TextBox, TextInput
from tabletop.tui.widgets.seats import seat_kind
from tabletop.tui.widgets.situation import inject_content


class Dialog(ModalScreen[bool]):
    """A framed form with OK and Cancel; escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]
    TITLE_TEXT = ""
    OK_LABEL = "OK"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal.text(self.TITLE_TEXT), classes="dialog-title")
            yield from self.fields()
            with Horizontal(classes="dialog-buttons"):
                yield Button(literal.text(self.OK_LABEL), variant="primary", id="ok", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer(compact=True)

    def fields(self) -> ComposeResult:
        yield from ()

    def submit(self) -> bool:
        return True

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        if self.submit():
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class NoteScreen(Dialog):
    """A note for the log. An observer's note may name the seat it is about, the exercise objective it
    bears on and whether it shows a strength or an area for improvement: the AAR groups such notes by objective."""

    TITLE_TEXT = "Note for the log"

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def fields(self) -> ComposeResult:
        yield TextInput(placeholder="what happened, what was said", id="note-text")
        objectives = getattr(self.session.scenario, "objectives", ())
        if objectives:
            with Horizontal(id="note-tags"):
                yield Select([(literal.prompt(s.name), sid) for sid, s in self.session.scenario.seats.items()],
                             prompt="Seat", id="note-seat", compact=True)
                yield Select([(literal.prompt(f"{o.id}: {o.text}"), o.id) for o in objectives],
                             prompt="Objective", id="note-objective", compact=True)
                yield Select([("Strength", "strength"), ("Area for improvement", "improvement")],
                             prompt="Finding", id="note-finding", compact=True)

    def _chosen(self, selector: str) -> Any:
        found = self.query(selector)
        if not found:
            return None
        value = found.first(Select).value
        return None if value is Select.NULL else value

    def submit(self) -> bool:
        text = self.query_one("#note-text", Input).value
        return run_command(
            self, self.session.note, text, self._chosen("#note-seat"), self._chosen("#note-objective"), self._chosen("#note-finding"),
        ) is not None


class AssessScreen(Dialog):
    """The facilitator rules on what a seat's decision in its own words does this turn: a change of tension, or none, and why."""

    TITLE_TEXT = "Assess a decision in a seat's own words"
    OK_LABEL = "Assess"

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        state = session.state
        self.free = {seat: d for seat, d in state.decisions.get(state.turn, {}).items() if d.free}

    def fields(self) -> ComposeResult:
        scenario = self.session.scenario
        if not self.free:
            yield Static(literal.styled("No seat has decided in its own words this turn.", "italic"))
            return
        yield Select([(literal.prompt(f"{scenario.seats[s].name}: {d.text}"), s) for s, d in self.free.items()],
                     value=next(iter(self.free)), allow_blank=False, id="assess-seat", compact=True)
        yield Label("Change of tension it brings (a whole number; 0 for none)")
        yield TextInput(value="0", type="integer", id="assess-tension")
        yield Label("Reason")
        yield TextInput(placeholder="what the decision does, and why", id="assess-reason")

    def submit(self) -> bool:
        if not self.free:
            return True
        seat: Any = self.query_one("#assess-seat", Select).value
        raw = self.query_one("#assess-tension", Input).value.strip() or "0"
        try:
            tension = int(raw)
        except ValueError:
            literal.notify(self, f"a change of tension is a whole number, not {raw!r}", severity="error")
            return False
        reason = self.query_one("#assess-reason", Input).value
        return run_command(self, self.session.assess, seat, reason, tension) is not None


class AdhocScreen(Dialog):
    TITLE_TEXT = "Ad-hoc inject (released to all seats now)"
    OK_LABEL = "Release"

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def fields(self) -> ComposeResult:
        yield Label("Title")
        yield TextInput(placeholder="e.g. Fishing boat seized near the NLL", id="adhoc-title")
        yield Label("Text")
        yield TextBox(id="adhoc-text", soft_wrap=True, show_line_numbers=False)

    @on(Input.Submitted)
    def _title_entered(self, event: Input.Submitted) -> None:
        event.prevent_default()  # Enter in the title moves on to the text; it does not release yet.
        self.query_one("#adhoc-text", TextArea).focus()

    def submit(self) -> bool:
        title = self.query_one("#adhoc-title", Input).value
        text = self.query_one("#adhoc-text", TextArea).text
        return run_command(self, self.session.release_adhoc, title, text) is not None


class OverrideScreen(Dialog):
    """Overrule the adjudication: tension, or a seat's credibility or posture. Obligations are ruled on in their own step (r)."""

    TITLE_TEXT = "Override (the reason goes in the log)"
    OK_LABEL = "Override"

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def fields(self) -> ComposeResult:
        session = self.session
        esc = session.rules.escalation
        state = session.state
        yield Label("What")
        yield Select(
            [("Tension (escalation rung)", "tension"), ("Credibility of a seat", "credibility"),
             ("Posture of a seat", "posture")],
            value="tension", allow_blank=False, id="what", compact=True,
        )
        with Vertical(id="for-tension", classes="override-part"):
            yield Select([(literal.prompt(f"{r.rung} {r.name}"), r.rung) for r in esc.ladder], value=state.tension, allow_blank=False, id="tension", compact=True)
        with Vertical(id="for-seat", classes="override-part"):
            yield Select([(literal.prompt(s.name), sid) for sid, s in session.scenario.seats.items()], prompt="Seat", id="seat", compact=True)
        with Vertical(id="for-credibility", classes="override-part"):
            yield TextInput(placeholder=f"credibility {esc.credibility_min}-{esc.credibility_max}", type="integer", id="credibility")
        with Vertical(id="for-posture", classes="override-part"):
            yield Select([(literal.prompt(p.name), p.id) for p in esc.postures], prompt="Posture", id="posture", compact=True)
        yield Label("Reason")
        yield TextInput(placeholder="why the adjudication is overruled", id="reason")
        yield Static(literal.styled("To uphold, hold to consultation or set aside an obligation: r on the board, with its facts and article.", "dim"))

    def on_mount(self) -> None:
        self._show_parts("tension")

    @on(Select.Changed, "#what")
    def _what_changed(self, event: Select.Changed) -> None:
        self._show_parts(str(event.value))

    def _show_parts(self, what: str) -> None:
        visible = {
            "tension": {"for-tension"},
            "credibility": {"for-seat", "for-credibility"},
            "posture": {"for-seat", "for-posture"},
        }[what]
        for part in self.query(".override-part"):
            part.display = part.id in visible

    def _value(self, selector: str) -> Any:
        value = self.query_one(selector, Select).value
        return None if value is Select.NULL else value

    def submit(self) -> bool:
        what = self._value("#what")
        reason = self.query_one("#reason", Input).value
        seat = None
        if what == "tension":
            value = self._value("#tension")
        elif what == "credibility":
            seat = self._value("#seat")
            raw = self.query_one("#credibility", Input).value.strip()
            try:
                value = int(raw)
            except ValueError:
                self.notify("Credibility is a whole number.", severity="error")
                return False
        else:
            seat, value = self._value("#seat"), self._value("#posture")
        if what in ("credibility", "posture") and seat is None:
            self.notify("Choose a seat.", severity="error")
            return False
        return run_command(self, self.session.override, what, value, reason, seat=seat) is not None


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm-no"),
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal.text(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(literal.text(f"{self.yes} (y)"), variant="primary", id="yes", compact=True)
                yield Button(literal.text(f"{self.no} (n)"), id="no", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes").focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class InjectPicker(ModalScreen[str | None]):
    """Choose any unreleased inject of this turn, standby ones included."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="picker-cancel")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Release which inject? (Enter or click)", classes="dialog-title")
            yield OptionList(
                *[Option(literal.assemble(inject_content(i, self.session.scenario, self.session.rules, with_text=False), " (standby)" if i.standby else ""), id=i.id)
                  for i in self.session.unreleased()],
                id="picker",
            )
        yield Footer(compact=True)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class BranchScreen(ModalScreen["dict[str, str] | None"]):
    """Play on from a replayed event: who plays each seat from here (checked: human).

    A class that studies a log often replays it with other teams at the seats,
    so the parent's assignment is only the starting point. Dismisses with the
    seats, or None to stay in the replay.
    """

    BINDINGS = [
        Binding("escape", "stay", "Stay", id="branch-stay"),
        Binding("y", "play_on", "Play on", id="branch-yes"),
    ]

    def __init__(self, question: str, scenario: m.Scenario, seats: dict[str, str]) -> None:
        super().__init__()
        self.question, self.scenario, self.seats = question, scenario, seats

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal.text(self.question), classes="dialog-title")
            yield Label("Who plays each seat from here (checked: a human team; else a bot):")
            for seat_id, seat in self.scenario.seats.items():
                human = self.seats.get(seat_id, "bot") == "human"
                with Horizontal(classes="seat-row"):
                    yield Checkbox(literal.styled(seat.name, f"bold {seat_colour(seat_id)}"), human, id=f"branch-{seat_id}", compact=True)
                    yield Label(seat_kind(human), id=f"branch-kind-{seat_id}", classes="seat-kind")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Play on (y)", variant="primary", id="yes", compact=True)
                yield Button("Stay (esc)", id="no", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes").focus()

    def chosen(self) -> dict[str, str]:
        return {
            (box.id or "").removeprefix("branch-"): "human" if box.value else "bot"
            for box in self.query(Checkbox).results(Checkbox)
        }

    @on(Checkbox.Changed)
    def _toggled(self, event: Checkbox.Changed) -> None:
        seat = (event.checkbox.id or "").removeprefix("branch-")
        self.query_one(f"#branch-kind-{seat}", Label).update(seat_kind(event.value))

    @on(Button.Pressed, "#yes")
    def action_play_on(self) -> None:
        self.dismiss(self.chosen())

    @on(Button.Pressed, "#no")
    def action_stay(self) -> None:
        self.dismiss(None)


@attrs.frozen
class Choice:
    """One button of a ChoiceScreen: what it returns, its label, its key (shown on the button), and whether it is the primary."""

    id: str
    label: str
    key: str
    primary: bool = False


class ChoiceScreen(ModalScreen["str | None"]):
    """A question before something that cannot be undone lightly: what is at stake, listed, and a row of choices.

    Dismisses with the chosen ``Choice.id``, or None on escape. The choices are
    data, so a caller adds one by adding a :class:`Choice` to its list (the end
    of an exercise, say: ``Choice("closing", "Closing response round", "c")``)
    and handling its id; nothing here changes.
    """

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="choice-cancel")]

    def __init__(self, question: str, lines: list[Any], choices: list[Choice], note: str = "") -> None:
        super().__init__()
        self.question, self.lines, self.choices, self.note = question, lines, choices, note
        for c in choices:  # each choice's key in the footer too, not only on its button
            self._bindings.bind(c.key, f"choose({c.id!r})", literal.text(c.label).plain)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog choice"):
            yield Static(literal.text(self.question), classes="dialog-title")
            if self.lines:
                with VerticalScroll(classes="choice-lines"):
                    yield Static(literal.join("\n", self.lines), id="choice-lines")
            if self.note:
                yield Static(literal.styled(self.note, "dim"), classes="choice-note")
            with Horizontal(classes="dialog-buttons"):
                for c in self.choices:
                    yield Button(literal.text(f"{c.label} ({c.key})"), variant="primary" if c.primary else "default",
                                 id=f"choice-{c.id}", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        primary = next((c for c in self.choices if c.primary), self.choices[0] if self.choices else None)
        if primary is not None:
            self.query_one(f"#choice-{primary.id}").focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class RetractScreen(Dialog):
    """Take back the last command, with a reason; says what it was and whether the players had seen it."""

    TITLE_TEXT = "Take back the last command (undo)"
    OK_LABEL = "Retract"

    def __init__(self, session: Session, what: str, revealed: bool) -> None:
        super().__init__()
        self.session, self.what, self.revealed = session, what, revealed

    def fields(self) -> ComposeResult:
        yield Static(literal.assemble(("Last command: ", "dim"), (self.what, "bold")))
        if self.revealed:
            yield Static(literal.styled("The players have already seen it: retracting it does not unsay it. Tell the room.", "bold $warning"))
        yield Static(literal.styled("It stays in the log, marked retracted; the board returns to how it was before it.", "dim"))
        yield Label("Reason")
        yield TextInput(placeholder="why it is taken back", id="retract-reason")

    def submit(self) -> bool:
        reason = self.query_one("#retract-reason", Input).value
        return run_command(self, self.session.retract, reason) is not None


class ExportScreen(ModalScreen[None]):
    """Write the after-action report (Markdown and HTML) where the facilitator says, by default beside the log;
    the paths written stay on screen until dismissed."""

    BINDINGS = [Binding("escape", "close", "Close", id="export-close")]

    def __init__(self, session: Session, target: Path, interim: bool = False) -> None:
        super().__init__()
        self.session, self.target, self.interim = session, target, interim

    def compose(self) -> ComposeResult:
        title = "Interim report (sealed decisions stay sealed)" if self.interim else "After-action report"
        with Vertical(classes="dialog"):
            yield Static(literal.text(title), classes="dialog-title")
            yield Label("Write to (Markdown; the HTML beside it, the same name ending .html):")
            yield TextInput(value=str(self.target), id="export-path")
            yield Static("", id="export-written")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Write", variant="primary", id="write", compact=True)
                yield Button("Close (esc)", id="close", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        field = self.query_one("#export-path", Input)
        self._offered = field.value  # as the field shows it: a name with control characters is shown made visible
        field.focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#write")
    def action_write(self) -> None:
        from tabletop import files, report
        from tabletop.tui.screens.hotwash import log_integrity

        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self.notify("Give a file name for the report.", severity="error")
            return
        target = self.target if raw == self._offered.strip() else Path(raw).expanduser()
        if target.suffix.lower() not in (".md", ".markdown"):
            target = target.with_name(target.name + ".md")
        written = []
        try:
            for fmt, path in (("md", target), ("html", target.with_suffix(".html"))):
                if files.is_exercise_log(path):
                    literal.notify(self, f"{path} is an exercise log, which is never replaced: choose another name.", severity="error")
                    return
                files.write_atomic(path, report.render(self.session, fmt, integrity=log_integrity(self.session)))
                written.append(path)
        except OSError as exc:
            literal.notify(self, f"Could not write the report: {files.explain(exc, target)}", severity="error", timeout=15)
            return
        shown = self.query_one("#export-written", Static)
        shown.update(literal.assemble(("Written:\n", "bold $success"), "\n".join(str(p) for p in written)))
        self.written = written
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
