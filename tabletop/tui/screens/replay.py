"""Step through a saved exercise: a timeline of every event, the event's details and the board at that step.

A long log opens in stages, so the first step shows as soon as the scenario is
loaded and the first lines are read: a worker thread loads the scenario, reads
the head of the log and hands it over; then it reads the whole log, checks its
hash chain and replays it (the engine re-issues every command), with a progress
bar. Until that replay is done the status line says the log is being verified,
and then whether it was; a log that fails is shown up to where it fails.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.lazy import Lazy
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, ProgressBar, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from tabletop import log as logmod
from tabletop.replay import Opened as OpenedLog
from tabletop.replay import OpenError, load_for, scenario_of
from tabletop.state import State
from tabletop.tui import literal
from tabletop.tui.app import TabletopApp
from tabletop.tui.describe import event_details, event_line
from tabletop.tui.snapshots import Snapshots
from tabletop.tui.widgets.obligations import ObligationPanel
from tabletop.tui.widgets.seats import SeatCards
from tabletop.tui.widgets.situation import SituationPanel
from tabletop.tui.widgets.status import StatusLine
from tabletop.tui.widgets.tension import TensionChart
from tabletop.tui.widgets.timeline import Timeline

HEAD = 1000  # events read for the first look, before the whole log is
PROGRESS_EVERY = 0.1  # seconds between progress reports from the replay


class _Cancelled(Exception):
    """The replay screen closed while its worker was still verifying the log."""


def read_head(path: str | Path, count: int) -> list[dict[str, Any]]:
    """The first ``count`` events as written, unchecked: a first look while :func:`tabletop.log.read` reads them all.

    Stops quietly at anything odd (a torn or malformed line): the full read says what it is.
    """
    events: list[dict[str, Any]] = []
    with open(path, "rb") as handle:
        handle.readline()
        for line in handle:
            if len(events) >= count or not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                break
            if type(record) is not dict or type(record.get("type")) is not str:
                break
            events.append(record)
    return events


def check_log(path: str | Path) -> None:
    """Refuse at once a log that cannot be opened at all (unreadable, no header, its scenario not found): OpenError."""
    try:
        header = logmod.read_header(path)
    except logmod.LogError as exc:
        raise OpenError(str(exc)) from None
    scenario_of(header, path)


class ReplayScreen(Screen):
    app = getters.app(TabletopApp)  # typed: the methods of tabletop's own app (branch_exercise)
    BINDINGS = [
        Binding("left", "step(-1)", "Back", priority=True, tooltip="One event back", id="replay-back"),
        Binding("right", "step(1)", "Forward", priority=True, tooltip="One event forward", id="replay-forward"),
        Binding("left_square_bracket", "turn(-1)", "Turn back", key_display="[", tooltip="Jump to the start of this or the previous turn", id="replay-turn-back"),
        Binding("right_square_bracket", "turn(1)", "Turn fwd", key_display="]", tooltip="Jump to the start of the next turn", id="replay-turn-forward"),
        Binding("home", "jump(1)", "First", show=False, tooltip="First event", id="replay-first"),
        Binding("end", "jump(-1)", "Last", show=False, tooltip="Last event", id="replay-last"),
        Binding("escape", "back", "Back", show=False, tooltip="Back to the start screen (when opened from it)", id="replay-close"),
        Binding("b", "branch", "Play on", tooltip="Play on from this event in a new exercise; this log is only read", id="replay-branch"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show the keys", id="replay-help"),
        Binding("q", "app.quit", "Quit", tooltip="Quit", id="replay-quit"),
    ]

    @dataclass
    class Opened(Message, bubble=False):
        """The scenario is loaded and the first events read: enough for a first look."""

        snapshots: Snapshots
        warnings: list[str]

    @dataclass
    class Read(Message, bubble=False):
        """The whole log is read; its chain is checked next."""

        contents: logmod.LogContents

    @dataclass
    class Progress(Message, bubble=False):
        done: int
        total: int

    @dataclass
    class Verified(Message, bubble=False):
        """Verification ended: ``problem`` is None when the log verified, else what broke and where."""

        problem: str | None

    def __init__(self, path: str | Path, opened: OpenedLog | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.opened = opened
        self.snapshots: Snapshots | None = None
        self.step = 0
        self.verification: Content = Content.styled("verifying...", "$warning")
        self._drawn = threading.Event()

    def compose(self) -> ComposeResult:
        yield StatusLine(literal.assemble(("Replay", "bold $accent"), f"  {self.path.name}: loading the scenario..."), id="status")
        yield Vertical(id="replay-seats")
        with Horizontal(id="replay-main"):
            with Vertical(id="timeline-box"):
                yield LoadingIndicator(id="replay-loading")
                yield Timeline(self._timeline_line, id="timeline")
            with Vertical(id="replay-right"):
                with TabbedContent(id="replay-tabs"):
                    with TabPane("Event", id="tab-event"):
                        with VerticalScroll(id="event-scroll"):
                            yield Static(id="event-detail")
                    # Hidden until chosen: mounted after the first frame, filled when shown.
                    with TabPane("Situation", id="tab-situation"):
                        yield Lazy(SituationPanel(id="replay-situation"))
                    with TabPane("Obligations", id="tab-obligations"):
                        yield Lazy(ObligationPanel(id="replay-obligations"))
                yield TensionChart(id="replay-tension")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#timeline", Timeline).display = False
        self.query_one("#timeline-box").border_title = "Timeline"
        self.load()

    def on_unmount(self) -> None:
        self._drawn.set()  # a worker waiting for the first frame must not wait on

    # ------------------------------------------------------------- loading
    @work(thread=True, exclusive=True, exit_on_error=False, name="replay-load")
    def load(self) -> None:
        worker = get_current_worker()
        if self.opened is not None:
            contents, scenario, rules = self.opened.contents, self.opened.scenario, self.opened.rules
            warnings = [*self.opened.warnings, *self.opened.changed]
            header, head = contents.header, contents.events
        else:
            try:
                header = logmod.read_header(self.path)
            except logmod.LogError as exc:
                raise OpenError(str(exc)) from None
            basis = load_for(header, self.path)
            scenario, rules = basis.scenario, basis.rules
            warnings = [*basis.warnings, *(f"{c}; the replay may stop early" for c in basis.changed)]
            head = read_head(self.path, HEAD)
            contents = None
        snapshots = Snapshots.unverified(header, head, scenario, rules)
        self.post_message(self.Opened(snapshots, warnings))
        # Let the first screen draw before reading on: this thread would take half the CPU from it.
        self._drawn.wait(timeout=2)
        if worker.is_cancelled:
            return
        if contents is None:
            try:
                contents = logmod.read(self.path)
            except logmod.LogError as exc:
                self.post_message(self.Verified(f"{exc}; the events are shown as written, not replayed"))
                return
        self.post_message(self.Read(contents))
        last = time.monotonic()

        def progress(done: int, total: int) -> None:
            nonlocal last
            if worker.is_cancelled:  # the screen is gone: stop replaying for it
                raise _Cancelled
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY:
                last = now
                self.post_message(self.Progress(done, total))

        try:
            snapshots.verify(contents, progress=progress)
        except _Cancelled:
            return
        error = snapshots.error
        self.post_message(self.Verified(None if error is None else f"{self.path}:{error.line}: {error.message}"))

    def _timeline_line(self, index: int) -> Content:
        snapshots = self.snapshots
        assert snapshots is not None
        event = snapshots.events[index]
        width = len(str(len(snapshots)))
        return literal.assemble(
            (f"{index + 1:>{width}} ", "dim"), (f"T{event.get('turn')} ", "dim"), event_line(event, snapshots.scenario, snapshots.rules, sealed=snapshots.sealed(event))
        )

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "replay-load" or event.state != WorkerState.ERROR:
            return
        self._drawn.set()
        error = event.worker.error
        message = str(error) if isinstance(error, OpenError) else f"could not replay {self.path}: {error!r}"
        self.query_one("#replay-loading").display = False
        self.query_one(StatusLine).update(literal.assemble(("Replay failed", "bold $error"), "  ", message))
        literal.notify(self, message, severity="error", timeout=15)

    @on(Opened)
    async def _opened(self, message: Opened) -> None:
        snapshots = self.snapshots = message.snapshots
        for warning in message.warnings:
            literal.notify(self, warning, severity="warning")
        await self.query_one("#replay-seats").mount(SeatCards(snapshots.scenario, dict(snapshots.header.get("seats") or {}), id="seats"))
        self.query_one("#replay-loading").display = False
        timeline = self.query_one("#timeline", Timeline)
        timeline.display = True
        self._counted(reading=self.opened is None)
        timeline.focus()
        if len(snapshots):
            timeline.move_to(0)
        else:
            self.show_step(0)
        self.call_after_refresh(self._drawn.set)

    def _counted(self, reading: bool = False) -> None:
        assert self.snapshots is not None
        count = len(self.snapshots)
        timeline = self.query_one("#timeline", Timeline)
        if timeline.count != count:
            timeline.set_count(count)
        self.query_one("#timeline-box").border_subtitle = literal.text(f"{count} events" + (" so far, reading on..." if reading else ""))

    @on(Read)
    async def _read(self, message: Read) -> None:
        assert self.snapshots is not None
        self.snapshots.extend(message.contents.events)
        if self.opened is None:  # else they came with the rest, in Opened
            for warning in message.contents.warnings:
                literal.notify(self, warning, severity="warning")
        self._counted()
        await self.query_one("#timeline-box").mount(ProgressBar(total=len(self.snapshots), show_eta=False, id="verify-progress"))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        for bar in self.query("#verify-progress").results(ProgressBar):
            bar.update(total=message.total, progress=message.done)

    @on(Verified)
    async def _verified(self, message: Verified) -> None:
        await self.query("#verify-progress").remove()
        snapshots = self.snapshots
        assert snapshots is not None
        if message.problem is None:
            self.verification = Content.styled("verified", "$success")
        else:
            self.verification = Content.styled("NOT verified: see the message", "bold $error")
            if snapshots.error is not None:
                snapshots.finish()
                self._counted()
                literal.notify(self, f"{message.problem}. Showing the {len(snapshots)} events before it.", severity="error", timeout=15)
            else:
                literal.notify(self, message.problem, severity="error", timeout=15)
        self.query_one("#timeline", Timeline).redraw()  # what is sealed is known now: the log's end is replayed
        if self.step > len(snapshots):
            self._go(len(snapshots))
        else:
            self.show_step(self.step)

    # ------------------------------------------------------------- stepping
    @on(Timeline.Moved, "#timeline")
    def _moved(self, event: Timeline.Moved) -> None:
        self.show_step(event.index + 1)

    def show_step(self, k: int) -> None:
        snapshots = self.snapshots
        if snapshots is None:
            return
        self.step = k
        scenario, rules = snapshots.scenario, snapshots.rules
        try:
            state = snapshots.state_at(k)
        except Exception as exc:  # noqa: BLE001 - an unchecked event the engine cannot fold; the full read will name it
            if snapshots.verified:
                raise
            literal.notify(self, f"cannot show event {k} yet: {exc!r}", severity="warning")
            return
        self.query_one(StatusLine).show(scenario, state, prefix=f"Replay {k}/{len(snapshots)}", advance_hint=False, note=self.verification)
        self.query_one(SeatCards).show(rules, state)
        self._show_tab(state)
        first = snapshots.first_adjudicated
        self.query_one(TensionChart).show(rules, state, first["changes"]["tension"][0] if first else None)
        detail: Content
        if k == 0:
            detail = Content.styled("Before the first event.", "dim italic")
        else:
            rows: list[Any] = []
            event = snapshots.events[k - 1]
            for label, text in event_details(event, scenario, rules, sealed=snapshots.sealed(event)):
                rows += [(f"{label}: ", "bold"), str(text), "\n"]
            detail = literal.assemble(*rows[:-1])
        self.query_one("#event-detail", Static).update(detail)

    def _show_tab(self, state: State) -> None:
        """Only the tab in view follows the steps; another is brought up to date when chosen."""
        assert self.snapshots is not None
        active = self.query_one("#replay-tabs", TabbedContent).active
        if active == "tab-situation":
            for situation in self.query(SituationPanel):
                situation.show(self.snapshots.scenario, self.snapshots.rules, state)
        elif active == "tab-obligations":
            for obligations in self.query(ObligationPanel):
                obligations.show(self.snapshots.rules, state)

    @on(TabbedContent.TabActivated, "#replay-tabs")
    def _tab_shown(self) -> None:
        if self.snapshots is not None:
            self._show_tab(self.snapshots.state_at(self.step))

    def _go(self, k: int) -> None:
        snapshots = self.snapshots
        if snapshots is None or not len(snapshots):
            return
        self.query_one("#timeline", Timeline).move_to(k - 1)

    def action_step(self, delta: int) -> None:
        # From the cursor, not self.step: keys pressed faster than the steps are drawn all count.
        self._go(self.query_one("#timeline", Timeline).cursor + 1 + delta)

    def action_jump(self, where: int) -> None:
        if self.snapshots is not None:
            self._go(1 if where > 0 else len(self.snapshots))

    def action_turn(self, direction: int) -> None:
        if self.snapshots is None:
            return
        starts = self.snapshots.turn_starts()
        if direction > 0:
            later = [s for s in starts if s > self.step]
            self._go(later[0] if later else len(self.snapshots))
        else:
            earlier = [s for s in starts if s < self.step]
            self._go(earlier[-1] if earlier else 1)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:  # opened from the start screen (the first screen): go back to it
            self.dismiss()

    @work(exclusive=True, group="branch")
    async def action_branch(self) -> None:
        """Play on from the event shown, in a new log whose header names this one."""
        snapshots = self.snapshots
        if snapshots is None:
            self.notify("The log is still loading.", severity="warning")
            return
        from tabletop.tui.screens.dialogs import BranchScreen

        step = self.step
        question = (f"Play on from event {step} of {len(snapshots)} in a new exercise? "
                    f"{self.path.name} is only read; the new log names it as its parent.")
        parent_seats = dict(snapshots.header.get("seats") or {})
        seats = await self.app.push_screen_wait(BranchScreen(question, snapshots.scenario, parent_seats))
        if seats is not None:
            self.app.branch_exercise(self.path, step, snapshots.scenario, snapshots.rules, seats)

    def action_help(self) -> None:
        from tabletop.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen([b for b in self.BINDINGS if isinstance(b, Binding)]))
