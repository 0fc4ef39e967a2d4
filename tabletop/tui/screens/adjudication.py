"""What adjudication did to the board this turn, and the questions to discuss in review."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from tabletop.model import seat_name
from tabletop.session import Session
from tabletop.tui import literal
from tabletop.tui.describe import article_text, treaty_label


def adjudication_content(session: Session, events: list[dict[str, Any]]) -> Content:
    scenario, rules = session.scenario, session.rules
    esc = rules.escalation
    postures = {p.id: p.name for p in esc.postures}
    parts: list[literal.Part] = []

    def heading(text: str) -> None:
        if parts:
            parts.append("\n\n")
        parts.append((text, "bold underline"))

    adjudicated = next((e for e in events if e.get("type") == "adjudicated"), None)
    changes = (adjudicated or {}).get("changes", {})
    heading("Tension")
    before, after = changes.get("tension", [session.state.tension, session.state.tension])
    arrow_style = "bold $error" if after > before else ("bold $success" if after < before else "bold")
    parts += [
        "\n", (f"{before} {esc.rung_name(before)}", "bold"), ("  →  ", arrow_style), (f"{after} {esc.rung_name(after)}", arrow_style),
    ]
    causes = [c for c in changes.get("causes", ()) if isinstance(c, dict)]
    for cause in causes:
        if cause.get("what") == "tension":
            parts += ["\n", ("• ", "dim"), str(cause.get("because", ""))]
    # What moved it since: the Council's votes that followed, and the facilitator's overrides (each says so, with its reason).
    for e in events:
        if e.get("type") == "council_decided" and e.get("outcome") in rules.council.effects:
            parts += ["\n", ("• then the Security Council: ", "dim"), str(e.get("because") or e.get("outcome"))]
    turn = session.state.turn
    for override in session.state.overrides:
        if override.turn == turn and override.what == "tension":
            parts += ["\n", ("• then the facilitator set tension to ", "dim"), (f"{override.value} {esc.rung_name(override.value)}", "bold"),
                      ": ", override.reason]
    if session.state.tension != after:
        parts += ["\n", (f"now {session.state.tension} {esc.rung_name(session.state.tension)}", "dim")]
    if changes.get("credibility") or changes.get("posture") or any(c.get("what") != "tension" for c in causes):
        heading("Seats")
        for seat, (old, new) in changes.get("credibility", {}).items():
            parts += ["\n", (seat_name(scenario, rules, seat), "bold"), f" credibility {old} → {new}"]
        for seat, (old, new) in changes.get("posture", {}).items():
            parts += ["\n", (seat_name(scenario, rules, seat), "bold"), f" posture {postures.get(old, old)} → {postures.get(new, new)}"]
        for cause in causes:
            what, delta = cause.get("what"), cause.get("delta")
            if what == "credibility" and isinstance(delta, int):
                parts += ["\n", ("• ", "dim"), (f"credibility {delta:+d}: ", "bold"), str(cause.get("because", ""))]
            elif what == "posture":
                to = str(cause.get("to"))
                parts += ["\n", ("• ", "dim"), (f"posture {postures.get(to, to)}: ", "bold"), str(cause.get("because", ""))]
        for override in session.state.overrides:
            if override.turn == turn and override.what in ("credibility", "posture"):
                shown = postures.get(override.value, override.value) if override.what == "posture" else override.value
                parts += ["\n", ("• the facilitator set ", "dim"), (f"{seat_name(scenario, rules, override.seat)}'s {override.what} to {shown}", "bold"),
                          ": ", override.reason]
    triggered = [e for e in events if e.get("type") == "obligation_triggered"]
    heading(f"New obligations ({len(triggered)})")
    if not triggered:
        parts += ["\n", ("None: nothing decided this turn set off a treaty article.", "dim italic")]
    for e in triggered:
        parts += [
            "\n", (f"{e['id']} {treaty_label(rules, e['treaty'])} Art. {e['article']}", "bold $warning"),
            f" {e['kind']}: {seat_name(scenario, rules, e['obligor'])} → {seat_name(scenario, rules, e['beneficiary'])} ({e['status']}, due next turn)",
            "\n", ("because: ", "dim"), e.get("because", ""),
        ]
        text = article_text(rules, e["treaty"], e["article"])
        if text:
            parts += ["\n", (text, "italic")]
    council = [e for e in events if e.get("type") == "council_decided"]
    reports = [e for e in events if e.get("type") == "report_owed"]
    if council or reports:
        heading("Security Council")
        for e in council:
            parts += ["\n", (f"draft by {seat_name(scenario, rules, e.get('draft_by'))}: {e.get('outcome')}.", "bold"), " ", e.get("because", "")]
        for e in reports:
            parts += ["\n", ("Art. 51 report owed by ", "dim"), (seat_name(scenario, rules, e.get("by")), "bold"), " ", e.get("because", "")]
    if session.turn.questions:
        heading("For discussion")
        for question in session.turn.questions:
            parts += ["\n", "• ", question]
    return literal.assemble(*parts)


class AdjudicationScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,space", "close", "Close", id="adjudication-close")]

    def __init__(self, session: Session, events: list[dict[str, Any]]) -> None:
        super().__init__()
        self.session = session
        self.events = events

    def compose(self) -> ComposeResult:
        session = self.session
        with Vertical(classes="dialog wide"):
            yield Static(literal.text(f"Adjudication: turn {session.state.turn}, {session.turn.title}"), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(adjudication_content(session, self.events))
            yield Static(Content.styled("esc closes; then o overrides (with a reason), space goes on to review.", "dim"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close", compact=True)
        yield Footer(compact=True)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
