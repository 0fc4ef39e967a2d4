"""`resolve` with 200 and with 2,000 treaties over the same 1,000 facts, in one run. Prints figures; asserts nothing.

The treaties are the five real ones copied with other pairs of parties; the
facts are a mix of armed attacks (some limited, some by coalitions or in
collective self-defence), declarations of war, threats and other kinds between
the states of geography.yaml, so the conflict model has wars to build. Goal:
200 x 1,000 under 50 ms, and cost linear in treaties x facts: ten times the
treaties should cost about ten times the time, and the time per obligation
found should stay the same. Run: python benchmarks/bench_resolve.py
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import time

import attrs

from tabletop import treaties
from tabletop.loading import load_rules
from tabletop.model import Fact


def synthetic_rules(count: int, seed: int = 1):
    rules = load_rules()
    rng = random.Random(seed)
    states = [s for s, st in rules.states.items() if st.type == "state"]
    base = list(rules.treaties.values())
    made = {}
    for i in range(count):
        model = base[i % len(base)]
        parties = tuple(rng.sample(states, 2))
        made[f"t{i}"] = attrs.evolve(model, id=f"t{i}", parties=parties, ended=None, ended_disputed_from=None)
    return attrs.evolve(rules, treaties=made)


def synthetic_facts(rules, count: int, seed: int = 2):
    rng = random.Random(seed)
    states = [s for s, st in rules.states.items() if st.type == "state"]
    territories = list(rules.territories)
    facts = []
    for _ in range(count):
        by, target, other = rng.sample(states, 3)
        kind = rng.choices(["armed_attack", "state_of_war", "threat", "missile_test", "exercise"], [3, 0.2, 2, 3, 2])[0]
        details: dict[str, object] = {}
        helper = None
        if kind == "armed_attack":
            details["scale"] = rng.choice(["war", "limited"])
            roll = rng.random()
            if roll < 0.1:
                details["with"] = [other]
            elif roll < 0.2:
                helper = other
        facts.append(Fact(kind=kind, by=by, target=target, location=rng.choice(territories), details=details, on_behalf_of=helper))
    return facts


def checks(engine: treaties.Engine, facts: list[Fact]) -> int:
    """How many (clause, pair of parties) the index hands the resolve loop for these facts: the work it must do."""
    total = 0
    for fact in facts:
        entries = engine.for_target.get((fact.kind, fact.target or "")) or engine.for_kind.get(fact.kind) or []
        total += sum(len(e.pairs_to.get(fact.target) or e.all_pairs) for e in entries)  # type: ignore[arg-type]
    return total


def measure(count: int, facts_count: int, date: dt.date, runs: int = 7) -> dict[str, float]:
    """Best of ``runs``: indexing and resolving, in wall-clock and CPU seconds; the work and what it found."""
    rules = synthetic_rules(count)
    facts = synthetic_facts(rules, facts_count)
    best = {"index": float("inf"), "wall": float("inf"), "cpu": float("inf")}
    found = 0
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        engine = treaties.Engine(rules)
        built = time.perf_counter()
        cpu = time.process_time()
        result = engine.resolve(facts, date)
        cpu = time.process_time() - cpu
        done = time.perf_counter()
        best["index"] = min(best["index"], built - start)
        best["wall"] = min(best["wall"], done - built)
        best["cpu"] = min(best["cpu"], cpu)
        found = len(result.obligations)
        del result
    return {**best, "found": found, "checks": checks(engine, facts)}


def main() -> None:
    date = dt.date(2025, 1, 15)
    figures = {}
    for count in (200, 2000):
        f = figures[count] = measure(count, 1000, date)
        print(f"{count:5,} treaties x 1,000 facts: {f['checks']:9,.0f} clause checks -> {f['found']:6,.0f} obligations; "
              f"index {f['index'] * 1000:5.1f} ms, resolve {f['wall'] * 1000:7.1f} ms ({f['cpu'] * 1000:7.1f} ms CPU)")
    small, large = figures[200], figures[2000]
    print(f"10x the treaties: {large['checks'] / small['checks']:4.1f}x the clause checks, {large['found'] / small['found']:4.1f}x the obligations, "
          f"{large['wall'] / small['wall']:4.1f}x the time ({large['cpu'] / small['cpu']:4.1f}x the CPU time)")
    print("goal: 200 x 1,000 under 50 ms; the time about 10x")


if __name__ == "__main__":
    main()
