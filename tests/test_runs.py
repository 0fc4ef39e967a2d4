"""``tabletop run SCENARIO --runs K``: statistics on standard output, a progress bar on standard error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent


def test_runs_print_statistics_and_a_progress_bar_without_carriage_returns_into_a_file(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    err = tmp_path / "stderr.txt"
    with open(err, "wb") as stderr:
        done = subprocess.run([sys.executable, "-m", "tabletop", "run", str(MINI), "--runs", "12"], stdout=subprocess.PIPE, stderr=stderr, env=env, timeout=120)
    assert done.returncode == 0
    assert done.stdout.decode().startswith("12 exercises of mini")
    written = err.read_bytes()
    assert b"\r" not in written and b"\x1b" not in written, written  # no redraws, no cursor moves, no colours in a file
    assert b"12/12" in written and written.count(b"\n") == 1  # the finished bar, once


def test_the_statistics_say_which_facts_took_exercises_up_the_ladder_and_how_obligations_and_attacks_were_answered():
    from tabletop import runner
    from tabletop.loading import load_named

    scenario, rules = load_named("nea-2024")
    outcomes = runner.run_many(scenario.path, [0, 1, 2], workers=1)
    first = outcomes[0]
    # Seed 0: the ROK answers the shelling of Yeonpyeong (turn 6) with counter-battery fire (tests/test_bots.py).
    assert ("rok", runner.IN_KIND) in first.attacks
    assert first.first_attack == 6
    session = runner.play(scenario, rules, seed=0, fsync=False)
    peaks = [e["changes"]["tension"][1] for e in session.events if e["type"] == "adjudicated"]
    assert sorted(first.reached) == list(range(0, max(peaks) + 1))
    assert all(first.reached[r] for r in first.reached)  # each rung names the facts of the turn that got there
    assert {(obligor, answer) for obligor, _, answer in first.answers} >= {("russia", "honour"), ("us", "honour")}
    text = runner.statistics(outcomes, scenario, rules)
    for rung in rules.escalation.ladder:
        assert f"  {rung.rung} {rung.name}" in text
    assert "Russia     Russia-DPRK 2024 Art. 3 consult  raised      3: honour 3 (100%)" in text
    assert "reached 'Armed clash' or above with no armed attack by then:" in text
    assert "obligations left unanswered at the end: 0 of" in text
    assert "ROK attacked" in text and "answered militarily" in text


def test_the_statistics_name_an_obligor_the_scenario_does_not_seat_by_the_rules_name():
    """An obligation can fall on a state no team plays (a treaty partner): it is named as everywhere else (model.seat_name)."""
    from tabletop import runner
    from tabletop.loading import load_named

    scenario, rules = load_named("nea-2024")
    unseated = next(state for state in rules.states if state not in scenario.seats)
    outcome = runner.Outcome(0, 0, {}, {}, {}, answers=[(unseated, "a-treaty Art. 1 consult", "honour"), ("us", "a-treaty Art. 1 consult", "honour")])
    text = runner.statistics([outcome], scenario, rules)
    assert f"  {rules.state_name(unseated):<10} a-treaty Art. 1 consult" in text and rules.state_name(unseated) != unseated
    assert f"  {scenario.seats['us'].name:<10} a-treaty Art. 1 consult" in text
