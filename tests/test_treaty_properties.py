"""Properties of the rule engine over wars made of random facts (Hypothesis).

* More attacks by the state that began the war never weaken its victim's claim
  on its partners: a `triggered` duty to the victim stays `triggered` (unless it
  answers an attack by a state the new attack acts for or fights with, whose own
  standing the new attack changes).
* Whether a state of war exists is a matter of dates: reordering the facts of
  one date never changes it (the order decides only who struck first).
* No state is ever obliged to assist a state it is fighting, nor against itself.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop import treaties
from tabletop.model import Fact

DAY = dt.date(2025, 1, 15)
STATES = ["dprk", "rok", "us", "russia", "china", "japan", "ukraine", "australia"]
PLACES = [None, "seoul", "yeonpyeong", "guam", "okinawa", "senkaku", "kursk", "primorye", "yellow_sea", "us"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def hostile(draw, by=None, day=DAY):
    """An armed attack (maybe with partners, maybe for another state) or a declaration of war."""
    by = by or draw(st.sampled_from(STATES))
    target = draw(st.sampled_from([s for s in STATES if s != by]))
    others = [s for s in STATES if s not in (by, target)]
    if draw(st.integers(0, 5)) == 0:
        return Fact("state_of_war", by, target, None, {}, None, day)
    details: dict[str, object] = {"scale": draw(st.sampled_from(["war", "limited"]))}
    if draw(st.integers(0, 4)) == 0:
        details["with"] = [draw(st.sampled_from(others))]
    if draw(st.integers(0, 5)) == 0:
        details["self_defence"] = True
    helper = draw(st.sampled_from(others)) if draw(st.integers(0, 3)) == 0 else None
    if helper is not None and helper in details.get("with", ()):  # type: ignore[operator]
        helper = None
    return Fact("armed_attack", by, target, draw(st.sampled_from(PLACES)) or target, details, helper, day)


def resolve(rules, facts):
    return treaties.Engine(rules).resolve(facts, DAY)


@SETTINGS
@given(
    pair=st.permutations(STATES).map(lambda s: (s[0], s[1])),
    first_place=st.sampled_from(PLACES),
    rest=st.lists(hostile(), max_size=6),
    extra=st.data(),
)
def test_more_attacks_by_the_aggressor_never_weaken_its_victims_claim(rules, pair, first_place, rest, extra):
    aggressor, victim = pair
    first = Fact("armed_attack", aggressor, victim, first_place or victim, {"scale": "war"}, None, DAY)
    base = [first, *rest]
    # by the aggressor, with partners or for a state other than its victim (the victim acting is another matter)
    more = extra.draw(hostile(by=aggressor).filter(lambda f: victim not in (f.on_behalf_of, *f.details.get("with", ()))))
    at = extra.draw(st.integers(1, len(base)))
    extended = [*base[:at], more, *base[at:]]
    before = {ob.key: ob for ob in resolve(rules, base).obligations}
    after = {ob.key: ob for ob in resolve(rules, extended).obligations}
    enemies = treaties.Engine(rules).model(extended, DAY).enemies(victim)
    # A state the new attack acts for, or fights with, is placed in a war by it (collective self-defence is made at
    # the request of the state defended): an attack of that state's own on the victim may now belong to that war, in
    # which the victim's side may have struck first. That is the third state's standing changing, another matter
    # (tests/test_conflict.py::test_a_state_defended_in_a_second_war_attacks_the_victim_in_that_war).
    enrolled = {more.on_behalf_of, *more.details.get("with", ())} - {None}
    for key, ob in before.items():
        if ob.beneficiary == victim and ob.status == "triggered" and ob.attacker not in enrolled:
            if key in after:
                assert after[key].status == "triggered", (ob.because, after[key].because)
            else:  # gone only because the partner itself now fights the victim (a co-attacker of the new attack)
                assert ob.obligor in enemies, ob.because


@SETTINGS
@given(facts=st.lists(hostile(), min_size=1, max_size=7), order=st.randoms(use_true_random=False))
def test_reordering_the_facts_of_one_date_never_changes_whether_a_state_of_war_exists(rules, facts, order):
    shuffled = list(facts)
    order.shuffle(shuffled)
    engine = treaties.Engine(rules)
    assert engine.at_war(facts, DAY, DAY) == engine.at_war(shuffled, DAY, DAY)
    no_war = "in a state of war, so whether this attack does"
    one = {ob.key: no_war in ob.because for ob in engine.resolve(facts, DAY).obligations}
    two = {ob.key: no_war in ob.because for ob in engine.resolve(shuffled, DAY).obligations}
    for key in one.keys() & two.keys():
        assert one[key] == two[key]


@SETTINGS
@given(facts=st.lists(hostile(), min_size=1, max_size=8), threats=st.lists(st.permutations(STATES), max_size=2))
def test_no_state_is_obliged_to_assist_a_state_it_is_fighting(rules, facts, threats):
    """Never one it is at war with; one it fought only in a clash (limited attacks) is the facilitator's to rule (ILC 2011, Art. 3)."""
    facts = facts + [Fact("threat", s[0], s[1], s[1], {}, None, DAY) for s in threats]
    engine = treaties.Engine(rules)
    model = engine.model(facts, DAY)
    for ob in engine.resolve(facts, DAY).obligations:
        assert ob.obligor != ob.beneficiary
        if ob.obligor in model.enemies(ob.beneficiary):
            assert model.clash(ob.obligor, ob.beneficiary) is not None, ob.because
            assert ob.status == "contested" and "though only with limited attacks" in ob.because, ob.because
        fact = facts[ob.fact]
        acting = [fact.by, *fact.details.get("with", [])]
        if ob.kind == "assist" or ob.beneficiary in (fact.target, *acting):  # never against itself
            assert ob.obligor != ob.attacker and ob.obligor not in acting, ob.because
        elif ob.obligor in acting:  # consulting an ally on a danger of its own making is no duty against itself
            assert "is its own: a consultation is owed whoever made the danger" in ob.because, ob.because


@SETTINGS
@given(facts=st.lists(hostile(), min_size=1, max_size=8), cut=st.integers(0, 8), noise=st.integers(0, 3))
def test_a_record_of_the_history_gives_the_same_answer_as_the_history(rules, facts, cut, noise):
    history = [Fact("missile_test", "dprk", None, None, {}, None, DAY)] * noise + facts[:cut]
    new = facts[cut:] or [Fact("threat", "dprk", "rok", "rok", {}, None, DAY)]
    engine = treaties.Engine(rules)
    plain = engine.resolve(new, DAY, history=history)
    recorded = engine.resolve(new, DAY, history=treaties.Record.of(history))
    assert plain == recorded


@SETTINGS
@given(
    old=st.lists(hostile(day=dt.date(2022, 3, 1)).filter(lambda f: f.kind == "armed_attack" and f.details.get("scale") == "limited"),
                 min_size=1, max_size=4),
    facts=st.lists(hostile(), min_size=1, max_size=6),
)
def test_limited_attacks_that_lapsed_long_ago_change_nothing_today(rules, old, facts):
    """A war of limited attacks alone, over by lapse (rules/facts.yaml lapse_days) before today, decides nothing today.

    Neither who fights whom nor who began today's wars: every obligation and Art. 51 report is the one the facts of
    today give alone (but for the numbers of the facts it cites).
    """
    engine = treaties.Engine(rules)
    assert rules.lapse_days is not None and (DAY - dt.date(2022, 3, 1)).days > rules.lapse_days

    def outcome(history):
        result = engine.resolve(facts, DAY, history=history)
        return ({(o.key, o.status) for o in result.obligations}, sorted((r.by, r.fact) for r in result.reports))

    assert outcome(old) == outcome([])


@st.composite
def dated(draw):
    """A hostile fact, or a ceasefire or peace, on one of a few dates from 2023 to 2025 (so wars may lapse or end)."""
    day = draw(st.sampled_from([dt.date(2023, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2025, 1, 1), DAY]))
    if draw(st.integers(0, 3)) == 0:
        by, target = draw(st.permutations(STATES).map(lambda s: (s[0], s[1])))
        details = {"with": [draw(st.sampled_from(STATES))]} if draw(st.booleans()) else {}
        return Fact(draw(st.sampled_from(["ceasefire", "peace"])), by, target, None, details, None, day)
    return draw(hostile(day=day))


@SETTINGS
@given(facts=st.lists(dated(), min_size=1, max_size=10), cut=st.integers(0, 10))
def test_wars_that_end_give_the_same_answer_from_a_record_and_explain_changes_no_obligation(rules, facts, cut):
    """Ceasefires, peaces and lapses: the engine never fails, a Record of the history (with the kinds that end a
    war) answers as the history does, and explaining adds words, never obligations."""
    history, new = facts[:cut], facts[cut:] or [Fact("threat", "dprk", "rok", "rok", {}, None, DAY)]
    engine = treaties.Engine(rules)
    plain = engine.resolve(new, DAY, history=history)
    assert plain == engine.resolve(new, DAY, history=treaties.Record.of(history, engine.model_kinds))
    assert engine.resolve(new, DAY, history=history, explain=True).obligations == plain.obligations
    assert len(engine.model(facts, DAY).wars) <= len(facts)
