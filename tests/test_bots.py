"""Bots: the same seed gives the same choices and the same sentence of why, whatever the code inside does.

The digest below is of every decision (turn, seat, option, rationale) of 40
exercises of the test scenario, as the bots that weigh the situation (issue 13:
attacked, a seat defends itself; no talks with its attacker; one plain
sentence naming the inject) make them; a change to the bots' policy or to
tests/data/mini.yaml that is meant to change them regenerates it (the comment
under DIGEST says how).
"""

from __future__ import annotations

import hashlib
import json

from tabletop import runner

DIGEST = "67d65a22952d5609765db7a1eaedd26ddfb1de6111d6d37fba3dddb86ee968b8"
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
    assert len(rows) == 760  # (80 of them the US and Japan answering Art. IV on the shelling of turn 2, 40 the US answering Art. II)
    assert all(row[3].startswith(mini.seats[row[1]].name + " ") and row[3].endswith(".") and ";" not in row[3] for row in rows)
    assert hashlib.sha256(json.dumps(rows).encode()).hexdigest() == DIGEST


def test_a_rationale_names_the_option_chosen(mini, rules):
    for _turn, seat, option, rationale in decisions(mini, rules)[:60]:
        if not any(o.id == option for o in mini.options.get(seat, ())):
            continue  # an answer to an obligation (honour, measures, ...)
        label = mini.option(seat, option).label
        assert rationale.startswith(f"{mini.seats[seat].name} chose '{label}' "), rationale
        for internal in ("rung", "doctrine", "ceiling", "favours"):  # plain words, not the bot's workings
            assert internal not in rationale, rationale


# ------------------------------------------------------------ bots that act like states (issue 13)

import attrs  # noqa: E402
import pytest  # noqa: E402

from tabletop import bots, conditions  # noqa: E402
from tabletop.loading import load_named  # noqa: E402

from .test_conditions import at_decide  # noqa: E402

SHELLING = "Hypothetical: DPRK artillery strikes Yeonpyeong Island"  # nea-2024, turn 6


@pytest.fixture(scope="module")
def nea():
    return load_named("nea-2024")


def shelled(nea, seed):
    """nea-2024 in turn 6's decide phase, after the scheduled injects (the shelling of Yeonpyeong among them)."""
    scenario, rules = nea
    session = at_decide(scenario, rules, 6, seed=seed)
    assert conditions.attacks_on(session.state, scenario, rules, "rok")[0].source == SHELLING
    return session


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_a_state_shelled_returns_fire_or_takes_a_defensive_military_step_and_says_why(nea, seed):
    scenario, rules = nea
    session = shelled(nea, seed)
    choice = bots.decide(session.state, scenario, rules, "rok", seed)
    option = scenario.option("rok", choice.option)
    in_kind = any(f.kind == "armed_attack" and f.target == "dprk" for f in option.facts)
    defensive = any(f.kind in ("deployment", "exercise") and f.by == "rok" for f in option.facts)
    assert in_kind or defensive, choice
    assert f"the armed attack by the DPRK in '{SHELLING}'" in choice.rationale, choice.rationale


def test_the_rok_answers_the_shelling_in_kind_as_its_doctrine_weighs_it(nea):
    scenario, rules = nea
    session = shelled(nea, 0)
    choice = bots.decide(session.state, scenario, rules, "rok", 0)
    assert choice.option == "counter-battery"
    assert choice.rationale == f"ROK chose 'Counter-battery fire on DPRK guns' to answer in kind the armed attack by the DPRK in '{SHELLING}'."


@pytest.mark.parametrize("seed", range(8))
def test_nobody_offers_talks_to_the_state_shelling_it_or_its_allies_in_the_same_turn(nea, seed):
    scenario, rules = nea
    session = shelled(nea, seed)
    for seat in scenario.seats:
        if seat == "dprk":
            continue
        choice = bots.decide(session.state, scenario, rules, seat, seed)
        option = scenario.option(seat, choice.option)
        talks = [f for f in option.facts if f.kind == "talks" and (not f.details.get("with") or "dprk" in f.details["with"])]
        barred = seat in ("rok", "us", "japan")  # the ROK, its ally the US, and the US's ally Japan (treaties in force)
        if barred:
            assert not talks, choice


def test_a_doctrine_that_says_otherwise_is_followed(nea):
    """Talks with the attacker and restraint when attacked, where the seat's doctrine says so."""
    scenario, rules = nea
    rok = scenario.seats["rok"]
    dovish = attrs.evolve(rok.doctrine, situations={"attacked": {"de_escalate": 10.0}}, talks_with_attacker=True)
    changed = attrs.evolve(scenario, seats={**scenario.seats, "rok": attrs.evolve(rok, doctrine=dovish)})
    session = shelled(nea, 0)
    choice = bots.decide(session.state, changed, rules, "rok", 0)
    assert "de_escalate" in changed.option("rok", choice.option).tags, choice
    assert f"in answer to the armed attack by the DPRK in '{SHELLING}'" in choice.rationale


def test_allies_come_from_treaties_in_force_and_stand_by_the_attacked(nea):
    scenario, rules = nea
    session = shelled(nea, 0)
    state = session.state
    assert bots.allies(rules, scenario, "us", state) == {"rok", "japan"}
    assert bots.allies(rules, scenario, "rok", state) == {"us"}
    assert bots.allies(rules, scenario, "russia", state) == {"dprk"}  # in force since 4 December 2024
    choice = bots.decide(state, scenario, rules, "us", 0)
    assert f"to stand by the ROK, its ally, after the armed attack by the DPRK in '{SHELLING}'" in choice.rationale, choice.rationale
    # Without the US-ROK treaty in play the US has no ally attacked, and says nothing of one.
    alone = attrs.evolve(scenario, treaties=tuple(t for t in scenario.treaties if t != "us-rok-1953"))
    assert bots.allies(rules, alone, "us", state) == {"japan"}
    assert "its ally" not in bots.decide(state, alone, rules, "us", 0).rationale


def test_rationales_are_one_plain_sentence(nea):
    scenario, rules = nea
    session = runner.play(scenario, rules, seed=7, fsync=False)
    rationales = [e["rationale"] for e in session.events if e["type"] == "decision"]
    assert len(rationales) > 40
    for text in rationales:
        assert text.endswith(".") and text.replace("Art. ", "Art ").count(". ") == 0 and ";" not in text, text
        for internal in ("rung", "ceiling", "doctrine", "favours", "reciprocates"):
            assert internal not in text, text
        assert "'" in text  # it quotes what it chose or answers


def test_the_same_seed_gives_the_same_log_byte_for_byte(nea, tmp_path):
    scenario, rules = nea
    runner.play(scenario, rules, seed=11, log_path=tmp_path / "a.jsonl", fsync=False)
    runner.play(scenario, rules, seed=11, log_path=tmp_path / "b.jsonl", fsync=False)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
