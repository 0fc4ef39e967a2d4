"""Replay: the timeline, stepping, and states that match a full replay without replaying per step."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tabletop import log as logmod
from tabletop import runner
from tabletop.loading import load_scenario
from tabletop.session import Session, state_hash
from tabletop.tui.app import SetupError, make_app
from tabletop.tui.screens.replay import ReplayScreen
from tabletop.tui.snapshots import Snapshots
from tabletop.tui.widgets.status import StatusLine
from tabletop.tui.widgets.timeline import Timeline

from ..conftest import SECRET_ANSWER, SECRET_REASON, mid_decision
from .conftest import MINI, notifications, run


@pytest.fixture
def played(tmp_path):
    scenario, rules = load_scenario(MINI)
    path = tmp_path / "played.jsonl"
    runner.play(scenario, rules, seed=4, log_path=path, fsync=False)
    return path, scenario, rules


@pytest.mark.parametrize("stride", [1, 3, 7])
def test_snapshots_give_the_same_state_as_a_replay_up_to_each_event(played, stride):
    path, scenario, rules = played
    contents = logmod.read(path)
    snapshots = Snapshots(contents, scenario, rules, stride=stride)
    assert snapshots.error is None and len(snapshots) == len(contents.events)
    # Forward, backward and jumping around, against a fresh replay each time.
    # Session.replay(upto=k) stops at the end of the command group that event k belongs to.
    for k in [*range(len(snapshots) + 1), 20, 5, 33, 0, len(snapshots)]:
        expected = Session.replay(contents, scenario, rules, upto=k)
        at = len(expected.events)
        got = snapshots.state_at(at)
        assert state_hash(got) == state_hash(expected.state), (k, at)
        assert board(got) == board(expected.state), (k, at)


async def verified_replay(app, pilot) -> ReplayScreen:
    """The replay screen once its log is read and verified in the background."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReplayScreen)
    return screen


def board(state):
    """Everything the board and the replay screen show, in full."""
    return (
        state.turn, state.phase, state.date, state.tension, state.credibility, state.posture, state.released,
        {k: (o.status, o.answer, o.ruling) for k, o in state.obligations.items()}, state.tension_history,
        {t: {s: d.option for s, d in ds.items()} for t, ds in state.decisions.items()}, len(state.facts), state.ended,
    )


def test_replay_screen_steps_through_the_log(played):
    path, scenario, rules = played
    events = logmod.read(path).events
    app = make_app(replay=path)

    async def scenario_():
        async with app.run_test(size=(100, 32)) as pilot:
            screen = await verified_replay(app, pilot)
            timeline = screen.query_one("#timeline", Timeline)
            assert timeline.count == len(events)
            assert screen.step == 1
            await pilot.press("right", "right", "right")
            assert screen.step == 4
            await pilot.press("left")
            assert screen.step == 3
            await pilot.press("right_square_bracket")  # the next turn's start
            assert events[screen.step - 1]["type"] == "turn_started" and events[screen.step - 1]["turn"] == 2
            await pilot.press("left_square_bracket", "left_square_bracket")
            assert screen.step == 1
            await pilot.press("end")
            assert screen.step == len(events)
            status = screen.query_one(StatusLine).render().plain
            assert f"Replay {len(events)}/{len(events)}" in status and "ENDED" in status
            # A decision shows who chose what, and why.
            k = next(i for i, e in enumerate(events) if e["type"] == "decision") + 1
            await pilot.press("home")
            await pilot.click("#timeline", offset=(2, k - 1))  # clicking a line jumps there
            await pilot.pause()
            assert screen.step == k
            detail = screen.query_one("#event-detail", Static).render().plain
            assert "rationale:" in detail and events[k - 1]["rationale"] in detail.replace("\n", " ")

    run(scenario_())


def test_replay_of_a_missing_log_is_refused(tmp_path):
    with pytest.raises(SetupError):
        make_app(replay=tmp_path / "missing.jsonl")


def test_a_long_log_opens_without_describing_every_event(tmp_path):
    """Only the rows on screen are described, and the snapshots kept stay few, however long the log."""
    scenario, rules = load_scenario(MINI)
    path = tmp_path / "long.jsonl"
    session = Session.new(scenario, rules, seed=1, log_path=path, fsync=False)
    for i in range(3000):
        session.note(f"note {i}")
    session.close()
    app = make_app(replay=path)
    described = []

    async def scenario_():
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            timeline = screen.query_one("#timeline", Timeline)
            original = timeline.describe
            timeline.describe = lambda i: described.append(i) or original(i)
            timeline.set_count(timeline.count)
            await pilot.press("end")
            await pilot.pause()
            assert screen.step == 3001
            assert "note 2999" in screen.query_one("#event-detail", Static).render().plain
            assert len(screen.snapshots.states) <= 102

    run(scenario_())
    assert 0 < len(described) < 100


def test_snapshots_verified_in_the_background_match_a_replay_done_at_once(played):
    """The replay viewer folds the first events unchecked, then replays the whole log: the states agree."""
    path, scenario, rules = played
    contents = logmod.read(path)
    at_once = Snapshots(contents, scenario, rules, stride=5)
    staged = Snapshots.unverified(contents.header, contents.events[:7], scenario, rules)
    first = [state_hash(staged.state_at(k)) for k in range(8)]
    staged.extend(contents.events)
    staged.verify(contents, stride=5)
    staged.finish()
    assert staged.verified and staged.error is None and len(staged) == len(at_once)
    assert first == [state_hash(at_once.state_at(k)) for k in range(8)]
    for k in [len(at_once), 3, 20, 0, 11]:
        assert board(staged.state_at(k)) == board(at_once.state_at(k)), k


def test_the_first_step_shows_before_the_whole_log_is_read(played, monkeypatch):
    from tabletop.tui.screens import replay as replay_screen

    path, _, _ = played
    total = len(logmod.read(path).events)
    monkeypatch.setattr(replay_screen, "HEAD", 5)
    app = make_app(replay=path)
    seen = []

    async def scenario_():
        async with app.run_test(size=(100, 32), message_hook=seen.append) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            status = app.screen.query_one(StatusLine).render().plain
            assert f"Replay 1/{total}" in status and "verified" in status and "NOT" not in status
            assert not app.screen.query("#verify-progress")  # the progress bar goes once done

    run(scenario_())
    stages = {id(m): m for m in seen if isinstance(m, (ReplayScreen.Opened, ReplayScreen.Read, ReplayScreen.Verified))}  # bubbled: seen twice
    order = [type(m).__name__ for m in stages.values()]
    assert order == ["Opened", "Read", "Verified"]
    opened = next(m for m in seen if isinstance(m, ReplayScreen.Opened))
    assert opened.warnings == [] and len(opened.snapshots.events) >= 5  # the head first; the rest when read


def test_a_log_with_a_broken_chain_opens_but_says_it_is_not_verified(played):
    path, _, _ = played
    lines = path.read_bytes().split(b"\n")
    note = next(i for i, line in enumerate(lines) if b'"type":"phase_changed"' in line)
    lines[note] = lines[note].replace(b'"phase":"', b'"phase":"x', 1)  # still JSON; the next line's hash no longer fits
    path.write_bytes(b"\n".join(lines))
    app = make_app(replay=path)  # no SetupError: the header and the scenario are fine
    seen = []

    async def scenario_():
        async with app.run_test(size=(100, 32), message_hook=seen.append) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert screen.step == 1
            assert "NOT verified" in screen.query_one(StatusLine).render().plain

    run(scenario_())
    errors = [n for n in notifications(seen) if n.severity == "error"]
    assert errors and "hash chain broken" in errors[-1].message


def test_keys_pressed_faster_than_the_steps_are_drawn_all_count(played):
    path, _, _ = played
    app = make_app(replay=path)

    async def scenario_():
        async with app.run_test(size=(100, 32)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            for _ in range(5):
                app.screen.action_step(1)  # no pause between: as a held-down key does
            await pilot.pause()
            assert app.screen.step == 6

    run(scenario_())


def test_play_on_from_here_branches_into_a_new_log(played, home):
    path, scenario, rules = played
    before = path.read_bytes()
    app = make_app(replay=path)

    async def scenario_():
        async with app.run_test(size=(100, 32)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("right", "right", "right")  # event 4
            await pilot.press("b")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            from tabletop.tui.screens.board import BoardScreen

            assert isinstance(app.screen, BoardScreen)
            session = app.session
            assert session is not None and len(session.events) >= 4
            session.note("Branched in class to try another answer.")

    run(scenario_())
    assert path.read_bytes() == before  # the parent is only read
    [child] = [p for p in (home / "logs").glob("*.jsonl")]
    contents = logmod.read(child)
    assert contents.header["parent"]["log"] == str(path.resolve())
    assert contents.events[-1]["type"] == "note"
    Session.replay(contents, scenario, rules)


def test_play_on_can_change_who_plays_each_seat(played, home):
    path, scenario, rules = played
    parent_seats = logmod.read(path).header["seats"]
    first = next(iter(scenario.seats))
    app = make_app(replay=path)

    async def scenario_():
        async with app.run_test(size=(100, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("right", "right")
            await pilot.press("b")
            await pilot.pause()
            from tabletop.tui.screens.dialogs import BranchScreen

            assert isinstance(app.screen, BranchScreen)
            assert app.screen.chosen() == {s: parent_seats.get(s, "bot") for s in scenario.seats}
            await pilot.click(f"#branch-{first}")  # the mouse works as well as the keys
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()

    run(scenario_())
    [child] = [p for p in (home / "logs").glob("*.jsonl")]
    seats = logmod.read(child).header["seats"]
    flipped = "bot" if parent_seats.get(first, "bot") == "human" else "human"
    assert seats[first] == flipped
    assert {s: k for s, k in seats.items() if s != first} == {s: parent_seats.get(s, "bot") for s in scenario.seats if s != first}


def test_stay_leaves_the_replay_and_writes_nothing(played, home):
    path, _, _ = played
    app = make_app(replay=path)

    async def scenario_():
        async with app.run_test(size=(100, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("b")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            from tabletop.tui.screens.replay import ReplayScreen

            assert isinstance(app.screen, ReplayScreen)

    run(scenario_())
    assert not list((home / "logs").glob("*.jsonl"))


def test_a_replay_opened_from_the_start_screen_goes_back_to_it(tmp_path):
    from tabletop.tui.screens.start import StartScreen

    log = tmp_path / "ex.jsonl"
    scenario, rules = load_scenario(MINI)
    runner.play(scenario, rules, seed=4, log_path=log, fsync=False)
    app = make_app(seed=1)

    async def scenario_():
        async with app.run_test() as pilot:
            await app.workers.wait_for_complete()
            app.open_replay(log)
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert isinstance(app.screen, ReplayScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, StartScreen)

    run(scenario_())


def test_a_log_in_mid_decision_replays_with_its_decisions_sealed(tmp_path):
    """The sealing rule is the board's: stepping through a log whose decide phase is still open shows who is in, not what they chose."""
    scenario, rules = load_scenario(MINI)
    path = mid_decision(scenario, rules, tmp_path / "mid.jsonl")
    events = logmod.read(path).events
    mine = [i for i, e in enumerate(events) if e["type"] == "decision" and e.get("by") != "bot"]
    assert mine
    app = make_app(replay=path)

    async def scenario_():
        async with app.run_test(size=(100, 32)) as pilot:
            screen = await verified_replay(app, pilot)
            lines = [screen._timeline_line(i).plain for i in range(len(events))]
            for i in mine:
                assert "(sealed)" in lines[i], lines[i]
            for i in mine:
                await pilot.press("home")
                for _ in range(i + 1):
                    await pilot.press("right")
                await pilot.pause()
                detail = screen.query_one("#event-detail", Static).render().plain
                assert "sealed until every seat has decided" in detail
                assert SECRET_REASON not in detail and SECRET_ANSWER not in detail and "rationale" not in detail

    run(scenario_())


def test_a_finished_log_replays_with_its_decisions_open(played):
    """Once the decide phase has moved on (every seat in), the replay shows what each seat chose and why."""
    path, scenario, rules = played
    events = logmod.read(path).events
    snapshots = Snapshots(logmod.read(path), scenario, rules)
    assert not any(snapshots.sealed(e) for e in events)
