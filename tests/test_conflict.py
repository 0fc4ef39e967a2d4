"""Wars with more than two states: sides, who began the war, collective self-defence.

Written from the treaty texts (../shared/reference/treaties.md) and the UN Charter:
an assistance article answers an armed attack on a party "by any State or
coalition of States" / "several states jointly" / an "armed invasion"; the US
understanding of US-ROK Art. III asks for an "external armed attack". A party
that began the war, or that fights on the side that did, is not plainly the
victim of one: its partner's duty is for the facilitator (contested). A state
that strikes in collective self-defence (UN Charter Art. 51) does not thereby
become the aggressor.
"""

from __future__ import annotations

import datetime as dt

import attrs

from tabletop import treaties
from tabletop.model import Fact

D = dt.date(2025, 1, 15)


def attack(by, target, location=None, on_behalf_of=None, **details):
    return Fact(kind="armed_attack", by=by, target=target, location=location or target, details=details, on_behalf_of=on_behalf_of)


def resolve(rules, *facts, date=D):
    return treaties.resolve(list(facts), date, rules)


def duty(result, treaty, obligor, beneficiary, attacker=None):
    """The duty to assist (these are armed attacks; a declaration of war also asks for consultation)."""
    found = [o for o in result.obligations if (o.treaty, o.obligor, o.beneficiary, o.kind) == (treaty, obligor, beneficiary, "assist")
             and (attacker is None or o.attacker == attacker)]
    assert len(found) <= 1
    return found[0] if found else None


# --- the aggressor's partners, when the victim's side strikes back -----------------


def test_the_aggressors_partners_are_contested_when_a_third_state_defends_the_victim(rules):
    result = resolve(rules, attack("dprk", "rok", "seoul"), attack("us", "dprk", on_behalf_of="rok"))
    for treaty, partner in (("ru-dprk-2024", "russia"), ("prc-dprk-1961", "china")):
        ob = duty(result, treaty, partner, "dprk", "us")
        assert ob.status == "contested"
        assert "the DPRK began the war itself (fact 1" in ob.because
    assert duty(result, "us-rok-1953", "us", "rok", "dprk").status == "triggered"


def test_a_strike_on_the_aggressor_joins_the_victims_side_even_without_on_behalf_of(rules):
    result = resolve(rules, attack("dprk", "rok", "seoul"), attack("us", "dprk"))
    assert duty(result, "ru-dprk-2024", "russia", "dprk", "us").status == "contested"
    assert "the war of the DPRK against the ROK and the United States" in duty(result, "ru-dprk-2024", "russia", "dprk").because


def test_a_state_with_no_seat_and_no_treaty_striking_the_aggressor_changes_nothing(rules):
    result = resolve(rules, attack("dprk", "rok", "seoul"), attack("australia", "dprk"))
    for treaty, partner in (("ru-dprk-2024", "russia"), ("prc-dprk-1961", "china")):
        assert duty(result, treaty, partner, "dprk", "australia").status == "contested"
    assert "Australia" in result.wars[0]


def test_a_state_that_joins_the_aggressor_is_no_victim_when_it_is_struck_in_collective_self_defence(rules):
    result = resolve(
        rules,
        attack("dprk", "rok", "seoul"),
        attack("russia", "rok", "busan"),  # Russia joins the DPRK's war
        attack("us", "russia", "primorye", on_behalf_of="rok"),
    )
    assert duty(result, "us-rok-1953", "us", "rok", "russia").status == "triggered"  # the ROK, attacked again
    ob = duty(result, "ru-dprk-2024", "dprk", "russia", "us")
    assert ob.status == "contested"
    assert "Russia fights on the side that began the war (fact 1" in ob.because


def test_the_aggressor_several_steps_back_in_the_chain_still_decides(rules):
    result = resolve(
        rules,
        attack("dprk", "rok", "seoul"),
        attack("us", "dprk", on_behalf_of="rok"),
        attack("china", "us", "guam"),  # China joins the DPRK's side
        attack("japan", "china", on_behalf_of="us"),
    )
    # China's partner: China fights on the side that began the war
    ob = duty(result, "prc-dprk-1961", "dprk", "china", "japan")
    assert ob.status == "contested" and "China fights on the side that began the war" in ob.because
    # the ROK's duty to the United States, attacked by China at Guam: the US side did not begin it
    assert duty(result, "us-rok-1953", "rok", "us", "china").status == "triggered"
    assert result.wars == ("The war of the DPRK and China against the ROK, the United States and Japan, in which the DPRK's side "
                           "struck first (fact 1: the armed attack by the DPRK on the ROK at Seoul on 2025-01-15).",)


def test_a_coalition_that_strikes_first_is_the_aggressor_and_its_victim_is_owed_assistance(rules):
    result = resolve(rules, attack("us", "dprk", **{"with": ["rok"]}), attack("dprk", "rok", "seoul"), attack("dprk", "us", "guam"))
    for treaty, partner in (("ru-dprk-2024", "russia"), ("prc-dprk-1961", "china")):
        ob = duty(result, treaty, partner, "dprk", "us")
        assert ob.status == "triggered" and "armed attack by the United States and the ROK" in ob.because
    us = duty(result, "us-rok-1953", "us", "rok", "dprk")
    assert us.status == "contested"
    assert "the ROK began the war itself" in us.because and "only an external armed attack obliges it" in us.because
    rok = duty(result, "us-rok-1953", "rok", "us", "dprk")
    assert rok.status == "contested" and "the United States began the war itself" in rok.because


def test_a_coalition_partner_that_is_a_party_is_not_an_attack_by_a_non_party(rules):
    result = resolve(rules, attack("us", "dprk", **{"with": ["russia"]}))
    assert duty(result, "ru-dprk-2024", "russia", "dprk") is None  # never obliged against itself
    assert duty(result, "prc-dprk-1961", "china", "dprk", "us").status == "triggered"


def test_a_coalition_of_the_aggressors_partners_on_both_fronts(rules):
    result = resolve(rules, attack("dprk", "rok", "seoul", **{"with": ["china"]}), attack("us", "china", on_behalf_of="rok"))
    ob = duty(result, "prc-dprk-1961", "dprk", "china", "us")
    assert ob.status == "contested" and "China fights on the side that began the war" not in ob.because
    assert "China began the war itself" in ob.because  # a co-attacker of the first attack


def test_kursk_a_war_begun_by_russia_leaves_the_dprks_duty_to_the_facilitator(rules):
    result = resolve(rules, attack("russia", "ukraine"), attack("ukraine", "russia", "kursk"), date=dt.date(2025, 4, 28))
    ob = duty(result, "ru-dprk-2024", "dprk", "russia", "ukraine")
    assert ob.status == "contested" and "Russia began the war itself" in ob.because


# --- collective self-defence does not make the defender the aggressor ----------------


def test_the_defenders_own_partners_are_owed_assistance_when_the_aggressor_strikes_the_defender(rules):
    result = resolve(
        rules,
        attack("dprk", "rok", "seoul"),
        attack("us", "dprk", on_behalf_of="rok"),
        attack("dprk", "us", "guam"),
        attack("dprk", "us", "okinawa"),
    )
    rok = [o for o in result.obligations if o.treaty == "us-rok-1953" and o.obligor == "rok" and o.kind == "assist"]
    assert [o.status for o in rok] == ["triggered"]  # one duty to the US against the DPRK, at its strongest
    japan = duty(result, "us-japan-1960", "japan", "us", "dprk")
    assert japan.status == "triggered" and "Okinawa" in japan.because


def test_individual_self_defence_by_the_victim_leaves_the_victims_partner_triggered(rules):
    result = resolve(rules, attack("dprk", "rok", "seoul"), attack("rok", "dprk", "kaesong"), attack("dprk", "rok", "busan"))
    assert duty(result, "us-rok-1953", "us", "rok", "dprk").status == "triggered"
    assert duty(result, "ru-dprk-2024", "russia", "dprk", "rok").status == "contested"


def test_a_first_strike_that_claims_self_defence_leaves_who_began_it_to_the_facilitator(rules):
    result = resolve(rules, attack("rok", "dprk", "kaesong", self_defence=True))
    ob = duty(result, "ru-dprk-2024", "russia", "dprk", "rok")
    assert ob.status == "contested" and "who began the war is disputed" in ob.because and "self-defence" in ob.because


# --- never against its own side --------------------------------------------------


def test_a_state_is_never_obliged_to_assist_a_state_it_is_fighting(rules):
    engine = treaties.Engine(rules)
    result = engine.resolve([attack("russia", "dprk"), attack("ukraine", "dprk")], D, explain=True)
    assert not [o for o in result.obligations if o.obligor == "russia"]
    assert any("which it is itself fighting" in n.because for n in result.not_triggered)
    assert [(o.obligor, o.attacker) for o in result.obligations if o.beneficiary == "dprk"] == [("china", "russia"), ("china", "ukraine")]


# --- Art. 51 reports ---------------------------------------------------------------


def test_art_51_reports_are_owed_for_collective_self_defence_too(rules):
    result = resolve(
        rules,
        attack("dprk", "rok", "seoul"),
        attack("rok", "dprk", "kaesong"),
        attack("us", "dprk", on_behalf_of="rok"),
        attack("australia", "dprk"),
        attack("dprk", "rok", "busan"),  # the aggressor again: no report
    )
    reports = {r.by: r for r in result.reports}
    assert list(reports) == ["rok", "us", "australia"]
    assert "individual self-defence" in reports["rok"].because
    assert "collective self-defence of the ROK" in reports["us"].because
    assert "collective self-defence" in reports["australia"].because
    assert all("Art. 51" in r.because for r in result.reports)


def test_art_51_report_for_a_claimed_self_defence_says_it_is_claimed(rules):
    [report] = resolve(rules, attack("rok", "dprk", "kaesong", self_defence=True)).reports
    assert report.by == "rok" and "says it uses force in" in report.because


# --- the cascade names its facts, and its words come from the model -------------------


def test_the_cascade_writes_facts_with_target_scale_and_the_attack_they_answer(rules):
    rounds = treaties.cascade([attack("dprk", "rok", "yeonpyeong", scale="limited")], D, rules)
    [us] = [o for o in rounds[0].obligations if o.kind == "assist"]
    force = treaties.force_fact(us, D)
    assert (force.by, force.target, force.location, force.on_behalf_of) == ("us", "dprk", "dprk", "rok")
    assert force.details["scale"] == "limited"
    assert force.details["answers"] == "us-rok-1953 Art. III"
    assert force.details["answered"] == "armed attack by dprk on rok at yeonpyeong"
    second = [o for o in rounds[1].obligations if o.kind == "assist"]  # (and Japan's Art. IV consultation on the US strike)
    assert {o.obligor for o in second} == {"russia", "china"}
    for ob in second:
        assert ob.status == "contested"
        assert "the DPRK began the war itself (fact 1: the limited armed attack by the DPRK on the ROK at Yeonpyeong Island" in ob.because
        assert "struck the United States first" not in ob.because
        assert "honouring US-ROK 1953 Art. III" in ob.because or "in defence of the ROK" in ob.because


def test_the_cascade_is_finite_for_a_war_that_draws_in_every_alliance(rules):
    first = [attack("dprk", "rok", "seoul"), attack("china", "japan", "senkaku"), attack("russia", "us", "guam")]
    rounds = treaties.cascade(first, D, rules, honours=lambda ob: True)
    keys = [ob.key for r in rounds for ob in r.obligations]
    assert rounds and len(rounds) < 20
    assert len(keys) - len(set(keys)) <= len(set(keys))  # each key at most twice: raised, then made stronger


def test_a_state_attacked_by_its_own_side_leaves_that_side_unclear_and_its_attacker_owes_it_nothing(rules):
    result = treaties.Engine(rules).resolve([
        attack("dprk", "rok", "seoul"),
        attack("russia", "rok", "busan"),       # Russia joins the DPRK's side
        attack("dprk", "russia", "primorye"),   # ... and the DPRK strikes Russia
        attack("us", "russia", "primorye", on_behalf_of="rok"),
    ], D, explain=True)
    assert duty(result, "ru-dprk-2024", "dprk", "russia") is None  # the DPRK is fighting Russia itself
    assert "Unclear sides: the DPRK and Russia had fought on the same side until fact 3" in result.wars[0]
    assert duty(result, "us-rok-1953", "us", "rok", "russia").status == "triggered"


def test_an_attack_within_one_side_places_no_state_it_claims_to_act_for(rules):
    """Japan, at war with the ROK, strikes the DPRK (its own side) "for China": that act's side cannot be told, so China is
    placed on neither; its later attack on the ROK, which never struck China, is one the ROK suffered (found by Hypothesis)."""
    result = treaties.Engine(rules).resolve([
        attack("japan", "rok", scale="war"),
        Fact("state_of_war", "dprk", "rok", None, {}, None, D),
        attack("japan", "dprk", on_behalf_of="china", scale="war", self_defence=True),
        attack("china", "rok", scale="war", self_defence=True),
    ], D, explain=True)
    ob = duty(result, "us-rok-1953", "us", "rok", "china")
    assert ob.status == "triggered", ob.because
    assert "Japan's side struck first (fact 1" in ob.because
    assert not any("China and the ROK had fought on the same side" in war for war in result.wars)


def test_a_state_defended_in_a_second_war_attacks_the_victim_in_that_war(rules):
    """The ROK, Japan's victim, also fights Russia in a war it began claiming self-defence with no attack on record.
    Japan then strikes the US "for China", placing China in that second war against the ROK's side: China's attack on
    the ROK belongs to that war, and whether the ROK suffered an attack that obliges the US is for the facilitator."""
    result = treaties.Engine(rules).resolve([
        attack("japan", "rok", scale="war"),
        attack("rok", "russia", "primorye", scale="war", self_defence=True, **{"with": ["us"]}),
        attack("japan", "us", "guam", on_behalf_of="china", scale="war", self_defence=True),  # in the Pacific, where that war is
        attack("china", "rok", scale="war", self_defence=True),
    ], D)
    ob = duty(result, "us-rok-1953", "us", "rok", "china")
    assert ob.status == "contested"
    assert "who began the war is disputed" in ob.because and "Russia" in ob.because


def test_a_victim_struck_by_a_state_its_side_counted_as_a_friend_keeps_its_claim(rules):
    """The DPRK strikes Japan, then again "for Russia", which puts Russia on the DPRK's side; China's declaration of war
    on Russia puts China on Japan's. China then strikes Japan, which never struck China: it is China whose side is now
    unclear, not Japan's, and Japan suffered an armed attack that obliges the US (found by Hypothesis)."""
    result = treaties.Engine(rules).resolve([
        attack("dprk", "japan", scale="war"),
        attack("dprk", "japan", on_behalf_of="russia", scale="war", self_defence=True),
        Fact("state_of_war", "china", "russia", None, {}, None, D),
        attack("china", "japan", scale="war", self_defence=True),
    ], D, explain=True)
    ob = duty(result, "us-japan-1960", "us", "japan", "china")
    assert ob.status == "triggered", ob.because
    assert "Unclear sides: China and Japan had fought on the same side until fact 4" in result.wars[0]


def test_a_third_states_claim_to_act_for_a_party_does_not_make_it_fight_its_ally(rules):
    """China strikes the DPRK saying it acts for Russia. Collective self-defence is the victim's to request (Nicaragua,
    paras. 195-199), and none by Russia is on record: Russia is fighting nobody, and its duty to the DPRK stands, for
    the facilitator, since the strike claims a self-defence no armed attack on record answers (found by a review)."""
    result = treaties.Engine(rules).resolve([
        attack("china", "dprk", on_behalf_of="russia", scale="war", self_defence=True),
    ], D, explain=True)
    ob = duty(result, "ru-dprk-2024", "russia", "dprk", "china")
    assert ob is not None and ob.status == "contested", [n.because for n in result.not_triggered]
    assert "self-defence" in ob.because
    assert not any("which it is itself fighting" in n.because and "Russia" in n.because for n in result.not_triggered)


def test_an_art_51_report_never_says_a_state_acts_in_collective_self_defence_nobody_asked_for(rules):
    """China strikes Russia, which has attacked Ukraine, for nobody: the report says what is on record, and that
    collective self-defence needs the attacked state's request (Nicaragua, paras. 195-199; found by a review)."""
    result = resolve(rules, attack("russia", "ukraine"), attack("china", "russia", "kursk"))  # in Europe, where that war is
    [report] = [r for r in result.reports if r.by == "china"]
    assert "uses force in collective self-defence" not in report.because
    assert "only at the request of a state Russia's side attacked, and none is on record" in report.because
    assert "Art. 51" in report.because


# --- a strike far from a war is no part of it ------------------------------------------


def test_a_strike_on_a_belligerent_far_from_its_war_begins_a_war_of_its_own(rules):
    """Russia fights Ukraine in Europe; the ROK, invaded by the DPRK, strikes Russia in Primorye, and Russia answers
    at Busan. The ROK's strike is no part of the war in Ukraine: it began a war with Russia (a review's case)."""
    def on(day, *args):
        return attrs.evolve(attack(*args), date=dt.date(2025, 1, day))

    result = treaties.Engine(rules).resolve([
        on(1, "russia", "ukraine"), on(10, "dprk", "rok", "seoul"), on(12, "rok", "russia", "primorye"), on(13, "russia", "rok", "busan"),
    ], D, explain=True)
    us = duty(result, "us-rok-1953", "us", "rok", "russia")
    assert us.status == "contested" and "the ROK began the war itself (fact 3" in us.because
    dprk = duty(result, "ru-dprk-2024", "dprk", "russia", "rok")
    assert dprk.status == "triggered", dprk.because
    assert "the war of the ROK against Russia" in dprk.because
    assert not any("Ukraine" in w and "ROK" in w for w in result.wars)  # the ROK is in no war with Ukraine's


def test_being_the_aggressor_in_one_war_takes_nothing_from_a_states_standing_against_an_unrelated_invasion(rules):
    result = resolve(rules, attack("russia", "ukraine"), attack("china", "russia", "primorye"))
    dprk = duty(result, "ru-dprk-2024", "dprk", "russia", "china")
    assert dprk.status == "triggered" and "Russia began the war itself" not in dprk.because
    assert not [r for r in result.reports if r.by == "china"]  # no self-defence to report: China began this war


def test_a_strike_where_the_war_is_fought_still_joins_it(rules):
    """Issue #12: a state with no seat and no treaty that strikes the aggressor joins the victim's side."""
    result = resolve(rules, attack("russia", "ukraine"), attack("uk", "russia", "kursk"))
    assert duty(result, "ru-dprk-2024", "dprk", "russia", "uk").status == "contested"
    result = resolve(rules, attack("dprk", "rok", "seoul"), attack("australia", "dprk", "pyongyang"))
    assert duty(result, "ru-dprk-2024", "russia", "dprk", "australia").status == "contested"


# --- a clash between others is no war to join ------------------------------------------


def test_an_invasion_during_a_clash_between_others_begins_its_own_war(rules):
    """The ROK fires on US forces (limited); the DPRK then invades the ROK, and the ROK answers: the DPRK began that war."""
    clash = attack("rok", "us", "pyeongtaek", scale="limited")
    facts = [clash, attack("dprk", "rok", "seoul"), attack("rok", "dprk", "kaesong")]
    result = treaties.resolve(facts, D, rules)
    for treaty, obligor in (("ru-dprk-2024", "russia"), ("prc-dprk-1961", "china")):
        ob = duty(result, treaty, obligor, "dprk", "rok")
        assert ob is not None and ob.status == "contested" and "the DPRK began the war itself" in ob.because, ob
    us = duty(result, "us-rok-1953", "us", "rok", "dprk")
    assert us.status == "contested" and "though only with limited attacks" in us.because and "the ROK began the war" not in us.because
    assert [r.by for r in result.reports] == ["rok"] and "individual self-defence" in result.reports[0].because


def test_a_limited_strike_in_support_still_joins_a_clash(rules):
    """Supporting fire in an exchange at sea is part of it: a US strike on the DPRK after the DPRK's fire on the ROK answers it."""
    result = treaties.resolve([attack("dprk", "rok", "yeonpyeong", scale="limited"), attack("us", "dprk", scale="limited")], D, rules)
    assert any(r.by == "us" and "self-defence" in r.because for r in result.reports)


# --- Art. 51 reports: whose self-defence ------------------------------------------------


def test_art_51_reports_name_the_self_defence_claimed_as_it_is(rules):
    reports = lambda *facts: {r.by: r.because for r in treaties.resolve(list(facts), D, rules).reports}  # noqa: E731
    first = reports(attack("us", "dprk", self_defence=True))["us"]
    assert "individual self-defence" in first and "anticipatory" in first and "collective" not in first
    beside = reports(attack("dprk", "rok", "seoul"), attack("us", "dprk", **{"with": ["rok"]}))
    assert "collective self-defence of the ROK" in beside["us"] and "none is on record" not in beside["us"]
    assert "individual self-defence" in beside["rok"]
    unattacked = reports(attack("dprk", "rok", "seoul"), attack("us", "dprk", on_behalf_of="japan"))["us"]
    assert "claims to act in collective self-defence of Japan" in unattacked and "no armed attack by the DPRK on Japan is on record" in unattacked
    asked = reports(attack("dprk", "rok", "seoul"), attack("us", "dprk", on_behalf_of="rok"))["us"]
    assert "uses force in collective self-defence of the ROK" in asked


def test_a_state_struck_first_by_a_claimed_self_defence_owes_a_report_of_its_answer_too(rules):
    """The US strikes first, calling it (anticipatory) self-defence; the DPRK strikes back. Both claims are
    contested, and each state's measures must be reported (Art. 51): the DPRK's too, not only the one that claimed."""
    result = resolve(rules, attack("us", "dprk", scale="limited", self_defence=True), attack("dprk", "us", "guam"))
    by = {r.by: r.because for r in result.reports}
    assert set(by) == {"us", "dprk"}
    assert by["dprk"].startswith("The DPRK strikes back at the United States (fact 2")
    assert "the United States began the war (fact 1" in by["dprk"] and "whether this is individual self-defence is for the facilitator" in by["dprk"]


def test_a_report_filed_among_the_facts_says_the_art_51_duty_was_met(rules):
    shelling = attack("dprk", "rok", "yeonpyeong", scale="limited")
    answer = attack("rok", "dprk", "dprk", scale="limited", self_defence=True)
    report = Fact(kind="council_report", by="rok", details={"basis": "UN Charter Art. 51"})
    [made] = resolve(rules, shelling, answer, report).reports
    assert made.by == "rok" and made.because.endswith("to be reported to the Security Council at once: the ROK did so (fact 3).")
    [owed] = resolve(rules, shelling, answer).reports
    assert owed.because.endswith("to be reported to the Security Council at once.")
    # a report dated before the measures is no report of them
    early = Fact(kind="council_report", by="rok", date=dt.date(2024, 12, 1))
    [still_owed] = resolve(rules, shelling, answer, early).reports
    assert still_owed.because.endswith("at once.")


def test_a_claim_to_defend_a_state_nobody_attacked_neither_blurs_who_began_nor_makes_that_state_a_belligerent(rules):
    """The DPRK invades the ROK "in defence of China", which nobody attacked. Collective self-defence answers an armed
    attack on the state defended (Nicaragua, paras. 195, 199): the record rules the claim out, so the attack is plainly
    external and the US duty is triggered; China, which did nothing, is on no side."""
    result = resolve(rules, attack("dprk", "rok", "seoul", on_behalf_of="china"))
    us = duty(result, "us-rok-1953", "us", "rok")
    assert us.status == "triggered"
    assert "saying it acted in collective self-defence of China, though no armed attack by the ROK on China is on record" in us.because
    [report] = result.reports
    assert report.by == "dprk" and "whether it may is for the facilitator" in report.because
    model = treaties.Engine(rules).model([attack("dprk", "rok", "seoul", on_behalf_of="china")], D)
    assert "china" not in model.enemies("rok") and "china" not in model.of
    # with an attack on China on record, the claim is one to weigh: who began the war is disputed, as before
    answered = resolve(rules, attack("rok", "china", "china", scale="limited"), attack("dprk", "rok", "seoul", on_behalf_of="china"))
    assert duty(answered, "us-rok-1953", "us", "rok").status == "contested"


def test_honouring_with_force_repels_an_invasion_where_it_is_made_and_answers_a_strike_at_its_source(rules):
    """Self-defence is necessary and proportionate (Nicaragua, para. 176; Oil Platforms, paras. 73-77): China and
    Russia defend the DPRK against a US invasion on the DPRK's territory, not by a front on the continental US."""
    rounds = treaties.cascade([attack("us", "dprk", "dprk")], D, rules)
    forces = [treaties.force_fact(o, D) for o in rounds[0].obligations if o.kind == "assist"]
    assert {(f.by, f.target, f.location, f.details["scale"]) for f in forces} == {("china", "us", "dprk", "war"), ("russia", "us", "dprk", "war")}
    assert not [o for r in rounds for o in r.obligations if o.treaty == "us-rok-1953" and o.kind == "assist"]  # nothing on US soil
    # a shelling is answered at its source: counter-battery fire on the DPRK, not on Yeonpyeong
    [us] = [o for o in treaties.resolve([attack("dprk", "rok", "yeonpyeong", scale="limited")], D, rules).obligations if o.kind == "assist"]
    assert treaties.force_fact(us, D).location == "dprk"


def test_an_answer_long_after_the_attack_it_answers_is_said_to_be_late(rules):
    """A ROK strike of July 2024 and a DPRK shelling of Yeonpyeong 198 days later: the war is one (the year of
    lapse_days), but self-defence is necessary and immediate (Nicaragua, para. 237): so late an answer is for the
    facilitator to weigh, and the report and the US duty say so; an answer within immediacy_days (30) does not."""
    first = Fact(kind="armed_attack", by="rok", target="dprk", location="dprk", details={"scale": "limited"}, date=dt.date(2024, 7, 1))
    late = resolve(rules, first, attack("dprk", "rok", "yeonpyeong", scale="limited"))
    [report] = late.reports
    assert report.by == "dprk" and "though the DPRK answered 198 days after the last armed attack on it (fact 1" in report.because
    assert "Nicaragua, para. 237" in duty(late, "us-rok-1953", "us", "rok").because
    # repelling an invasion that goes on is never late: a war with a full-scale attack never lapses either
    invasion = Fact(kind="armed_attack", by="dprk", target="rok", location="seoul", date=dt.date(2024, 7, 1))
    [repelled] = resolve(rules, invasion, attack("rok", "dprk", "seoul")).reports
    assert "answered" not in repelled.because
    soon = attrs.evolve(first, date=dt.date(2025, 1, 1))
    [prompt] = resolve(rules, soon, attack("dprk", "rok", "yeonpyeong", scale="limited")).reports
    assert "answered" not in prompt.because and prompt.because.startswith("The DPRK uses force in individual self-defence")
