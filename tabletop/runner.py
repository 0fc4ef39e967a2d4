"""Headless play: bots take every seat and a scripted facilitator runs the turns.

The scripted facilitator (``tabletop/facilitation.py``, the policy the board
follows too) releases every scheduled inject of a turn in MSEL order (standby
injects stay in reserve, as a human facilitator would keep them), walks the
phases and adjudicates. Used by ``tabletop run`` and by the
benchmarks; the same seed gives the same log byte for byte.
"""

from __future__ import annotations

import collections
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from tabletop import facilitation
from tabletop import model as m
from tabletop.session import Session


def facilitate_turn(session: Session) -> None:
    """Play the current turn from wherever it stands to its review phase, bots in every seat."""
    facilitation.play_turn(session, list(session.scenario.seats))


def play(
    scenario: m.Scenario,
    rules: m.Rules,
    seed: int = 0,
    log_path: str | Path | None = None,
    fsync: bool = True,
) -> Session:
    return finish(Session.new(scenario, rules, seed=seed, log_path=log_path, fsync=fsync))


def finish(session: Session) -> Session:
    """Play an exercise from wherever it stands to its end."""
    try:
        while not session.state.ended:
            facilitate_turn(session)
            if session.is_last_turn and not session.closing_owed:
                session.end("all turns played")
                break
            session.advance()  # the next turn, or the closing response round for obligations still owed
    finally:
        session.close()
    return session


def resume(log_path: str | Path, scenario: m.Scenario, rules: m.Rules, fsync: bool = True) -> tuple[Session, list[str]]:
    """Carry on a headless exercise from its log (after a crash, say) to the end.

    Since bots and the scripted facilitator are deterministic, the finished log
    is byte for byte the log an uninterrupted run would have written.
    """
    session, warnings = Session.resume(log_path, scenario, rules)
    if session.writer is not None:
        session.writer.fsync = fsync
    return finish(session), warnings


@attrs.define
class Outcome:
    """What one headless exercise came to, small enough to send between processes."""

    seed: int
    tension: int
    triggered: dict[str, int]
    honoured: dict[str, int]
    decisions: dict[str, list[str]]


def outcome_of(session: Session) -> Outcome:
    triggered: collections.Counter[str] = collections.Counter()
    honoured: collections.Counter[str] = collections.Counter()
    for open_ob in session.state.obligations.values():
        triggered[open_ob.obligation.treaty] += 1
        if open_ob.answer == "honour":
            honoured[open_ob.obligation.treaty] += 1
    decisions: dict[str, list[str]] = collections.defaultdict(list)
    for per_turn in session.state.decisions.values():
        for seat, decision in per_turn.items():
            decisions[seat].append(decision.option or "(own words)")
    return Outcome(session.seed, session.state.tension, dict(triggered), dict(honoured), dict(decisions))


_WORKER: dict[str, Any] = {}


def _init_worker(scenario_path: str) -> None:
    from tabletop.loading import load_scenario

    _WORKER["scenario"], _WORKER["rules"] = load_scenario(scenario_path)


def _one(seed: int) -> Outcome:
    return outcome_of(play(_WORKER["scenario"], _WORKER["rules"], seed=seed, fsync=False))


def run_many(
    scenario_path: str,
    seeds: list[int],
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Play one exercise per seed, in parallel processes where that helps."""
    workers = workers or min(len(seeds), os.cpu_count() or 1)
    outcomes: list[Outcome] = []
    if workers <= 1 or len(seeds) < 8:
        _init_worker(scenario_path)
        for seed in seeds:
            outcomes.append(_one(seed))
            if progress:
                progress(len(outcomes), len(seeds))
        return outcomes
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(scenario_path,)) as pool:
        for outcome in pool.imap(_one, seeds, chunksize=max(1, len(seeds) // (workers * 20))):
            outcomes.append(outcome)
            if progress:
                progress(len(outcomes), len(seeds))
    return outcomes


def statistics(outcomes: list[Outcome], scenario: m.Scenario, rules: m.Rules) -> str:
    """A plain-text summary: tension distribution, obligations by treaty, frequent decisions."""
    lines = [f"{len(outcomes)} exercises of {scenario.id}"]
    tension = collections.Counter(o.tension for o in outcomes)
    lines.append("")
    lines.append("Final tension (rung on the escalation ladder):")
    width = max(tension.values()) if tension else 1
    for rung in rules.escalation.ladder:
        count = tension.get(rung.rung, 0)
        bar = "#" * round(30 * count / width) if count else ""
        lines.append(f"  {rung.rung} {rung.name:<18} {count:>6}  {100 * count / len(outcomes):5.1f}%  {bar}")
    mean = sum(o.tension for o in outcomes) / len(outcomes)
    lines.append(f"  mean {mean:.2f}")
    lines.append("")
    lines.append("Obligations triggered / honoured, per treaty:")
    triggered: collections.Counter[str] = collections.Counter()
    honoured: collections.Counter[str] = collections.Counter()
    for o in outcomes:
        triggered.update(o.triggered)
        honoured.update(o.honoured)
    if not triggered:
        lines.append("  none")
    for treaty, count in sorted(triggered.items()):
        label = rules.treaties[treaty].label if treaty in rules.treaties else treaty
        lines.append(f"  {label:<20} triggered {count:>6} ({count / len(outcomes):.2f} per exercise)  honoured {honoured.get(treaty, 0):>6}")
    lines.append("")
    lines.append("Most frequent decisions, per seat:")
    for seat in scenario.seats:
        counts: collections.Counter[str] = collections.Counter()
        for o in outcomes:
            counts.update(o.decisions.get(seat, []))
        total = sum(counts.values()) or 1
        top = ", ".join(f"{opt} {100 * n / total:.0f}%" for opt, n in counts.most_common(3))
        lines.append(f"  {scenario.seats[seat].name:<28} {top}")
    return "\n".join(lines)
