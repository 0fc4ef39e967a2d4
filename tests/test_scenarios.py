"""The bundled scenarios: valid, sourced, playable, and true to the treaty rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tabletop import cli, runner
from tabletop import log as logmod
from tabletop.loading import load_scenario
from tabletop.session import Session

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SEATS = {"dprk", "rok", "us", "russia", "china", "japan"}


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def loaded(request):
    return load_scenario(request.param)


def test_there_are_at_least_two_scenarios_and_the_default_is_one():
    assert {p.stem for p in SCENARIOS} >= {"nea-2024", "nll-2025"}


def test_both_validate(capsys):
    assert cli.main(["validate", *map(str, SCENARIOS)]) == 0


def test_every_seat_is_there_with_a_brief_and_doctrine(loaded):
    scenario, _ = loaded
    assert set(scenario.seats) == SEATS
    for seat in scenario.seats.values():
        assert len(seat.brief) > 80, seat.id
        assert seat.doctrine.prefers, seat.id


def test_every_inject_cites_a_source_and_sits_inside_its_turn(loaded):
    scenario, _ = loaded
    for inject in scenario.injects:
        assert inject.source in scenario.sources, inject.id
        turn = scenario.turn(inject.turn)
        if inject.date is not None:
            assert turn.start <= inject.date <= turn.end, inject.id
        else:
            assert inject.standby, inject.id


def test_hypothetical_injects_say_so(loaded):
    scenario, _ = loaded
    for inject in scenario.injects:
        if inject.hypothetical:
            assert inject.title.startswith("Hypothetical"), inject.id
        if inject.title.startswith("Hypothetical"):
            assert inject.hypothetical, inject.id


def test_at_least_five_options_per_seat_per_turn(loaded):
    scenario, _ = loaded
    for turn in scenario.turns:
        for seat in scenario.seats:
            assert len(scenario.options_for(seat, turn.id)) >= 5, (seat, turn.id)


def test_every_fact_names_known_states_and_territories(loaded):
    scenario, rules = loaded
    facts = [f for i in scenario.injects for f in i.facts] + [f for opts in scenario.options.values() for o in opts for f in o.facts]
    assert facts
    for fact in facts:
        assert fact.kind in rules.fact_kinds
        for state in (fact.by, fact.target, fact.on_behalf_of):
            assert state is None or state in rules.states
        assert fact.location is None or fact.location in rules.territories


def test_every_turn_has_discussion_questions(loaded):
    scenario, _ = loaded
    for turn in scenario.turns:
        assert turn.questions, turn.id


@pytest.mark.parametrize("seed", [1, 2])
def test_a_headless_bot_run_completes_and_its_log_verifies(loaded, tmp_path, seed, capsys):
    scenario, rules = loaded
    path = tmp_path / f"{scenario.id}.jsonl"
    session = runner.play(scenario, rules, seed=seed, log_path=path, fsync=False)
    assert session.state.ended
    Session.replay(logmod.read(path), scenario, rules)
    assert cli.main(["verify", str(path)]) == 0


# --- the default scenario against its sources ---------------------------------


@pytest.fixture(scope="module")
def nea():
    return load_scenario(ROOT / "scenarios" / "nea-2024.yaml")[0]


def test_the_documented_events_are_injects_on_their_dates(nea):
    dated = {i.date for i in nea.injects if not i.hypothetical}
    for day in ["2024-10-31", "2024-11-03", "2024-11-04", "2024-11-05", "2024-11-06", "2024-11-07",
                "2024-11-09", "2024-11-12", "2024-11-13", "2024-11-21", "2024-12-04", "2025-01-20"]:
        assert dt.date.fromisoformat(day) in dated, day


def test_the_seeds_figures_are_carried(nea):
    text = " ".join(f"{i.title} {i.text} {i.cite}" for i in nea.injects)
    for figure in ["6,600", "Hwasong-19", "B-1B", "George Washington", "Sariwon", "374-FZ", "Patriot"]:
        assert figure in text, figure


def test_the_last_turns_are_a_hypothetical_crisis_that_tests_the_triggers(nea):
    crisis = []
    for turn in reversed(nea.turns):
        injects = nea.injects_for(turn.id)
        if not injects or not all(i.hypothetical for i in injects):
            break
        crisis.append(turn)
    assert len(crisis) >= 2, "the crisis is split, so that the obligations it raises fall due within the exercise"
    injects = [i for t in crisis for i in nea.injects_for(t.id)]
    kinds = {f.kind for i in injects for f in i.facts}
    assert {"armed_attack", "threat"} <= kinds
    # the last turn scripts no new armed attack: what the first shots raise is answered in it
    last = [i for i in nea.injects_for(nea.turns[-1].id) if not i.standby]
    assert not [f for i in last for f in i.facts if f.kind == "armed_attack"]


def test_the_read_ahead_covers_what_came_before(nea):
    years = {e.date.year for e in nea.timeline}
    assert {1961, 2006, 2022, 2023, 2024} <= years
    for entry in nea.timeline:
        assert entry.source in nea.sources
