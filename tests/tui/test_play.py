"""An exercise driven through the UI: the start screen, one full turn, the hot seat, and refusals."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Select

from tabletop import log as logmod
from tabletop.loading import load_scenario
from tabletop.session import Session
from tabletop.tui.app import make_app
from tabletop.tui.screens.adjudication import AdjudicationScreen
from tabletop.tui.screens.board import BoardScreen
from tabletop.tui.screens.decide import DecisionScreen, HandoverScreen, RevealScreen
from tabletop.tui.screens.dialogs import ChoiceScreen, NoteScreen, OverrideScreen
from tabletop.tui.screens.start import StartScreen
from tabletop.tui.widgets.log_tail import LogTail

from .conftest import MINI, choose, click_seat, notifications, run, type_text

RATIONALE = "Deter without closing the door to talks"


def test_play_with_log_and_no_scenario_writes_the_exercise_started_on_the_start_screen_there(mini_in_home, tmp_path):
    """`tabletop play --log PATH`: the start screen chooses the scenario, and the log is PATH, not one in the logs folder."""
    wanted = tmp_path / "class-1.jsonl"
    app = make_app(seed=3, log=wanted)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, StartScreen)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            await pilot.press("n")
            return app.session.writer.path

    assert str(run(scenario())) == str(wanted)
    contents = logmod.read(wanted)
    assert contents.header["scenario"] == "nea-2024" and [e["type"] for e in contents.events][:2] == ["turn_started", "inject_released"]


def test_start_screen_then_one_full_turn_is_logged(mini_in_home):
    app = make_app(seed=3)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await app.workers.wait_for_complete()  # the scenarios load after the first frame
            await pilot.pause()
            start = app.screen
            assert isinstance(start, StartScreen)
            # nea-2024 is the default; move to the user's mini scenario by keyboard.
            scenarios = start.query_one("#scenarios", OptionList)
            assert start.entries[scenarios.highlighted].path.stem == "nea-2024"
            wanted = next(i for i, e in enumerate(start.entries) if e.path == mini_in_home)
            scenarios.focus()
            while scenarios.highlighted != wanted:
                await pilot.press("down")
            await pilot.pause()
            seats = start.current_seats()
            assert list(seats.values()).count("human") == 1 and seats["us"] == "human"
            await click_seat(pilot, start, "japan")  # a toggle per seat, by mouse
            assert start.current_seats()["japan"] == "human"
            picker = start.query_one("#seat-rows")
            assert picker.get_option("human-japan").prompt.plain.split() == ["Japan", "human"]
            await click_seat(pilot, start, "japan")
            assert start.current_seats() == seats
            assert picker.get_option("human-japan").prompt.plain.split() == ["Japan", "bot"]
            picker.focus()  # and by keyboard: the Japan line is highlighted, space turns it to human and back
            await pilot.press("space")
            assert start.current_seats()["japan"] == "human"
            await pilot.press("space")
            assert start.current_seats() == seats
            await pilot.click("#start")
            await pilot.pause()

            board = app.screen
            assert isinstance(board, BoardScreen)
            session = app.session
            assert session.scenario.id == "mini" and session.seats["us"] == "human"
            await pilot.press("n")
            assert len(session.state.released) == 1
            await pilot.press("N")
            assert session.unreleased(include_standby=False) == []
            await pilot.press("space")
            assert session.state.phase == "deliberate"
            await pilot.press("space")
            await pilot.pause()
            assert session.state.phase == "decide"
            # Bots decided at once; the human seat gets the keyboard handed over.
            assert session.undecided() == ["us"]
            assert isinstance(app.screen, HandoverScreen)
            tail = " ".join(board.query_one(LogTail).lines)
            assert "sealed" in tail and "decides:" not in tail  # no seat reads another's choice

            await pilot.press("enter")
            assert isinstance(app.screen, DecisionScreen)
            await pilot.press("down", "down", "enter")  # the second option: Hold a drill
            await type_text(pilot, RATIONALE)
            for open_ob in session.unanswered("us"):
                await choose(pilot, app.screen.query_one(f"#answer-{open_ob.id}", Select))  # honour
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, RevealScreen)
            await pilot.press("escape")

            await pilot.press("space")
            await pilot.pause()
            assert session.state.phase == "adjudicate" and session.state.turn in session.state.adjudicated
            assert isinstance(app.screen, AdjudicationScreen)
            await pilot.press("escape")
            await pilot.press("space")
            assert session.state.phase == "review"
            return session.writer.path

    contents = logmod.read(run(scenario()))
    decisions = [e for e in contents.events if e["type"] == "decision" and e["seat"] == "us" and "obligation" not in (e.get("answers") or {})]
    assert len(decisions) == 1
    assert decisions[0]["option"] == "drill" and decisions[0]["rationale"] == RATIONALE and decisions[0]["by"] == "human"
    answers = [e for e in contents.events if e["type"] == "obligation_answered" and e["seat"] == "us"]
    assert answers and all(a["answer"] == "honour" for a in answers)
    scenario_, rules = load_scenario(contents.header["scenario_path"])
    replayed = Session.replay(contents, scenario_, rules)  # raises ReplayMismatch if the log does not verify
    assert replayed.state.phase == "review"


def test_command_error_becomes_a_notification(tmp_path):
    app = make_app(str(MINI), [], seed=1, log=tmp_path / "bots.jsonl")  # every seat a bot
    seen = []

    async def scenario():
        async with app.run_test(message_hook=seen.append) as pilot:
            await pilot.press("u")  # nothing to take back: the start of the exercise is not a command to retract
            await pilot.pause()
            assert "start cannot be retracted" in notifications(seen)[-1].message
            await pilot.press("space")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceScreen)  # the scheduled injects are not out: release, keep, drop?
            await pilot.press("d", "space")  # dropped (logged), then on to decide
            await pilot.pause()
            assert isinstance(app.screen, RevealScreen)  # bots only: straight to the reveal
            await pilot.press("escape")
            app.screen.command(app.session.release, "missile")  # a refused command: said, and nothing breaks
            await pilot.pause()
            errors = [n for n in notifications(seen) if n.severity == "error"]
            assert errors and "decide phase" in errors[-1].message and errors[-1].title == "Not done"
            assert app.is_running and isinstance(app.screen, BoardScreen)

            await pilot.press("o")
            assert isinstance(app.screen, OverrideScreen)
            await pilot.click("#ok")  # no reason given: refused, the dialog stays open
            await pilot.pause()
            assert isinstance(app.screen, OverrideScreen)
            assert "reason" in notifications(seen)[-1].message
            app.screen.query_one("#reason").focus()
            await type_text(pilot, "the room judged the drill a provocation")
            await choose(pilot, app.screen.query_one("#tension", Select), steps=2)
            await pilot.click("#ok")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            assert app.session.state.overrides[-1].reason == "the room judged the drill a provocation"

    run(scenario())


def test_a_bad_scenario_is_refused_before_the_app_opens(tmp_path, capsys):
    from tabletop.tui.app import run_app

    assert run_app(scenario=str(tmp_path / "nope.yaml")) == 2
    assert "no scenario" in capsys.readouterr().err


@pytest.mark.parametrize("broken", ["early", "late", "missing"])
def test_start_screen_falls_back_when_the_default_scenario_is_broken(tmp_path, monkeypatch, broken):
    """Broken early (or not there), it has no outline and the screen opens without seats; broken after its seats, they show until it fails to load."""
    from tabletop import paths

    bundled = tmp_path / "bundled"
    bundled.mkdir()
    text = "id: nea-2024\ntitle: [broken\n" if broken == "early" else MINI.read_text().replace("id: mini", "id: nea-2024").replace("turns:", "turnz:", 1)
    if broken != "missing":
        (bundled / "nea-2024.yaml").write_text(text)
    (bundled / "mini.yaml").write_text(MINI.read_text())
    monkeypatch.setattr(paths, "bundled_scenarios", lambda: bundled)
    app = make_app(seed=1)
    seen = []

    async def scenario():
        async with app.run_test(message_hook=seen.append) as pilot:
            start = app.screen
            assert bool(start.current_seats()) == (broken == "late")  # the first frame's seats: the outline's
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert start.entries[start.index].path.name == "mini.yaml"
            assert any(n.severity == "error" and "nea-2024.yaml" in n.message for n in notifications(seen))
            if broken == "missing":  # in the words every command uses for a scenario that is not there
                errors = [n.message for n in notifications(seen) if n.severity == "error"]
                assert errors == [f"The default scenario did not load:\nno scenario '{bundled / 'nea-2024.yaml'}': "
                                  "not a file, nor a bundled or user scenario (known: mini)"]
            assert list(start.current_seats()) == ["dprk", "rok", "us", "russia", "china", "japan"]
            assert start.current_seats()["us"] == "human"

    run(scenario())


def test_start_screen_refuses_a_scenario_that_is_not_there_as_play_does(capsys):
    from tabletop import paths
    from tabletop.tui.app import SetupError, run_app

    with pytest.raises(SetupError) as refused:
        make_app("no-such-scenario", start=True)
    assert str(refused.value) == paths.scenario_not_found("no-such-scenario")  # not the default, opened in its place
    assert run_app(scenario="no-such-scenario") == 2
    assert str(refused.value) in capsys.readouterr().err


def test_start_screen_lists_and_picks_a_scenario_asked_for_by_a_path_outside_the_scenario_folders(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "mine.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(MINI.read_text())
    app = make_app(str(elsewhere), start=True, seed=1)
    seen = []

    async def scenario():
        async with app.run_test(message_hook=seen.append) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            start = app.screen
            assert isinstance(start, StartScreen) and start.entries[start.index].path == elsewhere
            assert start.query_one("#scenarios", OptionList).highlighted == start.index
            assert start.shown == start.index and start.entries[start.shown].scenario.id == "mini"  # loaded and on screen
            assert not [n for n in notifications(seen) if n.severity == "error"]

    run(scenario())


def test_every_board_key_is_also_a_palette_command(tmp_path):
    app = make_app(str(MINI), [], seed=1, log=tmp_path / "palette.jsonl")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            board = app.screen
            titles = {command.title for command in app.get_system_commands(board)}
            for binding in BoardScreen.BINDINGS:
                if not binding.action.startswith(("app.", "key(")):  # key(...): a key's hidden twin (BoardScreen.check_action)
                    assert (binding.tooltip or binding.description) in titles, binding.key
            await pilot.press("ctrl+p")
            await type_text(pilot, "Add a note")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, NoteScreen)
            await type_text(pilot, "from the palette")
            await pilot.press("enter")
            await pilot.pause()
            assert app.session.state.notes[-1].text == "from the palette"

    run(scenario())


def test_hot_seat_keeps_each_seat_private_until_all_are_in(tmp_path):
    app = make_app(str(MINI), ["us=human", "japan=human"], seed=2, log=tmp_path / "two.jsonl")

    def board_text(board) -> str:
        lines = [option.prompt.plain for option in board.query_one("#obligation-list", OptionList).options]
        return " ".join(lines + board.query_one(LogTail).lines)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            board = app.screen
            session = app.session
            await pilot.press("N", "space", "space")
            await pilot.pause()
            assert isinstance(app.screen, HandoverScreen) and app.screen.seat == "us"
            await pilot.press("enter", "down", "enter")  # the hand-over, then the first option: Offer talks
            await type_text(pilot, "Talk from strength")
            for open_ob in session.unanswered("us"):
                await choose(pilot, app.screen.query_one(f"#answer-{open_ob.id}", Select))
            await pilot.press("ctrl+s")
            await pilot.pause()
            # Japan takes the keyboard: nothing on the board says what the US chose or answered.
            assert isinstance(app.screen, HandoverScreen) and app.screen.seat == "japan"
            text = board_text(board)
            assert "sealed" in text and "honour" not in text and "Offer talks" not in text
            await pilot.press("enter")
            assert isinstance(app.screen, DecisionScreen) and app.screen.seat == "japan"
            await pilot.press("down", "enter")
            await type_text(pilot, "Stay close to the ally")
            for open_ob in session.unanswered("japan"):
                await choose(pilot, app.screen.query_one(f"#answer-{open_ob.id}", Select))
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, RevealScreen)
            await pilot.press("escape", "space")  # the decide phase is over: answers are public
            await pilot.pause()
            await pilot.press("escape")
            assert "honour" in board_text(board)

    run(scenario())


def test_last_review_ends_in_the_hot_wash_and_exports_the_report(tmp_path):
    from tabletop.tui.screens.hotwash import HotWashScreen

    log = tmp_path / "end.jsonl"
    app = make_app(str(MINI), [], seed=5, log=log)
    seen = []

    async def scenario():
        async with app.run_test(size=(100, 32), message_hook=seen.append) as pilot:
            session = app.session
            for _turn in range(2):
                await pilot.press("N", "space", "space")  # deliberate, decide (bots), reveal
                await pilot.pause()
                await pilot.press("escape", "space")  # adjudicate
                await pilot.pause()
                assert isinstance(app.screen, AdjudicationScreen)
                await pilot.press("escape", "space")  # review
                assert session.state.phase == "review"
                owed = session.closing_owed
                await pilot.press("space")  # next turn, or on the last: end? (or first the closing round, if answers are owed)
                await pilot.pause()
            if owed:  # the closing response round: the bots answer what they owe, then a last adjudication
                await pilot.press("y")
                await pilot.pause()
                assert session.state.phase == "decide" and session.turn.closing and not session.unanswered()
                await pilot.press("space")  # the reveal of the answers, then adjudicate
                await pilot.pause()
                await pilot.press("escape", "space")
                await pilot.pause()
                assert isinstance(app.screen, AdjudicationScreen)
                await pilot.press("escape", "space")  # review
                assert session.state.phase == "review"
                await pilot.press("space")  # end?
                await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            assert session.state.ended and isinstance(app.screen, HotWashScreen)
            await pilot.press("x")  # where to: beside the log, as offered
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()

    run(scenario())
    messages = [n.message for n in notifications(seen)]
    for suffix in (".md", ".html"):
        report = log.with_suffix(suffix)
        assert report.is_file() and report.read_text().strip(), messages
    assert "<svg" in log.with_suffix(".html").read_text()


def test_the_situation_adds_each_inject_on_top_without_redoing_the_others(tmp_path):
    from tabletop.tui.widgets.situation import SituationPanel

    app = make_app(str(MINI), [], seed=1, log=tmp_path / "situation.jsonl")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            panel = app.screen.query_one(SituationPanel)
            assert panel.text == "No inject released yet."
            await pilot.press("n")
            first = app.session.state.released[0]
            wrapped = dict(panel._wrapped)
            assert list(wrapped) == [first]
            await pilot.press("n")
            await pilot.pause()
            second = app.session.state.released[1]
            titles = [app.session.scenario.inject(i).title for i in (second, first)]
            text = panel.text
            flat = " ".join(text.split())  # titles may wrap
            assert flat.index(titles[0]) < flat.index(titles[1])  # newest on top
            assert panel._wrapped[first] is wrapped[first]  # the first one was not wrapped again
            assert panel.virtual_size.height == len(text.split("\n"))
            assert panel.border_subtitle.startswith(("n: ", "none scheduled"))

    run(scenario())


def test_each_screen_footer_shows_its_own_keys_and_a_click_presses_one(tmp_path):
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    app = make_app(str(MINI), [], seed=1, log=tmp_path / "footer.jsonl")

    def shown() -> list[tuple[str, str]]:
        footer = app.screen.query_one(Footer)
        return [(key.key_display, key.description) for key in footer.query(FooterKey)]

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            for _ in range(50):  # the footer recomposes once the board has said which keys its phase has
                if shown():
                    break
                await pilot.pause(0.05)
            keys = shown()
            assert keys[:5] == [("n", "Inject"), ("N", "All"), ("s", "Standby"), ("a", "Ad-hoc"), ("spc", "Advance")]
            # The keys that matter in the brief (the rest work too, and ? lists them: see test_ruling.py),
            # and none of another phase's (decide, adjudication, hot wash).
            descriptions = {d for _, d in keys}
            assert {"Timer", "Help", "Quit"} <= descriptions
            assert not {"Decide", "Assess", "Adjud.", "Hot wash"} & descriptions
            assert ("^p", "palette") not in keys  # the board's width goes to its keys: ctrl+p is in the help, and still works
            assert keys[-1] == ("q", "Quit")  # the one cut first at 80 columns
            first = app.screen.query_one(Footer).query(FooterKey).first()
            assert first.tooltip == "Release the next scheduled inject"
            await pilot.click(Footer, offset=(1, 0))  # on "n Inject", wherever the footer has drawn it by now
            await pilot.pause()
            assert len(app.session.state.released) == 1
            await pilot.press("t")  # the note dialog: its own keys, not the board's
            await pilot.pause()
            assert ("esc", "Cancel") in shown() and ("n", "Inject") not in shown()

    run(scenario())


def test_the_garbage_collector_runs_again_once_the_board_is_drawn(tmp_path):
    import gc

    app = make_app(str(MINI), [], seed=1, log=tmp_path / "gc.jsonl")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert gc.isenabled()

    run(scenario())


def test_an_observers_note_names_its_seat_objective_and_finding(tmp_path):
    """The note key asks, where the scenario has objectives, who the note is about, which objective and what it shows."""
    from tabletop.loading import load_named

    scenario, _ = load_named("nea-2024")
    first = scenario.objectives[0].id
    app = make_app("nea-2024", seed=2, log=tmp_path / "obs.jsonl")

    async def scenario_run():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("t")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, NoteScreen)
            dialog.query_one("#note-text").focus()
            await type_text(pilot, "ROK consulted before acting")
            await choose(pilot, dialog.query_one("#note-seat", Select), steps=2)
            await choose(pilot, dialog.query_one("#note-objective", Select), steps=1)
            await choose(pilot, dialog.query_one("#note-finding", Select), steps=1)
            await pilot.click("#ok")
            await pilot.pause()
            note = app.session.state.notes[-1]
            assert (note.text, note.seat, note.objective, note.finding) == ("ROK consulted before acting", "rok", first, "strength")

    run(scenario_run())


def test_a_team_writes_its_own_course_of_action_and_the_facilitator_assesses_it(tmp_path):
    """The option list's last line is the seat's own words; the facilitator (key f) rules on what it does, before adjudication."""
    from tabletop.tui.screens.dialogs import AssessScreen

    log = tmp_path / "own.jsonl"
    app = make_app(str(MINI), seat_specs=["us=human"], seed=3, log=log)

    async def scenario():
        async with app.run_test(size=(120, 40)) as pilot:
            session = app.session
            await pilot.press("N", "space", "space")
            await pilot.pause()
            assert isinstance(app.screen, HandoverScreen)
            await pilot.press("enter")
            await pilot.pause()
            decision = app.screen
            assert isinstance(decision, DecisionScreen)
            options = decision.query_one("#options", OptionList)
            options.focus()
            await pilot.press("end", "enter")  # the last line: our own words
            await pilot.pause()
            assert decision.query_one("#own-words").display
            await type_text(pilot, "Send an envoy to Beijing")
            await pilot.press("enter")  # on to the rationale
            await type_text(pilot, "quiet pressure before public pressure")
            for open_ob in session.unanswered("us"):
                await choose(pilot, decision.query_one(f"#answer-{open_ob.id}", Select))
            await pilot.press("ctrl+s")
            await pilot.pause()
            mine = session.state.decisions[session.state.turn]["us"]
            assert mine.free and mine.text == "Send an envoy to Beijing"
            while isinstance(app.screen, (RevealScreen, HandoverScreen)):
                await pilot.press("escape")
                await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, AssessScreen)
            app.screen.query_one("#assess-tension").value = "-1"
            app.screen.query_one("#assess-reason").focus()
            await type_text(pilot, "a quiet envoy lowers the temperature")
            await pilot.click("#ok")
            await pilot.pause()
            assessed = [e for e in session.events if e["type"] == "assessed"]
            assert assessed and assessed[-1]["seat"] == "us" and assessed[-1]["tension"] == -1

    run(scenario())
    contents = logmod.read(log)
    assert [e["text"] for e in contents.events if e["type"] == "decision" and e.get("text")] == ["Send an envoy to Beijing"]


def test_a_seat_without_a_menu_decides_in_its_own_words(tmp_path):
    """An open-response exercise (an imported MSEL): the private screen asks for the course of action, not an option."""
    from tests.test_open_response import OPEN

    path = tmp_path / "open.yaml"
    path.write_text(OPEN, encoding="utf-8")
    app = make_app(str(path), seat_specs=["county-eoc=human"], seed=1, log=tmp_path / "open.jsonl")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            session = app.session
            await pilot.press("N", "space", "space")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            decision = app.screen
            assert isinstance(decision, DecisionScreen) and not decision.query("#options")
            await type_text(pilot, "Open the shelter at the high school")
            await pilot.press("enter")
            await type_text(pilot, "the watch may become a warning")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert session.state.decisions[1]["county-eoc"].text == "Open the shelter at the high school"

    run(scenario())
