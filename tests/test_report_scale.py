"""The report is linear in the log's length, and each turn's section holds exactly what happened in that turn.

The report used to scan every event once per turn (100,000 events of many
turns took 398 s). Now it groups once: this checks the grouping against the
log itself on both bundled scenarios, and bounds the work: how many times the
report reads a field of an event, per event, must not grow with the number of
turns.
"""

from __future__ import annotations

import pytest

from benchmarks.synthetic import write_scenario
from tabletop import report, runner
from tabletop.loading import load_named, load_scenario


@pytest.mark.parametrize("scenario_id", ["nea-2024", "nll-2025"])
def test_each_turn_holds_the_injects_decisions_obligations_and_tension_of_that_turn(scenario_id):
    scenario, rules = load_named(scenario_id)
    session = runner.play(scenario, rules, seed=5, fsync=False)
    collected = report.collect(session)
    events = session.events
    played = [e["turn"] for e in events if e["type"] == "turn_started"]
    assert [t.id for t in collected.turns] == played
    tension = {p.turn: p.tension for p in collected.tension_points}  # the last change of each turn wins
    level = collected.tension_initial
    for turn in collected.turns:
        own = [e for e in events if e.get("turn") == turn.id]
        assert [i.id for i in turn.injects] == [e["inject"] for e in own if e["type"] == "inject_released"]
        decided = {(e["seat"], e["option"]) for e in own if e["type"] == "decision"}
        assert {(d.seat, d.option) for d in turn.decisions} == decided
        seats = list(scenario.seats)
        assert [d.seat for d in turn.decisions] == sorted((d.seat for d in turn.decisions), key=seats.index)  # in seat order
        assert list(turn.obligations) == [e["id"] for e in own if e["type"] == "obligation_triggered"]
        assert turn.tension_start == level  # a turn starts where the last one ended
        level = tension.get(turn.id, level)
        assert turn.tension_end == level


class _Counted(dict):
    """An event that counts how often its fields are read."""

    reads = 0

    def get(self, key, default=None):
        _Counted.reads += 1
        return super().get(key, default)

    def __getitem__(self, key):
        _Counted.reads += 1
        return super().__getitem__(key)


def reads_per_event(tmp_path, turns: int) -> float:
    scenario, rules = load_scenario(write_scenario(tmp_path / str(turns), turns, injects_per_turn=3))
    session = runner.play(scenario, rules, seed=1, fsync=False)
    session.events[:] = [_Counted(e) for e in session.events]
    _Counted.reads = 0
    report.render(session, "md")
    return _Counted.reads / len(session.events)


def test_the_work_per_event_does_not_grow_with_the_number_of_turns(tmp_path):
    few, many = reads_per_event(tmp_path, 10), reads_per_event(tmp_path, 120)
    assert many < 1.5 * few, (few, many)  # scanning the log once a turn made it about twelve times more
