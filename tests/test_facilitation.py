"""The facilitation policy: what entering a phase does, the same for the board and for headless runs."""

from __future__ import annotations

from tabletop import facilitation, runner
from tabletop.session import Session


def new(mini, rules, seats=None, path=None):
    return Session.new(mini, rules, seed=3, seats=seats, log_path=path, fsync=False)


def to_decide(session):
    facilitation.release_scheduled(session)
    while session.state.phase != "decide":
        facilitation.advance(session)


def test_entering_decide_lets_the_bots_decide_at_once_and_leaves_the_humans(mini, rules):
    s = new(mini, rules, seats={"us": "human", "rok": "human"})
    to_decide(s)
    assert set(s.undecided()) == {"us", "rok"}
    assert facilitation.pending_humans(s) == [seat for seat in mini.seats if seat in ("us", "rok")]
    assert all(s.state.decisions[1][seat].by == "bot" for seat in facilitation.bot_seats(s))


def test_entering_a_phase_again_does_only_what_is_still_owed(mini, rules):
    s = new(mini, rules, seats={"us": "human"})
    to_decide(s)
    logged = len(s.events)
    assert facilitation.enter_phase(s) == []
    assert len(s.events) == logged


def test_entering_adjudicate_adjudicates_and_returns_the_adjudication(mini, rules):
    s = new(mini, rules)
    to_decide(s)
    assert not s.undecided()
    entered = facilitation.advance(s)
    assert s.state.phase == "adjudicate" and s.state.turn in s.state.adjudicated
    assert len(entered) == len(s.events) - s.events.index(entered[0])  # the phase change, then all the adjudication logged
    assert facilitation.enter_phase(s) == []


def test_standby_injects_stay_in_reserve_when_the_scheduled_ones_go_out(mini, rules):
    s = new(mini, rules)
    runner.facilitate_turn(s)
    s.advance()  # turn 2, which has a standby inject
    facilitation.release_scheduled(s)
    left = s.unreleased()
    assert left and all(inject.standby for inject in left)
    assert not s.unreleased(include_standby=False)


def test_a_headless_turn_is_the_policy_with_a_bot_in_every_seat(mini, rules, tmp_path):
    # The runner's turn and the board's steps (release all, advance, advance) log the same lines.
    headless = new(mini, rules, path=tmp_path / "headless.jsonl")
    runner.facilitate_turn(headless)
    headless.close()
    by_hand = new(mini, rules, path=tmp_path / "by-hand.jsonl")
    facilitation.release_scheduled(by_hand)
    while by_hand.state.phase != "review":
        facilitation.advance(by_hand)
    by_hand.close()
    assert (tmp_path / "headless.jsonl").read_bytes() == (tmp_path / "by-hand.jsonl").read_bytes()


def test_a_resumed_decide_phase_finishes_what_the_bots_owed(mini, rules, tmp_path):
    path = tmp_path / "ex.jsonl"
    s = new(mini, rules, path=path)
    facilitation.release_scheduled(s)
    s.advance(), s.advance()  # into decide without entering it: as if the process died there
    s.close()
    resumed, _ = Session.resume(path, mini, rules)
    assert resumed.undecided()
    facilitation.enter_phase(resumed)
    assert not resumed.undecided() and not resumed.unanswered()
    resumed.close()
