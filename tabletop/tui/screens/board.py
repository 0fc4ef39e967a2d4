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

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, OptionList

from tabletop import facilitation
from tabletop.session import RELEASE_PHASES, CommandError, Session
from tabletop.tui import literal
from tabletop.tui.app import TabletopApp
from tabletop.tui.commands import run_command
from tabletop.tui.widgets.log_tail import LogTail
from tabletop.tui.widgets.obligations import ObligationPanel, obligation_line
from tabletop.tui.widgets.seats import SeatCards
from tabletop.tui.widgets.situation import SituationPanel
from tabletop.tui.widgets.status import StatusLine
from tabletop.tui.widgets.tension import TensionChart, starting_tension
from tabletop.tui.widgets.timer import PhaseTimer

# The dialogs, the hot seat and the bots are imported where first used, not before the board's first frame.

ADVANCE = "Advance to the next phase (entering adjudicate adjudicates the turn)"


# Where each board key works: the keys of its phase and those of every phase. A key pressed
# elsewhere says where it works (action_key).
PHASE_KEYS = {
    "brief": {"release_next", "release_rest", "pick_inject", "adhoc"},
    "deliberate": {"release_next", "release_rest", "pick_inject", "adhoc"},
    "decide": {"decisions", "assess"},
    "adjudicate": {"assess", "show_adjudication"},
    "review": {"show_adjudication"},
}
EVERY_PHASE = {"advance", "override", "rule", "note", "timer", "extend", "retract", "report", "end", "help", "quit"}
ENDED_KEYS = {"hotwash", "report", "retract", "help", "quit"}
# What the footer shows in each phase: what matters there, in at most 78 columns so that all of it shows
# at 80 (a test adds the widths up). Every key still works where PHASE_KEYS says, and ? lists them all.
# ``assess`` shows only when a seat decided in its own words this turn, ``rule`` only while a
# contested obligation waits for a ruling (see footer_shows).
FOOTER_KEYS = {
    "brief": {"release_next", "release_rest", "pick_inject", "adhoc", "rule", "advance", "timer", "help", "quit"},
    "deliberate": {"release_next", "release_rest", "pick_inject", "adhoc", "rule", "advance", "timer", "help", "quit"},
    "decide": {"decisions", "assess", "rule", "advance", "timer", "extend", "note", "help", "quit"},
    "adjudicate": {"assess", "show_adjudication", "rule", "override", "advance", "retract", "note", "help", "quit"},
    "review": {"show_adjudication", "rule", "override", "report", "advance", "timer", "end", "help", "quit"},
    "ended": {"hotwash", "report", "retract", "help", "quit"},
}


def twinned(bindings: list[Binding]) -> list[BindingType]:
    """The bindings, then each one's hidden twin (see BoardScreen.check_action), which runs only when the shown one may not."""
    return [*bindings, *(Binding(b.key, f"key({b.action!r})", show=False, priority=b.priority, id=f"{b.id}-any") for b in bindings)]


class BoardScreen(Screen):
    app = getters.app(TabletopApp)  # typed: the methods of tabletop's own app (halted, ...)
    BINDINGS = twinned([
        Binding("n", "release_next", "Inject", tooltip="Release the next scheduled inject", id="release-next"),
        Binding("N", "release_rest", "All", key_display="N", tooltip="Release the rest of this turn's scheduled injects", id="release-rest"),
        Binding("s", "pick_inject", "Standby", tooltip="Release a chosen inject, standby ones included", id="release-pick"),
        Binding("a", "adhoc", "Ad-hoc", tooltip="Write and release an ad-hoc inject", id="adhoc"),
        Binding("d", "decisions", "Decide", tooltip="Open the hot seat for human seats still to decide; or show the reveal", id="decisions"),
        Binding("f", "assess", "Assess", tooltip="Rule on what a decision in a seat's own words does", id="assess"),
        Binding("j", "show_adjudication", "Adjud.", tooltip="Show this turn's adjudication again", id="show-adjudication"),
        Binding("w", "hotwash", "Hot wash", tooltip="Open the hot wash (after the exercise has ended)", id="hotwash"),
        Binding("space", "advance", "Advance", key_display="spc", priority=True, tooltip=ADVANCE, id="advance"),
        Binding("enter", "advance", "Advance", show=False, priority=True, tooltip=ADVANCE, id="advance-enter"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show the keys and how a turn runs", id="help"),
        Binding("u", "retract", "Undo", tooltip="Take back the last command, with a reason (logged as retracted)", id="retract"),
        Binding("o", "override", "Override", tooltip="Override tension, a seat's credibility or posture, with a reason", id="override"),
        Binding("r", "rule", "Rule", tooltip="Rule on a contested obligation: uphold, consult only or set aside, with the facts and the article", id="rule"),
        Binding("t", "note", "Note", tooltip="Add a note to the log", id="note"),
        Binding("p", "timer", "Timer", tooltip="Start or pause the phase timer", id="timer"),
        Binding("plus", "extend", "+1m", key_display="+", tooltip="Add a minute to the phase timer", id="extend"),
        Binding("x", "report", "Report", tooltip="Write the report so far (sealed decisions stay sealed), beside the log or where you say", id="report"),
        Binding("e", "end", "End", tooltip="End the exercise and open the hot wash", id="end"),
        # Last: at 80 columns the footer cuts from the right, and q is the key a facilitator needs least (? lists it, ctrl+q too).
        Binding("q", "quit", "Quit", tooltip="Quit (the log is already saved; asks first in mid-exercise)", id="quit"),
    ])

    def __init__(self, session: Session, minutes: int = 10) -> None:
        super().__init__()
        self.session = session
        self.minutes = minutes
        self._phase_key: tuple[int, str] | None = None
        self._start_tension: int | None = None
        self._footer: tuple[str, ...] = ()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A shown key runs its action; one the footer does not show falls through to its twin, ``key(...)``.

        Each board key is bound twice: once shown (enabled only where the footer
        shows it) and once hidden, as ``key('action')``, which runs the action where
        it works and otherwise says where it does. So the footer holds what matters
        in this phase and fits 80 columns, and no key is ever silently dead.
        """
        if action == "key" or action not in BOARD_ACTIONS:  # the twins; a subclass's own key (the console's hand-over)
            return True
        return self.footer_shows(action)

    def works(self, action: str) -> bool:
        state = self.session.state
        if state.ended:
            return action in ENDED_KEYS
        return action in EVERY_PHASE or action in PHASE_KEYS.get(state.phase, set())

    FOOTER_HIDDEN: frozenset[str] = frozenset()  # a subclass's room for its own keys in 80 columns

    def footer_shows(self, action: str) -> bool:
        state = self.session.state
        if action in self.FOOTER_HIDDEN or not self.works(action) or action not in FOOTER_KEYS.get("ended" if state.ended else state.phase, set()):
            return False
        if action == "assess":
            return any(d.free for d in state.decisions.get(state.turn, {}).values())
        if action == "rule":
            from tabletop.tui.screens.ruling import awaiting

            return bool(awaiting(self.session))
        return True

    def action_key(self, action: str) -> None:
        """A board key the footer does not show: its action where it works, else a word on where it does."""
        if self.works(action):
            getattr(self, f"action_{action}")()
            return
        binding = BY_ACTION[action]
        state = self.session.state
        if state.ended:
            where = "while the exercise runs"
        else:
            phases = [p for p, keys in PHASE_KEYS.items() if action in keys]
            where = "once the exercise has ended" if not phases else "in the " + " and ".join(phases) + " phase" + ("s" if len(phases) > 1 else "")
        now = "the exercise has ended" if state.ended else f"this is the {state.phase} phase"
        literal.notify(self, f"{binding.key_display or binding.key} ({binding.description}) works {where}; {now}.", severity="warning", timeout=4)

    def phase_minutes(self) -> int:
        """The current phase's length: the turn's own timing, else the scenario's (facilitation.minutes), else the chosen default."""
        session = self.session
        phase = session.state.phase
        try:
            turn = session.turn
        except KeyError:
            return self.minutes
        own = turn.minutes.get(phase)
        if own is None:
            own = session.scenario.facilitation.minutes.get(phase)
        return own if own is not None else int(session.header.get("minutes", self.minutes))

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
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p is in the help (?): the footer's width goes to the board's keys

    def on_mount(self) -> None:
        self.query_one(PhaseTimer).reset(self.phase_minutes())
        self.refresh_board()
        self.restore_timer()
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
        self.query_one(SituationPanel).show(scenario, rules, state, session.unreleased() if state.phase in RELEASE_PHASES else None)
        self.query_one(ObligationPanel).show(rules, state, scenario)
        if self._start_tension is None and state.tension_history:
            self._start_tension = starting_tension(session.events)
        self.query_one(TensionChart).show(rules, state, self._start_tension)
        self.query_one(LogTail).show(session.events, scenario, rules, state)
        key = (state.turn, state.phase)
        if self._phase_key is not None and key != self._phase_key:
            self.query_one(PhaseTimer).reset(self.phase_minutes())
            if self.session.header.get("timer_autostart") and not state.ended and state.phase != "setup":
                self.action_timer(quiet=True)
        footer = tuple(a for a in BY_ACTION if self.footer_shows(a))  # the phase's keys, and rule/assess as they come and go
        if footer != self._footer:
            self._footer = footer
            self.refresh_bindings()
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

    def _withheld(self, choice: str | None) -> None:
        """The answer to 'advance with scheduled injects unreleased?': release, keep as standby, drop (each logged), or stay."""
        session = self.session
        scheduled = [i.id for i in session.unreleased(include_standby=False)]
        if choice == "release":
            self.action_release_rest()
            literal.notify(self, "Released. Space advances when the room has read them.")
        elif choice in ("standby", "drop") and scheduled:
            if self.command(session.withhold, scheduled, choice) is not None:
                self.action_advance()

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

    def action_rule(self, obligation: str | None = None) -> None:
        """The ruling step: a contested obligation's facts, article and guidance, then uphold, consult only or set aside."""
        from tabletop.tui.screens.ruling import RulingScreen, awaiting, rulable

        choices = rulable(self.session)
        if not choices:
            literal.notify(self, "No obligation is open to a ruling.", severity="warning")
            return
        # The one highlighted in the obligations panel, unless another still waits for a ruling and it does not.
        panel = self.query_one("#obligation-list", OptionList).highlighted_option
        here = next((o for o in choices if panel is not None and o.id == panel.id), None)
        if obligation is None and here is not None and (not awaiting(self.session) or here in awaiting(self.session)):
            obligation = here.id
        self.app.push_screen(RulingScreen(self.session, obligation), self._after_dialog)

    # --------------------------------------------------------------- phases
    def action_advance(self) -> None:
        session = self.session
        state = session.state
        if state.ended:
            self.action_hotwash()
            return
        scheduled = session.unreleased(include_standby=False) if state.phase in RELEASE_PHASES else []
        if scheduled:  # leaving the release phases would lose them without a word: ask
            from tabletop.tui.screens.dialogs import Choice, ChoiceScreen

            titles = [literal.assemble(("• ", "dim"), i.title) for i in scheduled]
            self.app.push_screen(ChoiceScreen(
                f"{len(scheduled)} scheduled inject(s) of this turn not released yet: release them now, "
                "keep them as standby, or drop them?", titles,
                [Choice("release", "Release", "r", primary=True), Choice("standby", "Standby", "s"),
                 Choice("drop", "Drop", "d"), Choice("cancel", "Cancel", "n")],
                note="Standby ones stay for s to release by choice; dropped ones are never released. Either is logged.",
            ), self._withheld)
            return
        if facilitation.owed(session):
            self.enter_phase()  # entering it did not finish (refused, a write failed, or resumed before it could)
            return
        if facilitation.at_end(session):
            self.action_end()
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
        if phase == "decide" and self.app.halted:
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

    def end_choices(self) -> tuple[str, list[Any], list[Any]]:
        """The question before the end, what is still open (obligations triggered or contested), and the choices.

        A choice is a dialogs.Choice; :meth:`ended_with` carries out the one taken.
        To offer another (a closing response round for the answers still owed),
        add its Choice here and its branch in ended_with.
        """
        from tabletop.tui.screens.dialogs import Choice

        session = self.session
        last = session.is_last_turn and session.state.phase == "review"
        scenario, rules = session.scenario, session.rules
        open_obs = [o for o in session.state.open.values()]
        lines: list[Any] = []
        for o in open_obs:
            lines.append(literal.assemble(("• ", "dim"), obligation_line(o, rules, scenario=scenario)))
        if open_obs:
            contested = sum(1 for o in open_obs if o.status == "contested")
            question = (f"{len(open_obs)} obligation(s) still open" + (f", {contested} contested" if contested else "")
                        + (": end the exercise anyway?" if last else ": end the exercise now, before the last turn is played?"))
            choices = [Choice("end", "End anyway", "y"), Choice("cancel", "Cancel", "n", primary=True)]
            if last and session.closing_owed:  # the closing response round: each answers, then a last adjudication
                choices = [Choice("closing", "Closing response round", "c", primary=True), Choice("end", "End anyway", "y"),
                           Choice("cancel", "Cancel", "n")]
        else:
            question = "End the exercise and open the hot wash?" if last else "End the exercise now, before the last turn is played?"
            choices = [Choice("end", "End exercise", "y", primary=True), Choice("cancel", "Not yet", "n")]
        return question, lines, choices

    def ended_with(self, choice: str | None) -> None:
        session = self.session
        last = session.is_last_turn and session.state.phase == "review"
        if choice == "closing":
            if self.command(session.advance) is not None:
                self.enter_phase()
            return
        if choice != "end":
            return
        reason = "ended by the facilitator"
        if last:
            reason = "ended with obligations still owed" if session.state.open_ids else "all turns played"
        if self.command(session.end, reason) is not None:
            self.action_hotwash()

    def action_end(self) -> None:
        from tabletop.tui.screens.dialogs import ChoiceScreen

        session = self.session
        if session.state.ended:
            self.action_hotwash()
            return
        question, lines, choices = self.end_choices()
        note = "Open obligations stay unanswered in the log and the report." if lines else ""
        self.app.push_screen(ChoiceScreen(question, lines, choices, note=note), self.ended_with)

    def action_quit(self) -> None:
        """Quit; in mid-exercise, ask first (the log is saved: the exercise can be resumed)."""
        from tabletop.tui.screens.dialogs import Choice, ChoiceScreen

        session = self.session
        writer = getattr(session, "writer", None)
        if session.state.ended or writer is None:
            self.quit_now()
            return
        where = f" ({writer.path})"
        self.app.push_screen(ChoiceScreen(
            f"Quit in the middle of turn {session.state.turn}?",
            [literal.text(f"Everything so far is saved in the log{where}. Resume it from the start screen, or with 'tabletop play --log PATH'.")],
            [Choice("quit", "Quit", "y"), Choice("stay", "Stay", "n", primary=True)],
        ), lambda choice: self.quit_now() if choice == "quit" else None)

    def quit_now(self) -> None:
        timer = self.query_one(PhaseTimer)
        if timer.running and not self.session.state.ended:  # so a resume shows the time that was left
            run_command(self, self.session.timer, "pause", timer.remaining, timer.minutes)
        self.app.exit()

    def action_retract(self) -> None:
        from tabletop import events as ev
        from tabletop.tui.describe import event_line
        from tabletop.tui.screens.dialogs import RetractScreen

        session = self.session
        try:
            preview = session.game.decide(session.state, ev.Retract("preview"))[0]
        except CommandError as exc:
            literal.notify(self, str(exc), severity="warning")
            return
        last = next((r for r in reversed(session.events) if r.get("type") not in ev.FOLLOWERS | ev.LOG_RECORDS | ev.UNDO_TRANSPARENT), None)
        from tabletop.sealing import event_sealed

        # Sealed as on the board: the screen is the room's, and the decide phase may still be open.
        what = event_line(last, session.scenario, session.rules, sealed=event_sealed(last, session.state)) if last is not None else preview.what
        self.app.push_screen(RetractScreen(session, what, preview.revealed), self._after_dialog)

    def action_report(self) -> None:
        from tabletop.tui.screens.dialogs import ExportScreen
        from tabletop.tui.screens.hotwash import report_path

        session = self.session
        target = report_path(session)
        if not session.state.ended:
            target = target.with_name(f"{target.stem}-turn{session.state.turn}-{session.state.phase}{target.suffix}")
        self.app.push_screen(ExportScreen(session, target, interim=not session.state.ended))

    def action_hotwash(self) -> None:
        if not self.session.state.ended:
            self.notify("The hot wash opens once the exercise has ended (e).", severity="warning")
            return
        from tabletop.tui.screens.hotwash import HotWashScreen

        self.app.push_screen(HotWashScreen(self.session))

    # ------------------------------------------------------------ the rest
    def action_timer(self, quiet: bool = False) -> None:
        timer = self.query_one(PhaseTimer)
        running = timer.toggle()
        run_command(self, self.session.timer, "start" if running else "pause", timer.remaining, timer.minutes)
        if not quiet:
            self.notify("Timer running." if running else "Timer paused.", timeout=2)

    def action_extend(self) -> None:
        timer = self.query_one(PhaseTimer)
        timer.extend(60)
        run_command(self, self.session.timer, "extend", timer.remaining, timer.minutes)

    def restore_timer(self) -> None:
        """A resumed exercise: the phase timer as the log last had it in this phase (paused; p carries on)."""
        import datetime as dt

        state = self.session.state
        records = [r for r in self.session.events if r.get("type") == "timer" and r.get("turn") == state.turn and r.get("phase") == state.phase]
        if not records:
            return
        last = records[-1]
        running = False
        for r in records:
            running = {"start": True, "pause": False, "reset": False}.get(str(r.get("action")), running)
        remaining = int(last.get("remaining", 0))
        if running and isinstance(last.get("ts"), str):  # the app stopped with the timer running: the time went on
            try:
                then = dt.datetime.fromisoformat(last["ts"].replace("Z", "+00:00"))
                remaining -= max(0, int((dt.datetime.now(dt.UTC) - then).total_seconds()))
            except ValueError:
                pass
        timer = self.query_one(PhaseTimer)
        timer.restore(remaining, int(last.get("minutes", timer.minutes)))
        literal.notify(self, f"Phase timer restored from the log: {timer.clock()} left, paused (p carries on).", timeout=6)

    def action_help(self) -> None:
        from tabletop.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen([b for b in self.BINDINGS if isinstance(b, Binding) and b.show and b.id != "advance-enter"]))


BY_ACTION = {b.action: b for b in BoardScreen.BINDINGS if isinstance(b, Binding) and not b.action.startswith("key(")}
BOARD_ACTIONS = frozenset(BY_ACTION)
