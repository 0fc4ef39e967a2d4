"""The session: phase rules, obligations answered in turn, fold = replay, determinism."""

from __future__ import annotations

import pytest

from tabletop import bots, runner
from tabletop import log as logmod
from tabletop.model import Fact
from tabletop.replay import fold, game_of
from tabletop.session import CommandError, Session, state_hash


def new(mini, rules, tmp_path=None, **kw):
    path = tmp_path / "ex.jsonl" if tmp_path else None
    return Session.new(mini, rules, seed=kw.pop("seed", 1), log_path=path, fsync=False, **kw)


def test_a_new_exercise_starts_in_the_brief_of_turn_one(mini, rules):
    s = new(mini, rules)
    assert (s.state.turn, s.state.phase) == (1, "brief")
    assert s.state.tension == rules.escalation.initial_tension


def test_commands_out_of_turn_are_refused_with_a_reason(mini, rules):
    s = new(mini, rules)
    with pytest.raises(CommandError, match="decide phase|only in: decide"):
        s.decide("us", "talk", "why not")
    with pytest.raises(CommandError, match="adjudicate"):
        s.adjudicate()
    with pytest.raises(CommandError, match="belongs to turn 2"):
        s.release("clash")
    with pytest.raises(CommandError, match="no inject"):
        s.release("nope")
    s.release("missile")
    with pytest.raises(CommandError, match="already released"):
        s.release("missile")
    s.advance()
    s.advance()  # decide
    with pytest.raises(CommandError, match="release an inject"):
        s.release("threat")
    with pytest.raises(CommandError, match="no seat"):
        s.decide("mars", "talk", "x")
    with pytest.raises(CommandError, match="no option"):
        s.decide("us", "nuke", "x")
    with pytest.raises(CommandError, match="rationale"):
        s.decide("us", "talk", "  ")
    s.decide("us", "talk", "Talks first.")
    with pytest.raises(CommandError, match="already decided"):
        s.decide("us", "drill", "Changed my mind.")
    with pytest.raises(CommandError, match="waiting for decisions"):
        s.advance()


def test_obligations_are_answered_by_the_obliged_seat_in_the_decide_phase(mini, rules):
    s = new(mini, rules)
    s.release("threat")  # a threat against the ROK: consultation articles
    owed = {o.obligation.obligor for o in s.state.obligations.values()}
    assert owed == {"us", "japan"}
    assert {o.obligation.kind for o in s.state.obligations.values()} == {"consult"}
    s.advance()
    s.advance()
    first = next(iter(s.state.obligations))
    ob = s.state.obligations[first]
    wrong = "rok" if ob.obligation.obligor != "rok" else "china"
    with pytest.raises(CommandError, match="owed by"):
        s.answer(wrong, first, "honour", "x")
    with pytest.raises(CommandError, match="expected one of"):
        s.answer(ob.obligation.obligor, first, "maybe", "x")
    bots.play_turn_decisions(s, list(mini.seats))
    assert not s.unanswered()
    assert all(o.status == "answered" for o in s.state.obligations.values())
    s.advance()
    s.adjudicate()
    with pytest.raises(CommandError, match="already adjudicated"):
        s.adjudicate()


def test_obligations_set_off_at_adjudication_are_due_next_turn(mini, rules):
    s = new(mini, rules)
    runner.facilitate_turn(s)
    s.advance()  # turn 2
    s.release("clash")
    s.release("standby-strike")
    s.advance(), s.advance()
    ids = [o.id for o in s.unanswered()]
    assert ids, "the clash should oblige the ROK's ally"
    bots.play_turn_decisions(s, list(mini.seats))
    s.advance()
    adjudicated = s.adjudicate()
    new_obs = [e for e in adjudicated if e["type"] == "obligation_triggered"]
    for event in new_obs:
        assert s.state.obligations[event["id"]].due == 3


def test_override_needs_a_reason_and_is_logged(mini, rules, tmp_path):
    s = new(mini, rules, tmp_path)
    runner.facilitate_turn(s)  # now in review
    with pytest.raises(CommandError, match="reason"):
        s.override("tension", 1, "")
    with pytest.raises(CommandError, match="rung"):
        s.override("tension", 99, "because")
    s.override("tension", 1, "The class judged the drills routine.")
    assert s.state.tension == 1
    s.note("Team US asked for more time.")
    s.close()
    contents = logmod.read(tmp_path / "ex.jsonl")
    assert any(e["type"] == "override" and e["reason"].startswith("The class") for e in contents.events)
    assert Session.replay(contents, mini, rules).state.tension == 1


def test_the_last_turn_ends_and_nothing_follows(mini, rules):
    s = runner.play(mini, rules, seed=2, fsync=False)
    assert s.state.ended
    with pytest.raises(CommandError, match="ended"):
        s.note("late")
    with pytest.raises(CommandError, match="ended"):
        s.advance()


def test_fold_and_replay_give_equal_states(mini, rules, tmp_path):
    live = runner.play(mini, rules, seed=7, log_path=tmp_path / "a.jsonl", fsync=False)
    replayed = Session.replay(logmod.read(tmp_path / "a.jsonl"), mini, rules)
    assert state_hash(replayed.state) == state_hash(live.state)
    assert replayed.state.decisions == live.state.decisions
    assert replayed.state.tension_history == live.state.tension_history


def test_same_seed_same_log_byte_for_byte(mini, rules, tmp_path):
    runner.play(mini, rules, seed=5, log_path=tmp_path / "a.jsonl", fsync=False)
    runner.play(mini, rules, seed=5, log_path=tmp_path / "b.jsonl", fsync=False)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_different_seeds_can_decide_differently(mini, rules):
    choices = set()
    for seed in range(12):
        s = runner.play(mini, rules, seed=seed, fsync=False)
        choices.add(tuple(sorted((t, seat, d.option) for t, per in s.state.decisions.items() for seat, d in per.items())))
    assert len(choices) > 1


def test_every_bot_decision_carries_a_rationale_that_says_why(mini, rules):
    s = runner.play(mini, rules, seed=3, fsync=False)
    decisions = [e for e in s.events if e["type"] == "decision"]
    assert decisions
    for d in decisions:
        # One plain sentence: it names the seat, ends once, and quotes what it chose or answers.
        assert d["by"] == "bot" and d["rationale"].startswith(s.scenario.seats[d["seat"]].name + " ")
        assert d["rationale"].endswith(".") and ";" not in d["rationale"] and "'" in d["rationale"]


def test_resume_continues_where_the_log_stopped(mini, rules, tmp_path):
    path = tmp_path / "r.jsonl"
    s = new(mini, rules, tmp_path=None)
    s = Session.new(mini, rules, seed=4, log_path=path, fsync=False)
    s.release("missile")
    s.advance()
    s.close()
    resumed, warnings = Session.resume(path, mini, rules)
    assert not warnings
    assert (resumed.state.turn, resumed.state.phase, resumed.state.released) == (1, "deliberate", ["missile"])
    resumed.advance()
    resumed.close()
    contents = logmod.read(path)
    assert contents.events[-1]["type"] == "phase_changed" and contents.events[-1]["phase"] == "decide"
    Session.replay(contents, mini, rules)


def test_branch_plays_on_in_a_new_log_and_leaves_the_parent_alone(mini, rules, tmp_path):
    parent = tmp_path / "parent.jsonl"
    runner.play(mini, rules, seed=1, log_path=parent, fsync=False)
    before = parent.read_bytes()
    contents = logmod.read(parent)
    at = next(i for i, e in enumerate(contents.events) if e["type"] == "inject_released") + 1  # inside a group
    child = Session.branch(parent, at, tmp_path / "child.jsonl", mini, rules, seats={"us": "human"})
    assert parent.read_bytes() == before
    assert len(child.events) >= at
    header = logmod.read(tmp_path / "child.jsonl").header
    assert header["parent"]["seq"] == len(child.events) and header["parent"]["log"].endswith("parent.jsonl")
    assert header["parent"]["line_sha256"] == contents.digests[len(child.events)]
    assert header["seats"]["us"] == "human"
    child.note("Branch: the US takes over its own seat.")
    runner.finish(child)
    Session.replay(logmod.read(tmp_path / "child.jsonl"), mini, rules)


def test_fold_gives_the_board_at_any_event(mini, rules, tmp_path):
    path = tmp_path / "f.jsonl"
    live = runner.play(mini, rules, seed=1, log_path=path, fsync=False)
    contents = logmod.read(path)
    game = game_of(contents.header, mini, rules)
    assert state_hash(fold(game, contents.events)) == state_hash(live.state)
    third = fold(game, contents.events, stop=3)
    assert third.events == 3


def test_a_fresh_threat_after_consultations_calls_for_consultations_again(mini, rules):
    s = new(mini, rules)
    s.release("threat")
    first = {o.obligation.key for o in s.state.obligations.values()}
    s.advance(), s.advance()
    bots.play_turn_decisions(s, list(mini.seats))
    s.advance(), s.adjudicate(), s.advance(), s.advance()  # turn 2
    s.release_adhoc("Hypothetical: a second threat", "The DPRK threatens the ROK again.",
                    facts=[Fact(kind="threat", by="dprk", target="rok", location="rok")])
    again = [o for o in s.state.obligations.values() if o.turn == 2 and o.obligation.kind == "consult"]
    assert {o.obligation.key for o in again} == first


def test_an_assistance_duty_triggers_once_for_one_war(mini, rules):
    s = new(mini, rules)
    runner.facilitate_turn(s)
    s.advance()
    s.release("clash")
    count = len(s.state.obligations)
    s.release_adhoc("Hypothetical: more shelling", "Again.", facts=[Fact(kind="armed_attack", by="dprk", target="rok", location="yeonpyeong", details={"scale": "limited"})])
    assert len(s.state.obligations) == count


def test_a_clearer_attack_upgrades_a_contested_obligation_and_the_log_verifies(mini, rules, tmp_path):
    """A limited strike leaves 'a state of war' open to argument; the full-scale attack that follows settles it.

    The session keeps one obligation and raises its status (an obligation_upgraded event naming
    what made it stronger), rather than a second obligation or a status stuck at the weaker one.
    """
    from tabletop.verify import verify

    path = tmp_path / "up.jsonl"
    s = Session.new(mini, rules, seed=5, log_path=path, fsync=False)
    s.release_adhoc("Hypothetical: a limited strike", "The ROK shells a DPRK position.",
                    facts=[Fact(kind="armed_attack", by="rok", target="dprk", location="dprk", details={"scale": "limited"})])
    contested = [o for o in s.state.obligations.values() if o.obligation.obligor == "russia" and o.obligation.kind == "assist"]
    assert contested and all(o.status == "contested" for o in contested), [o.status for o in contested]
    s.release_adhoc("Hypothetical: full-scale war", "The ROK invades the DPRK.",
                    facts=[Fact(kind="armed_attack", by="rok", target="dprk", location="dprk", details={"scale": "war"})])
    upgraded = [e for e in s.events if e["type"] == "obligation_upgraded"]
    assert {e["obligation"] for e in upgraded} >= {o.id for o in contested}
    for o in contested:
        now = s.state.obligations[o.id]
        assert now.status == "triggered" and now.obligation.status == "triggered"
        assert "stronger" in now.obligation.because or "triggered" in now.obligation.because
    assert len([o for o in s.state.obligations.values() if o.obligation.key == contested[0].obligation.key]) == 1
    s.close()
    assert verify(path, mini, rules).events == len(s.events)
