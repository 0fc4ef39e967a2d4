"""The hot wash: the exercise at a glance once it has ended, and the after-action report export."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from tabletop import paths
from tabletop.model import seat_name
from tabletop.session import Session
from tabletop.tui import literal
from tabletop.tui.describe import override_text
from tabletop.tui.screens.decide import decisions_content
from tabletop.tui.widgets.obligations import obligation_line
from tabletop.tui.widgets.situation import inject_content, released_injects
from tabletop.tui.widgets.status import StatusLine
from tabletop.tui.widgets.tension import TensionChart, starting_tension


def log_integrity(session: Session) -> tuple[tuple[str, str], ...]:
    """The log's head hash and its signer (report.integrity_rows), read back from the log as verify reads it."""
    from tabletop import log as logmod
    from tabletop import report, signing

    if session.writer is None:
        return (("Log", "none: this exercise was not logged"),)
    try:
        return report.integrity_rows(signing.check(logmod.read(session.writer.path)))
    except (logmod.LogError, signing.SigningError) as exc:
        return (("Log", f"cannot be checked: {exc}"),)


def report_path(session: Session) -> Path:
    """Next to the log, with the log's name; without a log, in the logs folder."""
    if session.writer is not None:
        return Path(session.writer.path).with_suffix(".md")
    return paths.logs_dir() / f"{session.scenario.id}-report.md"


class HotWashScreen(Screen):
    BINDINGS = [
        Binding("x", "export", "Export report", tooltip="Write the after-action report (Markdown and HTML), by default next to the log", id="export"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show the keys", id="hotwash-help"),
        Binding("escape", "back", "Board", tooltip="Back to the board", id="back"),
        Binding("q", "app.quit", "Quit", tooltip="Quit (the log is already saved)", id="hotwash-quit"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.integrity = log_integrity(session)

    def compose(self) -> ComposeResult:
        session = self.session
        scenario, rules, state = session.scenario, session.rules, session.state
        yield StatusLine(id="status")
        with VerticalScroll(id="hotwash-body"):
            lines = [Content.styled("The log, to note for later checks", "bold underline")]
            lines += [literal.assemble((f"{label}: ", "bold"), value) for label, value in self.integrity]
            yield Static(literal.join("\n", lines), classes="hotwash-section", id="hotwash-integrity")
            yield Static(Content.styled("Tension over the exercise", "bold underline"))
            yield TensionChart(id="hotwash-tension")
            timeline: list[Content] = [Content.styled("Timeline of injects", "bold underline")]
            turn = None
            for inject in released_injects(scenario, state):
                if inject.turn != turn:
                    turn = inject.turn
                    timeline.append(literal.styled(f"Turn {turn}: {scenario.turn(turn).title}", "bold $accent"))
                timeline.append(inject_content(inject, scenario, session.rules, with_text=False))
            yield Static(literal.join("\n", timeline), classes="hotwash-section")
            for t in scenario.turns:
                if t.id in state.decisions and state.decisions[t.id]:
                    yield Static(literal.styled(f"Decisions, turn {t.id}: {t.title}", "bold underline"))
                    yield Static(decisions_content(session, t.id), classes="hotwash-section")
            if state.obligations:
                lines = [Content.styled("Treaty obligations", "bold underline")]
                lines += [obligation_line(o, rules, scenario=session.scenario)
                          for o in state.obligations.values() if o.status != "withheld"]  # withheld: not this client's to see
                yield Static(literal.join("\n", lines), classes="hotwash-section")
            if state.overrides or state.notes:
                lines = [Content.styled("Overrides and notes", "bold underline")]
                lines += [literal.text(f"turn {o.turn}: " + override_text(o.what, o.value, seat_name(scenario, rules, o.seat), o.obligation, o.reason))
                          for o in state.overrides]
                lines += [literal.text(f"turn {n.turn}: {n.text}") for n in state.notes]
                yield Static(literal.join("\n", lines), classes="hotwash-section")
            questions = [Content.styled("For the hot wash", "bold underline")]
            for t in scenario.turns:
                questions += [literal.text(f"• {q}") for q in t.questions]
            yield Static(literal.join("\n", questions), classes="hotwash-section")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        session = self.session
        self.query_one(StatusLine).show(session.scenario, session.state, prefix="Hot wash", advance_hint=False)
        self.query_one(TensionChart).show(session.rules, session.state, starting_tension(session.events))

    def action_export(self) -> None:
        """The after-action report, Markdown to edit and one HTML file to hand out: beside the log unless told otherwise."""
        from tabletop.tui.screens.dialogs import ExportScreen

        self.app.push_screen(ExportScreen(self.session, report_path(self.session)))

    def action_help(self) -> None:
        from tabletop.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen([b for b in self.BINDINGS if isinstance(b, Binding)]))

    def action_back(self) -> None:
        self.dismiss()
