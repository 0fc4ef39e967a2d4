"""Undo, withheld injects and the logged timer (issue 16 items 2, 3 and 14), through the session as the board uses it."""

from __future__ import annotations

import attrs
import pytest

from tabletop import events as ev
from tabletop import log as logmod
from tabletop import paths, report, runner
from tabletop.loading import load_scenario
from tabletop.replay import game_of, replay
from tabletop.session import CommandError, Session
from tabletop.verify import verify


def new(mini, rules, tmp_path):
    return Session.new(mini, rules, seed=1, log_path=tmp_path / "ex.jsonl", fsync=False, sign=False)


def reread(session, mini, rules):
    session.close()
    contents = logmod.read(session.writer.path)
    return replay(game_of(contents.header, mini, rules), contents.events).state, contents


def test_a_wrong_release_is_retracted_to_the_state_before_it_and_the_log_says_so(mini, rules, tmp_path):
    s = new(mini, rules, tmp_path)
    before = s.state
    s.release("missile")  # its facts, and whatever the ladder makes of them
    assert s.state.released_now and len(s.state.facts) > len(before.facts)
    s.retract("released the wrong inject")
    assert s.state.tension == before.tension and s.state.released_now == frozenset() and s.unreleased(False)[0].id == "missile"
    assert s.state.facts == before.facts and s.state.date == before.date
    record = s.events[-1]
    assert record["type"] == "retracted" and record["what"] == "inject_released" and record["revealed"] is True
    assert record["reason"] == "released the wrong inject"
    with pytest.raises(CommandError, match="only the last command"):
        s.retract("again")  # once: the command before it stays
    s.release("missile")  # and it can be given again
    state, contents = reread(s, mini, rules)
    assert state.released_now == frozenset({"missile"}) and state.facts == s.state.facts
    assert verify(s.writer.path, mini, rules).events == len(contents.events)


def test_a_note_is_not_revealed_and_a_retraction_needs_a_reason_and_a_command(mini, rules, tmp_path):
    s = new(mini, rules, tmp_path)
    with pytest.raises(CommandError, match="start cannot be retracted"):
        s.retract("oops")
    s.note("an accidental note")
    with pytest.raises(CommandError, match="needs a reason"):
        s.retract("  ")
    s.retract("typed in the wrong window")
    assert s.events[-1]["revealed"] is False and len(s.state.notes) == 0


def test_the_report_leaves_a_retracted_command_out_and_lists_the_retraction(mini, rules, tmp_path):
    s = new(mini, rules, tmp_path)
    s.release("missile")
    s.advance()
    s.retract("advanced too early")
    assert s.state.phase == "brief"
    s.note("note kept")
    text = report.render(s, "md")
    assert "## Retractions" in text and "an advance to the next phase" in text and "advanced too early" in text
    html = report.render(s, "html")
    assert "Retractions" in html and "advanced too early" in html


def test_scheduled_injects_kept_as_standby_or_dropped_are_logged_and_honoured(mini, rules, tmp_path):
    s = new(mini, rules, tmp_path)
    s.withhold(["missile"], "standby")
    assert [i.id for i in s.unreleased(include_standby=False)] == ["threat"]
    assert "missile" in [i.id for i in s.unreleased()]  # still there to release by choice
    s.withhold(["threat"], "drop")
    assert "threat" not in [i.id for i in s.unreleased()]
    with pytest.raises(CommandError, match="dropped"):
        s.release("threat")
    s.release("missile")
    state, _ = reread(s, mini, rules)
    assert state.dropped == frozenset({"threat"}) and "missile" in state.released_now


def test_the_timer_is_logged_and_undo_passes_over_it(mini, rules, tmp_path):
    s = new(mini, rules, tmp_path)
    s.note("to take back")
    s.timer("start", 600, 10)
    s.timer("pause", 180, 10)
    assert [e["type"] for e in s.events[-2:]] == ["timer", "timer"] and s.events[-1]["remaining"] == 180
    s.retract("the note, not the timer")
    assert len(s.state.notes) == 0
    assert [e["type"] for e in s.events[-3:]] == ["timer", "timer", "retracted"] and s.events[-1]["what"] == "note"


def test_a_headless_run_is_the_same_log_as_before(mini, rules, tmp_path):
    a = runner.play(mini, rules, seed=4, log_path=tmp_path / "a.jsonl", fsync=False)
    assert not any(e["type"] in ("retracted", "timer", "injects_withheld") for e in a.events)


def _game_fields(state):
    """A state's fields besides the undo bookkeeping (the count of events, what a retraction puts back)."""
    return {k: v for k, v in attrs.asdict(state, recurse=False).items() if k not in {"events", "before", "last_command"}}


def test_every_command_of_a_whole_exercise_retracts_to_exactly_the_state_before_it(rules):
    """The state keeps only what a command's events overwrote (State.before); putting that back must give the
    state before the command, field for field, for every kind of command and every follower it sets off."""
    scenario, _ = load_scenario(paths.find_scenario("nea-2024"), rules)
    played = runner.play(scenario, rules, seed=3)
    game = game_of(played.header, scenario, rules)
    events = [ev.from_json(r) for r in played.events if r["type"] not in ev.LOG_RECORDS]
    assert {e.TYPE for e in events} >= {"inject_released", "obligation_triggered", "adjudicated", "decision", "phase_changed"}
    state, checked, kinds = game.initial(), 0, set()
    i = 0
    while i < len(events):
        group = [events[i]]
        i += 1
        while i < len(events) and events[i].TYPE in ev.FOLLOWERS:
            group.append(events[i])
            i += 1
        before = state
        for event in group:
            state = game.evolve(state, event)
        try:
            (retraction,) = game.decide(state, ev.Retract("checking"))
        except CommandError:
            continue  # the start, or a timer
        back = game.evolve(state, retraction)
        assert _game_fields(back) == _game_fields(before), [e.TYPE for e in group]
        assert back.events == state.events + 1 and back.before is None
        checked += 1
        kinds.update(e.TYPE for e in group)
    assert checked > 50 and {"obligation_triggered", "adjudicated", "inject_released"} <= kinds


def test_a_served_clients_stand_in_for_a_withheld_record_is_retracted_to_the_board_before_it(mini, rules):
    """A seat's client folds a stand-in (the board after an inject it may not see); the retraction that follows
    returns its board to exactly what it was before, as the server's own state does."""
    from tabletop.serve import view

    game = game_of({"seats": {}, "seed": 1}, mini, rules)
    state = game.evolve(game.initial(), game.decide(game.initial(), ev.Advance())[0])
    board = {"tension": state.tension + 2, "credibility": {**state.credibility, "DPRK": 9},
             "posture": dict(state.posture), "date": "2024-07-01"}
    hidden = view.fold(game, state, {"type": view.STAND_IN, "seq": 2, "turn": state.turn, "board": board})
    assert hidden.tension == state.tension + 2 and hidden.credibility["DPRK"] == 9 and hidden.events == state.events + 1
    (retraction,) = game.decide(hidden, ev.Retract("the wrong inject"))
    back = game.evolve(hidden, retraction)
    assert _game_fields(back) == _game_fields(state)
    bare = view.fold(game, state, {"type": view.STAND_IN, "seq": 2, "turn": state.turn})  # a seat that is in, no board
    assert game.evolve(bare, game.decide(bare, ev.Retract("typo"))[0]).tension == state.tension
