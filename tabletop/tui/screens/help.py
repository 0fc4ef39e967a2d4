"""Keys of the screen below, and how a turn runs."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from tabletop.tui import literal

PHASE_HELP = [
    ("brief", "read out the turn; release injects (n, N, a)"),
    ("deliberate", "seats talk; more injects may come"),
    ("decide", "bots decide at once; each human seat decides in private, then all are revealed"),
    ("adjudicate", "the engine applies decisions and resolves treaty triggers; override with o"),
    ("review", "discuss the turn's questions; space starts the next turn"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help-close")]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        parts: list[literal.Part] = [("Keys", "bold underline")]
        for binding in self.bindings:
            key = binding.key_display or binding.key
            text = binding.tooltip or binding.description
            parts += ["\n", (f"{key:>9}  ", "bold $accent"), text]
        parts += ["\n", (f"{'ctrl+p':>9}  ", "bold $accent"), "command palette: every action by name"]
        parts += ["\n", (f"{'ctrl+q':>9}  ", "bold $accent"), "quit (the log is already saved)"]
        parts += ["\n\n", ("A turn", "bold underline")]
        for phase, text in PHASE_HELP:
            parts += ["\n", (f"{phase:>10}  ", "bold"), text]
        with Vertical(classes="dialog wide"):
            yield Static("Help", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(literal.assemble(*parts))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close", compact=True)
        yield Footer(compact=True)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
