"""Synthetic scenarios and logs for the benchmarks and the long-session tests.

A long exercise is made by repeating turns of a small pattern: each turn has a
few dated injects (one of them a threat, so that treaty consultation articles
fire), and every seat has the same three options.
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
