"""Long sessions: a 200-turn bot exercise runs in bounded memory that grows linearly, not faster.

The synthetic scenario (benchmarks/synthetic.py) repeats a small turn pattern:
four dated injects a turn, one of them a threat every third turn so that
treaty consultation articles fire and are answered. A session keeps its events
(replay and the TUI need them), so memory grows with the exercise, by about a
kilobyte an event; what must not happen is growth faster than that (a quadratic
blow-up) or a large constant. ``python benchmarks/bench_long_session.py``
prints the same figures with time and the process's peak RSS.
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from benchmarks.synthetic import write_scenario
from tabletop import log as logmod
from tabletop import runner
from tabletop.events import Note
from tabletop.loading import load_scenario
from tabletop.session import Session

pytestmark = pytest.mark.slow  # plays and verifies exercises of 200 and 400 turns

BOUND = 150 * 1024 * 1024


def traced_peak(work) -> tuple[object, int]:
    """Run ``work()`` and return its result and the peak of memory traced while it ran."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = work()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """Play 200 and 400 turns (log written, fsync off: memory, not the disk, is measured)."""
    folder = tmp_path_factory.mktemp("long")
    out = {}
    for turns in (200, 400):
        scenario, rules = load_scenario(write_scenario(folder, turns))
        log = folder / f"long-{turns}.jsonl"
        session, peak = traced_peak(lambda s=scenario, r=rules, path=log: runner.play(s, r, seed=1, log_path=path, fsync=False))
        out[turns] = (scenario, rules, log, session, peak)
    return out


def test_a_200_turn_exercise_runs_to_its_end_in_bounded_memory(played):
    scenario, rules, log, session, peak = played[200]
    assert session.state.ended and session.state.turn == 200
    assert len(session.events) > 3_000
    assert sum(1 for e in session.events if e["type"] == "obligation_answered") >= 60  # the treaties were exercised
    assert peak < BOUND, f"{peak / 1e6:.1f} MB"
    print(f"200 turns: {len(session.events)} events, peak traced {peak / 1e6:.1f} MB")


def test_memory_grows_linearly_with_the_length_of_the_exercise(played):
    peak_200, peak_400 = played[200][4], played[400][4]
    events_200, events_400 = len(played[200][3].events), len(played[400][3].events)
    assert events_400 > 1.9 * events_200
    assert peak_400 < 2.5 * peak_200, f"200 turns {peak_200 / 1e6:.1f} MB, 400 turns {peak_400 / 1e6:.1f} MB"
    assert peak_200 / events_200 < 4096, "more than 4 kB an event"


def test_a_200_turn_log_verifies_in_bounded_memory(played):
    scenario, rules, log, session, _ = played[200]
    replayed, peak = traced_peak(lambda: Session.replay(logmod.read(log), scenario, rules))
    assert replayed.state.ended and len(replayed.events) == len(session.events)
    assert peak < BOUND, f"{peak / 1e6:.1f} MB"


def test_the_state_hash_covers_a_bounded_summary(played):
    """What each adjudicated event hashes does not grow with the exercise (see game.summary)."""
    from tabletop.game import summary

    sizes = [len(str(summary(played[turns][3].state))) for turns in (200, 400)]
    assert sizes[1] < sizes[0] * 1.2 + 200, sizes


def test_the_collector_sees_a_handful_of_objects_in_a_new_state_however_long_the_exercise(played):
    """Each event makes a new state and new versions of its vectors; the garbage collector looks at every new object.

    What it looks at in them must not grow with the exercise (a C persistent
    vector shows it every item, so each young-generation pass would cost the
    length of the exercise so far): a bound on the collector's work, counted,
    not timed. A note is the commonest event of a real log: it adds to the notes.
    """
    for turns in (200, 400):
        scenario, rules, log, session, _ = played[turns]
        game, state = session.game, session.state
        noted = game.evolve(state.replace(ended=False), game.decide(state.replace(ended=False), Note("A note late in the exercise."))[0])
        assert len(noted.notes) == 1 and len(state.facts) > turns and len(state.notes) == 0
        for name in ("notes", "facts", "released", "turn_decisions", "all_obligations", "tension_history"):
            vector = getattr(noted, name)
            assert len(gc.get_referents(vector)) <= 8, (name, len(vector), len(gc.get_referents(vector)))
