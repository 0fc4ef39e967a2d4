"""The escalation ladder read against what happened (tabletop/ladder.py, rules/escalation.yaml).

Each rule of the ladder and of credibility is tested on its own, from the
bundled rules, then through a session as the board plays it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tabletop import ladder
from tabletop import model as m
from tabletop.loading import load_rules, load_scenario
from tabletop.paths import bundled_scenarios
from tabletop.session import Session

DAY = dt.date(2025, 2, 18)


@pytest.fixture(scope="module")
def rules() -> m.Rules:
    return load_rules()


@pytest.fixture(scope="module")
def nea() -> tuple[m.Scenario, m.Rules]:
    return load_scenario(bundled_scenarios() / "nea-2024.yaml")


def fact(kind: str, by: str | None = "dprk", target: str | None = None, location: str | None = None, **details) -> m.Fact:
    return m.Fact(kind, by, target, location, details, None, DAY)


def rung(rules: m.Rules, name: str) -> int:
    return next(r.rung for r in rules.escalation.ladder if r.name == name)


def turn(rules: m.Rules, before: int, facts: list[m.Fact], earlier: list[m.Fact] = ()) -> tuple[int, list[ladder.Step]]:
    """One adjudication: ``facts`` this turn, ``earlier`` in the turn before."""
    words = ladder.Words(load_scenario(bundled_scenarios() / "nea-2024.yaml")[0], rules)
    return ladder.move(rules.escalation, rules, words, before, facts, lambda k: [*(earlier if k else ()), *facts])


# ------------------------------------------------------------- the ladder


def test_an_armed_attack_takes_tension_to_armed_clash_at_once_and_says_which(rules):
    shelling = fact("armed_attack", "dprk", "rok", "yeonpyeong", scale="limited", casualties=True)
    after, steps = turn(rules, rung(rules, "Shows of force"), [shelling])
    assert after == rung(rules, "Armed clash")
    assert sum(s.delta for s in steps) == after - rung(rules, "Shows of force")
    assert "DPRK's armed attack on ROK at Yeonpyeong" in steps[0].because and "casualties" in steps[0].because


def test_signals_alone_stop_below_crisis_and_the_cap_says_what_is_missing(rules):
    # Three states signalling at the level of Confrontation in one turn: action and reaction, but no incident, threat or attack.
    facts = [fact("missile_test", "dprk", **{"class": "icbm"}), fact("deployment", "us", personnel=5000),
             fact("assistance", "russia", "dprk", type="troops"), *(fact("exercise", s) for s in ("rok", "japan"))]
    after, steps = turn(rules, rung(rules, "Confrontation"), facts)
    assert after == rung(rules, "Confrontation")
    assert any("Crisis needs" in s.because for s in steps)


def test_details_scale_the_fact(rules):
    esc = rules.escalation
    assert ladder.level(esc, fact("missile_test", **{"class": "srbm"}), rules) < ladder.level(esc, fact("missile_test", **{"class": "icbm"}), rules)
    limited = fact("armed_attack", "dprk", "rok", scale="limited")
    full = fact("armed_attack", "dprk", "rok")  # scale left out: war, the field's default
    nuclear = fact("armed_attack", "dprk", "rok", weapon="nuclear")
    assert ladder.level(esc, limited, rules) < ladder.level(esc, full, rules) < ladder.level(esc, nuclear, rules)
    assert ladder.level(esc, fact("incident", casualties=True), rules) > ladder.level(esc, fact("incident"), rules)
    assert ladder.level(esc, fact("deployment", personnel=10000), rules) > ladder.level(esc, fact("deployment", personnel=50), rules)


def test_regional_war_needs_a_war_or_three_states_fighting(rules):
    two = [fact("armed_attack", "dprk", "rok", scale="limited"), fact("armed_attack", "rok", "dprk", scale="limited")]
    after, _ = turn(rules, rung(rules, "Armed clash"), two)
    assert after == rung(rules, "Armed clash")  # two states exchanging fire: a clash, not a regional war
    three = [*two, fact("armed_attack", "dprk", "us", "pyeongtaek", scale="limited")]
    after, steps = turn(rules, rung(rules, "Armed clash"), three)
    assert after == rung(rules, "Regional war") and "action and reaction" in steps[-1].because


def test_the_top_needs_nuclear_use(rules):
    war = [fact("state_of_war", "dprk", "rok"), fact("armed_attack", "dprk", "rok"), fact("armed_attack", "rok", "dprk")]
    after, _ = turn(rules, rung(rules, "Regional war"), war)
    assert after < rules.escalation.top
    after, _ = turn(rules, rung(rules, "Regional war"), [*war, fact("armed_attack", "dprk", "rok", weapon="nuclear")])
    assert after == rules.escalation.top


def test_tension_nothing_sustains_falls_back_a_rung_a_turn(rules):
    after, steps = turn(rules, rung(rules, "Confrontation"), [fact("statement")])
    assert after == rung(rules, "Confrontation") - rules.escalation.decay
    assert "Nothing this turn held tension at Confrontation" in steps[0].because


def test_talks_ease_it_faster_but_never_below_what_the_turn_shows_nor_more_than_max_fall(rules):
    esc = rules.escalation
    many = [fact("talks", s, **{"with": ["dprk"]}) for s in ("us", "japan", "china", "russia")]
    after, steps = turn(rules, rung(rules, "Crisis"), many, earlier=[fact("threat", "dprk", "rok")])
    assert after == rung(rules, "Crisis") - esc.max_fall
    assert "talks with DPRK" in steps[0].because
    # Talks in the turn of a shelling do not undo it.
    shelling = fact("armed_attack", "dprk", "rok", "yeonpyeong", scale="limited")
    after, _ = turn(rules, rung(rules, "Armed clash"), [shelling, *many])
    assert after == rung(rules, "Armed clash")


def test_when_the_fighting_stops_the_clash_ends_with_its_window(rules):
    shelling = fact("armed_attack", "dprk", "rok", "yeonpyeong", scale="limited")
    after, _ = turn(rules, rung(rules, "Armed clash"), [fact("exercise", "rok")], earlier=[shelling])
    assert after == rung(rules, "Armed clash") - rules.escalation.decay  # last turn's attack still counts
    after, steps = turn(rules, rung(rules, "Armed clash"), [fact("exercise", "rok")])
    assert after <= rung(rules, "Crisis") - 1 and steps


SIGNALS = ("statement", "legal_act", "sanctions", "veto", "guarantee", "missile_test", "exercise", "deployment", "assistance", "talks",
           "council_vote", "council_report")
DETAILS = st.fixed_dictionaries({}, optional={
    "class": st.sampled_from(["srbm", "irbm", "icbm", "hypersonic"]), "personnel": st.integers(0, 100000),
    "type": st.sampled_from(["troops", "munitions"]), "nuclear": st.booleans(), "tone": st.just("conciliatory"),
})
SIGNAL = st.builds(lambda kind, by, details: fact(kind, by, **details), st.sampled_from(SIGNALS),
                   st.sampled_from(["dprk", "rok", "us", "russia", "china", "japan"]), DETAILS)
EXPLICIT = st.lists(st.integers(-3, 3).map(lambda d: ladder.Step(d, "the scenario says so")), max_size=3)


@pytest.fixture(scope="module")
def nea_words(nea, rules) -> ladder.Words:
    """The flagship's seat and place names, loaded once for all the examples (each example only reads them)."""
    return ladder.Words(nea[0], rules)


@pytest.mark.slow  # fuzzes: 200 sequences of up to 12 turns
@settings(max_examples=200, deadline=None)
@given(start=st.integers(0, 7), turns=st.lists(st.tuples(st.lists(SIGNAL, max_size=8), EXPLICIT), min_size=1, max_size=12))
def test_no_sequence_of_signals_alone_reaches_a_rung_that_needs_an_armed_attack(rules, nea_words, start, turns):
    """Whatever the tests, drills, statements, deployments and scenario effects, and wherever tension starts."""
    clash = rung(rules, "Armed clash")
    tension, history = start, []
    for facts, explicit in turns:
        history.append(facts)
        tension, steps = ladder.move(rules.escalation, rules, nea_words, tension, facts,
                                     lambda k, h=history: [f for turn_facts in h[-k - 1:] for f in turn_facts], explicit)
        assert tension < clash
        assert all(step.because for step in steps)


# -------------------------------------------------- through the session


def play_to_decide(session: Session) -> None:
    while session.state.phase != "decide":
        session.advance()


def test_every_change_of_an_adjudication_carries_its_cause_by_name(nea, tmp_path):
    scenario, rules = nea
    session = Session.new(scenario, rules, seed=3, log_path=tmp_path / "x.jsonl", fsync=False)
    from tabletop import runner

    runner.finish(session)
    adjudicated = [e for e in session.events if e["type"] == "adjudicated"]
    assert adjudicated
    for event in adjudicated:
        changes = event["changes"]
        before, after = changes["tension"]
        tension = [c for c in changes.get("causes", ()) if c["what"] == "tension"]
        if before != after:
            assert tension, event
        for seat, (old, new) in changes.get("credibility", {}).items():
            moved = [c for c in changes["causes"] if c["what"] == "credibility" and c.get("seat") == seat]
            assert moved and sum(c["delta"] for c in moved) != 0 or old == new
        for cause in changes.get("causes", ()):
            assert cause["because"].endswith(".") and "->" not in cause["because"]
            for seat in scenario.seats:  # seat names, never ids, in the sentence
                assert f" {seat} " not in f" {cause['because']} "


def test_answers_follow_the_articles_strength(nea):
    scenario, rules = nea
    from tabletop.game import answer_key, answers_for
    from tabletop.state import OpenObligation

    def owed(treaty: str, article: str, kind: str = "assist") -> OpenObligation:
        ob = m.Obligation(treaty, article, kind, "x", "y", "triggered", "duty", "because")
        return OpenObligation("o1", ob, 1, "triggered")

    russia = owed("ru-dprk-2024", "4")
    us = owed("us-rok-1953", "III")
    assert answer_key(rules, russia) == "assist/automatic" and answer_key(rules, us) == "assist/constitutional"
    automatic, constitutional = answers_for(rules, russia), answers_for(rules, us)
    # "Without delay ... with all means": only military and other assistance meets it; consulting first falls short.
    assert {w for w, e in automatic.items() if e.honours} == {"honour", "partial"}
    assert automatic["consult"].credibility < 0
    # "To meet the common danger in accordance with its constitutional processes": any act that meets it, force or not.
    assert constitutional["measures"].honours and not constitutional["measures"].force
    assert constitutional["consult"].credibility > automatic["consult"].credibility
    consult = answers_for(rules, owed("us-japan-1960", "IV", "consult"))
    assert consult["consult"].honours and not any(e.force for e in consult.values())


def test_declining_an_obligation_costs_credibility_and_honouring_it_raises_it(nea, tmp_path):
    scenario, rules = nea
    results = {}
    for word in ("honour", "decline"):
        session = Session.new(scenario, rules, seed=1, log_path=None)
        from tabletop import facilitation

        while not session.state.open_ids:
            facilitation.play_turn(session, [s for s in scenario.seats])
            session.advance()
        play_to_decide(session)
        owed = session.unanswered()
        ob = owed[0]
        seat = ob.obligation.obligor
        before = session.state.credibility[seat]
        for other in owed:
            session.answer(other.obligation.obligor, other.id, word if other.id == ob.id else next(iter(session.game.answers_for(other))), "because")
        from tabletop import bots

        bots.play_turn_decisions(session, list(scenario.seats))
        session.advance()
        session.adjudicate()
        event = next(e for e in reversed(session.events) if e["type"] == "adjudicated")
        mine = [c for c in event["changes"]["causes"] if c["what"] == "credibility" and c.get("seat") == seat and "obligation" in c["because"]]
        results[word] = (before, mine)
    assert results["honour"][1][0]["delta"] > 0 > results["decline"][1][0]["delta"]


def test_a_red_line_crossed_without_a_firm_answer_costs_credibility(tmp_path):
    scenario, rules = load_scenario(bundled_scenarios() / "nea-2024.yaml")
    watched = [(seat, line) for seat, s in scenario.seats.items() for line in s.watch]
    assert watched, "the scenario states some red lines as facts the rules can see"
    seat, line = watched[0]
    session = Session.new(scenario, rules, seed=1, log_path=None)
    session.advance()  # turn 1, brief
    crossing = m.Fact(line.when.kinds[0], next(s for s in scenario.seats if s != seat),
                      seat if "target" in line.when.fields else None, None,
                      {k: v[0] for k, v in line.when.fields.items() if k not in ("by", "target", "location")}, None, None)
    session.release_adhoc("A crossing", "It crosses the line.", ["all"], [crossing])
    play_to_decide(session)
    meek = next(o for o in session.options(seat) if not set(o.tags) & set(rules.escalation.firm_tags))
    session.decide(seat, meek.id, "We wait.")
    from tabletop import bots

    bots.play_turn_decisions(session, [s for s in scenario.seats if s != seat])
    session.advance()
    session.adjudicate()
    event = next(e for e in reversed(session.events) if e["type"] == "adjudicated")
    [cost] = [c for c in event["changes"]["causes"] if c["what"] == "credibility" and c.get("seat") == seat and "red line" in c["because"]]
    assert cost["delta"] == rules.escalation.red_line_unanswered and line.text in cost["because"]


def test_the_closing_round_answers_what_the_last_turn_raised(nea, tmp_path):
    scenario, rules = nea
    from tabletop import runner

    left = 0
    for seed in range(6):
        session = runner.play(scenario, rules, seed=seed, log_path=tmp_path / f"{seed}.jsonl", fsync=False)
        left += len(session.state.open_ids)
        started = [e["turn"] for e in session.events if e["type"] == "turn_started"]
        if started[-1] > scenario.turns[-1].id:  # a closing round was played: no options, only answers
            closing = [e for e in session.events if e.get("turn") == started[-1] and e["type"] == "decision"]
            assert closing and all((e.get("answers") or {}).get("obligation") for e in closing)
    assert left == 0


# ------------------------------------------------------ the rules, validated


@pytest.mark.parametrize(("old", "new", "message"), [
    ("needs: [{fact: [armed_attack, state_of_war]}]", "needs: [{fact: [armed_atack, state_of_war]}]", "undefined fact kind 'armed_atack' in needs"),
    ("      - {scale: war, rung: 6}", "      - {scale: total, rung: 6}", "unexpected scale 'total' in signals.armed_attack.when; expected one of: war, limited"),
    ("  threat: {rung: 4}", "  threat: {rung: 9}", "expected a rung of the ladder (0 to 7), got 9"),
    ("  state_of_war: {rung: 6}", "  state_of_warr: {rung: 6}", "undefined fact kind 'state_of_warr' under signals"),
    ("    within: 1\n    needs_text: \"an armed attack", "    within: -1\n    needs_text: \"an armed attack", "expected within: 0 or more"),
    ("      - {fact: armed_attack, states: 3}", "      - {fact: armed_attack, states: 1}", "expected states: 2 or more"),
    ("    honour: {text: \"Military assistance with its forces", "    honor: {text: \"Military assistance with its forces", "expected one of honour, partial, measures, consult, decline, got 'honor'"),
])
def test_a_broken_ladder_is_refused_with_where_and_what(tmp_path, old, new, message):
    import shutil

    from tabletop.paths import bundled_rules
    from tabletop.yamlnodes import InputError

    folder = tmp_path / "rules"
    shutil.copytree(bundled_rules(), folder)
    path = folder / "escalation.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_rules(folder)
    problems = [str(p) for p in caught.value.problems]
    assert any(message in p and p.startswith(f"{path}:") for p in problems), problems


def test_a_red_line_that_tests_a_fact_is_validated(tmp_path):
    from tabletop.yamlnodes import InputError

    source = (bundled_scenarios() / "nea-2024.yaml").read_text(encoding="utf-8")
    bad = source.replace("when: {fact: nuclear_test, by: dprk}", "when: {fact: nuclear_tst, by: dprk}", 1)
    assert bad != source
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path, load_rules())
    assert any("undefined fact kind 'nuclear_tst'" in str(p) for p in caught.value.problems)
