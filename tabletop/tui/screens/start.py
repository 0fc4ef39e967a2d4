"""The start screen: choose a scenario and who plays each seat, or resume or replay a log.

It is the app's first screen, so it draws at once: the scenarios are listed by
file name and loaded in a worker thread, the wanted (or default) one first; as
each arrives its line in the list gets its title, and the wanted one its seats.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tabletop import paths
from tabletop.palette import seat_colour
from tabletop.tui.widgets.seats import seat_kind

if TYPE_CHECKING:
    from tabletop import model as m


@dataclass
class ScenarioEntry:
    path: Path
    scenario: m.Scenario | None = None
    rules: m.Rules | None = None
    problems: list[str] = field(default_factory=list)
    loaded: bool = False  # tried: either scenario or problems is set


def load_entry(entry: ScenarioEntry) -> None:
    """Load one scenario into its entry; an invalid one keeps its problems."""
    from tabletop.loading import load_scenario
    from tabletop.yamlnodes import InputError

    try:
        entry.scenario, entry.rules = load_scenario(entry.path)
    except InputError as exc:
        entry.problems = [str(p) for p in exc.problems]
    except OSError as exc:
        entry.problems = [f"{entry.path}: {exc}"]
    entry.loaded = True


@dataclass
class LogEntry:
    path: Path
    scenario: str
    modified: float
    turn: Any
    last: str
    ended: bool


def wanted_index(entries: list[ScenarioEntry], wanted: Path | None = None) -> int | None:
    """Where the wanted (or default) scenario is in the list, loaded or not."""
    target = (wanted or paths.default_scenario()).resolve()
    return next((i for i, entry in enumerate(entries) if entry.path.resolve() == target), None)


def _last_record(path: Path) -> dict[str, Any] | None:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 65536))
        lines = [line for line in handle.read().split(b"\n") if line.strip()]
    for line in reversed(lines):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def recent_logs(limit: int = 30) -> list[LogEntry]:
    """Logs in the logs folder, newest first, summarised from their first and last lines only."""
    folder = paths.logs_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.jsonl"):
        try:
            with open(path, "rb") as handle:
                header = json.loads(handle.readline() or b"{}")
            last = _last_record(path) or {}
            stat = path.stat()
        except (OSError, ValueError):
            continue
        if header.get("type") != "header":
            continue
        found.append(LogEntry(path, str(header.get("scenario", "?")), stat.st_mtime, last.get("turn"), str(last.get("type", "")), last.get("type") == "exercise_ended"))
    found.sort(key=lambda e: e.modified, reverse=True)
    return found[:limit]


class StartScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", tooltip="Start a new exercise with these settings", id="start"),
        Binding("ctrl+r", "resume", "Resume", tooltip="Resume the selected unfinished log", id="resume"),
        Binding("ctrl+o", "replay", "Replay", tooltip="Replay the selected log", id="replay"),
        Binding("ctrl+q", "app.quit", "Quit", tooltip="Quit", id="start-quit"),
    ]

    def __init__(self, wanted: Path | None = None, seats: dict[str, str] | None = None, seed: int = 0, minutes: int = 10) -> None:
        super().__init__()
        self.wanted = wanted
        self.entries = [ScenarioEntry(path) for path in paths.scenario_files()]  # loaded by load_scenarios, after the first frame
        self.index = wanted_index(self.entries, wanted)
        self.shown: int | None = None  # the entry whose seats are on screen
        self.logs = recent_logs()
        self.seat_choice = dict(seats or {})
        self.seed = seed
        self.minutes = minutes

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("tabletop", "bold $accent"), "  new exercise, or resume one"), id="start-title")
        with Horizontal(id="start-main"):
            with Vertical(id="start-left"):
                yield OptionList(*[Option(self._prompt(entry), id=f"scenario-{i}") for i, entry in enumerate(self.entries)], id="scenarios")
                log_options = [
                    Option(
                        Content.assemble(
                            (entry.path.name, "bold"), "\n",
                            (f"  {dt.datetime.fromtimestamp(entry.modified):%Y-%m-%d %H:%M} · turn {entry.turn} · ", "dim"),
                            ("ended", "$success") if entry.ended else ("unfinished", "$warning"),
                        ),
                        id=f"log-{i}",
                    )
                    for i, entry in enumerate(self.logs)
                ]
                yield OptionList(*log_options, id="logs")
                with Horizontal(classes="button-row"):
                    yield Button("Resume", id="resume", compact=True, disabled=True)
                    yield Button("Replay", id="replay", compact=True, disabled=True)
            with Vertical(id="start-right"):
                yield Static(id="scenario-info")
                yield Vertical(id="seat-rows")
                with Horizontal(classes="field-row"):
                    yield Label("Seed")
                    yield Input(str(self.seed), type="integer", id="seed", compact=True)
                    yield Label("Minutes/phase")
                    yield Input(str(self.minutes), type="integer", id="minutes", compact=True)
                yield Button("Start exercise", variant="primary", id="start", compact=True)
                with VerticalScroll(id="scenario-setting"):
                    yield Static(id="setting-text", markup=False)
        yield Footer(compact=True)

    def _prompt(self, entry: ScenarioEntry) -> Content:
        if not entry.loaded:
            return Content.assemble((entry.path.stem, "bold"), ("  loading...", "dim"))
        if entry.scenario is None:
            return Content.assemble((entry.path.name, "strike"), (f"  {len(entry.problems)} problem(s)", "$error"))
        s = entry.scenario
        return Content.assemble((s.title, "bold"), (f"  {s.id}, {len(s.turns)} turns", "dim"))

    def on_mount(self) -> None:
        scenarios = self.query_one("#scenarios", OptionList)
        scenarios.border_title = "Scenario"
        logs = self.query_one("#logs", OptionList)
        logs.border_title = "Resume or replay a log"
        if not self.logs:
            logs.add_option(Option(Content.styled("No logs yet: they will appear here.", "dim italic"), disabled=True))
        self.query_one("#seat-rows").border_title = "Seats (checked: human)"
        if self.index is None:
            target = self.wanted or paths.default_scenario()
            self.notify(f"Default scenario did not load:\n{target}: not found", severity="error", timeout=15, markup=False)
        else:
            scenarios.highlighted = self.index
        scenarios.focus()
        self.load_scenarios()

    @work(thread=True, exclusive=True, exit_on_error=False, group="scenarios")
    def load_scenarios(self) -> None:
        """Load every scenario, the wanted one first; each is handed to the UI thread as it is ready."""
        order = list(range(len(self.entries)))
        if self.index is not None:
            order.remove(self.index)
            order.insert(0, self.index)
        for i in order:
            load_entry(self.entries[i])
            self.app.call_from_thread(self._loaded, i)
        self.app.call_from_thread(self._all_loaded)

    async def _loaded(self, i: int) -> None:
        entry = self.entries[i]
        scenarios = self.query_one("#scenarios", OptionList)
        scenarios.replace_option_prompt(f"scenario-{i}", self._prompt(entry))
        if entry.scenario is None:
            scenarios.disable_option(f"scenario-{i}")
            if i == self.index:
                self.notify("Default scenario did not load:\n" + "\n".join(entry.problems[:5]), severity="error", timeout=15, markup=False)
        elif i == self.index and self.shown != i:
            await self.show_scenario(i)

    async def _all_loaded(self) -> None:
        """The wanted scenario did not load: the first that did takes its place."""
        if self.index is not None and self.entries[self.index].scenario is not None:
            return
        first = next((i for i, e in enumerate(self.entries) if e.scenario is not None), None)
        if first is not None:
            self.index = first
            self.query_one("#scenarios", OptionList).highlighted = first
            await self.show_scenario(first)

    @on(OptionList.OptionHighlighted, "#scenarios")
    async def _scenario_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = int((event.option.id or "scenario-0").split("-")[1])
        self.index = index  # shown once it is loaded, if it is not yet
        if self.entries[index].scenario is not None and self.shown != index:
            await self.show_scenario(index)

    async def show_scenario(self, index: int) -> None:
        entry = self.entries[index]
        if entry.scenario is None:
            return
        self.index = self.shown = index
        s = entry.scenario
        end = f" to {s.end}" if s.end else ""
        self.query_one("#scenario-info", Static).update(
            Content.assemble((s.title, "bold"), "\n", (f"{s.start}{end} · {len(s.turns)} turns · {len(s.injects)} injects", "dim"))
        )
        self.query_one("#setting-text", Static).update(s.setting.strip())
        rows = self.query_one("#seat-rows", Vertical)
        if rows.children:
            await rows.remove_children()
        humans = {k for k, v in self.seat_choice.items() if v == "human"}
        if not self.seat_choice:
            humans = {"us"} if "us" in s.seats else {next(iter(s.seats))}
        widgets = []
        for seat_id, seat in s.seats.items():
            human = seat_id in humans
            widgets.append(
                Horizontal(
                    Checkbox(Content.styled(seat.name, f"bold {seat_colour(seat_id)}"), human, id=f"human-{seat_id}", compact=True),
                    Label(seat_kind(human), id=f"kind-{seat_id}", classes="seat-kind"),
                    classes="seat-row",
                )
            )
        await rows.mount_all(widgets)

    @on(Checkbox.Changed)
    def _seat_toggled(self, event: Checkbox.Changed) -> None:
        seat = (event.checkbox.id or "").removeprefix("human-")
        self.seat_choice = self.current_seats()
        try:
            self.query_one(f"#kind-{seat}", Label).update(seat_kind(event.value))
        except Exception:  # noqa: BLE001 - the row may be on its way out after a scenario change
            pass

    def current_seats(self) -> dict[str, str]:
        return {
            (box.id or "").removeprefix("human-"): "human" if box.value else "bot"
            for box in self.query("#seat-rows Checkbox").results(Checkbox)
        }

    def _number(self, selector: str, what: str, low: int) -> int | None:
        raw = self.query_one(selector, Input).value.strip()
        try:
            value = int(raw)
        except ValueError:
            self.notify(f"{what} must be a whole number, got {raw!r}.", severity="error", markup=False)
            return None
        if value < low:
            self.notify(f"{what} must be at least {low}.", severity="error")
            return None
        return value

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        if self.index is None or self.entries[self.index].scenario is None:
            waiting = self.index is not None and not self.entries[self.index].loaded
            self.notify("The scenario is still loading." if waiting else "No valid scenario to start: check the list on the left.", severity="error")
            return
        seed = self._number("#seed", "The seed", 0)
        minutes = self._number("#minutes", "Minutes per phase", 1)
        if seed is None or minutes is None:
            return
        entry = self.entries[self.index]
        assert entry.scenario is not None and entry.rules is not None
        self.app.start_exercise(entry.scenario, entry.rules, self.current_seats(), seed, minutes)

    @on(OptionList.OptionHighlighted, "#logs")
    def _log_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        entry = self._selected_log()
        self.query_one("#resume", Button).disabled = entry is None or entry.ended
        self.query_one("#replay", Button).disabled = entry is None

    def _selected_log(self) -> LogEntry | None:
        option = self.query_one("#logs", OptionList).highlighted_option
        if option is None or not (option.id or "").startswith("log-"):
            return None
        return self.logs[int(option.id.split("-")[1])]

    @on(Button.Pressed, "#resume")
    def action_resume(self) -> None:
        entry = self._selected_log()
        if entry is None:
            self.notify("Choose a log first.", severity="warning")
            return
        if entry.ended:
            self.notify("That exercise has ended: replay it instead.", severity="warning")
            return
        minutes = self._number("#minutes", "Minutes per phase", 1)
        if minutes is not None:
            self.app.resume_exercise(entry.path, minutes)

    @on(Button.Pressed, "#replay")
    def action_replay(self) -> None:
        entry = self._selected_log()
        if entry is None:
            self.notify("Choose a log first.", severity="warning")
            return
        self.app.open_replay(entry.path)

    @on(OptionList.OptionSelected, "#logs")
    def _log_selected(self, event: OptionList.OptionSelected) -> None:
        entry = self._selected_log()
        if entry is not None:
            self.action_replay() if entry.ended else self.action_resume()
