"""Logs written by earlier versions of tabletop still read: the wire format ``tabletop-log/1`` only ever grew.

tests/data/logs holds logs written by tabletop as of the first wave (commit
743736a, before the typed events), by make_first_wave.py there: a headless
run, and a hand-played exercise with the clock on (timestamps), notes, an
ad-hoc inject with a fact, human decisions and answers, an override and an
end. Each must parse, every event must structure to a typed event, and the
log must fold to its end with today's engine, as the replay viewer steps
through it. Re-deciding it (verify) is another matter: the rule modules'
wording changed since, and verify says so ("CHANGED rule modules").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tabletop import cli
from tabletop import events as ev
from tabletop import log as logmod
from tabletop.loading import load_scenario
from tabletop.replay import fold, game_of
from tabletop.tui.describe import event_details, event_line

from .conftest import MINI

LOGS = Path(__file__).parent / "data" / "logs"
OLD = sorted(LOGS.glob("first-wave-*.jsonl"))


def test_there_are_old_logs():
    assert [p.name for p in OLD] == ["first-wave-played.jsonl", "first-wave-run.jsonl"]


@pytest.mark.parametrize("path", OLD, ids=lambda p: p.stem)
def test_an_old_log_reads_structures_and_folds_to_its_end(path):
    contents = logmod.read(path)
    assert contents.warnings == [] and contents.header["format"] == "tabletop-log/1"
    assert len(contents.events) == len(path.read_bytes().splitlines()) - 1
    for record in contents.events:
        event = ev.from_json(record)
        assert ev.to_json(event) == {k: v for k, v in record.items() if k not in ("seq", "prev", "ts")}, record["seq"]
    scenario, rules = load_scenario(MINI)
    state = fold(game_of(contents.header, scenario, rules), contents.events)
    assert state.ended and state.events == len(contents.events)
    assert state.adjudicated_turns >= 1 and len(state.facts) > 0
    for record in contents.events:  # the log pane and the replay viewer describe every event
        assert event_line(record, scenario, rules) and event_details(record, scenario, rules)


def test_the_played_old_log_keeps_what_the_teams_said():
    contents = logmod.read(LOGS / "first-wave-played.jsonl")
    scenario, rules = load_scenario(MINI)
    state = fold(game_of(contents.header, scenario, rules), contents.events)
    decided = state.decisions[1]
    assert decided["us"].option == "talk" and decided["us"].rationale == "Talk before anything else."
    assert decided["rok"].by == "human" and decided["dprk"].by == "bot"
    assert [n.text for n in state.notes] == ["Class of 24, room 3.", "ROK team split on the drill."]
    assert state.overrides[0].value == 3 and "ferry" in state.overrides[0].reason
    assert [(o.obligation.obligor, o.answer) for o in state.obligations.values()] == [("us", "honour"), ("japan", "honour"), ("us", "honour")]
    assert all("ts" in r for r in contents.events)


def test_verify_of_an_old_log_names_what_changed_since(capsys, tmp_path):
    """Verify re-decides against today's rules; where their wording changed it says so, and names the line.

    The log's recorded scenario path was a checkout's that is gone; here it names this one's (the chain recomputed).
    """
    lines = (LOGS / "first-wave-run.jsonl").read_bytes().splitlines()
    header = json.loads(lines[0])
    header["scenario_path"] = str(MINI)
    out_lines = [logmod.encode(header)]
    for line in lines[1:]:
        out_lines.append(logmod.encode({**json.loads(line), "prev": logmod.digest(out_lines[-1])}))
    path = tmp_path / "old.jsonl"
    path.write_bytes(b"\n".join(out_lines) + b"\n")
    code = cli.main(["verify", str(path)])
    out = capsys.readouterr().out
    assert code == 1 and "CHANGED rule modules" in out and "FAIL " in out


def test_a_log_in_a_newer_format_is_refused_as_newer(tmp_path):
    lines = (LOGS / "first-wave-run.jsonl").read_bytes().splitlines()
    header = json.loads(lines[0])
    header["format"] = "tabletop-log/2"
    path = tmp_path / "newer.jsonl"
    path.write_bytes(logmod.encode(header) + b"\n" + b"\n".join(lines[1:]) + b"\n")
    with pytest.raises(logmod.LogError) as caught:
        logmod.read(path)
    assert caught.value.line == 1 and "tabletop-log/2" in caught.value.message and "newer" in caught.value.message
