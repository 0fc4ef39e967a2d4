"""Handing a seat over (who plays it from now on) is a typed command and a public event, folded into the state.

Not a note whose words are read back: a note in those words is a note, a
retracted hand-over is undone like any command, and the log with one in it
verifies, resumes and branches.
"""

from __future__ import annotations

import pytest

from tabletop import events as ev
from tabletop import log as logmod
from tabletop import report
from tabletop.game import CONTROLS, CommandError
from tabletop.session import Session
from tabletop.tui.describe import event_line
from tests.serving import verify

HEADER = {"us": "human", "rok": "human", "dprk": "bot", "russia": "bot", "china": "bot", "japan": "bot"}


def new(mini, rules, path, sign=False):
    return Session.new(mini, rules, seed=2, seats=HEADER, log_path=path, fsync=False, sign=sign)


def test_decide_refuses_a_seat_that_is_not_a_control_that_is_not_what_already_plays_it_and_after_the_end(mini, rules):
    s = Session.new(mini, rules, seed=2, seats=HEADER)
    size = len(s.events)
    refusals = [
        (("mars", "bot"), "no seat 'mars'; seats: dprk, rok, us, russia, china, japan"),
        (("us", "robot"), "a seat is handed to human, bot, hotseat, not 'robot'"),
        (("us", "human"), "us is already played by its team"),
        (("dprk", "bot"), "dprk is already played by a bot"),
    ]
    for (seat, to), message in refusals:
        with pytest.raises(CommandError) as refused:
            s.hand_over(seat, to)
        assert str(refused.value) == message
    assert len(s.events) == size and s.control == HEADER
    s.hand_over("us", "hotseat")
    with pytest.raises(CommandError, match=r"^us is already played by the facilitator's keyboard \(hot seat\)$"):
        s.hand_over("us", "hotseat")
    s.end("time")
    with pytest.raises(CommandError, match="^the exercise has ended$"):
        s.hand_over("us", "bot")
    assert set(CONTROLS) == {"human", "bot", "hotseat"}


def test_a_hand_over_is_logged_as_its_own_event_folded_kept_on_resume_and_verified(mini, rules, tmp_path):
    path = tmp_path / "h.jsonl"
    s = new(mini, rules, path, sign=True)
    s.release("missile")
    [record] = s.hand_over("rok", "bot")
    assert {k: v for k, v in record.items() if k not in ("seq", "prev")} == {"type": "handed_over", "turn": 1, "seat": "rok", "to": "bot"}
    s.hand_over("japan", "human")
    assert s.control == {**HEADER, "rok": "bot", "japan": "human"}
    assert s.state.control == {"rok": "bot", "japan": "human"}  # the seats handed over since the header
    assert s.seats == {**HEADER, "rok": "bot", "japan": "human"}  # who plays each seat now: the local board and the policy play by it
    s.close()
    contents = logmod.read(path)
    event = ev.from_json(contents.events[-2])
    assert event == ev.HandedOver(1, "rok", "bot")
    assert ev.command_of(event) == ev.HandOver("rok", "bot")
    assert ev.from_json(ev.to_json(event)) == event
    with pytest.raises(ev.EventError, match="handed_over event: to: expected text"):
        ev.from_json({"type": "handed_over", "turn": 1, "seat": "rok", "to": 3})
    resumed, _ = Session.resume(path, mini, rules)
    assert resumed.control == {**HEADER, "rok": "bot", "japan": "human"}
    resumed.close()
    checked = verify(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_same_hand_overs_give_the_same_log_byte_for_byte(mini, rules, tmp_path):
    for name in ("a", "b"):
        s = new(mini, rules, tmp_path / f"{name}.jsonl")
        s.hand_over("us", "bot")
        s.advance()
        s.hand_over("us", "human")
        s.close()
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_a_retracted_hand_over_is_undone_and_stays_undone_on_resume(mini, rules, tmp_path):
    path = tmp_path / "r.jsonl"
    s = new(mini, rules, path)
    s.hand_over("rok", "bot")
    s.retract("the wrong seat")
    assert s.control == HEADER and s.state.control == {}
    assert (s.events[-1]["what"], s.events[-1]["revealed"]) == ("handed_over", True)  # every client was told of it
    s.close()
    resumed, _ = Session.resume(path, mini, rules)
    assert resumed.control == HEADER
    resumed.hand_over("rok", "bot")  # and it can be given again
    resumed.close()


def test_a_note_in_the_words_of_a_hand_over_hands_nothing_over(mini, rules, tmp_path):
    path = tmp_path / "n.jsonl"
    s = new(mini, rules, path)
    s.note("us is played by a bot from now on")
    s.close()
    resumed, _ = Session.resume(path, mini, rules)
    assert resumed.control == HEADER and resumed.state.notes[-1].text == "us is played by a bot from now on"
    resumed.close()


def test_the_log_pane_and_the_report_say_who_plays_a_seat_from_then_on(mini, rules, tmp_path):
    s = new(mini, rules, tmp_path / "p.jsonl")
    [record] = s.hand_over("rok", "hotseat")
    assert event_line(record, mini, rules) == "ROK is played by the facilitator's keyboard (hot seat) from now on"
    s.hand_over("japan", "human")
    s.retract("japan stays with the bot")
    assert event_line(s.events[-1], mini, rules) == "Retracted the last hand-over (the players had seen it): japan stays with the bot"
    md = report.render(s, "md")
    assert "#### Hand-overs\n\n- ROK is played by the facilitator's keyboard (hot seat) from now on.\n" in md
    assert "| ROK | human, then hotseat from turn 1 |" in md
    assert "Japan is played by its team" not in md and "| Japan | bot |" in md  # retracted: left out, listed as a retraction
    assert "| 1 | a hand-over | yes | japan stays with the bot |" in md
    page = report.render(s, "html")
    assert "<h4>Hand-overs</h4><ul><li>ROK is played by the facilitator&#x27;s keyboard (hot seat) from now on.</li></ul>" in page


def test_a_branch_keeps_the_parents_hand_overs_unless_its_seats_choose_for_the_seat(mini, rules, tmp_path):
    parent = tmp_path / "parent.jsonl"
    s = new(mini, rules, parent)
    s.hand_over("rok", "bot")
    s.hand_over("us", "bot")
    s.retract("not the US")
    s.advance()
    s.close()
    at = len(logmod.read(parent).events)
    kept = Session.branch(parent, at, tmp_path / "kept.jsonl", mini, rules)
    assert kept.control == {**HEADER, "rok": "bot"}
    kept.close()
    chosen = Session.branch(parent, at, tmp_path / "chosen.jsonl", mini, rules, seats={"rok": "bot", "us": "human"})
    assert chosen.control == {**HEADER, "rok": "bot"}  # from the branch's header now: the hand-overs of rok and us are left out
    assert chosen.header["parent"]["seq"] == at
    kinds = [r["type"] for r in chosen.events]
    assert "handed_over" not in kinds and "retracted" not in kinds and kinds[-1] == "phase_changed"
    chosen.close()
    for child in ("kept.jsonl", "chosen.jsonl"):
        checked = verify(tmp_path / child)
        assert checked.returncode == 0, checked.stdout + checked.stderr
