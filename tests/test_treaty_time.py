"""Time in the rule engine: the strongest status reached, a state of war by date, administration by date.

From the texts: Russia-DPRK Art. 4 and both 1961 treaties ask for an armed
attack *and* a state of war; US-Japan Art. V covers "the territories under the
administration of Japan", which Okinawa and the islands administered with it
(the Senkakus among them) became only on the reversion of 15 May 1972.
"""

from __future__ import annotations

import datetime as dt

from tabletop import treaties
from tabletop.model import Fact

D = dt.date


def attack(by, target, location=None, date=None, on_behalf_of=None, **details):
    return Fact("armed_attack", by, target, location or target, details, on_behalf_of, date)


def war(by, target, date=None):
    return Fact("state_of_war", by, target, None, {}, None, date)


def duties(result, treaty, obligor=None, kind="assist"):
    return [o for o in result.obligations if o.treaty == treaty and (obligor is None or o.obligor == obligor) and o.kind == kind]


# --- the strongest status reached --------------------------------------------------


def test_a_limited_strike_then_a_full_scale_attack_keeps_one_obligation_at_triggered(rules):
    result = treaties.resolve([attack("us", "dprk", date=D(2025, 1, 10), scale="limited"), attack("us", "dprk", date=D(2025, 1, 12))],
                              D(2025, 1, 15), rules)
    [ob] = duties(result, "ru-dprk-2024")
    assert ob.status == "triggered" and ob.fact == 1
    assert "Fact 1 had left it contested" in ob.because and "fact 2 makes it triggered" in ob.because
    assert "state of war" in ob.because


def test_an_arguable_region_then_a_plainly_covered_one_keeps_the_stronger(rules):
    result = treaties.resolve([attack("dprk", "us", "us"), attack("dprk", "us", "guam")], D(2025, 1, 15), rules)
    [ob] = duties(result, "us-rok-1953", "rok")
    assert ob.status == "triggered" and "Guam" in ob.because and "Pacific area is open to argument" in ob.because


def test_the_weaker_status_never_replaces_the_stronger(rules):
    result = treaties.resolve([attack("dprk", "us", "guam"), attack("dprk", "us", "us")], D(2025, 1, 15), rules)
    [ob] = duties(result, "us-rok-1953", "rok")
    assert ob.status == "triggered" and ob.fact == 0 and "contested" not in ob.because


def test_a_known_contested_obligation_comes_back_triggered_with_the_same_key_and_why(rules):
    engine = treaties.Engine(rules)
    first = engine.resolve([attack("us", "dprk", scale="limited")], D(2025, 1, 10))
    known = {ob.key: ob.status for ob in first.obligations if ob.kind == "assist"}  # (US-Japan Art. IV consultation: triggered)
    assert set(known.values()) == {"contested"}
    later = engine.resolve([attack("us", "dprk")], D(2025, 1, 12), history=[attack("us", "dprk", scale="limited", date=D(2025, 1, 10))], known=known)
    assert {ob.key for ob in later.obligations if ob.kind == "assist"} == set(known)
    for ob in (o for o in later.obligations if o.kind == "assist"):
        assert ob.status == "triggered"
        assert "It was contested after fact 1" in ob.because and "fact 2 makes it triggered" in ob.because


def test_a_known_obligation_is_not_raised_again_at_the_same_or_a_weaker_status(rules):
    engine = treaties.Engine(rules)
    first = engine.resolve([attack("us", "dprk")], D(2025, 1, 10))
    known = {ob.key: ob.status for ob in first.obligations}
    again = engine.resolve([attack("us", "dprk", scale="limited")], D(2025, 1, 12), history=[attack("us", "dprk", date=D(2025, 1, 10))], known=known)
    assert not again.obligations


def test_history_decides_who_began_the_war_across_calls(rules):
    engine = treaties.Engine(rules)
    result = engine.resolve([attack("dprk", "rok", "seoul")], D(2025, 1, 15), history=[attack("rok", "dprk", "kaesong")])
    [ob] = duties(result, "us-rok-1953")
    assert ob.status == "contested" and "the ROK began the war itself (fact 1" in ob.because and "(fact 2)" in ob.because


# --- a state of war, by date --------------------------------------------------------


def test_a_limited_attack_and_a_declaration_of_war_on_one_date_trigger_in_either_order(rules):
    strike, declared = attack("us", "dprk", scale="limited"), war("us", "dprk")
    for facts in ([strike, declared], [declared, strike]):
        result = treaties.resolve(facts, D(2025, 1, 15), rules)
        for ob in duties(result, "ru-dprk-2024") + duties(result, "prc-dprk-1961"):
            assert ob.status == "triggered"
            assert "it is in a state of war (fact" in ob.because


def test_a_declaration_of_war_by_the_attacked_party_in_answer_leaves_the_duty_to_the_facilitator(rules):
    """A limited strike answered by the party's own declaration: whether the strike 'put it in a state of war' is a ruling."""
    for declared in (D(2025, 1, 15), D(2025, 1, 20)):
        result = treaties.resolve([attack("us", "dprk", date=D(2025, 1, 15), scale="limited"), war("dprk", "us", date=declared)],
                                  declared, rules)
        [ob] = duties(result, "ru-dprk-2024")
        assert ob.status == "contested", declared
        assert declared > D(2025, 1, 15) or "is of its own making, declared on the United States in answer to it" in ob.because
    result = treaties.resolve([attack("us", "dprk", scale="limited"), war("us", "dprk")], D(2025, 1, 15), rules)
    assert {ob.status for ob in duties(result, "ru-dprk-2024")} == {"triggered"}  # the attacker's own declaration puts it in one


def test_a_declaration_of_a_later_date_makes_the_earlier_limited_attack_a_trigger_then(rules):
    strike = attack("ukraine", "dprk", date=D(2025, 1, 10), scale="limited")
    engine = treaties.Engine(rules)
    first = engine.resolve([strike], D(2025, 1, 10))
    [ob] = duties(first, "ru-dprk-2024")
    assert ob.status == "contested" and "no fact of 2025-01-10 or earlier puts the DPRK in a state of war" in ob.because
    later = engine.resolve([war("ukraine", "dprk", date=D(2025, 1, 20))], D(2025, 1, 20), history=[strike],
                           known={o.key: o.status for o in first.obligations})
    [up] = duties(later, "ru-dprk-2024")
    assert up.key == ob.key and up.status == "triggered" and up.fact == 0
    assert "the state of war declared by Ukraine on the DPRK on 2025-01-20" in up.because


def test_a_declaration_of_a_later_date_does_not_reach_back_to_an_earlier_date(rules):
    strike = attack("us", "dprk", date=D(2025, 1, 20), scale="limited")
    result = treaties.resolve([war("us", "dprk", date=D(2025, 1, 10)), strike], D(2025, 1, 20), rules)
    assert {ob.status for ob in duties(result, "ru-dprk-2024")} == {"triggered"}  # declared before: at war
    result = treaties.resolve([strike, war("us", "rok", date=D(2025, 1, 25))], D(2025, 1, 20), rules)
    assert {ob.status for ob in duties(result, "ru-dprk-2024")} == {"contested"}  # a war on someone else


def test_the_states_at_war_are_the_same_whatever_the_order_within_a_date(rules):
    engine = treaties.Engine(rules)
    facts = [attack("dprk", "rok", scale="limited"), war("rok", "dprk"), attack("china", "japan", "senkaku")]
    day = D(2025, 1, 15)
    assert engine.at_war(facts, day, day) == engine.at_war(facts[::-1], day, day) == {"dprk", "rok", "china", "japan"}
    assert engine.at_war(facts, day, D(2025, 1, 14)) == set()


# --- administration on the date of the fact ---------------------------------------------


def test_okinawa_before_the_1972_reversion_was_not_territory_under_the_administration_of_japan(rules):
    in_1965 = treaties.Engine(rules).resolve([attack("china", "us", "okinawa")], D(1965, 3, 1), explain=True)
    assert not duties(in_1965, "us-japan-1960")
    [why] = [n.because for n in in_1965.not_triggered if n.treaty == "us-japan-1960"]
    assert "administered by the United States on 1965-03-01" in why and "until 1972-05-14" in why
    # the US-ROK treaty reached it then: territory under US administrative control, in the Pacific area
    [rok] = duties(in_1965, "us-rok-1953")
    assert (rok.obligor, rok.status) == ("rok", "triggered")
    in_1975 = treaties.resolve([attack("china", "us", "okinawa")], D(1975, 3, 1), rules)
    [japan] = duties(in_1975, "us-japan-1960")
    assert (japan.obligor, japan.status) == ("japan", "triggered") and "administered by Japan" in japan.because
    assert not duties(in_1975, "us-rok-1953")


def test_the_reversion_takes_effect_on_15_may_1972_for_the_senkakus_too(rules):
    for day, covered in ((D(1972, 5, 14), False), (D(1972, 5, 15), True)):
        result = treaties.resolve([attack("china", "japan", "senkaku")], day, rules)
        assert bool(duties(result, "us-japan-1960", "us")) is covered


def test_a_fact_of_its_own_date_is_read_on_that_date(rules):
    result = treaties.resolve([attack("china", "us", "okinawa", date=D(1965, 3, 1))], D(2025, 1, 15), rules)
    assert not duties(result, "us-japan-1960") and duties(result, "us-rok-1953")


# --- in force, as the bots and the option conditions ask it ----------------------


def test_binds_is_in_force_saying_yes_on_every_boundary_date_of_every_treaty(rules):
    """``treaties.binds`` answers what ``in_force`` says (its 'yes'), without the sentence: checked on each treaty's own dates."""
    for treaty in rules.treaties.values():
        dates = [d for d in (treaty.signed, treaty.in_force, treaty.ended, treaty.ended_disputed_from) if d is not None]
        around = {d + dt.timedelta(days=k) for d in dates for k in (-1, 0, 1)} | {D(1900, 1, 1), D(2100, 1, 1)}
        for day in sorted(around):
            assert treaties.binds(treaty, day) == (treaties.in_force(treaty, day)[0] == "yes"), (treaty.id, day)
    assert any(treaties.binds(t, D(2025, 1, 1)) for t in rules.treaties.values())
    assert not all(treaties.binds(t, D(1900, 1, 1)) for t in rules.treaties.values())


def test_a_state_of_war_of_the_partys_own_making_with_another_state_is_not_one_a_limited_attack_put_it_in(rules):
    """A limited US strike on the DPRK, and the same day the DPRK's own invasion of the ROK: the DPRK is in a state of
    war, but one it made, with the ROK. Art. 4 asks to be "put in a state of war by an armed invasion" (PRC-DPRK Art. II
    "and thus being involved in a state of war"): for the facilitator, not triggered (found by a review)."""
    result = treaties.resolve([attack("us", "dprk", scale="limited"), attack("dprk", "rok", "seoul")], D(2025, 1, 15), rules)
    for ob in [o for o in duties(result, "ru-dprk-2024") + duties(result, "prc-dprk-1961") if o.attacker == "us"]:
        assert ob.status == "contested", ob.because
        assert "is of its own making, with the ROK (fact 2" in ob.because
    assert [o for o in duties(result, "ru-dprk-2024") if o.attacker == "us"]


# --- a war begun before a treaty's entry into force (VCLT Art. 28) -------------------------

KURSK = D(2024, 8, 6)  # Ukraine's incursion into Kursk oblast; Russia-DPRK 2024 entered into force on 2024-12-04


def peace(by, target, date, kind="peace"):
    return Fact(kind, by, target, None, {}, None, date)


def test_a_war_that_goes_on_past_the_entry_into_force_leaves_the_duty_to_the_facilitator(rules):
    result = treaties.resolve([attack("ukraine", "russia", "kursk", date=KURSK)], D(2025, 4, 28), rules)
    [ob] = duties(result, "ru-dprk-2024")
    assert (ob.obligor, ob.beneficiary, ob.status, ob.fact) == ("dprk", "russia", "contested", 0)
    assert ob.because.startswith("Russia-DPRK 2024 Art. 4 binds on 2024-12-04, its entry into force, and before it, on 2024-08-06, Russia suffered")
    assert "a situation that has not ceased to exist before its entry into force (VCLT Art. 28)" in ob.because
    # the same war with a later attack, after the entry into force: that one obliges plainly, and says what came before it
    later = treaties.resolve([attack("ukraine", "russia", "kursk", date=KURSK), attack("ukraine", "russia", "kursk", date=D(2025, 1, 5))],
                             D(2025, 4, 28), rules)
    [stronger] = duties(later, "ru-dprk-2024")
    assert stronger.status == "triggered" and stronger.fact == 1 and "Fact 1 had left it contested" in stronger.because


def test_a_war_over_before_the_entry_into_force_gives_no_duty_under_it(rules):
    for end in (peace("ukraine", "russia", D(2024, 10, 1)), peace("ukraine", "russia", D(2024, 12, 3), kind="ceasefire")):
        result = treaties.resolve([attack("ukraine", "russia", "kursk", date=KURSK), end], D(2025, 4, 28), rules, explain=True)
        assert not duties(result, "ru-dprk-2024")
        [why] = [n.because for n in result.not_triggered if n.treaty == "ru-dprk-2024"]
        assert "binds only from its entry into force on 2024-12-04, and the war fact 1 is part of was over before then (ended by fact 2" in why
    # a ceasefire of the very day the treaty enters into force: the war had not ceased before it
    on_the_day = treaties.resolve([attack("ukraine", "russia", "kursk", date=KURSK), peace("ukraine", "russia", D(2024, 12, 4), "ceasefire")],
                                  D(2025, 4, 28), rules)
    assert [o.status for o in duties(on_the_day, "ru-dprk-2024")] == ["contested"]
    # a war of limited attacks that lapsed (rules/facts.yaml lapse_days: 365) before the treaty
    lapsed = treaties.resolve([attack("ukraine", "russia", "kursk", date=D(2023, 6, 1), scale="limited")], D(2025, 4, 28), rules)
    assert not duties(lapsed, "ru-dprk-2024")


def test_a_treaty_not_yet_in_force_on_the_date_of_the_resolve_obliges_nothing_yet(rules):
    result = treaties.resolve([attack("ukraine", "russia", "kursk", date=KURSK)], D(2024, 11, 1), rules, explain=True)
    assert not duties(result, "ru-dprk-2024")
    [why] = [n.because for n in result.not_triggered if n.treaty == "ru-dprk-2024"]
    assert why.endswith("binds only from its entry into force on 2024-12-04, which comes after 2024-11-01")


def test_the_korean_war_ended_by_the_armistice_before_the_us_rok_treaty_gives_no_duty_under_it(rules):
    invasion = attack("dprk", "rok", date=D(1950, 6, 25))
    armistice = Fact("ceasefire", "dprk", "rok", None, {"with": ["china"]}, None, D(1953, 7, 27))
    assert not duties(treaties.resolve([invasion, armistice], D(2025, 1, 15), rules), "us-rok-1953")
    # a war fought in the months before the treaty, with no end on record, goes on into it: the facilitator rules
    fought = [invasion, attack("dprk", "rok", date=D(1954, 6, 1), scale="limited")]
    assert [o.status for o in duties(treaties.resolve(fought, D(2025, 1, 15), rules), "us-rok-1953")] == ["contested"]


def test_a_war_not_fought_for_longer_than_the_lapse_before_the_entry_into_force_is_no_continuing_situation(rules):
    # the Korean War with no end on record goes on between the DPRK and the ROK on paper, but no act of it came in
    # the year before the US-ROK treaty entered into force (1954-11-17)
    facts = [attack("dprk", "rok", "seoul", date=D(1950, 6, 25)), attack("us", "dprk", date=D(1950, 6, 27), on_behalf_of="rok")]
    result = treaties.resolve(facts, D(2025, 1, 15), rules, explain=True)
    assert not result.obligations
    [why] = [n.because for n in result.not_triggered if n.treaty == "us-rok-1953" and n.kind == "assist" and n.fact == 0]
    assert "had not been fought for more than 365 days by then (its last act on 1950-06-27)" in why


def test_a_continuing_war_reads_alike_whatever_treaties_are_loaded_and_each_treaty_on_its_entry_into_force(rules):
    clash = [attack("dprk", "rok", date=D(1954, 6, 1), scale="limited")]  # 169 days before the US-ROK treaty
    alone = treaties.resolve(clash, D(2025, 1, 15), rules, ["us-rok-1953"])
    every = treaties.resolve(clash, D(2025, 1, 15), rules)
    assert [(o.article, o.status) for o in duties(alone, "us-rok-1953")] == [("III", "contested")]
    assert [(o.article, o.status) for o in duties(every, "us-rok-1953")] == [("III", "contested")]
    # a war begun before the USSR-DPRK treaty (in force 1961-09-10) and fought into it: read on that date, when the
    # treaty bound, not on the date of the resolve, when it had long lapsed
    early = [attack("us", "dprk", date=D(1961, 6, 1)), attack("us", "dprk", date=D(1961, 8, 1))]
    [ob] = duties(treaties.resolve(early, D(2025, 1, 15), rules), "ussr-dprk-1961")
    assert ob.status == "contested" and "binds on 1961-09-10, its entry into force" in ob.because
