"""The Textual app: one factory (:func:`make_app`) for the CLI, the tests and the snapshots.

Three ways in: the start screen (``tabletop``), straight to the board
(``tabletop play SCENARIO``) and a replay (``tabletop replay LOG``). The app
owns the one :class:`~tabletop.session.Session` of an exercise; screens call
its commands and render its state.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from tabletop import paths
from tabletop.palette import OKABE_ITO
from tabletop.safetext import visible
from tabletop.tui import literal

if TYPE_CHECKING:  # the engine loads when an exercise or a replay opens, not for the start screen's first frame
    from tabletop import model as m
    from tabletop.session import Session

DEFAULT_MINUTES = 10

# Textual's dark theme with its orange accent and warning moved to Okabe-Ito yellow, the one
# colour of the palette no seat owns: nothing on screen then looks like China's (orange) but is not.
THEME = Theme(
    name="tabletop",
    primary="#0178D4",
    secondary="#004578",
    accent=OKABE_ITO["yellow"],
    warning=OKABE_ITO["yellow"],
    error="#BA3C5B",
    success="#4EBF71",
    foreground="#E0E0E0",
    dark=True,
)


_start_up_frozen = False


def _start_up_drawn() -> None:
    """After the app's first frame, once a process: what start-up built (Textual's modules, the first screen) lives on.

    ``gc.freeze`` sets those objects out of the collector's reach, so no later
    collection walks them again; the only garbage-collector call in tabletop.
    """
    global _start_up_frozen
    if not _start_up_frozen:
        _start_up_frozen = True
        gc.freeze()


class SetupError(Exception):
    """A scenario, seat or log the user named cannot be used; the message says why."""


def new_log_path(scenario: m.Scenario) -> Path:
    """``logs_dir()/ID-TIMESTAMP.jsonl``, never one that exists."""
    folder = paths.logs_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{scenario.id}-{stamp}.jsonl"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{scenario.id}-{stamp}-{n}.jsonl"
    return path


def parse_seats(specs: Iterable[str], seats: Iterable[str]) -> dict[str, str]:
    """``SEAT=human|bot`` strings to a mapping; every seat not named is a bot."""
    seats = list(seats)
    kinds = {s: "bot" for s in seats}
    for spec in specs:
        seat, _, kind = spec.partition("=")
        if seat not in kinds or kind not in ("human", "bot"):
            raise SetupError(f"--seat expects SEAT=human or SEAT=bot with SEAT one of {', '.join(seats)}; got {spec!r}")
        kinds[seat] = kind
    return kinds


def load(scenario: str | Path) -> tuple[m.Scenario, m.Rules]:
    from tabletop.loading import load_named
    from tabletop.yamlnodes import InputError

    try:
        return load_named(scenario)
    except paths.ScenarioNotFound as exc:
        raise SetupError(str(exc)) from None
    except InputError as exc:
        lines = "\n".join(str(p) for p in exc.problems)
        raise SetupError(f"{lines}\n{scenario} has {len(exc.problems)} problem(s); run 'tabletop validate {scenario}'") from None


class TabletopApp(App[int]):
    CSS_PATH = "tabletop.tcss"
    TITLE = "tabletop"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app-quit")]

    def __init__(
        self,
        *,
        scenario: tuple[m.Scenario, m.Rules] | None = None,
        seats: dict[str, str] | None = None,
        seed: int | None = None,
        log: str | Path | None = None,
        minutes: int = DEFAULT_MINUTES,
        replay: str | Path | None = None,
        start_scenario: Path | None = None,
        resumed: Session | None = None,
    ) -> None:
        super().__init__()
        # The theme is chosen before any CSS is read: set in on_mount, it would parse every
        # stylesheet twice and restyle every widget once more before the first frame.
        self.register_theme(THEME)
        self.set_reactive(TabletopApp.theme, THEME.name)
        self.stylesheet.set_variables(self.get_css_variables())
        self.initial = scenario
        self.seat_kinds = seats or {}
        self.seed = seed if seed is not None else random.randrange(10_000)
        self.log_path = Path(log) if log else None
        self.minutes = minutes
        self.replay_path = Path(replay) if replay else None
        self.start_scenario = start_scenario
        self.session: Session | None = None
        self.resumed = resumed  # `tabletop play --log PATH` on an existing log: opened before the app
        self._failed = False
        self.halted = ""  # set when the log stopped inside a command (tui/commands.py): no further command then

    def get_default_screen(self) -> Screen:
        """The first screen goes straight onto the stack: no blank default screen is drawn and then covered."""
        if self.replay_path is not None:
            from tabletop.tui.screens.replay import ReplayScreen

            return ReplayScreen(self.replay_path)
        if self.resumed is not None:
            return self._board(self.resumed, self.minutes)
        if self.initial is not None:
            scenario, rules = self.initial
            session = self._new_session(scenario, rules, self.seat_kinds, self.seed, log=self.log_path)
            if session is None:
                self._failed = True
                return Screen()
            return self._board(session, self.minutes)
        from tabletop.tui.screens.start import StartScreen

        return StartScreen(self.start_scenario, self.seat_kinds, self.seed, self.minutes)

    def on_mount(self, event: events.Mount) -> None:
        # The event is taken so that a subclass may take it too (RemoteApp prevents this default).
        # The start-up's objects are built: collect as usual again, once the first frame is out.
        self.call_after_refresh(_start_up_drawn)
        if self._failed:
            self.exit(2)

    # ------------------------------------------------------------ exercises
    def _new_session(
        self, scenario: m.Scenario, rules: m.Rules, seats: dict[str, str], seed: int, log: Path | None = None, **settings: Any
    ) -> Session | None:
        """A new exercise; ``settings`` are Session.new's name, minutes and timer_autostart."""
        from tabletop.session import Session

        path = log or new_log_path(scenario)
        try:
            return Session.new(scenario, rules, seed=seed, seats=seats, log_path=path, clock=True, **settings)
        except FileExistsError:
            literal.notify(self, f"{path} exists already; a log is never overwritten: choose another path.", severity="error")
        except OSError as exc:
            literal.notify(self, f"cannot write the log {path}: {exc}", severity="error")
        return None

    def start_exercise(
        self, scenario: m.Scenario, rules: m.Rules, seats: dict[str, str], seed: int, minutes: int, log: Path | None = None,
        name: str | None = None, timer_autostart: bool = False,
    ) -> bool:
        # ``tabletop play --log PATH`` with no scenario: the exercise started from the start screen is written there.
        log = log if log is not None else self.log_path
        session = self._new_session(scenario, rules, seats, seed, log, name=name, minutes=minutes, timer_autostart=timer_autostart)
        if session is None:
            return False
        self._open_board(session, minutes)
        return True

    def resume_exercise(self, path: Path, minutes: int) -> bool:
        from tabletop.session import ResumeError, resume_log

        try:
            session, warnings = resume_log(path, clock=True)
        except ResumeError as exc:  # one line, and the start screen stays
            literal.notify(self, str(exc), severity="error", timeout=15)
            return False
        for warning in warnings:
            literal.notify(self, warning, severity="warning")
        self._open_board(session, int(session.header.get("minutes", minutes)))
        return True

    def _board(self, session: Session, minutes: int) -> Screen:
        from tabletop.tui.screens.board import BoardScreen

        if self.session is not None:
            self.session.close()
        self.session = session
        return BoardScreen(session, minutes)

    def _open_board(self, session: Session, minutes: int) -> None:
        """The board goes over the first screen (the start screen, or a replay), else takes the place of the top one."""
        board = self._board(session, minutes)
        if len(self.screen_stack) > 1:
            self.switch_screen(board)
        else:
            self.push_screen(board)  # the first screen has no result to hand back, so it cannot be switched away

    def branch_exercise(self, parent: Path, at: int, scenario: m.Scenario, rules: m.Rules, seats: dict[str, str] | None = None) -> bool:
        """Play on from event ``at`` of a saved log in a new one (Session.branch); the board replaces the replay.

        ``seats`` says who plays each seat from there on; None keeps the parent's.
        """
        from tabletop import log as logmod
        from tabletop.session import CommandError, ReplayMismatch, Session

        path = new_log_path(scenario)
        try:
            session = Session.branch(parent, at, path, scenario, rules, seats=seats, clock=True)
        except (ReplayMismatch, logmod.LogError, CommandError) as exc:
            literal.notify(self, f"cannot play on from {parent.name}: {exc}", severity="error")
            return False
        except OSError as exc:
            literal.notify(self, f"cannot write the log {path}: {exc}", severity="error")
            return False
        moved = session.header["parent"]["seq"]
        if moved != at:
            literal.notify(self, f"Event {at} is part of a command that ends at event {moved}: playing on from there.")
        literal.notify(self, f"New exercise in {path}, branched from {parent.name}.")
        self._open_board(session, self.minutes)
        return True

    def open_replay(self, path: Path) -> None:
        from tabletop.tui.screens.replay import ReplayScreen

        self.push_screen(ReplayScreen(path))

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()

    # ------------------------------------------------------- command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key of the current screen, by name, so nothing needs remembering."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        bindings = [b for b in getattr(type(screen), "BINDINGS", []) if isinstance(b, Binding)]
        actions = {b.action for b in bindings}
        for binding in bindings:
            title = binding.tooltip or binding.description
            if not title or binding.action in seen or binding.action.startswith("app."):
                continue  # a board key's hidden twin has no title: its shown binding stands for it
            seen.add(binding.action)
            key = binding.key_display or binding.key
            # Through the twin where the screen has one (the board): it runs the action wherever it works, and
            # says where it does otherwise, though the footer does not show it in this phase.
            twin = f"key({binding.action!r})"
            action = twin if twin in actions else binding.action
            yield SystemCommand(title, f"key: {key}", partial(screen.run_action, action))


def make_app(
    scenario: str | Path | None = None,
    seat_specs: Sequence[str] = (),
    seed: int | None = None,
    log: str | Path | None = None,
    minutes: int = DEFAULT_MINUTES,
    replay: str | Path | None = None,
    start: bool = False,
) -> TabletopApp:
    """The app for a new exercise on SCENARIO, a replay of a log, or (no scenario, or start=True) the start screen.

    Raises SetupError for a scenario that cannot be found or loaded, a bad
    --seat, or a log without a header or whose scenario cannot be found. A
    replay reads, checks and replays the rest of its log on screen, and says
    there if it fails.
    """
    if replay is not None:
        from tabletop.replay import OpenError
        from tabletop.tui.screens.replay import check_log

        try:
            check_log(replay)  # the header and the scenario's whereabouts; the rest loads on screen
        except OpenError as exc:
            raise SetupError(str(exc)) from None
        return TabletopApp(replay=replay)
    if log is not None and Path(log).exists():  # an existing log is carried on, never overwritten
        return TabletopApp(resumed=resume_log(Path(log), scenario, seat_specs, seed), minutes=minutes)
    if scenario is None or start:
        wanted = None
        if scenario is not None:  # one not there is refused as every command refuses it, not swapped for the default
            try:
                wanted = paths.require_scenario(str(scenario))
            except paths.ScenarioNotFound as exc:
                raise SetupError(str(exc)) from None
        specs = {}
        if seat_specs:
            specs = {s.partition("=")[0]: s.partition("=")[2] for s in seat_specs}
        return TabletopApp(seats=specs, seed=seed, log=log, minutes=minutes, start_scenario=wanted)
    loaded = load(scenario)
    seats = parse_seats(seat_specs, loaded[0].seats)
    return TabletopApp(scenario=loaded, seats=seats, seed=seed, log=log, minutes=minutes)


def resume_log(path: Path, scenario: str | Path | None, seat_specs: Sequence[str], seed: int | None) -> Session:
    """``tabletop play [SCENARIO] --log PATH`` on a log that exists: the exercise in it, carried on.

    Its own scenario (by the header's path, else its id), seed and seats are
    kept; a SCENARIO, --seed or --seat that says otherwise is refused in words.
    """
    from tabletop import log as logmod
    from tabletop.replay import OpenError, open_log
    from tabletop.session import ResumeError, resume_failed, resume_log

    if seat_specs:
        raise SetupError(f"{path} exists: resuming it keeps its seats; leave --seat out (or give a new --log to start another exercise)")
    try:
        opened = open_log(path, named=scenario)
    except (OpenError, logmod.LogError) as exc:
        raise SetupError(resume_failed(path, exc)) from None
    header = opened.contents.header
    if scenario is not None:
        wanted = load(scenario)[0].id
        if wanted != header.get("scenario"):
            raise SetupError(f"{path} is an exercise of scenario {header.get('scenario')!r}, not {wanted!r}: "
                             f"resume it with 'tabletop play --log {path}'")
    if seed is not None and seed != header.get("seed"):
        raise SetupError(f"{path} was played with seed {header.get('seed')}, not {seed}: a resumed exercise keeps its seed; leave --seed out")
    if any(r.get("type") == "exercise_ended" for r in opened.contents.events):
        raise SetupError(f"{path} has ended: replay it with 'tabletop replay {path}', or give a new --log")
    try:
        session, warnings = resume_log(path, clock=True, opened=opened)
    except ResumeError as exc:
        raise SetupError(str(exc)) from None
    for warning in warnings:
        print(visible(f"tabletop: warning: {warning}"), file=sys.stderr)
    return session


def _run(app: TabletopApp) -> int:
    code = app.run()
    if app.session is not None and app.session.writer is not None:
        print(visible(f"log: {app.session.writer.path}"), file=sys.stderr)
    if app.halted:
        print(visible(f"tabletop: {app.halted}"), file=sys.stderr)
        return 1
    # An app that stopped on an unhandled error has return code 1 and returns None from run().
    return int(code or app.return_code or 0)


def run_app(scenario: str | None = None, seat_specs: Sequence[str] = (), seed: int | None = None, log: str | None = None) -> int:
    """``tabletop`` and ``tabletop play``: the start screen, or straight to the board."""
    try:
        app = make_app(scenario, seat_specs, seed=seed, log=log)
    except SetupError as exc:
        print(visible(f"tabletop: {exc}"), file=sys.stderr)
        return 2
    return _run(app)


def run_replay(log_path: str) -> int:
    """``tabletop replay LOG``."""
    try:
        app = make_app(replay=log_path)
    except SetupError as exc:
        print(visible(f"tabletop: {exc}"), file=sys.stderr)
        return 1
    return _run(app)
