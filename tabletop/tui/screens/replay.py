"""Step through a saved exercise: a timeline of every event, the event's details and the board at that step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from tabletop import log as logmod
from tabletop import model as m
from tabletop.tui.describe import event_details, event_line
from tabletop.tui.screens.help import HelpScreen
from tabletop.tui.snapshots import Snapshots
from tabletop.tui.widgets.obligations import ObligationPanel
from tabletop.tui.widgets.seats import SeatCards
from tabletop.tui.widgets.situation import SituationPanel
from tabletop.tui.widgets.status import StatusLine
from tabletop.tui.widgets.tension import TensionChart
from tabletop.tui.widgets.timeline import Timeline


class ReplayError(Exception):
    """The log or its scenario cannot be opened; the message says which and why."""


def open_log(path: str | Path) -> tuple[logmod.LogContents, m.Scenario, m.Rules, list[str]]:
    """Read a log and load the scenario it was written against; warnings to show come back too."""
    from tabletop.loading import load_scenario, sha256_file
    from tabletop.paths import scenario_for_log
    from tabletop.yamlnodes import InputError

    try:
        contents = logmod.read(path)
    except logmod.LogError as exc:
        raise ReplayError(str(exc)) from None
    header = contents.header
    scenario_path = scenario_for_log(header)
    if scenario_path is None:
        raise ReplayError(f"{path}:1: scenario {header.get('scenario')!r} not found at {header.get('scenario_path')!r} nor among the bundled and user scenarios")
    try:
        scenario, rules = load_scenario(scenario_path)
    except InputError as exc:
        raise ReplayError(f"{path}:1: its scenario {scenario_path} no longer loads: {exc.problems[0] if exc.problems else exc}") from None
    warnings = list(contents.warnings)
    if sha256_file(scenario_path) != header.get("scenario_sha256"):
        warnings.append(f"scenario {scenario_path} changed since the log was written; the replay may stop early")
    return contents, scenario, rules, warnings


class ReplayScreen(Screen):
    BINDINGS = [
        Binding("left", "step(-1)", "Back", priority=True, tooltip="One event back", id="replay-back"),
        Binding("right", "step(1)", "Forward", priority=True, tooltip="One event forward", id="replay-forward"),
        Binding("left_square_bracket", "turn(-1)", "Turn back", key_display="[", tooltip="Jump to the start of this or the previous turn", id="replay-turn-back"),
        Binding("right_square_bracket", "turn(1)", "Turn fwd", key_display="]", tooltip="Jump to the start of the next turn", id="replay-turn-forward"),
        Binding("home", "jump(1)", "First", show=False, tooltip="First event", id="replay-first"),
        Binding("end", "jump(-1)", "Last", show=False, tooltip="Last event", id="replay-last"),
        Binding("escape", "back", "Back", show=False, tooltip="Back to the start screen (when opened from it)", id="replay-close"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show the keys", id="replay-help"),
        Binding("q", "app.quit", "Quit", tooltip="Quit", id="replay-quit"),
    ]

    def __init__(self, path: str | Path, opened: tuple[logmod.LogContents, m.Scenario, m.Rules, list[str]] | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.opened = opened
        self.snapshots: Snapshots | None = None
        self.step = 0

    def compose(self) -> ComposeResult:
        yield StatusLine(Content.assemble(("Replay", "bold $accent"), f"  {self.path.name}: loading..."), id="status")
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
                    with TabPane("Situation", id="tab-situation"):
                        yield SituationPanel(id="replay-situation")
                    with TabPane("Obligations", id="tab-obligations"):
                        yield ObligationPanel(id="replay-obligations")
                yield TensionChart(id="replay-tension")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#timeline", Timeline).display = False
        self.query_one("#timeline-box").border_title = "Timeline"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, name="replay-load")
    def load(self) -> tuple[Snapshots, list[str]]:
        contents, scenario, rules, warnings = self.opened or open_log(self.path)
        return Snapshots(contents, scenario, rules), warnings

    def _timeline_line(self, index: int) -> Content:
        snapshots = self.snapshots
        assert snapshots is not None
        event = snapshots.events[index]
        width = len(str(len(snapshots)))
        return Content.assemble(
            (f"{index + 1:>{width}} ", "dim"), (f"T{event.get('turn')} ", "dim"), event_line(event, snapshots.scenario, snapshots.rules)
        )

    @on(Worker.StateChanged)
    async def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "replay-load":
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = str(error) if isinstance(error, ReplayError) else f"could not replay {self.path}: {error!r}"
            self.query_one("#replay-loading").display = False
            self.query_one(StatusLine).update(Content.assemble(("Replay failed", "bold $error"), "  ", message))
            self.notify(message, severity="error", timeout=15, markup=False)
            return
        if event.state != WorkerState.SUCCESS:
            return
        snapshots, warnings = event.worker.result
        self.snapshots = snapshots
        for warning in warnings:
            self.notify(warning, severity="warning", markup=False)
        if snapshots.error is not None:
            self.notify(
                f"{self.path}:{snapshots.error.line}: {snapshots.error.message}. Showing the {len(snapshots)} events before it.",
                severity="error", timeout=15, markup=False,
            )
        await self.query_one("#replay-seats").mount(SeatCards(snapshots.scenario, dict(snapshots.contents.header.get("seats") or {}), id="seats"))
        self.query_one("#replay-loading").display = False
        timeline = self.query_one("#timeline", Timeline)
        timeline.display = True
        timeline.set_count(len(snapshots))
        self.query_one("#timeline-box").border_subtitle = f"{len(snapshots)} events"
        timeline.focus()
        if len(snapshots):
            timeline.move_to(0)
        else:
            self.show_step(0)

    @on(Timeline.Moved, "#timeline")
    def _moved(self, event: Timeline.Moved) -> None:
        self.show_step(event.index + 1)

    def show_step(self, k: int) -> None:
        snapshots = self.snapshots
        if snapshots is None:
            return
        self.step = k
        scenario, rules = snapshots.scenario, snapshots.rules
        state = snapshots.state_at(k)
        self.query_one(StatusLine).show(scenario, state, prefix=f"Replay {k}/{len(snapshots)}", advance_hint=False)
        self.query_one(SeatCards).show(rules, state)
        self.query_one(SituationPanel).show(scenario, state)
        self.query_one(ObligationPanel).show(rules, state)
        first = snapshots.first_adjudicated
        self.query_one(TensionChart).show(rules, state, first["changes"]["tension"][0] if first else None)
        detail: Content
        if k == 0:
            detail = Content.styled("Before the first event.", "dim italic")
        else:
            rows: list[Any] = []
            for label, text in event_details(snapshots.events[k - 1], scenario, rules):
                rows += [(f"{label}: ", "bold"), str(text), "\n"]
            detail = Content.assemble(*rows[:-1])
        self.query_one("#event-detail", Static).update(detail)

    def _go(self, k: int) -> None:
        snapshots = self.snapshots
        if snapshots is None or not len(snapshots):
            return
        self.query_one("#timeline", Timeline).move_to(k - 1)

    def action_step(self, delta: int) -> None:
        self._go(self.step + delta)

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
        if len(self.app.screen_stack) > 2:  # opened from the start screen: go back to it
            self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([b for b in self.BINDINGS if isinstance(b, Binding)]))
