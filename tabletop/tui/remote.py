"""The TUI against a server (``tabletop join``): the facilitator's console, a seat's team, the projector view.

The screens are the local ones (the board, the private decision screen, the
hot wash) fed by a :class:`~tabletop.serve.client.RemoteSession`, which has a
Session's read API and sends commands over the socket. What each role sees was
decided on the server; these screens only draw it.

* The facilitator's console is the board with the same keys, who is connected
  in its title line, and ``h`` to hand a seat to a bot, to the hot seat on this
  machine, or back to its team.
* A seat's screen is the board, read-only, and its own decision screen, which
  opens by itself when the decide phase does (``d`` opens it again).
* The projector view is the board, read-only.
"""

from __future__ import annotations

import asyncio
from functools import partial

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tabletop import model as m
from tabletop.game import CONTROLS
from tabletop.serve.client import JoinError, RemoteSession
from tabletop.tui import literal
from tabletop.tui.app import TabletopApp, _start_up_drawn
from tabletop.tui.commands import run_command
from tabletop.tui.screens.board import BoardScreen
from tabletop.tui.widgets.status import StatusLine

HANDS = {"human": "its team's own client", "bot": "a bot on the server", "hotseat": "the hot seat on this machine"}  # CONTROLS, as the console says them


class RemoteBoard(BoardScreen):
    """The board of a joined exercise: a title line saying who this is and whether the link is up."""

    who = ""

    def refresh_board(self) -> None:
        super().refresh_board()
        session: RemoteSession = self.session  # type: ignore[assignment]  # the board's session is the link's
        link = "" if session.connected else "  RECONNECTING..."
        self.query_one(StatusLine).show(
            session.scenario, session.state, prefix=self.who + link, advance_hint=self.advance_hint, note=self.note(),
        )

    advance_hint = False

    def note(self) -> Content | None:
        return None

    def enter_phase(self) -> None:
        """The server plays the bots; here only the keyboard's own part."""
        return None


class FacilitatorConsole(RemoteBoard):
    """Today's board, its keys, and who is connected (as the server's heartbeat sees it)."""

    BINDINGS = [
        *BoardScreen.BINDINGS,
        Binding("h", "hand_over", "Seats", tooltip="Hand a seat to a bot, to the hot seat here, or back to its team", id="hand-over"),
    ]
    # Room for h in 80 columns: the timer's own line says "p start", and t still works (? lists it).
    FOOTER_HIDDEN = frozenset({"timer", "note"})
    who = "FACILITATOR"
    _seen_adjudicated: int | None = None  # the turn whose adjudication this console has shown
    advance_hint = True

    def note(self) -> Content | None:
        session: RemoteSession = self.session  # type: ignore[assignment]  # the board's session is the link's
        seats = (session.link.presence or {}).get("seats") or {}
        parts: list[literal.Part] = []
        for seat, info in seats.items():
            control = info.get("control")
            if control == "bot":
                mark, style = "bot", "dim"
            elif control == "hotseat":
                mark, style = "here", "$accent"
            elif not session.connected:
                mark, style = "?", "dim"  # this console is not connected: it does not know who is
            else:
                mark, style = ("on" if info.get("connected") else "OFF"), ("$success" if info.get("connected") else "bold $error")
            parts += [(f"{seat}:", "dim"), (mark, style), " "]
        return literal.assemble(*parts) if parts else None

    def enter_phase(self) -> None:
        """The server did what entering the phase asks (the facilitation policy, before the advance was acknowledged); here what is left.

        In *decide*, the hot seat for the seats handed to this machine; in
        *adjudicate*, what the server's adjudication changed (or, if the server
        could not adjudicate on entering, asking it again).
        """
        state = self.session.state
        if state.phase == "decide":
            self.next_decision()
        elif state.phase == "adjudicate":
            if state.turn not in state.adjudicated:
                self.adjudicate()
            elif state.turn != self._seen_adjudicated:  # not when the console opens on a turn adjudicated before (j shows it)
                self.action_show_adjudication()
            self._seen_adjudicated = state.turn

    def on_mount(self) -> None:
        # Before BoardScreen's on_mount (Textual calls both, this class's first), which enters the phase.
        state = self.session.state
        self._seen_adjudicated = state.turn if state.turn in state.adjudicated else None

    def action_hand_over(self) -> None:
        self.app.push_screen(HandOver(self.session), self._after_dialog)  # type: ignore[arg-type]  # RemoteSession stands in for Session: the same methods, over the link


class SeatBoard(RemoteBoard, inherit_bindings=False):
    """A team's own screen: the board as its seat may see it, and its private decision screen.

    Not the facilitator's keys (the server would refuse them): only its own.
    """

    BINDINGS = [
        *Screen.BINDINGS,
        Binding("d", "decisions", "Decide", tooltip="Open your decision for this turn", id="seat-decide"),
        Binding("j", "show_adjudication", "Adjudication", show=False, tooltip="Show this turn's adjudication again", id="seat-adjudication"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show the keys", id="seat-help"),
        Binding("q", "app.quit", "Quit", tooltip="Leave (the server keeps the exercise)", id="seat-quit"),
    ]

    def __init__(self, session: RemoteSession, seat: str) -> None:
        super().__init__(session)  # type: ignore[arg-type]  # RemoteSession stands in for Session: the same methods, over the link
        self.seat = seat
        self.who = f"{session.scenario.seats[seat].name} team"
        self._opened_for: int | None = None

    def on_mount(self) -> None:
        self.refresh_board()
        self.call_after_refresh(self.maybe_decide)

    def changed(self) -> None:
        self.refresh_board()
        self.maybe_decide()

    def owes(self) -> bool:
        session = self.session
        return session.state.phase == "decide" and not session.state.ended and (
            self.seat in session.undecided() or bool(session.unanswered(self.seat))
        )

    def maybe_decide(self) -> None:
        """Open the decision screen once when this turn's decide phase opens and the seat owes something."""
        state = self.session.state
        if self.owes() and self._opened_for != state.turn and self.app.screen is self:
            self._opened_for = state.turn
            self.action_decisions()

    def action_decisions(self) -> None:
        from tabletop.tui.screens.decide import DecisionScreen

        if not self.owes():
            phase = self.session.state.phase
            literal.notify(self, "Your decision for this turn is in." if phase == "decide" else f"Seats decide in the decide phase; this is {phase}.")
            return
        self.app.push_screen(DecisionScreen(self.session, self.seat), self._after_dialog)

    def action_advance(self) -> None:
        return None


class ProjectorBoard(RemoteBoard, inherit_bindings=False):
    """The board for the room: public information only, nothing to press but help and quit."""

    BINDINGS = [
        *Screen.BINDINGS,
        Binding("j", "show_adjudication", "Adjudication", show=False, tooltip="Show this turn's adjudication again", id="view-adjudication"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show the keys", id="view-help"),
        Binding("q", "app.quit", "Quit", tooltip="Close the view", id="view-quit"),
    ]
    who = "PROJECTOR"

    def on_mount(self) -> None:
        self.refresh_board()

    def action_advance(self) -> None:
        return None


class HandOver(ModalScreen[bool]):
    """Choose a seat and who plays it from now on; the server logs the change."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="hand-over-cancel")]

    def __init__(self, session: RemoteSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        session = self.session
        seats = (session.link.presence or {}).get("seats") or {}
        choices = []
        for seat, info in seats.items():
            name = m.seat_name(session.scenario, session.rules, seat)
            for to in CONTROLS:
                if info.get("control") != to:
                    choices.append(Option(literal.text(f"{name} → {HANDS[to]}"), id=f"{seat}:{to}"))
        with Vertical(classes="dialog"):
            yield Static(literal.text("Hand a seat over (logged, and shown to everyone)"), classes="dialog-title")
            yield OptionList(*choices, id="hand-over")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (esc)", id="cancel", compact=True)

    @on(OptionList.OptionSelected, "#hand-over")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        seat, _, to = (event.option.id or "").partition(":")
        if run_command(self, self.session.hand_over, seat, to) is not None:
            code = self.session.new_codes.pop(seat, None)
            name = m.seat_name(self.session.scenario, self.session.rules, seat)
            literal.notify(self, f"{name} is played by {HANDS[to]} from now on." + (f" Its team joins with the code {code}." if code else ""),
                           timeout=30 if code else 5)
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class JoinScreen(Screen):
    """Asks for the join code (``tabletop join URL`` without one, as the browser page runs it)."""

    DEFAULT_CSS = "JoinScreen { align: center middle; } JoinScreen > .dialog { width: 70; height: auto; }"

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="join-quit")]

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal.text(f"Join the exercise at {self.url}"), classes="dialog-title")
            yield Static(literal.text("Your team's join code, or the facilitator's (from the facilitator):"))
            yield Input(placeholder="join code", password=True, id="code")
            yield Static("", id="join-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Join", variant="primary", id="join", compact=True)
                yield Button("Projector view", id="view", compact=True)

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#join")
    def _join(self) -> None:
        code = self.query_one("#code", Input).value.strip()
        if not code:
            self.query_one("#join-error", Static).update(literal.styled("Type the code first.", "bold $error"))
            return
        self._connect(code, False)

    @on(Button.Pressed, "#view")
    def _view(self) -> None:
        self._connect(None, True)

    def _connect(self, code: str | None, view: bool) -> None:
        self.query_one("#join-error", Static).update(literal.styled("Connecting...", "dim"))
        for button in self.query(Button):
            button.disabled = True
        self.run_worker(partial(self._connecting, code, view), thread=True, exclusive=True)

    def _connecting(self, code: str | None, view: bool) -> None:
        try:
            remote = RemoteSession(self.url, code=code, view=view).connect()
        except JoinError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.app.joined, remote)  # type: ignore[attr-defined]  # the join screen is RemoteApp's alone

    def _refused(self, message: str) -> None:
        self.query_one("#join-error", Static).update(literal.styled(message, "bold $error"))
        for button in self.query(Button):
            button.disabled = False
        self.query_one("#code", Input).focus()


class Redraw(Message):
    """Something came from the server: draw it (posted from the link's thread)."""


class RemoteApp(TabletopApp):
    """The app over a joined exercise; redraws when the server sends something."""

    def __init__(self, remote: RemoteSession | None = None, url: str | None = None) -> None:
        super().__init__()
        self.remote = remote
        self.url = url
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due = False
        self._was_connected = remote.connected if remote is not None else False

    def get_default_screen(self) -> Screen:
        if self.remote is None:
            return Screen()  # under the join screen, which the role's screen will replace
        return self._role_screen(self.remote)

    def _role_screen(self, remote: RemoteSession) -> Screen:
        role = remote.role
        if role.get("kind") == "facilitator":
            return FacilitatorConsole(remote)  # type: ignore[arg-type]  # RemoteSession stands in for Session: the same methods, over the link
        if role.get("kind") == "seat":
            return SeatBoard(remote, role["seat"])
        return ProjectorBoard(remote)  # type: ignore[arg-type]  # RemoteSession stands in for Session, as above

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # not TabletopApp's: there is no start screen here
        self.call_after_refresh(_start_up_drawn)
        self._loop = asyncio.get_running_loop()
        if self.remote is not None:
            self.remote.add_listener(self._from_link)
        else:
            self.push_screen(JoinScreen(self.url or ""))

    def joined(self, remote: RemoteSession) -> None:
        """The join screen got in: the role's screen takes its place."""
        self.remote = remote
        self._was_connected = remote.connected
        remote.add_listener(self._from_link)
        self.switch_screen(self._role_screen(remote))

    def _from_link(self, kind: str) -> None:
        # On the link's thread: ask the app to redraw, once for a burst of frames. A message, not a bare
        # callback on the app's loop: its handler runs in the app's context (a screen pushed from a bare
        # callback has no active app and fails to compose).
        if self._loop is None or self._due:
            return
        self._due = True
        try:
            self.post_message(Redraw())
        except RuntimeError:  # the app has closed
            pass

    def on_redraw(self, message: Redraw) -> None:
        self._redraw()

    def _redraw(self) -> None:
        self._due = False
        if self.remote is None:
            return
        connected = self.remote.connected
        if connected != self._was_connected:
            self._was_connected = connected
            if connected:
                literal.notify(self, "Reconnected to the server.")
            elif self.remote.link.fatal:
                literal.notify(self, self.remote.link.fatal, severity="error", timeout=30)
            else:
                literal.notify(self, "Connection to the server lost; reconnecting...", severity="warning")
        for screen in self.screen_stack:
            if isinstance(screen, SeatBoard):
                screen.changed()
            elif isinstance(screen, BoardScreen):
                screen.refresh_board()
        while self.remote.link.errors:
            frame = self.remote.link.errors.pop(0)
            literal.notify(self, str(frame.get("message")), severity="error")

    def on_unmount(self) -> None:
        if self.remote is not None:
            self.remote.close()


def run_remote(session: RemoteSession | None, url: str | None = None) -> int:
    """``tabletop join``: the app for the role the server gave this client (or, without a session, the join screen)."""
    app = RemoteApp(session, url)
    try:
        return int(app.run() or 0)
    finally:
        if app.remote is not None:
            app.remote.close()
