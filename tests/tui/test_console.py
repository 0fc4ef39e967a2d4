"""The facilitator's console, second pass (issue 16): each wrong behaviour as a facilitator meets it."""

from __future__ import annotations

from textual.widgets import OptionList

from tabletop.tui.app import make_app
from tabletop.tui.screens.decide import DecisionScreen, HandoverScreen

from .conftest import MINI, run


def test_enter_pressed_twice_at_the_hand_over_chooses_nothing(tmp_path):
    app = make_app(str(MINI), ["china=human"], seed=1, log=tmp_path / "twice.jsonl")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            session = app.session
            await pilot.press("N", "space", "space")
            await pilot.pause()
            assert isinstance(app.screen, HandoverScreen)
            await pilot.press("enter", "enter", "enter")  # impatient: the hand-over, then twice more
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DecisionScreen)
            assert screen.chosen is None and screen.query_one("#options", OptionList).highlighted is None
            assert "china" in session.undecided()
            await pilot.press("ctrl+s")  # nothing chosen: refused, nothing logged
            await pilot.pause()
            assert "china" in session.undecided() and isinstance(app.screen, DecisionScreen)
            await pilot.press("down", "enter")  # the seat moves to an option itself, then takes it
            assert screen.chosen == session.options("china")[0].id

    run(scenario())


def _records(path):
    import json

    return [json.loads(line) for line in path.read_text().splitlines()[1:]]


def test_advancing_past_unreleased_scheduled_injects_asks_and_logs_the_answer(tmp_path):
    from tabletop.tui.screens.dialogs import ChoiceScreen

    log = tmp_path / "ask.jsonl"
    app = make_app(str(MINI), [], seed=1, log=log)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            session = app.session
            await pilot.press("space")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceScreen) and session.state.phase == "brief"  # asked, nothing lost yet
            assert app.screen.question.startswith("2 scheduled inject(s)")
            await pilot.press("n")  # cancel: still the brief, still unreleased
            await pilot.pause()
            assert session.state.phase == "brief" and len(session.unreleased(include_standby=False)) == 2
            await pilot.press("space")
            await pilot.pause()
            await pilot.press("s")  # keep them as standby: logged, and on to deliberate
            await pilot.pause()
            assert session.state.phase == "deliberate"
            assert session.unreleased(include_standby=False) == [] and len(session.unreleased()) == 2  # s still releases them
            await pilot.press("space")  # nothing scheduled left: no question
            await pilot.pause()
            assert session.state.phase == "decide"

    run(scenario())
    withheld = [r for r in _records(log) if r["type"] == "injects_withheld"]
    assert withheld == [{**withheld[0], "injects": ["missile", "threat"], "how": "standby"}]


def test_release_from_the_question_stays_in_the_brief_and_drop_never_releases(tmp_path):
    from tabletop.tui.screens.dialogs import ChoiceScreen

    app = make_app(str(MINI), [], seed=1, log=tmp_path / "drop.jsonl")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            session = app.session
            await pilot.press("n", "space")  # one out, one left
            await pilot.pause()
            assert isinstance(app.screen, ChoiceScreen) and app.screen.question.startswith("1 scheduled inject(s)")
            await pilot.press("r")
            await pilot.pause()
            assert session.state.phase == "brief" and session.unreleased(include_standby=False) == []
            await pilot.press("space")
            assert session.state.phase == "deliberate"

    run(scenario())


def test_the_timer_is_in_the_log_and_a_resume_shows_the_time_that_was_left(tmp_path):
    from tabletop.tui.screens.board import BoardScreen
    from tabletop.tui.screens.dialogs import ChoiceScreen
    from tabletop.tui.widgets.timer import PhaseTimer

    scenario_file = tmp_path / "timed.yaml"
    scenario_file.write_text(MINI.read_text() + "facilitation:\n  minutes: {brief: 5, deliberate: 15}\n")
    log = tmp_path / "timed.jsonl"
    app = make_app(str(scenario_file), [], seed=1, log=log)

    async def first():
        async with app.run_test(size=(100, 32)) as pilot:
            timer = app.screen.query_one(PhaseTimer)
            assert timer.remaining == 5 * 60  # the brief's own length, from the scenario's timings
            await pilot.press("p")  # start
            timer._ticker.pause()  # running as far as the board knows; no wall-clock second gets into the test
            timer.remaining = 181
            await pilot.press("plus")  # a minute more
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceScreen)  # quitting mid-exercise asks first
            await pilot.press("y")
            await pilot.pause()

    run(first())
    timers = [(r["action"], r["remaining"], r["minutes"], r["phase"]) for r in _records(log) if r["type"] == "timer"]
    assert timers == [("start", 300, 5, "brief"), ("extend", 241, 5, "brief"), ("pause", 241, 5, "brief")]

    again = make_app(log=log)  # `tabletop play --log PATH` on the log: resumed

    async def second():
        async with again.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert isinstance(again.screen, BoardScreen)
            timer = again.screen.query_one(PhaseTimer)
            assert timer.remaining == 241 and not timer.running and "04:01" in timer.render().plain
            await pilot.press("N", "space")
            await pilot.pause()
            assert timer.remaining == 15 * 60  # deliberate: its own length
            timer.remaining = 1
            await pilot.press("p")
            timer._tick()  # the second that takes it to zero
            await pilot.pause()
            assert timer.has_class("-alarm") and "TIME" in timer.render().plain

    run(second())


def test_the_timer_can_start_itself_on_entering_each_phase(tmp_path):
    from tabletop.loading import load_scenario
    from tabletop.session import Session

    log = tmp_path / "auto.jsonl"
    scenario, rules = load_scenario(MINI)
    Session.new(scenario, rules, seed=1, log_path=log, timer_autostart=True, minutes=7).close()
    app = make_app(log=log)

    async def scenario_():
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("N", "space")
            await pilot.pause()

    run(scenario_())
    assert [(r["action"], r["phase"], r["minutes"]) for r in _records(log) if r["type"] == "timer"] == [("start", "deliberate", 7)]


def test_undo_takes_back_the_last_command_and_says_it_was_seen(tmp_path):
    from tabletop.tui.screens.dialogs import RetractScreen

    from .conftest import type_text

    log = tmp_path / "undo.jsonl"
    app = make_app(str(MINI), [], seed=1, log=log)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            session = app.session
            tension = session.state.tension
            await pilot.press("n")
            assert session.state.released_now
            await pilot.press("u")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RetractScreen) and screen.revealed and "Inject:" in screen.what
            await type_text(pilot, "wrong inject")
            await pilot.press("enter")
            await pilot.pause()
            assert not session.state.released_now and session.state.tension == tension
            await pilot.press("u")  # only once
            await pilot.pause()
            assert not isinstance(app.screen, RetractScreen)

    run(scenario())
    retracted = [r for r in _records(log) if r["type"] == "retracted"]
    assert len(retracted) == 1 and retracted[0]["reason"] == "wrong inject" and retracted[0]["revealed"] is True
    from tabletop.cli import main

    assert main(["verify", str(log)]) == 0


def test_the_report_so_far_goes_where_the_facilitator_says_and_the_path_stays_shown(tmp_path):
    from textual.widgets import Input, Static

    from tabletop.tui.screens.dialogs import ExportScreen

    log = tmp_path / "interim.jsonl"
    app = make_app(str(MINI), ["china=human"], seed=1, log=log)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("N", "space", "space")  # decide: the bots are in, China is not; sealed
            await pilot.pause()
            await pilot.press("escape", "x")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ExportScreen)
            field = screen.query_one("#export-path", Input)
            assert field.value == str(tmp_path / "interim-turn1-decide.md")  # beside the log
            field.value = str(tmp_path / "missing" / "r.md")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ExportScreen)  # said in one line; the dialog stays
            field.value = str(tmp_path / "r.md")
            await pilot.press("enter")
            await pilot.pause()
            shown = str(screen.query_one("#export-written", Static).render())
            assert str(tmp_path / "r.md") in shown and str(tmp_path / "r.html") in shown
            await pilot.pause(0.5)
            assert app.screen is screen  # until dismissed

    run(scenario())
    text = (tmp_path / "r.md").read_text()
    assert "sealed until every seat has decided" in text and "In progress: turn 1, decide phase" in text
    assert not (tmp_path / "missing").exists()


def test_play_log_on_an_unfinished_log_resumes_it(tmp_path):
    from tabletop.loading import load_scenario
    from tabletop.session import Session
    from tabletop.tui.screens.board import BoardScreen

    log = tmp_path / "half.jsonl"
    scenario, rules = load_scenario(MINI)
    s = Session.new(scenario, rules, seed=4, log_path=log)
    s.release("missile")
    s.close()
    app = make_app(str(MINI), log=log)

    async def go():
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen) and app.session.state.released_now == frozenset({"missile"})
            assert app.session.seed == 4

    run(go())


def test_ending_with_obligations_open_lists_them_first(tmp_path):
    from tabletop.tui.screens.dialogs import ChoiceScreen

    app = make_app(str(MINI), [], seed=1, log=tmp_path / "end.jsonl")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            session = app.session
            await pilot.press("N", "e")  # the injects set off treaty obligations, not yet answered
            await pilot.pause()
            open_ids = list(session.state.open)
            assert open_ids
            screen = app.screen
            assert isinstance(screen, ChoiceScreen) and f"{len(open_ids)} obligation(s) still open" in screen.question
            lines = str(screen.query_one("#choice-lines").render())
            assert all(f"{i} " in lines for i in open_ids)
            assert [c.label for c in screen.choices] == ["End anyway", "Cancel"]
            await pilot.press("enter")  # Cancel is the one focused: an Enter pressed by habit ends nothing
            await pilot.pause()
            assert not session.state.ended
            await pilot.press("e", "y")
            await pilot.pause()
            assert session.state.ended

    run(scenario())


def test_the_start_screen_names_an_exercise_reads_a_broken_scenario_and_archives_a_finished_log(home, mini_in_home):
    from textual.widgets import Input, OptionList, Static

    from tabletop import runner
    from tabletop.loading import load_scenario
    from tabletop.tui.screens.board import BoardScreen
    from tabletop.tui.screens.dialogs import ChoiceScreen
    from tabletop.tui.screens.help import HelpScreen
    from tabletop.tui.screens.start import StartScreen

    from .conftest import type_text

    broken = home / "scenarios" / "broken.yaml"
    broken.write_text(MINI.read_text().replace("id: mini", "id: broken", 1).replace("turns:", "turnz:", 1))
    logs = home / "logs"
    logs.mkdir(exist_ok=True)
    scenario, rules = load_scenario(MINI)
    runner.play(scenario, rules, seed=2, log_path=logs / "done.jsonl", fsync=False)
    app = make_app(seed=3)

    async def go():
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            start = app.screen
            assert isinstance(start, StartScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            scenarios = start.query_one("#scenarios", OptionList)
            index = next(i for i, e in enumerate(start.entries) if e.path == broken)
            scenarios.focus()
            scenarios.highlighted = index
            await pilot.pause()
            shown = str(start.query_one("#setting-text", Static).render())
            assert "broken.yaml:" in shown and all(p.split(":")[0] in shown for p in start.entries[index].problems)
            # The finished log: archived after a confirmation, never silently.
            log_list = start.query_one("#logs", OptionList)
            log_list.focus()
            log_list.highlighted = 0
            await pilot.press("ctrl+a")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceScreen)
            await pilot.press("n")
            assert (logs / "done.jsonl").exists()
            await pilot.press("ctrl+a")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            assert not (logs / "done.jsonl").exists() and (logs / "archive" / "done.jsonl").exists()
            # A named exercise; q typed into the name is a letter, not quit.
            scenarios.highlighted = next(i for i, e in enumerate(start.entries) if e.path == mini_in_home)
            await pilot.pause()
            start.query_one("#exercise-name", Input).focus()
            await type_text(pilot, "Seminar q3")
            assert start.query_one("#exercise-name", Input).value == "Seminar q3" and app.is_running
            await pilot.click("#start")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen) and app.session.header["name"] == "Seminar q3"

    run(go())
    from tabletop.tui.screens.start import recent_logs

    entry = next(e for e in recent_logs() if e.name)
    assert entry.name == "Seminar q3" and entry.humans == ("us",) and entry.turn == 1
    from tabletop.tui.screens.start import log_option

    prompt = log_option(0, entry).prompt.plain
    assert "Seminar q3" in prompt and "mini" in prompt and "turn 1, brief" in prompt and "us" in prompt


def _linear(hex_colour: str) -> list[float]:
    values = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in values]


def _luminance(hex_colour: str) -> float:
    r, g, b = _linear(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_every_seat_colour_reads_on_the_board_and_stays_apart_under_colour_blindness():
    """WCAG contrast of at least 4.5:1 on every background a seat's name is drawn on; pairs apart under simulated CVD."""
    import itertools

    from tabletop.palette import SEAT_COLOURS
    from tabletop.tui.app import TabletopApp

    css = TabletopApp().get_css_variables()
    for seat, colour in SEAT_COLOURS.items():
        for where in ("background", "surface", "panel"):
            low, high = sorted((_luminance(colour), _luminance(css[where])))
            assert (high + 0.05) / (low + 0.05) >= 4.5, (seat, colour, where)
    # Viénot, Brettel and Mollon (1999), in linear RGB: how protanopes and deuteranopes see each colour.
    simulations = {
        "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
        "protanopia": ((0.11238, 0.88762, 0), (0.11238, 0.88762, 0), (0.00401, -0.00401, 1)),
        "deuteranopia": ((0.29275, 0.70725, 0), (0.29275, 0.70725, 0), (-0.02234, 0.02234, 1)),
    }
    for name, matrix in simulations.items():
        seen = {seat: _lab([max(0.0, min(1.0, sum(m * v for m, v in zip(row, _linear(c), strict=True)))) for row in matrix])
                for seat, c in SEAT_COLOURS.items()}
        for a, b in itertools.combinations(seen, 2):
            distance = sum((p - q) ** 2 for p, q in zip(seen[a], seen[b], strict=True)) ** 0.5
            assert distance >= 10, (name, a, b, distance)


def test_the_options_written_for_this_turn_come_first_and_the_list_shows_them_all(tmp_path):
    from tabletop.tui.screens.decide import OWN_WORDS

    app = make_app("nea-2024", [], seed=1, log=tmp_path / "nea.jsonl")

    async def go():
        async with app.run_test(size=(120, 40)) as pilot:
            session = app.session
            seat, turn = next((s, 1) for s, opts in session.scenario.options.items() if any(o.turns == (1,) for o in opts))
            session.withhold([i.id for i in session.unreleased()], "drop")
            session.advance()
            session.advance()
            app.push_screen(DecisionScreen(session, seat))
            await pilot.pause()
            listed = app.screen.query_one("#options", OptionList)
            ids = [listed.get_option_at_index(i).id for i in range(listed.option_count)]
            specific = [o.id for o in session.options(seat) if o.turns]
            assert specific and ids[: len(specific)] == specific and ids[-1] == OWN_WORDS
            assert listed.size.height >= listed.option_count  # no option below a short list's fold

    run(go())


def test_undo_in_an_open_decide_phase_keeps_the_decision_sealed(tmp_path):
    from tabletop.tui.screens.dialogs import RetractScreen

    app = make_app(str(MINI), ["china=human"], seed=1, log=tmp_path / "sealed.jsonl")

    async def go():
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("N", "space", "space")  # decide: the bots are in, China is handed the keyboard
            await pilot.pause()
            await pilot.press("escape", "u")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RetractScreen) and "(sealed)" in screen.what and "decides:" not in screen.what
            assert not screen.revealed

    run(go())
