"""Scenarios an imported MSEL makes: seats that are organizations, no option menus, times and expected actions on injects."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from tabletop import cli
from tabletop.loading import load_scenario

from . import msel_files as files
from .conftest import MINI

OPEN = """id: open
title: "An open-response exercise"
start: 2025-05-14
treaties: []
sources:
  msel: {title: "MSEL"}
seats:
  county-eoc: {name: "County EOC", kind: organization, brief: "Runs the county's response."}
  pio: {name: "PIO", kind: organization, brief: "Speaks for the county."}
turns:
  - {id: 1, title: "Warning", from: 2025-05-14, to: 2025-05-14}
  - {id: 2, title: "Response", from: 2025-05-14, to: 2025-05-15}
injects:
  - id: watch
    turn: 1
    date: 2025-05-14
    time: "09:00"
    to: [county-eoc]
    title: "Flood watch"
    text: "The weather service issues a flood watch."
    source: msel
    expected_actions: ["EOC reviews its flood plan"]
    actions:
      - {kind: expected, text: "EOC opens the shelter", when: "09:45", to: "County EOC"}
      - {kind: controller, text: "Hand out map 2", before: true}
    msel: {number: "1", type: "Simulation", time: "0.375", mode: Email, from: NWS, controller: "J. Smith", kept: {"Weather": "rain"}}
  - id: breach
    turn: 2
    offset: "T+26:00"
    to: [all]
    title: "Levee breach"
    text: "The levee fails at Mile 4."
    source: msel
"""


def write(tmp_path: Path, text: str, name: str = "open.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    from tabletop.loading import validate

    found, _ = validate([write(tmp_path, text, "bad.yaml")])
    return [p.message for p in found]


def test_an_open_response_scenario_loads_with_every_field(tmp_path, capsys):
    path = write(tmp_path, OPEN)
    assert cli.main(["validate", str(path)]) == 0
    scenario, _ = load_scenario(path)
    assert scenario.options == {} and scenario.free_text("county-eoc") and scenario.free_text("pio")
    assert {s.kind for s in scenario.seats.values()} == {"organization"}
    watch, breach = scenario.injects
    assert (watch.time, watch.expected_actions) == (dt.time(9, 0), ("EOC reviews its flood plan",))
    assert [(a.kind, a.text, a.when, a.before) for a in watch.actions] == [
        ("expected", "EOC opens the shelter", "09:45", False), ("controller", "Hand out map 2", "", True)]
    assert (watch.msel.number, watch.msel.type, watch.msel.sender, dict(watch.msel.kept)) == ("1", "Simulation", "NWS", {"Weather": "rain"})
    assert breach.offset == dt.timedelta(hours=26) and breach.date == dt.date(2025, 5, 15), "an offset dates the inject: start plus its days"


def test_options_may_be_absent_or_empty_but_not_missing_for_one_seat(tmp_path, rules):
    mini = MINI.read_text(encoding="utf-8")
    without = mini[: mini.index("options:")]
    assert problems_of(tmp_path, without) == []
    assert problems_of(tmp_path, without + "options: {}\n") == []
    one_short = mini.replace("  japan:\n    - {id: talk", "  jupiter:\n    - {id: talk")
    assert any("seat 'japan' has no options" in p for p in problems_of(tmp_path, one_short))
    free = mini[: mini.index("  japan:\n    - {id: talk")] + "  japan: []\n"
    assert problems_of(tmp_path, free) == []
    scenario, _ = load_scenario(write(tmp_path, free, "free.yaml"))
    assert scenario.free_text("japan") and not scenario.free_text("us")


def test_seat_kinds(tmp_path):
    assert any("seat 'county-eoc' is not a state of rules/geography.yaml (a seat that is not a state says 'kind: organization')" in p
               for p in problems_of(tmp_path, OPEN.replace("kind: organization, brief: \"Runs", "brief: \"Runs")))
    assert problems_of(tmp_path, OPEN) == []
    as_state = OPEN.replace("  pio: {name: \"PIO\", kind: organization", "  us: {name: \"US\", kind: organization")
    assert any("seat 'us' is a state of rules/geography.yaml; leave out 'kind: organization'" in p for p in problems_of(tmp_path, as_state))
    assert any("expected state or organization for the kind of seat 'pio', got 'agency'" in p
               for p in problems_of(tmp_path, OPEN.replace("name: \"PIO\", kind: organization", "name: \"PIO\", kind: agency")))
    assert any("expected an id for a seat" in p for p in problems_of(tmp_path, OPEN.replace("  pio: {", "  Public Info: {")))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('time: "09:00"', 'time: "9am"', 'expected a clock time like "09:30" for time'),
        ('offset: "T+26:00"', 'offset: "26 hours"', 'expected the time since the exercise start like "T+00:30" for offset'),
        ('offset: "T+26:00"', 'offset: "T+26:00"\n    date: 2025-05-15', "has a date and an offset"),
        ("kind: controller, text", "kind: umpire, text", "expected expected (a player action the evaluator looks for) or controller"),
        ('mode: Email', 'mode: Email, colour: red', "unknown key 'colour' in msel"),
        ('offset: "T+26:00"', 'offset: "T+72:00"', "dates out of order: inject 'breach' is dated 2025-05-17, outside turn 2"),
    ],
)
def test_mistakes_in_the_new_inject_fields_are_placed(tmp_path, old, new, expected):
    assert old in OPEN
    found = problems_of(tmp_path, OPEN.replace(old, new))
    assert any(expected in p for p in found), found


def test_turns_of_a_one_day_exercise_may_share_the_day(tmp_path):
    text = OPEN.replace("to: 2025-05-15}", "to: 2025-05-14}").replace('offset: "T+26:00"', 'offset: "T+04:00"')
    assert problems_of(tmp_path, text) == []
    before = text.replace('{id: 2, title: "Response", from: 2025-05-14', '{id: 2, title: "Response", from: 2025-05-13')
    assert any("dates out of order: turn 2 starts 2025-05-13, before turn 1 ends 2025-05-14" in p for p in problems_of(tmp_path, before))


def test_an_imported_msel_validates_and_exports(tmp_path, capsys):
    out, sheet = tmp_path / "flood.yaml", tmp_path / "flood.xlsx"
    assert cli.main(["msel", "import", str(files.flood_workbook(tmp_path / "in.xlsx")), "-o", str(out)]) == 0
    assert cli.main(["validate", str(out)]) == 0
    assert cli.main(["msel", "export", str(out), "-o", str(sheet)]) == 0
    assert "5 inject(s) and 3 expected or controller action(s) of" in capsys.readouterr().err


def test_run_completes_on_an_open_response_scenario_and_the_log_verifies(tmp_path):
    path, log = write(tmp_path, OPEN), tmp_path / "open.jsonl"
    done = subprocess.run([sys.executable, "-m", "tabletop", "run", str(path), "--log", str(log)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert subprocess.run([sys.executable, "-m", "tabletop", "verify", str(log)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent).returncode == 0


def test_a_person_may_decide_in_their_own_words_and_the_facilitator_assesses_it(tmp_path, mini, rules):
    """A human seat writes its own course of action; its effects are the facilitator's ruling, logged, replayed and verified."""
    from tabletop import bots
    from tabletop.game import CommandError
    from tabletop.session import Session
    from tabletop.verify import verify

    path = tmp_path / "own.jsonl"
    s = Session.new(mini, rules, seed=2, seats={"us": "human"}, log_path=path, fsync=False)
    while s.state.phase != "decide":
        s.advance()
    s.decide("us", None, "A quiet word first, before anything public.", text="Send an envoy to Beijing to ask for restraint.")
    with pytest.raises(CommandError, match="only a person"):
        s.decide("rok", None, "because", by="bot", text="something of its own")
    bots.play_turn_decisions(s, [seat for seat in mini.seats if seat != "us"])
    s.advance()
    with pytest.raises(CommandError, match="no decision in its own words"):
        s.assess("rok", "nothing to assess", tension=1)
    before = s.state.tension
    s.assess("us", "A private envoy lowers the temperature a little.", tension=-1)
    s.adjudicate()
    decided = dict(s.state.decisions[s.state.turn])
    assert decided["us"].free and decided["us"].text == "Send an envoy to Beijing to ask for restraint."
    adjudicated = next(e for e in reversed(s.events) if e["type"] == "adjudicated")
    # The assessment is one of the causes, in the facilitator's words, and moves tension by its step.
    causes = adjudicated["changes"]["causes"]
    assessed = [c for c in causes if c["what"] == "tension" and "A private envoy lowers the temperature a little." in c["because"]]
    assert [c["delta"] for c in assessed] == [-1] and "US" in assessed[0]["because"]
    assert adjudicated["changes"]["tension"][0] == before
    s.close()
    assert verify(path, mini, rules).events == len(s.events)
    from tabletop import log as logmod
    from tabletop import report

    text = report.render(Session.replay(logmod.read(path), mini, rules), "md")
    assert "Send an envoy to Beijing to ask for restraint." in text
