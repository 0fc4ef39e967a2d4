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


NUMBERS_HELP = [
    ("tension", "a rung of the escalation ladder, moved by what happens: each rung above Crisis needs its facts (an armed attack for Armed clash)"),
    ("credibility", "how far a seat's deeds match its commitments and stated red lines: up when it honours them at a cost, "
                    "down when it declines an obligation it owes or lets a red line be crossed unanswered"),
    ("posture", "the readiness a seat's decisions and answers put it in"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help-close")]

    def __init__(self, bindings: list[Binding], turn: bool = True) -> None:
        super().__init__()
        self.bindings = bindings
        self.turn = turn  # the board's help says how a turn runs; other screens' only their keys

    def compose(self) -> ComposeResult:
        parts: list[literal.Part] = [("Keys", "bold underline")]
        for binding in self.bindings:
            key = binding.key_display or binding.key
            text = binding.tooltip or binding.description
            parts += ["\n", (f"{key:>9}  ", "bold $accent"), text]
        parts += ["\n", (f"{'ctrl+p':>9}  ", "bold $accent"), "command palette: every action by name"]
        parts += ["\n", (f"{'ctrl+q':>9}  ", "bold $accent"), "quit (the log is already saved)"]
        if self.turn:
            parts += ["\n\n", ("A turn", "bold underline")]
            for phase, text in PHASE_HELP:
                parts += ["\n", (f"{phase:>10}  ", "bold"), text]
            parts += ["\n\n", ("The board's numbers", "bold underline")]
            for name, text in NUMBERS_HELP:
                parts += ["\n", (f"{name:>11}  ", "bold"), text]
        with Vertical(classes="dialog wide help"):
            yield Static("Help", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(literal.assemble(*parts))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close", compact=True)
        yield Footer(compact=True)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
