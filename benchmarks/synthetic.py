"""Synthetic scenarios and logs for the benchmarks and the long-session tests.

A long exercise is made by repeating turns of a small pattern: each turn has a
few dated injects (one of them a threat, so that treaty consultation articles
fire), and every seat has the same three options.

Two kinds of log. :func:`write_log` is the headless runner's: about 18 events
a turn (three injects, six bot decisions, the phases, an adjudication, the
obligations a threat sets off), so its scenario grows with the log, a turn per
18 events; past about 200,000 events that scenario is over the loader's 8 MiB
limit on a scenario file. :func:`write_facilitated_log` plays the same turns
as a facilitator does at a real exercise's density, about 167 events a turn
(2,000 events over a dozen turns, the largest real log): besides the runner's
events, the facilitator's notes, a few ad-hoc injects (one with a fact that
the treaties and the bots read) and the phase timer. Its scenario is then nine
times smaller for the same number of events: 1,000,000 events take about 6,000
turns, a scenario of about 4 MB, read by the ordinary loader under its
ordinary limit (which stays where it is for users). The two mixes weigh
differently: a bot decision costs a replay far more than a note, so the
benchmarks print which mix each figure is of.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SEATS = ["dprk", "rok", "us", "russia", "china", "japan"]


def scenario_text(turns: int, injects_per_turn: int = 4) -> str:
    start = dt.date(2025, 1, 1)
    out = [
        "id: synthetic",
        f'title: "Synthetic exercise of {turns} turns"',
        f"start: {start}",
        "sources:",
        '  synthetic: {title: "Generated for benchmarks"}',
        "seats:",
    ]
    for seat in SEATS:
        out.append(f'  {seat}: {{name: "{seat.upper()}", brief: "Synthetic seat.", '
                   "doctrine: {prefers: {deter: 2, diplomacy: 2, restraint: 1}, escalation_ceiling: 4, "
                   "answers: {assist: partial, consult: honour, contested: consult}}}")
    out.append("turns:")
    for t in range(1, turns + 1):
        day = start + dt.timedelta(days=2 * (t - 1))
        out.append(f'  - {{id: {t}, title: "Turn {t}", from: {day}, to: {day + dt.timedelta(days=1)}, questions: ["Q{t}?"]}}')
    out.append("injects:")
    for t in range(1, turns + 1):
        day = start + dt.timedelta(days=2 * (t - 1))
        for k in range(injects_per_turn):
            if k == 0 and t % 3 == 0:
                fact = "{kind: threat, by: dprk, target: rok, location: rok}"
            else:
                fact = f"{{kind: missile_test, by: dprk, range_km: {100 + k}}}"
            out.append(f'  - {{id: i{t}-{k}, turn: {t}, date: {day}, title: "Inject {t}.{k}", text: "Synthetic.", '
                       f"source: synthetic, facts: [{fact}], effects: {{tension: {1 if k % 2 else -1}}}}}")
    out.append("options:")
    for seat in SEATS:
        out.append(f"  {seat}:")
        out.append(f'    - {{id: talk, label: "Talk", tags: [diplomacy], facts: [{{kind: talks, by: {seat}}}], effects: {{tension: -1}}}}')
        out.append(f'    - {{id: drill, label: "Drill", tags: [deter], facts: [{{kind: exercise, by: {seat}}}], effects: {{tension: 1}}}}')
        out.append('    - {id: wait, label: "Wait", tags: [restraint]}')
    return "\n".join(out) + "\n"


def write_scenario(folder: Path, turns: int, injects_per_turn: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic-{turns}.yaml"
    path.write_text(scenario_text(turns, injects_per_turn))
    return path


def write_log(folder: Path, events: int, seed: int = 1) -> Path:
    """A headless exercise whose log has at least ``events`` events."""
    from tabletop import runner
    from tabletop.loading import load_scenario

    turns = events // 18 + 1  # about 18 events a turn with 3 injects and 6 seats
    scenario, rules = load_scenario(write_scenario(folder, turns, injects_per_turn=3))
    log = folder / f"synthetic-{events}.jsonl"
    if log.exists():
        log.unlink()
    runner.play(scenario, rules, seed=seed, log_path=log, fsync=False)
    return log


#: What the facilitator adds to each turn of :func:`write_facilitated_log`, besides the scripted injects and the bots.
NOTES_PER_TURN = 140
ADHOC_PER_TURN = 3
TIMERS_PER_TURN = 2  # started at the brief, paused before the decisions
EVENTS_PER_TURN = 18 + NOTES_PER_TURN + ADHOC_PER_TURN + TIMERS_PER_TURN + 4  # and about one obligation in three from an ad-hoc fact


def write_facilitated_log(folder: Path, events: int, seed: int = 1) -> tuple[Path, Path]:
    """A facilitated exercise whose log has about ``events`` events (at least a turn's); returns the log and its scenario.

    Each turn: the timer is started, the facilitator releases an ad-hoc report
    with a missile test in it and two without facts, takes notes (on a seat, on
    the room), pauses the timer, and then the turn is played as the headless
    runner plays it (scheduled injects, bots in every seat, adjudication).
    """
    from tabletop import model as m
    from tabletop import runner
    from tabletop.loading import load_scenario
    from tabletop.session import RELEASE_PHASES, Session

    turns = max(1, round(events / EVENTS_PER_TURN))
    path = write_scenario(folder, turns, injects_per_turn=3)
    scenario, rules = load_scenario(path)
    log = folder / f"facilitated-{events}.jsonl"
    if log.exists():
        log.unlink()
    session = Session.new(scenario, rules, seed=seed, log_path=log, fsync=False)
    try:
        while not session.state.ended:
            turn = session.state.turn
            if session.state.phase in RELEASE_PHASES:
                session.timer("start", 600, 10)
                for k in range(ADHOC_PER_TURN):
                    facts = [m.Fact("missile_test", by="dprk", details={"range_km": 300 + k})] if k == 0 else []
                    session.release_adhoc(f"Flash report {turn}.{k}", "Written by the facilitator during play.", facts=facts)
                for k in range(NOTES_PER_TURN):
                    seat = SEATS[k % len(SEATS)] if k % 3 else None
                    session.note(f"Turn {turn}, observation {k}: the team weighs its options and asks about the treaty's wording.", seat=seat)
                session.timer("pause", 240, 10)
            runner.facilitate_turn(session)
            if session.is_last_turn and not session.closing_owed:
                session.end("all turns played")
                break
            session.advance()  # the next turn, or the closing round for obligations still owed (as runner.finish)
    finally:
        session.close()
    return log, path
