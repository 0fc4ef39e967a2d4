"""`resolve` with 200 treaties over 1,000 facts. Prints figures; asserts nothing.

The treaties are the five real ones copied with other pairs of parties; the
facts are a mix of armed attacks, threats and other kinds between the states of
geography.yaml. Goal: under 50 ms. Run: python benchmarks/bench_resolve.py
"""

from __future__ import annotations

import datetime as dt
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
        by, target = rng.sample(states, 2)
        kind = rng.choices(["armed_attack", "threat", "missile_test", "exercise"], [3, 2, 3, 2])[0]
        facts.append(Fact(kind=kind, by=by, target=target, location=rng.choice(territories)))
    return facts


def main() -> None:
    rules = synthetic_rules(200)
    facts = synthetic_facts(rules, 1000)
    date = dt.date(2025, 1, 15)
    best_engine = best_resolve = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        engine = treaties.Engine(rules)
        built = time.perf_counter()
        result = engine.resolve(facts, date)
        done = time.perf_counter()
        best_engine = min(best_engine, built - start)
        best_resolve = min(best_resolve, done - built)
    print(f"{len(rules.treaties)} treaties, {len(facts)} facts -> {len(result.obligations)} obligations")
    print(f"index the rule modules: {best_engine * 1000:6.1f} ms")
    print(f"resolve:                {best_resolve * 1000:6.1f} ms  (goal: under 50 ms)")
    print(f"total:                  {(best_engine + best_resolve) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
