"""Bots: the same seed gives the same choices and the same sentence of why, whatever the code inside does.

Only the chosen option is explained (tabletop/bots.py): the choices and the
rationales must stay those of the version that explained every option. The
digest below is of every decision (turn, seat, option, rationale) of 40
exercises of the test scenario, written before that change; a change to the
bots' policy or to tests/data/mini.yaml that is meant to change them
regenerates it (the comment under DIGEST says how).
"""

from __future__ import annotations

import hashlib
import json

from tabletop import runner

DIGEST = "50d8453575135748020be11b91074be86bac3351fbf3d860557d65a587b192e1"
# rows = [[e.get("turn"), e["seat"], e["option"], e["rationale"]] for seed in range(40) for e in play(seed).events if decision]
# sha256(json.dumps(rows)), as decisions() below computes it.


def decisions(mini, rules) -> list[list]:
    rows = []
    for seed in range(40):
        session = runner.play(mini, rules, seed=seed, fsync=False)
        for event in session.events:
            if event.get("type") == "decision":
                rows.append([event.get("turn"), event["seat"], event["option"], event["rationale"]])
    return rows


def test_bot_choices_and_rationales_are_those_pinned(mini, rules):
    rows = decisions(mini, rules)
    assert len(rows) == 640
    assert all(row[3].startswith(mini.seats[row[1]].name + " ") and " because " in row[3] for row in rows)
    assert hashlib.sha256(json.dumps(rows).encode()).hexdigest() == DIGEST


def test_a_rationale_names_the_option_chosen(mini, rules):
    for _turn, seat, option, rationale in decisions(mini, rules)[:60]:
        if option in ("honour", "partial", "consult", "decline"):
            continue  # an answer to an obligation
        label = mini.option(seat, option).label
        assert rationale.startswith(f"{mini.seats[seat].name} chose '{label}' because "), rationale
