"""The start screen: choose a scenario and who plays each seat, or resume or replay a log.

It is the app's first screen, and its first frame is what ``tabletop`` is timed
to (bench_tui.py: launch until the six seat names show, against a bare Textual
app). That frame has the scenario list, the seats and the footer, and nothing
has to be loaded for it: the wanted (or default) scenario's title and seats come
from an outline of its file (tabletop.outline: the YAML parser's events as far
as the seats, with neither the model nor the rules imported). Right after it
the rest is mounted (the logs and their buttons, the form, the setting) and the
logs are listed; then every scenario, that one first, is loaded in a worker
thread, each line of the list getting its title as its scenario arrives, the
wanted one's setting, turns and injects filling in, or its problems replacing
its seats if it does not load.

Each of these was measured (bench_tui.py, and Textual's own counts): loading the
scenario before the frame cost about a quarter of a second; styling and laying
out the other 20-odd widgets in it, and the garbage collections their objects
set off, most of the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tabletop import files, paths
from tabletop.outline import Outline, outline
from tabletop.tui import literal
from tabletop.tui.app import TabletopApp
from tabletop.tui.widgets.seats import SeatPicker

if TYPE_CHECKING:
    from tabletop import model as m


@dataclass
class ScenarioEntry:
    path: Path
    outline: Outline | None = None  # the title and seats drawn before it is loaded (the wanted scenario's only)
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
    problem: str = ""  # why the log cannot be read ('' when it can): listed as unreadable, with this reason
    elsewhere: str = ""  # who else is writing it ('' when nobody is): listed as open elsewhere, not resumable
    name: str = ""  # the exercise's name (a class, a date), from its header
    humans: tuple[str, ...] = ()  # the seats human teams play, from its header
    phase: str = ""  # the last phase it reached, when its last event says


def wanted_index(entries: list[ScenarioEntry], wanted: Path | None = None) -> int | None:
    """Where the wanted (or default) scenario is in the list, loaded or not."""
    target = (wanted or paths.default_scenario()).resolve()
    return next((i for i, entry in enumerate(entries) if entry.path.resolve() == target), None)


def _last_record(fd: int, size: int) -> Any:
    """The last event's JSON value (read from the end; signature lines passed over), or None if no line near the end parses."""
    start = max(0, size - 65536)
    lines = [line for line in os.pread(fd, size - start, start).split(b"\n") if line.strip()]
    for line in reversed(lines):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if type(record) is dict and record.get("type") == "signature":
            continue
        return record
    return None


def summarise_log(path: Path) -> LogEntry:
    """A log's entry from its first and last lines only; a file that is not a readable log gets its reason.

    The file's type is checked before it is opened (a FIFO is never opened,
    since opening one for reading waits for a writer), and only the header and
    the last 64 kB are read, so no file in the folder can stop the start screen.
    """
    from tabletop import log as logmod

    def bad(reason: str, modified: float = 0.0) -> LogEntry:
        return LogEntry(path, "?", modified, None, "", False, problem=reason)

    try:
        info = path.stat()
    except OSError as exc:
        return bad(f"cannot read: {(exc.strerror or str(exc)).lower()}")
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else "a special file"
        return bad(f"{kind}, not a log", info.st_mtime)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return bad(f"cannot read: {(exc.strerror or str(exc)).lower()}", info.st_mtime)
    try:
        size = os.fstat(fd).st_size
        first = os.pread(fd, min(size, logmod.MAX_LINE + 1), 0).split(b"\n", 1)[0]
        try:
            header = json.loads(first)
        except ValueError:
            return bad("line 1 is not JSON: not a tabletop log", info.st_mtime)
        if not files.is_log_header(header):
            return bad("line 1 is not a tabletop log header", info.st_mtime)
        last = _last_record(fd, size)
    except OSError as exc:
        return bad(f"cannot read: {(exc.strerror or str(exc)).lower()}", info.st_mtime)
    finally:
        os.close(fd)
    if last is None or type(last) is not dict:
        return bad("its last line is not an event: run 'tabletop verify' on it", info.st_mtime)
    holder = logmod.open_elsewhere(path)
    given = header.get("seats")
    seats: dict[Any, Any] = given if isinstance(given, dict) else {}
    return LogEntry(
        path, str(header.get("scenario", "?")), info.st_mtime, last.get("turn"), str(last.get("type", "")),
        last.get("type") == "exercise_ended",
        elsewhere=holder.describe() if holder is not None else "",
        name=str(header.get("name") or ""), humans=tuple(str(k) for k, v in seats.items() if v == "human"),
        phase=str(last.get("phase") or ("brief" if last.get("type") == "turn_started" else "")),
    )


def recent_logs(limit: int = 30) -> list[LogEntry]:
    """Logs in the logs folder, newest first, summarised from their first and last lines only; bad files listed too."""
    folder = paths.logs_dir()
    try:
        found = [summarise_log(path) for path in folder.glob("*.jsonl")] if folder.is_dir() else []
    except OSError:
        return []
    found.sort(key=lambda e: e.modified, reverse=True)
    return found[:limit]


def log_option(index: int, entry: LogEntry) -> Option:
    """A log in the list: when and how far; an unreadable one struck through with its reason (and not selectable)."""
    if entry.problem:
        return Option(
            literal.assemble((entry.path.name, "strike"), "\n", ("  unreadable: ", "$error"), (entry.problem, "$error")),
            id=f"log-{index}", disabled=True,
        )
    when = dt.datetime.fromtimestamp(entry.modified)
    state = ("ended", "$success") if entry.ended else ("unfinished", "$warning")
    progress = f"turn {entry.turn}" + (f", {entry.phase}" if entry.phase and not entry.ended else "")
    title: list[Any] = [(entry.name, "bold"), (f"  {entry.path.name}", "dim")] if entry.name else [(entry.path.name, "bold")]
    humans = ", ".join(entry.humans) if entry.humans else "bots only"
    parts: list[Any] = [*title, "\n", (f"  {when:%Y-%m-%d %H:%M} · {entry.scenario} · {progress} · {humans} · ", "dim"), state]
    if entry.elsewhere:
        parts += [(" · ", "dim"), (f"open elsewhere ({entry.elsewhere})", "$warning")]
    return Option(literal.assemble(*parts), id=f"log-{index}")


class StartScreen(Screen):
    app = getters.app(TabletopApp)  # typed: the methods of tabletop's own app (start_exercise, resume_exercise, open_replay)
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", tooltip="Start a new exercise with these settings", id="start"),
        Binding("ctrl+r", "resume", "Resume", tooltip="Resume the selected unfinished log", id="resume"),
        Binding("ctrl+o", "replay", "Replay", tooltip="Replay the selected log", id="replay"),
        Binding("ctrl+a", "archive", "Archive", tooltip="Move the selected finished log into the logs folder's archive", id="archive"),
        Binding("ctrl+d", "delete", "Delete", tooltip="Delete the selected finished log (asks first)", id="delete"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show the keys", id="start-help"),
        Binding("q", "app.quit", "Quit", tooltip="Quit", id="start-q"),
        Binding("ctrl+q", "app.quit", "Quit", show=False, tooltip="Quit", id="start-quit"),
    ]

    def __init__(self, wanted: Path | None = None, seats: dict[str, str] | None = None, seed: int = 0, minutes: int = 10) -> None:
        super().__init__()
        self.wanted = wanted
        self.entries = [ScenarioEntry(path) for path in paths.scenario_files()]  # loaded by load_scenarios, after the first frame
        if wanted is not None and wanted_index(self.entries, wanted) is None:
            self.entries.append(ScenarioEntry(wanted))  # a file outside the scenario folders, asked for by its path: listed too
        self.index = wanted_index(self.entries, wanted)
        if self.index is not None:
            entry = self.entries[self.index]
            entry.outline = outline(entry.path)  # its seats are what the screen is for: drawn in the first frame
        self.first = self.index  # the wanted one: said in a notification if it does not load
        self.shown: int | None = None  # the entry whose loaded scenario is on screen
        self._drawn = threading.Event()  # set once the first frame is out: the scenarios load after it
        self.logs: list[LogEntry] = []  # read just after the first frame (reading one imports tabletop.log, and attrs with it)
        self.seat_choice = dict(seats or {})
        self.seed = seed
        self.minutes = minutes

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("tabletop", "bold $accent"), "  new exercise, or resume one"), id="start-title")
        with Horizontal(id="start-main"):
            with Vertical(id="start-left"):
                yield OptionList(*[Option(self._prompt(entry), id=f"scenario-{i}") for i, entry in enumerate(self.entries)], id="scenarios")
            first = self.entries[self.index].outline if self.index is not None else None
            with Vertical(id="start-right"):
                yield Static(literal.assemble((first.title, "bold"), "\n", ("loading...", "dim")) if first else "", id="scenario-info")
                yield SeatPicker(first.seats if first else (), self._humans(first.seats if first else ()), id="seat-rows")
        yield Footer(compact=True)

    def _after_first_frame(self) -> tuple[list[Widget], list[Widget]]:
        """What is mounted once the first frame is out: the logs and their buttons (left), the form and the setting (right).

        The first frame has what the screen is for (the scenarios, the seats);
        these come a frame later, so that it is styled and laid out with half
        the widgets (bench_tui.py).
        """
        logs = OptionList(id="logs")
        logs.border_title = "Resume or replay a log"
        buttons = Horizontal(Button("Resume", id="resume", compact=True, disabled=True),
                             Button("Replay", id="replay", compact=True, disabled=True), classes="button-row")
        form = Vertical(
            Horizontal(Label("Name"), Input(placeholder="class, date", id="exercise-name", compact=True), classes="field-row name-row"),
            Horizontal(Label("Seed"), Input(str(self.seed), type="integer", id="seed", compact=True),
                       Label("Minutes/phase"), Input(str(self.minutes), type="integer", id="minutes", compact=True), classes="field-row"),
            Checkbox("Timer starts on each phase", False, id="autostart", compact=True),
            Button("Start exercise", variant="primary", id="start", compact=True),
            id="start-form",
        )
        return [logs, buttons], [form, VerticalScroll(Static("", id="setting-text"), id="scenario-setting")]

    def _prompt(self, entry: ScenarioEntry) -> Content:
        if not entry.loaded:
            return literal.assemble((entry.outline.title if entry.outline else entry.path.stem, "bold"), ("  loading...", "dim"))
        if entry.scenario is None:
            return literal.assemble((entry.path.name, "strike"), (f"  {len(entry.problems)} problem(s): select to read", "$error"))
        s = entry.scenario
        return literal.assemble((s.title, "bold"), (f"  {s.id}, {len(s.turns)} turns", "dim"))

    def on_mount(self) -> None:
        scenarios = self.query_one("#scenarios", OptionList)
        scenarios.border_title = "Scenario"
        self.query_one("#seat-rows").border_title = "Seats (checked: human)"
        if self.index is None:  # only the default can be missing: a wanted scenario is one that was found, and listed
            literal.notify(self, f"The default scenario did not load:\n{paths.scenario_not_found(str(paths.default_scenario()))}",
                           severity="error", timeout=15)
        else:
            scenarios.highlighted = self.index
        scenarios.focus()
        self.call_after_refresh(self._first_frame_drawn)
        self.load_scenarios()

    async def _first_frame_drawn(self) -> None:
        """After the first frame: the rest of the screen is mounted, the logs listed, and the scenarios load."""
        left, right = self._after_first_frame()
        await self.query_one("#start-left").mount_all(left)
        await self.query_one("#start-right").mount_all(right)
        self.refresh_logs()
        self._log_highlighted()
        self._drawn.set()

    def on_unmount(self) -> None:
        self._drawn.set()  # a worker still waiting for the first frame goes on, sees it is cancelled, and ends

    @work(thread=True, exclusive=True, exit_on_error=False, group="scenarios")
    def load_scenarios(self) -> None:
        """Load every scenario, the wanted one first, once the first frame is drawn; each goes to the UI thread as it is ready.

        The worker is started with the screen (so that ``app.workers`` knows of
        it from the start) but waits for the frame: loading alongside would
        share the one interpreter lock with the frame's styling and layout.
        """
        self._drawn.wait(timeout=5)
        worker = get_current_worker()
        order = sorted(range(len(self.entries)), key=lambda i: i != self.index)
        for i in order:
            entry = self.entries[i]
            if worker.is_cancelled:  # the app is closing: the process need not wait for the rest
                return
            if not entry.loaded:
                load_entry(entry)
                self.app.call_from_thread(self._loaded, i)  # type: ignore[arg-type]  # mypy cannot solve Textual's `T | Awaitable[T]` for a coroutine of None
        self.app.call_from_thread(self._all_loaded)  # type: ignore[arg-type]  # mypy cannot solve Textual's `T | Awaitable[T]` for a coroutine of None

    async def _loaded(self, i: int) -> None:
        entry = self.entries[i]
        scenarios = self.query_one("#scenarios", OptionList)
        scenarios.replace_option_prompt(f"scenario-{i}", self._prompt(entry))
        if i != self.index:
            return
        if entry.scenario is not None:
            if self.shown != i:
                await self.show_scenario(i)
        else:
            if i == self.first:  # wanted by name, or the default
                what = "The default scenario" if self.wanted is None else entry.path.name
                literal.notify(self, f"{what} did not load:\n" + "\n".join(entry.problems[:5]), severity="error", timeout=15)
            await self.show_problems(i)

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
        if event.option_index != event.option_list.highlighted:
            return  # a stale message: the list was moved on since (the fallback from a broken default, say)
        index = int((event.option.id or "scenario-0").split("-")[1])
        self.index = index  # shown once it is loaded, if it is not yet
        entry = self.entries[index]
        if entry.scenario is not None and self.shown != index:
            await self.show_scenario(index)
        elif entry.loaded and entry.scenario is None:
            await self.show_problems(index)

    async def show_problems(self, index: int) -> None:
        """A scenario that does not load: its problems, each with its file:line:col, where its setting would be."""
        entry = self.entries[index]
        self.shown = None
        self.query_one("#scenario-info", Static).update(literal.assemble(
            (entry.path.name, "bold $error"), "\n", (f"{len(entry.problems)} problem(s): fix them, then run 'tabletop validate'", "dim")))
        self.query_one("#setting-text", Static).update(literal.styled("\n".join(entry.problems), "$error"))
        self.query_one("#scenario-setting").scroll_home(animate=False)
        self.query_one("#seat-rows", SeatPicker).show((), ())

    async def show_scenario(self, index: int) -> None:
        entry = self.entries[index]
        if entry.scenario is None:
            return
        self.index = self.shown = index
        s = entry.scenario
        self.query_one("#scenario-info", Static).update(self._info(s))
        self.query_one("#setting-text", Static).update(literal.text(s.setting.strip()))
        seats = tuple((seat_id, seat.name) for seat_id, seat in s.seats.items())
        picker = self.query_one("#seat-rows", SeatPicker)
        if tuple(picker.names.items()) != seats:  # the outline drew the same seats: they stay, boxes and all
            picker.show(seats, self._humans(seats))

    def _info(self, s: m.Scenario) -> Content:
        end = f" to {s.end}" if s.end else ""
        return literal.assemble((s.title, "bold"), "\n", (f"{s.start}{end} · {len(s.turns)} turns · {len(s.injects)} injects", "dim"))

    def _humans(self, seats: tuple[tuple[str, str], ...]) -> set[str]:
        """The seats to check: those chosen human so far (on the command line, or on this screen), else one to start from."""
        if self.seat_choice:
            return {k for k, v in self.seat_choice.items() if v == "human"}
        ids = [seat_id for seat_id, _ in seats]
        return {"us"} if "us" in ids else set(ids[:1])

    @on(SelectionList.SelectionToggled, "#seat-rows")
    def _seat_toggled(self) -> None:
        self.seat_choice = self.current_seats()

    def current_seats(self) -> dict[str, str]:
        return self.query_one("#seat-rows", SeatPicker).kinds()

    def _number(self, selector: str, what: str, low: int) -> int | None:
        field = next(iter(self.query(selector).results(Input)), None)
        # Before the form is mounted (it comes just after the first frame) nobody can have typed into it: its value is the default.
        raw = field.value.strip() if field is not None else str({"#seed": self.seed, "#minutes": self.minutes}[selector])
        try:
            value = int(raw)
        except ValueError:
            literal.notify(self, f"{what} must be a whole number, got {raw!r}.", severity="error")
            return None
        if value < low:
            literal.notify(self, f"{what} must be at least {low}.", severity="error")
            return None
        return value

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        if self.index is None or self.entries[self.index].scenario is None:
            waiting = self.index is not None and not self.entries[self.index].loaded
            broken = self.index is not None and self.entries[self.index].problems
            literal.notify(self, "The scenario is still loading." if waiting else
                        "This scenario does not load: its problems are listed on the right." if broken else
                        "No valid scenario to start: check the list on the left.", severity="error")
            return
        seed = self._number("#seed", "The seed", 0)
        minutes = self._number("#minutes", "Minutes per phase", 1)
        if seed is None or minutes is None:
            return
        entry = self.entries[self.index]
        assert entry.scenario is not None and entry.rules is not None
        name = self.query_one("#exercise-name", Input).value.strip() or None
        autostart = self.query_one("#autostart", Checkbox).value
        self.app.start_exercise(entry.scenario, entry.rules, self.current_seats(), seed, minutes, name=name, timer_autostart=autostart)

    @on(OptionList.OptionHighlighted, "#logs")
    def _log_highlighted(self) -> None:
        """The buttons say what the highlighted log allows (they are mounted just after the first frame, and set again then)."""
        entry = self._selected_log()
        for button in self.query("#resume").results(Button):
            button.disabled = entry is None or entry.ended or bool(entry.elsewhere)
        for button in self.query("#replay").results(Button):
            button.disabled = entry is None

    def _selected_log(self) -> LogEntry | None:
        logs = next(iter(self.query("#logs").results(OptionList)), None)  # mounted just after the first frame
        option = logs.highlighted_option if logs is not None else None
        if option is None or option.id is None or not option.id.startswith("log-"):
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
        if entry.elsewhere:
            literal.notify(self, f"That log is open elsewhere ({entry.elsewhere}): close it there first, or replay it.", severity="warning")
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

    def action_help(self) -> None:
        from tabletop.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen([b for b in self.BINDINGS if isinstance(b, Binding) and b.id != "start-quit"], turn=False))

    def _finished_log(self, doing: str) -> LogEntry | None:
        entry = self._selected_log()
        if entry is None:
            self.notify("Choose a log in the list first.", severity="warning")
            return None
        if not entry.ended:
            literal.notify(self, f"Only a finished exercise can be {doing}: resume or replay this one.", severity="warning")
            return None
        return entry

    def action_archive(self) -> None:
        entry = self._finished_log("archived")
        if entry is not None:
            self._confirm_file(entry, "archive", f"Move {entry.path.name} into {paths.logs_dir() / 'archive'}?")

    def action_delete(self) -> None:
        entry = self._finished_log("deleted")
        if entry is not None:
            self._confirm_file(entry, "delete", f"Delete {entry.path.name} for good? Its reports, if any, stay.")

    def _confirm_file(self, entry: LogEntry, doing: str, question: str) -> None:
        from tabletop.tui.screens.dialogs import Choice, ChoiceScreen

        def done(choice: str | None) -> None:
            if choice != doing:
                return
            try:
                if doing == "archive":
                    folder = paths.logs_dir() / "archive"
                    folder.mkdir(exist_ok=True)
                    target = folder / entry.path.name
                    if target.exists():
                        literal.notify(self, f"{target} exists already: nothing moved.", severity="error")
                        return
                    entry.path.rename(target)
                    literal.notify(self, f"Archived to {target}.")
                else:
                    entry.path.unlink()
                    literal.notify(self, f"Deleted {entry.path.name}.")
            except OSError as exc:
                literal.notify(self, f"Could not {doing} {entry.path.name}: {files.explain(exc, entry.path)}", severity="error")
                return
            self.refresh_logs()

        label = "Archive" if doing == "archive" else "Delete"
        self.app.push_screen(ChoiceScreen(question, [], [Choice(doing, label, "y"), Choice("cancel", "Cancel", "n", primary=True)]), done)

    def refresh_logs(self) -> None:
        self.logs = recent_logs()
        logs = self.query_one("#logs", OptionList)
        logs.clear_options()
        logs.add_options([log_option(i, entry) for i, entry in enumerate(self.logs)])
        if not self.logs:
            logs.add_option(Option(Content.styled("No logs yet: they will appear here.", "dim italic"), disabled=True))

    @on(OptionList.OptionSelected, "#logs")
    def _log_selected(self, event: OptionList.OptionSelected) -> None:
        entry = self._selected_log()
        if entry is not None:
            self.action_replay() if entry.ended or entry.elsewhere else self.action_resume()
