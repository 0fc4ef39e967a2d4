"""The facilitator's board: header, seat cards, situation, treaty obligations, tension, log tail.

Every key runs one Session command (or opens the dialog that does); the board
then re-reads the session's state. What entering a phase does is the
facilitation policy (tabletop.facilitation, shared with headless runs): the
board adds what the facilitator sees of it, the hot seat for human seats after
the bots have decided, and what changed once the turn is adjudicated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer

from tabletop import facilitation
from tabletop import model as m
from tabletop.session import RELEASE_PHASES, CommandError, Session
from tabletop.tui import literal
from tabletop.tui.commands import run_command
from tabletop.tui.widgets.log_tail import LogTail
from tabletop.tui.widgets.obligations import ObligationPanel
from tabletop.tui.widgets.seats import SeatCards
from tabletop.tui.widgets.situation import SituationPanel
from tabletop.tui.widgets.status import StatusLine
from tabletop.tui.widgets.tension import TensionChart, starting_tension
from tabletop.tui.widgets.timer import PhaseTimer

# The dialogs, the hot seat and the bots are imported where first used, not before the board's first frame.

ADVANCE = "Advance to the next phase (entering adjudicate adjudicates the turn)"


class BoardScreen(Screen):
    BINDINGS = [
        Binding("n", "release_next", "Inject", tooltip="Release the next scheduled inject", id="release-next"),
        Binding("N", "release_rest", "All", key_display="N", tooltip="Release the rest of this turn's scheduled injects", id="release-rest"),
        Binding("s", "pick_inject", "Standby", show=False, tooltip="Release a chosen inject, standby ones included", id="release-pick"),
        Binding("a", "adhoc", "Ad-hoc", tooltip="Write and release an ad-hoc inject", id="adhoc"),
        Binding("space", "advance", "Advance", key_display="spc", priority=True, tooltip=ADVANCE, id="advance"),
        Binding("enter", "advance", "Advance", show=False, priority=True, tooltip=ADVANCE, id="advance-enter"),
        Binding("d", "decisions", "Decide", show=False, tooltip="Open the hot seat for human seats still to decide; or show the reveal", id="decisions"),
        Binding("o", "override", "Override", tooltip="Override tension, credibility, posture or an obligation, with a reason", id="override"),
        Binding("t", "note", "Note", tooltip="Add a note to the log", id="note"),
        Binding("f", "assess", "Assess", show=False, tooltip="Rule on what a decision in a seat's own words does", id="assess"),
        Binding("p", "timer", "Timer", show=False, tooltip="Start or pause the phase timer", id="timer"),
        Binding("plus", "extend", "+1m", key_display="+", show=False, tooltip="Add a minute to the phase timer", id="extend"),
        Binding("j", "show_adjudication", "Adjudication", show=False, tooltip="Show this turn's adjudication again", id="show-adjudication"),
        Binding("e", "end", "End", show=False, tooltip="End the exercise and open the hot wash", id="end"),
        Binding("w", "hotwash", "Hot wash", show=False, tooltip="Open the hot wash (after the exercise has ended)", id="hotwash"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show the keys and how a turn runs", id="help"),
        Binding("q", "app.quit", "Quit", tooltip="Quit (the log is already saved)", id="quit"),
    ]

    def __init__(self, session: Session, minutes: int = 10) -> None:
        super().__init__()
        self.session = session
        self.minutes = minutes
        self._phase_key: tuple[int, str] | None = None
        self._start_tension: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="status-row"):
            yield StatusLine(id="status")
            yield PhaseTimer(self.minutes, id="timer")
        yield SeatCards(self.session.scenario, self.session.seats, id="seats")
        with Horizontal(id="middle"):
            yield SituationPanel(id="situation")
            yield ObligationPanel(id="obligations")
        with Horizontal(id="bottom"):
            yield TensionChart(id="tension")
            yield LogTail(id="log-tail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refresh_board()
        state = self.session.state
        if state.ended:
            self.call_after_refresh(self.action_hotwash)
        elif state.phase in ("decide", "adjudicate"):
            # A resumed exercise: finish what entering its phase still owes (the bots, the
            # adjudication), then the hot seat or what changed.
            self.call_after_refresh(self.enter_phase)

    # ----------------------------------------------------------------- view
    def refresh_board(self) -> None:
        session = self.session
        state = session.state
        scenario, rules = session.scenario, session.rules
        self.query_one(StatusLine).show(scenario, state)
        self.query_one(SeatCards).show(rules, state)
        self.query_one(SituationPanel).show(scenario, state, session.unreleased() if state.phase in RELEASE_PHASES else None)
        self.query_one(ObligationPanel).show(rules, state, scenario)
        if self._start_tension is None and state.tension_history:
            self._start_tension = starting_tension(session.events)
        self.query_one(TensionChart).show(rules, state, self._start_tension)
        self.query_one(LogTail).show(session.events, scenario, rules, state)
        key = (state.turn, state.phase)
        if self._phase_key is not None and key != self._phase_key:
            self.query_one(PhaseTimer).reset()
        self._phase_key = key

    def command(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any | None:
        """Run one session command; a refusal becomes a notification."""
        result = run_command(self, fn, *args, **kwargs)
        self.refresh_board()
        return result

    def _after_dialog(self, done: bool | None) -> None:
        self.refresh_board()

    # -------------------------------------------------------------- injects
    def action_release_next(self) -> None:
        scheduled = self.session.unreleased(include_standby=False)
        if not scheduled:
            standby = len(self.session.unreleased())
            literal.notify(self, "No scheduled inject left this turn." + (f" {standby} standby: s chooses one." if standby else ""), severity="warning")
            return
        self.command(self.session.release, scheduled[0].id)

    def action_release_rest(self) -> None:
        scheduled = self.session.unreleased(include_standby=False)
        if not scheduled:
            self.notify("No scheduled inject left this turn.", severity="warning")
            return
        for inject in scheduled:
            if self.command(self.session.release, inject.id) is None:
                break

    def action_pick_inject(self) -> None:
        if not self.session.unreleased():
            self.notify("Every inject of this turn is out.", severity="warning")
            return

        from tabletop.tui.screens.dialogs import InjectPicker

        def release(inject_id: str | None) -> None:
            if inject_id:
                self.command(self.session.release, inject_id)

        self.app.push_screen(InjectPicker(self.session), release)

    def action_adhoc(self) -> None:
        from tabletop.tui.screens.dialogs import AdhocScreen

        self.app.push_screen(AdhocScreen(self.session), self._after_dialog)

    def action_note(self) -> None:
        from tabletop.tui.screens.dialogs import NoteScreen

        self.app.push_screen(NoteScreen(self.session), self._after_dialog)

    def action_assess(self) -> None:
        from tabletop.tui.screens.dialogs import AssessScreen

        self.app.push_screen(AssessScreen(self.session), self._after_dialog)

    def action_override(self) -> None:
        from tabletop.tui.screens.dialogs import OverrideScreen

        self.app.push_screen(OverrideScreen(self.session), self._after_dialog)

    # --------------------------------------------------------------- phases
    def action_advance(self) -> None:
        session = self.session
        state = session.state
        if state.ended:
            self.action_hotwash()
            return
        if state.phase == "adjudicate" and state.turn not in state.adjudicated:
            self.enter_phase()  # entering it did not adjudicate (refused, or resumed before it could)
            return
        if state.phase == "review" and session.is_last_turn and not session.closing_owed:
            self.action_end()
            return
        if state.phase == "decide" and any(kind == "bot" and (s in session.undecided() or session.unanswered(s)) for s, kind in session.seats.items()):
            self.enter_phase()  # bots still owe a decision (their writes failed before): let them decide
            return
        if state.phase == "decide" and facilitation.pending_humans(session):
            self.next_decision()
            return
        if self.command(session.advance) is not None:
            self.enter_phase()

    def enter_phase(self) -> None:
        """What entering the phase asks (tabletop.facilitation), then what the facilitator sees of it."""
        session = self.session
        phase = session.state.phase
        if phase == "decide" and getattr(self.app, "halted", ""):
            return  # the log stopped inside a command: nothing more is written until the exercise is resumed

        def entering() -> list:
            try:
                return facilitation.enter_phase(session)
            except (CommandError, ValueError) as exc:
                if phase != "decide":
                    raise
                literal.notify(self, f"A bot could not decide: {exc}", severity="error")
                return []

        events = run_command(self, entering)  # a failed write is told as any command's; what was not done is done at the next space
        self.refresh_board()
        if events is None and phase == "decide":
            return
        if phase == "decide":
            self.next_decision()
        elif phase == "adjudicate" and events:
            from tabletop.tui.screens.adjudication import AdjudicationScreen

            self.app.push_screen(AdjudicationScreen(session, events))

    def adjudicate(self) -> None:
        """Adjudicate the turn and show what changed: for a board whose session is elsewhere (tui/remote.py).

        The local board reaches this through enter_phase and the facilitation policy.
        """
        from tabletop.tui.screens.adjudication import AdjudicationScreen

        events = self.command(self.session.adjudicate)
        if events:
            self.app.push_screen(AdjudicationScreen(self.session, events))

    def next_decision(self) -> None:
        """Hand the keyboard to the next human seat that owes something; reveal when none does."""
        from tabletop.tui.screens.decide import DecisionScreen, HandoverScreen, RevealScreen

        session = self.session
        pending = facilitation.pending_humans(session)
        if not pending:
            if session.state.phase == "decide" and not session.undecided() and not session.unanswered():
                self.app.push_screen(RevealScreen(session))
            return
        seat = pending[0]
        name = session.scenario.seats[seat].name

        def decided(done: bool | None) -> None:
            self.refresh_board()
            if done:
                self.next_decision()

        def ready(go: bool | None) -> None:
            if go:
                self.app.push_screen(DecisionScreen(session, seat), decided)
            else:
                literal.notify(self, f"{name} has not decided yet: d opens the hot seat again.")

        self.app.push_screen(HandoverScreen(seat, name), ready)

    def action_decisions(self) -> None:
        if self.session.state.phase != "decide":
            literal.notify(self, f"Seats decide in the decide phase; this is {self.session.state.phase}.", severity="warning")
            return
        self.next_decision()

    def action_show_adjudication(self) -> None:
        from tabletop.tui.screens.adjudication import AdjudicationScreen

        session = self.session
        events = session.events
        start = next((i for i, e in enumerate(events) if e.get("type") == "adjudicated" and e.get("turn") == session.state.turn), None)
        if start is None:
            self.notify("This turn has not been adjudicated yet.", severity="warning")
            return
        derived = ("obligation_triggered", "council_decided", "report_owed")
        end = start + 1
        while end < len(events) and events[end].get("type") in derived:
            end += 1
        self.app.push_screen(AdjudicationScreen(session, events[start:end]))

    def action_end(self) -> None:
        from tabletop.tui.screens.dialogs import ConfirmScreen

        session = self.session
        if session.state.ended:
            self.action_hotwash()
            return
        last = session.is_last_turn and session.state.phase == "review"
        if last and session.closing_owed:
            owed = ", ".join(f"{o.id} ({m.seat_name(session.scenario, session.rules, o.obligation.obligor)})" for o in session.state.open.values())

            def end_anyway(yes: bool | None) -> None:
                if yes and self.command(session.end, "ended with obligations still owed") is not None:
                    self.action_hotwash()

            def closing(yes: bool | None) -> None:
                if yes and self.command(session.advance) is not None:
                    self.enter_phase()
                elif not yes:  # nothing irreversible on one key: ending without the round asks again
                    self.app.push_screen(ConfirmScreen(f"End now, with {owed} unanswered? The report will list them as unanswered.",
                                                       yes="End now", no="Not yet"), end_anyway)

            self.app.push_screen(ConfirmScreen(
                f"Obligations raised at the end are still owed: {owed}. Play the closing response round (each answers, then a last adjudication) before ending?",
                yes="Closing round", no="End without it"), closing)
            return
        question = "End the exercise and open the hot wash?" if last else "End the exercise now, before the last turn is played?"

        def confirmed(yes: bool | None) -> None:
            if yes and self.command(session.end, "all turns played" if last else "ended by the facilitator") is not None:
                self.action_hotwash()

        self.app.push_screen(ConfirmScreen(question, yes="End exercise", no="Not yet"), confirmed)

    def action_hotwash(self) -> None:
        if not self.session.state.ended:
            self.notify("The hot wash opens once the exercise has ended (e).", severity="warning")
            return
        from tabletop.tui.screens.hotwash import HotWashScreen

        self.app.push_screen(HotWashScreen(self.session))

    # ------------------------------------------------------------ the rest
    def action_timer(self) -> None:
        running = self.query_one(PhaseTimer).toggle()
        self.notify("Timer running." if running else "Timer paused.", timeout=2)

    def action_extend(self) -> None:
        self.query_one(PhaseTimer).extend(60)

    def action_help(self) -> None:
        from tabletop.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen([b for b in self.BINDINGS if isinstance(b, Binding) and b.id != "advance-enter"]))
