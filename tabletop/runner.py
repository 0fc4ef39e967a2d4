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
from tabletop.conflict import WAR_KINDS
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
            if facilitation.at_end(session):
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
    """What one headless exercise came to, small enough to send between processes.

    ``reached`` maps each rung the exercise got to at an adjudication (its
    highest and every one below it) to what took it there: the facts of the
    turn in which it first got that high, one short line each. ``answers``
    holds one ``(obligor, obligation, answer)`` per obligation raised, the
    answer ``unanswered`` if it was still open at the end. ``attacks`` holds
    one ``(attacked seat, how it answered)`` per armed attack on a seat.
    """

    seed: int
    tension: int
    triggered: dict[str, int]
    honoured: dict[str, int]
    decisions: dict[str, list[str]]
    reached: dict[int, list[str]] = attrs.field(factory=dict)
    answers: list[tuple[str, str, str]] = attrs.field(factory=list)
    first_attack: int | None = None  # the first turn with an armed attack, if any
    reached_turn: dict[int, int] = attrs.field(factory=dict)  # rung -> the turn it was first reached in
    council: list[tuple[str, str]] = attrs.field(factory=list)  # (drafting state, outcome) of each Security Council decision
    attacks: list[tuple[str, str]] = attrs.field(factory=list)


#: What took an exercise to a rung it began on or above.
STARTED = "the exercise began at or above it"
#: How an attacked seat's next decision answered the attack (``Outcome.attacks``).
IN_KIND, MILITARY, OTHER, NO_TURN = "in kind", "another military step", "not militarily", "no turn left to answer"


def outcome_of(session: Session) -> Outcome:
    state, scenario, rules = session.state, session.scenario, session.rules
    triggered: collections.Counter[str] = collections.Counter()
    honoured: collections.Counter[str] = collections.Counter()
    answers: list[tuple[str, str, str]] = []
    for open_ob in state.obligations.values():
        ob = open_ob.obligation
        triggered[ob.treaty] += 1
        if open_ob.answer == "honour":
            honoured[ob.treaty] += 1
        label = rules.treaties[ob.treaty].label if ob.treaty in rules.treaties else ob.treaty
        answers.append((ob.obligor, f"{label} Art. {ob.article} {ob.kind}", open_ob.answer or ("unanswered" if open_ob.status != "void" else "void")))
    decisions: dict[str, list[str]] = collections.defaultdict(list)
    for per_turn in state.decisions.values():
        for seat, decision in per_turn.items():
            decisions[seat].append(decision.option or "(own words)")
    start = session.game.initial().tension
    reached: dict[int, list[str]] = {r.rung: [STARTED] for r in rules.escalation.ladder if r.rung <= start}
    reached_turn: dict[int, int] = dict.fromkeys(reached, 0)
    turn_facts: dict[int, list[m.Fact]] = collections.defaultdict(list)
    adjudicated: dict[int, list[m.Fact]] = {}
    for record in session.events:
        kind, turn = record.get("type"), record.get("turn", 0)
        if kind == "inject_released":
            inject = state.adhoc.get(record["inject"]) if record.get("adhoc") else scenario.inject(record["inject"])
            if inject is not None:
                turn_facts[turn].extend(inject.facts)
        elif kind == "adjudicated":
            facts = [m.Fact.from_json(f) for f in record.get("facts", [])]
            adjudicated[turn] = facts
            turn_facts[turn].extend(facts)
            # The ladder's own sentences for the turn's moves in tension (events.Cause), else the turn's facts.
            rises = [c.get("because", "") for c in record["changes"].get("causes", ()) if c.get("what") == "tension"]
            after = record["changes"]["tension"][1]
            for rung in rules.escalation.ladder:
                if rung.rung <= after and rung.rung not in reached:
                    reached_turn[rung.rung] = turn
                    reached[rung.rung] = rises or [_fact_line(f, scenario, rules) for f in turn_facts[turn]]
    attacks = _attack_answers(state, scenario, turn_facts, adjudicated)
    first_attack = next((t for t, facts in sorted(turn_facts.items()) if any(f.kind in WAR_KINDS for f in facts)), None)
    return Outcome(session.seed, state.tension, dict(triggered), dict(honoured), dict(decisions),
                   reached=reached, answers=answers, attacks=attacks, first_attack=first_attack, reached_turn=reached_turn,
                   council=[(c.draft_by, c.outcome) for c in state.council])


def _fact_line(fact: m.Fact, scenario: m.Scenario, rules: m.Rules) -> str:
    """A fact as a short line for the statistics: its kind, who acted and against whom."""
    line = fact.kind.replace("_", " ")
    if fact.by:
        line += f" by {m.seat_name(scenario, rules, fact.by)}"
    if fact.target:
        line += f" on {m.seat_name(scenario, rules, fact.target)}"
    return line


def _attack_answers(state: Any, scenario: m.Scenario, turn_facts: dict[int, list[m.Fact]], adjudicated: dict[int, list[m.Fact]]) -> list[tuple[str, str]]:
    """For each armed attack on a seat, how that seat's first decision after it answered it.

    An attack an inject reports is answered in the same turn's decide phase;
    one a decision makes happens at the adjudication, and is answered in the
    next turn's. Military means a decision whose facts use force (in kind: on
    the attacker) or move forces (a deployment or an exercise).
    """
    out: list[tuple[str, str]] = []
    last = scenario.turns[-1].id if scenario.turns else 0
    for turn, facts in sorted(turn_facts.items()):
        at_adjudication = adjudicated.get(turn, [])
        for fact in facts:
            target = fact.target
            if fact.kind != "armed_attack" or target is None or target not in scenario.seats or fact.by == target:
                continue
            answer_turn = turn + 1 if any(fact is f for f in at_adjudication) else turn
            if answer_turn > last:
                out.append((target, NO_TURN))
                continue
            decision = state.decisions.get(answer_turn, {}).get(target)
            option = scenario.option(target, decision.option) if decision is not None and decision.option else None
            how = OTHER
            if option is not None:
                if any(f.kind == "armed_attack" and f.target == fact.by for f in option.facts):
                    how = IN_KIND
                elif any(f.kind in ("armed_attack", "deployment", "exercise") for f in option.facts):
                    how = MILITARY
            out.append((target, how))
    return out


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
    lines.extend(_reached_lines(outcomes, rules))
    lines.extend(_answer_lines(outcomes, scenario, rules))
    lines.extend(_check_lines(outcomes, scenario, rules))
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


def _reached_lines(outcomes: list[Outcome], rules: m.Rules) -> list[str]:
    """Per rung: how many exercises got that high at an adjudication, and the facts most often behind it."""
    lines = ["", "Highest rung reached at an adjudication, and the turn's facts that took exercises there (most frequent three):"]
    n = len(outcomes)
    for rung in rules.escalation.ladder:
        behind: collections.Counter[str] = collections.Counter()
        count = 0
        for o in outcomes:
            if rung.rung in o.reached:
                count += 1
                behind.update(set(o.reached[rung.rung]))
        top = "; ".join(f"{line} ({100 * k / count:.0f}%)" for line, k in behind.most_common(3)) if count else ""
        lines.append(f"  {rung.rung} {rung.name:<18} {count:>6}  {100 * count / n:5.1f}%  {top}")
    return lines


def _answer_lines(outcomes: list[Outcome], scenario: m.Scenario, rules: m.Rules) -> list[str]:
    """Per seat and obligation: how often each answer was given, or none."""
    table: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for o in outcomes:
        for obligor, obligation, answer in o.answers:
            table[(obligor, obligation)][answer] += 1
    lines = ["", "Answers to obligations, per seat (times given, share of the times the obligation was raised):"]
    if not table:
        lines.append("  none raised")
    order = {seat: i for i, seat in enumerate(scenario.seats)}
    for (obligor, obligation), counts in sorted(table.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1])):
        total = sum(counts.values())
        spread = ", ".join(f"{answer} {k} ({100 * k / total:.0f}%)" for answer, k in counts.most_common())
        name = m.seat_name(scenario, rules, obligor)
        lines.append(f"  {name:<10} {obligation:<32} raised {total:>6}: {spread}")
    return lines


def clash_rung(rules: m.Rules) -> int | None:
    """The lowest rung that needs an armed attack (or a state of war) to stand on ("Armed clash"); None if no rung does."""
    return next((r.rung for r in rules.escalation.ladder if r.needs and all(set(t.kinds) <= WAR_KINDS for t in r.needs)), None)


def _check_lines(outcomes: list[Outcome], scenario: m.Scenario, rules: m.Rules) -> list[str]:
    """The checks of the model the issue sets goals for (README): each with its count."""
    n = len(outcomes)
    lines = ["", "Checks of the model:"]
    clash = clash_rung(rules)
    if clash is not None:
        name = rules.escalation.rung_name(clash)
        bad = sum(1 for o in outcomes if any(r >= clash and (o.first_attack is None or o.first_attack > t) for r, t in o.reached_turn.items()))
        lines.append(f"  reached {name!r} or above with no armed attack by then: {bad} of {n} exercises (goal 0)")
    open_end = sum(1 for o in outcomes for _, _, answer in o.answers if answer == "unanswered")
    raised = sum(len(o.answers) for o in outcomes)
    with_open = sum(1 for o in outcomes if any(answer == "unanswered" for _, _, answer in o.answers))
    lines.append(f"  obligations left unanswered at the end: {open_end} of {raised} raised, in {with_open} of {n} exercises (goal 0)")
    council = collections.Counter(c for o in outcomes for c in o.council)
    if council:
        spread = ", ".join(f"{outcome} {k}" for (_, outcome), k in sorted(council.items(), key=lambda kv: -kv[1]))
        drafters: collections.Counter[str] = collections.Counter()
        for (by, _), k in council.items():
            drafters[by] += k
        by_whom = ", ".join(f"{m.seat_name(scenario, rules, by) or 'nobody'} {k}" for by, k in drafters.most_common())
        lines.append(f"  Security Council decisions: {sum(council.values())} ({spread}); drafts by {by_whom}")
    by_seat: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for o in outcomes:
        for seat, how in o.attacks:
            by_seat[seat][how] += 1
    if not by_seat:
        lines.append("  armed attacks on a seat: none")
    for seat in scenario.seats:
        counts = by_seat.get(seat)
        if not counts:
            continue
        answerable = sum(k for how, k in counts.items() if how != NO_TURN)
        military = counts[IN_KIND] + counts[MILITARY]
        share = f"{100 * military / answerable:.0f}%" if answerable else "-"
        detail = ", ".join(f"{how} {counts[how]}" for how in (IN_KIND, MILITARY, OTHER, NO_TURN) if counts[how])
        lines.append(f"  {scenario.seats[seat].name} attacked {sum(counts.values())} times, answered militarily {share} of the times it had a turn to ({detail})")
    return lines
