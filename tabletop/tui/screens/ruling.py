"""Ruling on an obligation the texts leave open, as its own step: what it turns on, then the ruling and its reason.

The screen shows why the engine left it contested, the facts between the two
sides (numbered as the log numbers them), the article's words and the
scenario's guidance on rulings that cite it; then the three rulings of
tabletop/rulings.py, each with what it means for this obligation. The ruling
is one ``override`` command, so the log, replay, verify and the report carry it
with its reason.
"""

from __future__ import annotations

import attrs
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from tabletop import rulings
from tabletop.game import answers_for
from tabletop.ladder import Words
from tabletop.session import Session
from tabletop.state import OpenObligation
from tabletop.tui import literal
from tabletop.tui.commands import run_command
from tabletop.tui.describe import article_text
from tabletop.tui.widgets.fields import TextInput
from tabletop.tui.widgets.obligations import obligation_line


def rulable(session: Session) -> list[OpenObligation]:
    """The obligations a ruling can bear on: open ones and those already ruled (a ruling may be changed), not answered ones.

    Contested ones still waiting for a ruling come first: they are why the step exists.
    """
    found = [o for o in session.state.obligations.values() if o.status in ("triggered", "contested") or (o.ruling and o.status != "answered")]
    return sorted(found, key=lambda o: (not (o.status == "contested" and not o.ruling), found.index(o)))


def awaiting(session: Session) -> list[OpenObligation]:
    """Contested obligations no one has ruled on yet."""
    return [o for o in session.state.open.values() if o.status == "contested" and not o.ruling]


class RulingScreen(ModalScreen[bool]):
    """Uphold, hold to consultation only, or set aside an obligation, with a reason, after seeing what it turns on."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ruling-cancel"), Binding("ctrl+s", "rule", "Rule", id="ruling-ok")]

    def __init__(self, session: Session, obligation: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.choices = rulable(session)
        ids = [o.id for o in self.choices]
        self.current = obligation if obligation in ids else (ids[0] if ids else None)

    def compose(self) -> ComposeResult:
        session = self.session
        with Vertical(classes="dialog wide ruling"):
            yield Static("Rule on an obligation", classes="dialog-title")
            if not self.choices:
                yield Static(literal.styled("No obligation is open to a ruling.", "italic"))
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Close", id="cancel", compact=True, variant="primary")
            else:
                if len(self.choices) > 1:
                    yield Select([(obligation_line(o, session.rules, scenario=session.scenario), o.id) for o in self.choices],
                                 value=self.current, allow_blank=False, id="ruling-obligation", compact=True)
                with VerticalScroll(classes="dialog-body", id="ruling-body"):
                    yield Static(id="ruling-case")
                with Horizontal(id="ruling-row"):
                    yield Label("Ruling ")
                    yield Select([("", "")], id="ruling-choice", allow_blank=False, compact=True)
                yield Static(id="ruling-meaning")
                with Horizontal(id="reason-row"):
                    yield Label("Reason ")
                    yield TextInput(placeholder="why: the facts and the words it rests on (goes in the log)", id="ruling-reason", compact=True)
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Rule", variant="primary", id="ok", compact=True)
                    yield Button("Cancel", id="cancel", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.current is not None:
            self._show(self.current)

    def _open(self) -> OpenObligation:
        return next(o for o in self.choices if o.id == self.current)

    def _show(self, ob_id: str) -> None:
        """The case of one obligation, and the rulings it takes."""
        session = self.session
        scenario, rules, state = session.scenario, session.rules, session.state
        self.current = ob_id
        open_ob = self._open()
        ob = open_ob.obligation
        words = Words(scenario, rules)
        parts: list[literal.Part] = [] if len(self.choices) > 1 else [obligation_line(open_ob, rules, scenario=scenario), "\n\n"]
        parts += [("Why: ", "bold"), ob.because]  # (with several, the list above names the one chosen)
        if open_ob.ruling:
            reason = next((o.reason for o in reversed(state.overrides) if o.what == "obligation" and o.obligation == ob_id), "")
            parts += ["\n", ("Ruled already: ", "bold"), rulings.said(open_ob.ruling), f" ({reason})" if reason else ""]
        facts = rulings.facts_between(state, rules, ob)
        if facts:
            parts += ["\n\n", ("The facts between them", "bold")]
            for number, fact in facts:
                parts += ["\n", ("• ", "dim"), rulings.fact_line(words, number, fact)]
        text = article_text(rules, ob.treaty, ob.article)
        if text:
            treaty = rules.treaties.get(ob.treaty)
            parts += ["\n\n", (f"{treaty.label if treaty else ob.treaty} Art. {ob.article}", "bold"), "\n", (text, "italic")]
        for guide in rulings.guidance(scenario, ob):
            parts += ["\n\n", ("Guidance: ", "bold"), (guide.title, "bold"), "\n", " ".join(guide.text.split())]
        self.query_one("#ruling-case", Static).update(literal.assemble(*parts))
        self.query_one("#ruling-body", VerticalScroll).scroll_home(animate=False)
        offered = list(answers_for(rules, _upheld(open_ob)))
        self.rulings = rulings.choices(scenario, rules, open_ob, offered)
        select = self.query_one("#ruling-choice", Select)
        default = open_ob.ruling if open_ob.ruling in {c.value for c in self.rulings} else self.rulings[0].value
        select.set_options([(literal.prompt(c.label), c.value) for c in self.rulings])
        select.value = default
        self._meaning(default)

    def _meaning(self, value: object) -> None:
        choice = next((c for c in self.rulings if c.value == value), None)
        self.query_one("#ruling-meaning", Static).update(
            literal.assemble((rulings.said(choice.value).capitalize(), "bold"), ": ", (choice.meaning, "dim")) if choice else literal.text(""))

    @on(Select.Changed, "#ruling-obligation")
    def _obligation_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.current:
            self._show(event.value)

    @on(Select.Changed, "#ruling-choice")
    def _choice_changed(self, event: Select.Changed) -> None:
        self._meaning(event.value)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def action_rule(self) -> None:
        if self.current is None:
            self.dismiss(False)
            return
        value = self.query_one("#ruling-choice", Select).value
        reason = self.query_one("#ruling-reason", Input).value
        if run_command(self, self.session.override, "obligation", value, reason, obligation=self.current) is not None:
            literal.notify(self, f"{self.current} {rulings.said(str(value))}.", timeout=3)
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)



def _upheld(open_ob: OpenObligation) -> OpenObligation:
    """The obligation as upholding it would leave it: the answers it would then take are what 'uphold' means."""
    return attrs.evolve(open_ob, ruling="triggered", status="triggered")
