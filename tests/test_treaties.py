"""Each treaty article against the questions a careful international lawyer asks."""

from __future__ import annotations

import datetime as dt

import pytest

from tabletop import treaties
from tabletop.model import Fact

from .test_fact_fields import rules_with

D = dt.date


def attack(by, target, location, **details):
    return Fact(kind="armed_attack", by=by, target=target, location=location, details=details)


def threat(by, target, location=None):
    return Fact(kind="threat", by=by, target=target, location=location)


def obligations(rules, date, *facts):
    return treaties.resolve(list(facts), date, rules).obligations


def find(obs, treaty, obligor=None, kind=None):
    return [o for o in obs if o.treaty == treaty and (obligor is None or o.obligor == obligor) and (kind is None or o.kind == kind)]


# --- in force or not ----------------------------------------------------------


def test_russia_dprk_article_4_binds_only_from_entry_into_force(rules):
    us_strike = attack("us", "dprk", "dprk")
    assert not find(obligations(rules, D(2024, 6, 20), us_strike), "ru-dprk-2024")  # signed, not in force
    assert not find(obligations(rules, D(2024, 12, 3), us_strike), "ru-dprk-2024")
    [ob] = find(obligations(rules, D(2024, 12, 4), us_strike), "ru-dprk-2024")
    assert (ob.article, ob.kind, ob.obligor, ob.beneficiary, ob.status) == ("4", "assist", "russia", "dprk", "triggered")
    assert "2024-12-04" in treaties.in_force(rules.treaties["ru-dprk-2024"], D(2025, 1, 1))[1]


def test_ussr_treaty_binds_in_1962_and_not_after_it_lapsed(rules):
    us_strike = attack("us", "dprk", "dprk")
    [ob] = find(obligations(rules, D(1962, 1, 1), us_strike), "ussr-dprk-1961")
    assert (ob.obligor, ob.status) == ("russia", "triggered")
    assert not find(obligations(rules, D(2000, 1, 1), us_strike), "ussr-dprk-1961")
    assert not find(obligations(rules, D(1961, 7, 10), us_strike), "ussr-dprk-1961")  # signed, not in force


def test_ussr_treaty_end_is_disputed_between_the_two_dates_sources_give(rules):
    [ob] = find(obligations(rules, D(1996, 1, 1), attack("us", "dprk", "dprk")), "ussr-dprk-1961")
    assert ob.status == "contested"
    assert "sources differ" in ob.because


def test_prc_dprk_treaty_binds_then_and_now(rules):
    for date in (D(1962, 1, 1), D(2025, 1, 15)):
        [ob] = find(obligations(rules, date, attack("us", "dprk", "dprk")), "prc-dprk-1961")
        assert (ob.article, ob.obligor, ob.status) == ("II", "china", "triggered")
    assert not find(obligations(rules, D(1961, 1, 1), attack("us", "dprk", "dprk")), "prc-dprk-1961")


def test_us_rok_treaty_not_before_1954(rules):
    assert not find(obligations(rules, D(1954, 1, 1), attack("dprk", "rok", "seoul")), "us-rok-1953")
    assert find(obligations(rules, D(1955, 1, 1), attack("dprk", "rok", "seoul")), "us-rok-1953")


# --- who is attacked, by whom ---------------------------------------------------


def test_attack_by_a_party_triggers_nothing_under_its_own_treaty(rules):
    assert not find(obligations(rules, D(2025, 1, 15), attack("russia", "dprk", "dprk")), "ru-dprk-2024")


def test_attack_by_a_non_state_actor_is_not_an_armed_attack_by_a_state(rules):
    found = obligations(rules, D(2025, 1, 15), attack("non_state", "japan", "tokyo"))
    assert not [o for o in found if o.kind == "assist"]
    # Art. IV asks no attack by a state: the security of Japan is threatened, and the parties consult
    assert [(o.article, o.obligor) for o in found] == [("IV", "us")]


def test_a_state_attacking_with_a_non_state_group_named_first_is_an_attack_by_that_state(rules):
    """"Several states", "several states jointly": the order a fact names its attackers in changes nothing."""
    for first, partner, target, place, treaty, obligor in (
        ("non_state", "dprk", "rok", "seoul", "us-rok-1953", "us"),
        ("non_state", "us", "dprk", "pyongyang", "ru-dprk-2024", "russia"),
        ("non_state", "us", "dprk", "pyongyang", "prc-dprk-1961", "china"),
    ):
        named_first = find(obligations(rules, D(2025, 1, 15), attack(first, target, place, **{"with": [partner]})), treaty, obligor)
        named_second = find(obligations(rules, D(2025, 1, 15), attack(partner, target, place, **{"with": [first]})), treaty, obligor)
        assert [(o.status, o.attacker) for o in named_first] == [(o.status, o.attacker) for o in named_second], treaty
        assert named_first and {o.attacker for o in named_first} == {partner}, treaty


def test_an_attack_by_non_state_groups_alone_is_still_no_attack_by_a_state(rules):
    result = treaties.resolve([attack("non_state", "rok", "seoul", **{"with": ["non_state"]})], D(2025, 1, 15), rules, explain=True)
    assert not find(result.obligations, "us-rok-1953", kind="assist")  # Art. II's consultation asks for no state: it is raised
    assert any("is not a state, and the article answers an armed attack by a state" in n.because
               for n in result.not_triggered if n.treaty == "us-rok-1953")


def test_attack_on_a_non_party_obliges_nobody_under_the_alliance(rules):
    obs = obligations(rules, D(2025, 1, 15), attack("russia", "ukraine", "ukraine"))
    assert not obs


def test_never_obliges_a_state_against_itself(rules):
    for fact in (attack("us", "rok", "seoul"), attack("dprk", "russia", "primorye"), attack("japan", "us", "okinawa"), threat("russia", "dprk")):
        for ob in obligations(rules, D(2025, 1, 15), fact):
            assert ob.obligor != ob.beneficiary
            if ob.kind == "assist" or ob.beneficiary == fact.target:
                assert ob.obligor != fact.by


def test_a_state_that_makes_the_danger_still_consults_its_ally_on_it(rules):
    """US-Japan Art. IV: "The Parties will consult together ... at the request of either Party, whenever ... international
    peace and security in the Far East is threatened". Japan may ask for consultation on a US threat to the DPRK; consulting
    an ally is no duty against oneself (it is, to help the DPRK against a threat of Russia's own: Russia-DPRK Art. 3)."""
    obs = find(obligations(rules, D(2025, 1, 15), threat("us", "dprk")), "us-japan-1960")
    assert {(o.obligor, o.beneficiary) for o in obs} == {("us", "japan"), ("japan", "us")}
    [us] = [o for o in obs if o.obligor == "us"]
    assert "owed to Japan, though the threat is its own: a consultation is owed whoever made the danger." in us.because
    assert not find(obligations(rules, D(2025, 1, 15), threat("russia", "dprk")), "ru-dprk-2024")  # to the state it threatens: none
    joint = obligations(rules, D(2025, 1, 15), attack("us", "dprk", "dprk", **{"with": ["japan"]}))
    assert not find(joint, "us-japan-1960")  # striking together: neither consults the other as a duty


# --- geography -----------------------------------------------------------------


def test_us_japan_article_v_covers_japanese_administered_territory_only(rules):
    on_okinawa = find(obligations(rules, D(2025, 1, 15), attack("china", "us", "okinawa")), "us-japan-1960", kind="assist")
    assert [(o.obligor, o.beneficiary, o.article) for o in on_okinawa] == [("japan", "us", "V")]
    assert not find(obligations(rules, D(2025, 1, 15), attack("dprk", "us", "guam")), "us-japan-1960", kind="assist")
    [senkaku] = find(obligations(rules, D(2025, 1, 15), attack("china", "japan", "senkaku")), "us-japan-1960", kind="assist")
    assert (senkaku.obligor, senkaku.status) == ("us", "triggered")
    assert not find(obligations(rules, D(2025, 1, 15), attack("russia", "japan", "southern_kurils")), "us-japan-1960", kind="assist")


def test_us_rok_article_iii_covers_the_pacific_area_under_a_partys_administration(rules):
    [guam] = find(obligations(rules, D(2025, 1, 15), attack("dprk", "us", "guam")), "us-rok-1953", kind="assist")
    assert (guam.obligor, guam.beneficiary, guam.article) == ("rok", "us", "III")
    [yp] = find(obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "yeonpyeong")), "us-rok-1953", kind="assist")
    assert (yp.obligor, yp.status) == ("us", "triggered")
    # international waters: no party administers them
    assert not find(obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "yellow_sea")), "us-rok-1953", kind="assist")
    # an attack on US forces in Japan is not in territory the US or the ROK administers
    assert not find(obligations(rules, D(2025, 1, 15), attack("china", "us", "okinawa")), "us-rok-1953", kind="assist")


def test_us_understanding_limits_us_aid_to_rok_administered_territory(rules):
    # Guam is in the Pacific and US-administered: Art. III reaches an attack on the ROK there,
    # but the United States' understanding confines its own duty to ROK-administered territory.
    obs = find(obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "guam")), "us-rok-1953", kind="assist")
    assert not [o for o in obs if o.obligor == "us"]


def test_a_region_open_to_argument_makes_the_obligation_contested(rules):
    [ob] = find(obligations(rules, D(2025, 1, 15), attack("dprk", "us", "us")), "us-rok-1953", kind="assist")
    assert ob.status == "contested" and "Pacific" in ob.because


def test_treaties_without_geographic_limit_cover_attacks_anywhere(rules):
    [ob] = find(obligations(rules, D(2025, 6, 1), attack("ukraine", "dprk", "kursk")), "ru-dprk-2024")
    assert ob.obligor == "russia"


def test_a_claimants_force_in_territory_whose_administration_states_refuse_to_recognise_is_contested(rules):
    """Crimea: UNGA resolution 68/262 affirms Ukraine's territorial integrity. Ukraine's strike there is not plainly
    an "armed invasion" of Russia; an attack there by another state is an attack on the forces that hold it."""
    [dprk] = find(obligations(rules, D(2025, 1, 15), attack("ukraine", "russia", "crimea")), "ru-dprk-2024", "dprk")
    assert dprk.status == "contested"
    assert "Crimea is claimed by Ukraine and administered by Russia, whose administration there is not recognised as lawful" in dprk.because
    assert "resolution 68/262" in dprk.because
    [other] = find(obligations(rules, D(2025, 1, 15), attack("us", "russia", "crimea")), "ru-dprk-2024", "dprk")
    assert other.status == "triggered"
    [elsewhere] = find(obligations(rules, D(2025, 1, 15), attack("ukraine", "russia", "kursk")), "ru-dprk-2024", "dprk")
    assert "68/262" not in elsewhere.because


def test_an_attack_in_the_dmz_may_be_on_either_side_of_the_line_so_art_iii_is_contested(rules):
    """The Military Demarcation Line divides the zone (Armistice Art. I, para. 10); a fact naming only the zone does not say
    on which side it happened. Seoul, plainly the ROK's, and the high seas, plainly no state's, are not in doubt."""
    [us] = find(obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "dmz", scale="limited")), "us-rok-1953", "us", kind="assist")
    assert us.status == "contested" and us.because.count("Military Demarcation Line divides it") == 1
    assert "whether where it happened (Demilitarized Zone) is under the administration of the ROK is open to argument" in us.because
    assert not find(obligations(rules, D(2025, 1, 15), attack("dprk", "japan", "dmz")), "us-japan-1960", kind="assist")  # never Japan's
    assert find(obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "seoul")), "us-rok-1953", "us")[0].status == "triggered"
    assert not find(obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "east_sea")), "us-rok-1953", kind="assist")


@pytest.mark.parametrize(("old", "new", "said"), [
    ("    shared_by: [rok, dprk]\n", "", "shared_by and shared_note go together"),
    ("    shared_by: [rok, dprk]\n", "    shared_by: [rok, nk2]\n", "undefined state 'nk2' in shared_by"),
    ("  dmz:\n    name: \"Demilitarized Zone\"\n    administered_by: null\n",
     "  dmz:\n    name: \"Demilitarized Zone\"\n    administered_by: rok\n", "is shared, so no single state administers it"),
    ("    claimed_by: [ukraine]\n    not_recognised:", "    not_recognised:", "not_recognised needs claimed_by"),
])
def test_shared_and_unrecognised_territory_is_checked_on_loading(tmp_path, old, new, said):
    problems = "\n".join(rules_with(tmp_path, old, new))
    assert said in problems and "geography.yaml:" in problems, problems


# --- who started it ------------------------------------------------------------


def test_the_partner_of_a_party_that_struck_first_is_contested(rules):
    obs = obligations(rules, D(2025, 1, 15), attack("rok", "dprk", "dprk"), attack("dprk", "rok", "seoul"))
    [us] = find(obs, "us-rok-1953", kind="assist")
    assert us.status == "contested" and "first" in us.because
    for ob in find(obs, "ru-dprk-2024") + find(obs, "prc-dprk-1961"):
        assert ob.status == "triggered"  # the DPRK was attacked first


def test_kursk_russia_started_the_war_with_ukraine(rules):
    obs = obligations(rules, D(2025, 4, 28), attack("russia", "ukraine", "ukraine"), attack("ukraine", "russia", "kursk"))
    [ob] = find(obs, "ru-dprk-2024")
    assert (ob.obligor, ob.beneficiary, ob.status) == ("dprk", "russia", "contested")


def test_history_decides_who_started_across_calls(rules):
    engine = treaties.Engine(rules)
    res = engine.resolve([attack("dprk", "rok", "seoul")], D(2025, 1, 15), history=[attack("rok", "dprk", "kaesong")])
    [ob] = find(res.obligations, "us-rok-1953", kind="assist")
    assert ob.status == "contested"


def test_limited_clash_leaves_state_of_war_to_the_facilitator(rules):
    obs = obligations(rules, D(2025, 1, 15), attack("rok", "dprk", "dprk", scale="limited"))
    for ob in find(obs, "ru-dprk-2024") + find(obs, "prc-dprk-1961"):
        assert ob.status == "contested" and "state of war" in ob.because
    # the US-ROK article asks for no state of war
    [us] = find(obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "yeonpyeong", scale="limited")), "us-rok-1953", kind="assist")
    assert us.status == "triggered"


# --- threat and consultation ----------------------------------------------------


def test_a_threat_gives_consult_obligations_and_no_assistance(rules):
    obs = obligations(rules, D(2025, 1, 15), threat("us", "dprk", "dprk"))
    assert {o.kind for o in obs} == {"consult"}
    assert find(obs, "ru-dprk-2024", "russia")[0].article == "3"
    assert not find(obs, "prc-dprk-1961")  # Art. II's first sentence is a standing undertaking, not a consultation article
    obs = obligations(rules, D(2025, 1, 15), threat("dprk", "rok", "rok"))
    assert find(obs, "us-rok-1953", "us")[0].article == "II"


def test_an_attack_gives_assistance_and_consultation_and_consultation_where_assistance_does_not_reach(rules):
    """US-ROK Art. II ("whenever ... the security of either of the Parties is threatened by external armed attack") is
    raised by the attack Art. III answers, and by one Art. III does not reach: an ROK warship sunk on the high seas;
    US-Japan Art. IV ("whenever ... international peace and security in the Far East is threatened") by an attack there."""
    invasion = obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "seoul"))
    assert {(o.treaty, o.article, o.kind) for o in invasion} == {
        ("us-rok-1953", "III", "assist"), ("us-rok-1953", "II", "consult"), ("us-japan-1960", "IV", "consult")}
    at_sea = obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "east_sea", scale="limited"))
    [consult] = find(at_sea, "us-rok-1953")
    assert (consult.article, consult.obligor, consult.status) == ("II", "us", "triggered")
    assert "suffered a limited armed attack by the DPRK at East Sea" in consult.because
    assert {(o.obligor, o.beneficiary) for o in invasion if o.article == "IV"} == {("us", "japan"), ("japan", "us")}
    assert not find(obligations(rules, D(2025, 1, 15), attack("russia", "ukraine", "ukraine")), "us-japan-1960")  # not the Far East


def test_a_consultation_is_one_a_pair_of_parties_while_open_whoever_threatens_or_strikes(rules):
    """Art. II asks the parties to consult "whenever ... the security of either of the Parties is threatened": one
    consultation answers the situation, so a second state's threat raises none while the first is open (an
    assistance duty is still one for each attacker: help against the DPRK is not help against China)."""
    two = obligations(rules, D(2025, 1, 15), threat("dprk", "rok", "rok"), threat("china", "rok", "rok"))
    [us] = find(two, "us-rok-1953", "us")
    assert (us.article, us.attacker, us.fact) == ("II", "dprk", 0)
    assert len(find(two, "us-japan-1960")) == 2  # the US and Japan, once each
    engine = treaties.Engine(rules)
    first = engine.resolve([threat("dprk", "rok", "rok")], D(2025, 1, 15))
    known = {ob.key: ob.status for ob in first.obligations}
    later = engine.resolve([attack("china", "rok", "seoul")], D(2025, 1, 16), history=[threat("dprk", "rok", "rok")], known=known)
    assert not [o for o in later.obligations if o.kind == "consult"]  # still open: the attack is the same crisis
    assert [(o.article, o.attacker) for o in later.obligations if o.kind == "assist"] == [("III", "china")]
    answered = engine.resolve([attack("china", "rok", "seoul")], D(2025, 1, 16), history=[threat("dprk", "rok", "rok")])
    assert {(o.treaty, o.obligor) for o in answered.obligations if o.kind == "consult"} == {
        ("us-japan-1960", "us"), ("us-japan-1960", "japan"), ("us-rok-1953", "us")}


def test_us_japan_consultation_on_threats_to_the_far_east(rules):
    obs = find(obligations(rules, D(2025, 1, 15), threat("dprk", "rok", "rok")), "us-japan-1960")
    assert {(o.obligor, o.beneficiary, o.article) for o in obs} == {("us", "japan", "IV"), ("japan", "us", "IV")}
    assert not find(obligations(rules, D(2025, 1, 15), threat("russia", "ukraine", "ukraine")), "us-japan-1960")


def declaration(by, target):
    return Fact(kind="state_of_war", by=by, target=target)


def test_a_declaration_of_war_with_no_attack_is_a_threat_that_asks_for_consultation(rules):
    """US-ROK Art. II: "whenever ... the security of either of the Parties is threatened by external armed attack";
    Russia-DPRK Art. 3: "a direct threat of armed invasion". A declaration of war is both, before a shot is fired."""
    obs = obligations(rules, D(2025, 1, 15), declaration("dprk", "rok"))
    [us] = find(obs, "us-rok-1953", "us")
    assert (us.article, us.kind, us.beneficiary, us.status, us.attacker) == ("II", "consult", "rok", "triggered", "dprk")
    assert "the ROK faces a threat of attack: the DPRK declared a state of war on it (fact 1)" in us.because
    assert "which the DPRK declared (with this declaration, fact 1) and nobody has yet fought" in us.because
    assert {o.kind for o in obs} == {"consult"}  # no assistance: nobody has attacked
    [russia] = find(obligations(rules, D(2025, 1, 15), declaration("us", "dprk")), "ru-dprk-2024", "russia")
    assert (russia.article, russia.kind, russia.status) == ("3", "consult", "triggered")
    assert {(o.obligor, o.article) for o in find(obs, "us-japan-1960")} == {("us", "IV"), ("japan", "IV")}  # the Far East
    assert not find(obligations(rules, D(2025, 1, 15), declaration("rok", "dprk")), "us-rok-1953")  # a party's own declaration


def test_a_declaration_after_a_threat_by_the_same_state_consults_once(rules):
    obs = obligations(rules, D(2025, 1, 15), threat("dprk", "rok", "rok"), declaration("dprk", "rok"))
    assert len(find(obs, "us-rok-1953", "us")) == 1


def test_a_trigger_names_one_fact_kind_or_a_list_of_them_each_checked(tmp_path):
    problems = "\n".join(rules_with(tmp_path, "fact: [threat, state_of_war, armed_attack], target: party, by: non_party",
                                     "fact: [threat, state_of_wat, armed_attack], target: party, by: non_party", "treaties/us-rok-1953.yaml"))
    assert "us-rok-1953.yaml:" in problems and "undefined fact kind 'state_of_wat'; expected one of rules/facts.yaml" in problems


# --- every obligation says why ----------------------------------------------------


def test_because_names_the_article_the_states_the_war_and_the_fact_in_plain_words(rules):
    for ob in obligations(rules, D(2025, 1, 15), attack("us", "dprk", "dprk"), threat("dprk", "rok", "rok")):
        assert ob.because.endswith(".") and f"Art. {ob.article}" in ob.because
        assert "fact 1" in ob.because or "fact 2" in ob.because
        for state_id in (ob.obligor, ob.beneficiary):
            assert rules.states[state_id].short in ob.because or rules.states[state_id].name in ob.because
        assert " dprk " not in ob.because and " us " not in ob.because  # names, not ids
    [china] = find(obligations(rules, D(2025, 1, 15), attack("us", "dprk", "dprk")), "prc-dprk-1961")
    assert "the war of the United States against the DPRK" in china.because
    assert "the United States struck first" in china.because


# --- Security Council and Art. 51 -------------------------------------------------


def test_council_veto_by_a_permanent_member(rules):
    vote = Fact(kind="council_vote", by="us", details={"chapter": "VII", "votes": {"for": 13, "against": ["russia", "china"]}, "parties": ["dprk"]})
    [outcome] = treaties.resolve([vote], D(2025, 1, 15), rules).council
    assert outcome.outcome == "vetoed" and set(outcome.vetoed_by) == {"russia", "china"}


def test_compulsory_abstention_applies_only_under_chapter_vi(rules):
    vote = Fact(kind="council_vote", by="us", details={"chapter": "VI", "votes": {"for": 13, "against": ["russia"]}, "parties": ["russia"]})
    [outcome] = treaties.resolve([vote], D(2025, 1, 15), rules).council
    assert outcome.outcome == "adopted" and "abstain" in outcome.because
    vote7 = Fact(kind="council_vote", by="us", details={"chapter": "VII", "votes": {"for": 13, "against": ["russia"]}, "parties": ["russia"]})
    [outcome7] = treaties.resolve([vote7], D(2025, 1, 15), rules).council
    assert outcome7.outcome == "vetoed"


def council(rules, **details):
    [outcome] = treaties.resolve([Fact(kind="council_vote", by="us", details=details)], D(2025, 1, 15), rules).council
    return outcome


def test_a_party_barred_under_chapter_vi_is_counted_as_abstaining_never_in_favour(rules):
    """Art. 27(3): "a party to a dispute shall abstain from voting". Members not listed vote in favour; a barred party does not."""
    elected = ["e1", "e2", "e3", "e4", "e5", "e6"]
    fails = council(rules, chapter="VI", parties=["russia"], votes={"against": ["russia", *elected]})
    assert fails.outcome == "failed" and "with 8 votes in favour" in fails.because, fails.because
    assert "Russia must abstain as a party to the dispute under Chapter VI, and is counted as abstaining" in fails.because
    barred_china = council(rules, chapter="VI", parties=["china"], votes={"against": ["china"], "abstain": ["russia"]})
    assert barred_china.outcome == "adopted" and "with 13 votes in favour" in barred_china.because
    unlisted = council(rules, chapter="VI", parties=["china"], votes={"abstain": ["russia"]})  # a permanent party, not listed
    assert "with 13 votes in favour" in unlisted.because
    # a party that votes for is barred too: nine listed in favour with the ROK among them are eight
    voted_for = council(rules, chapter="VI", parties=["rok", "dprk"], votes={"for": ["rok", "us", "uk", *elected]})
    assert voted_for.outcome == "failed" and "with 8 votes in favour" in voted_for.because and "the ROK must abstain" in voted_for.because
    # under Chapter VII no one is barred: the same votes against carry a veto
    assert council(rules, chapter="VII", parties=["russia"], votes={"against": ["russia", *elected]}).outcome == "vetoed"


def test_a_veto_lands_on_the_draft_it_names_when_one_state_tables_two(rules):
    sanctions = Fact(kind="council_vote", by="us", details={"draft": "sanctions", "votes": {"against": []}})
    inspections = Fact(kind="council_vote", by="us", details={"draft": "inspections"})
    veto = Fact(kind="veto", by="russia", details={"draft_by": "us", "draft": "inspections"})
    outcomes = treaties.resolve([sanctions, inspections, veto], D(2025, 1, 15), rules).council
    # one outcome a draft: the veto is a vote against the second draft, not a third decision, and not on the first
    assert [(o.fact, o.outcome, o.vetoed_by) for o in outcomes] == [(0, "adopted", ()), (1, "vetoed", ("russia",))]
    assert outcomes[0].because.startswith("The draft 'sanctions' by the United States is adopted")
    assert outcomes[1].because.startswith("The draft 'inspections' by the United States fails: Russia voted against")
    # named by its drafter alone, a veto still lands on that state's first draft of the batch, as before
    by_drafter = Fact(kind="veto", by="russia", details={"draft_by": "us"})
    first = treaties.resolve([sanctions, inspections, by_drafter], D(2025, 1, 15), rules).council
    assert [(o.fact, o.outcome) for o in first] == [(0, "vetoed"), (1, "adopted")]


def test_a_veto_of_a_draft_not_in_the_batch_is_decided_on_its_own_and_says_which(rules):
    sanctions = Fact(kind="council_vote", by="us", details={"draft": "sanctions"})
    elsewhere = Fact(kind="veto", by="china", details={"draft_by": "us", "draft": "presidential-statement"})
    wrong_drafter = Fact(kind="veto", by="russia", details={"draft_by": "japan", "draft": "sanctions"})
    outcomes = treaties.resolve([sanctions, elsewhere, wrong_drafter], D(2025, 1, 15), rules).council
    assert [(o.fact, o.outcome) for o in outcomes] == [(0, "adopted"), (1, "vetoed"), (2, "vetoed")]
    assert "its negative vote on the draft 'presidential-statement' by the United States blocks" in outcomes[1].because
    assert "on the draft 'sanctions' by Japan" in outcomes[2].because  # that name, but not Japan's draft: not the US one
    # two states' drafts of one name: the veto's draft_by says which
    japans = Fact(kind="council_vote", by="japan", details={"draft": "sanctions"})
    on_japans = Fact(kind="veto", by="china", details={"draft_by": "japan", "draft": "sanctions"})
    both = treaties.resolve([sanctions, japans, on_japans], D(2025, 1, 15), rules).council
    assert [(o.fact, o.draft_by, o.outcome) for o in both] == [(0, "us", "adopted"), (1, "japan", "vetoed")]


def test_a_veto_since_april_2022_convenes_the_general_assembly_and_one_before_does_not(rules):
    draft = Fact(kind="council_vote", by="us", details={"votes": {"against": ["russia", "china"]}})
    [now] = treaties.resolve([draft], D(2024, 3, 28), rules).council
    assert now.because.startswith("The draft by the United States fails: Russia and China voted against as permanent members, each a veto")
    assert now.because.endswith("Since General Assembly resolution 76/262 (26 April 2022), the President of the General Assembly convenes "
                                "a formal meeting of the Assembly within ten working days of a veto, to debate the situation on which it was cast.")
    [before] = treaties.resolve([draft], D(2017, 12, 22), rules).council
    assert before.outcome == "vetoed" and "General Assembly" not in before.because
    adopted = treaties.resolve([Fact(kind="council_vote", by="us")], D(2024, 3, 28), rules).council
    assert "General Assembly" not in adopted[0].because  # only a veto sets the debate off


def test_a_veto_cast_before_a_draft_was_tabled_is_not_a_vote_on_it(rules):
    draft = Fact(kind="council_vote", by="us", date=D(2025, 1, 15))
    earlier = Fact(kind="veto", by="china", details={"draft_by": "us"}, date=D(2025, 1, 10))
    outcomes = treaties.resolve([draft, earlier], D(2025, 1, 15), rules).council
    assert sorted((o.fact, o.outcome) for o in outcomes) == [(0, "adopted"), (1, "vetoed")]


def test_self_defence_owes_a_report_to_the_council(rules):
    res = treaties.resolve([attack("dprk", "rok", "seoul"), attack("rok", "dprk", "kaesong")], D(2025, 1, 15), rules)
    assert [r.by for r in res.reports] == ["rok"]


# --- the cascade --------------------------------------------------------------------


@pytest.mark.parametrize("first", [attack("dprk", "rok", "seoul"), attack("us", "dprk", "dprk"), attack("china", "japan", "senkaku")])
def test_cascade_ends_and_never_obliges_a_state_against_itself(rules, first):
    rounds = treaties.cascade([first], D(2025, 1, 15), rules, honours=lambda ob: True)
    assert len(rounds) < 20
    keys = [ob.key for r in rounds for ob in r.obligations]
    assert len(keys) == len(set(keys))
    for r in rounds:
        for ob in r.obligations:
            assert ob.obligor != ob.beneficiary
            assert ob.obligor != ob.attacker or (ob.kind == "consult" and "is its own" in ob.because)  # its ally may ask it to consult


def test_collective_self_defence_leaves_the_aggressors_allies_contested(rules):
    rounds = treaties.cascade([attack("dprk", "rok", "seoul")], D(2025, 1, 15), rules)
    assert [o.obligor for o in rounds[0].obligations if o.kind == "assist"] == ["us"]
    second = [o for o in rounds[1].obligations if o.kind == "assist"]  # (and Japan's Art. IV consultation on the US strike)
    assert {o.obligor for o in second} == {"russia", "china"}
    assert all(o.status == "contested" for o in second)


def test_a_procedure_after_a_veto_with_a_bad_date_is_refused_where_it_stands(tmp_path):
    problems = "\n".join(rules_with(tmp_path, "  - from: 2022-04-26", "  - from: April 2022\n    when: later", "unsc.yaml"))
    assert "unsc.yaml:" in problems
    assert "expected a date like" in problems and "from" in problems
    assert "unknown key 'when' in a procedure after a veto; expected one of: from, text" in problems


def test_a_veto_by_an_elected_member_is_a_vote_against_and_says_it_is_no_veto(rules):
    draft = Fact(kind="council_vote", by="us")
    [outcome] = treaties.resolve([draft, Fact(kind="veto", by="japan", details={"draft_by": "us"})], D(2025, 1, 15), rules).council
    assert outcome.outcome == "adopted"
    assert "adopted with 14 votes in favour" in outcome.because
    assert "Japan cast its negative vote as a veto, but is not a permanent member: a vote against, and no veto" in outcome.because


def test_combat_operations_from_bases_in_japan_need_prior_consultation_with_japan(rules):
    """The Kishi-Herter notes: "the use of facilities and areas in Japan as bases for military combat operations to be
    undertaken from Japan other than those conducted under Article V ... shall be the subjects of prior consultation
    with the Government of Japan": a duty of the United States to Japan alone, whatever state the operation strikes."""
    from_okinawa = Fact(kind="armed_attack", by="us", target="dprk", location="dprk", on_behalf_of="rok", details={"launched_from": "okinawa"})
    obs = obligations(rules, D(2025, 1, 15), attack("dprk", "rok", "seoul"), from_okinawa)
    [prior] = [o for o in obs if (o.treaty, o.article) == ("us-japan-1960", "VI")]
    assert (prior.kind, prior.obligor, prior.beneficiary, prior.status) == ("consult", "us", "japan", "triggered")
    assert "it was launched from Okinawa (US bases at Kadena and Futenma), administered by Japan" in prior.because
    assert "though the attack is its own" not in prior.because  # the duty is the actor's own, not a partner's
    before = obligations(rules, D(1970, 1, 15), attack("dprk", "rok", "seoul"), from_okinawa)  # Okinawa was US-administered
    assert not [o for o in before if o.article == "VI"]
    explained = treaties.resolve([
        Fact(kind="armed_attack", by="us", target="china", details={"launched_from": "guam"}),
        Fact(kind="armed_attack", by="us", target="dprk", on_behalf_of="japan", details={"launched_from": "okinawa", "scale": "limited"}),
        Fact(kind="armed_attack", by="us", target="dprk", details={"launched_from": "okinawa", "answers": "us-japan-1960 Art. V"}),
    ], D(2025, 1, 15), rules, explain=True)
    assert not [o for o in explained.obligations if o.article == "VI"]
    why = [n.because for n in explained.not_triggered if n.article == "VI"]
    assert why == ["US-Japan 1960 Art. VI does not apply to fact 1: it was launched from Guam, which is administered by the United States",
                   "US-Japan 1960 Art. VI does not apply to fact 2: it is made in defence of Japan, a party",
                   "US-Japan 1960 Art. VI does not apply to fact 3: it honours US-Japan 1960 Art. V"]


def test_a_veto_fact_by_an_elected_member_listed_in_favour_is_a_vote_against_and_the_draft_fails(rules):
    draft = Fact(kind="council_vote", by="us", details={"votes": {"for": ["us", "uk", "france", "russia", "japan", "rok", "ukraine", "china", "dprk"]}})
    [outcome] = treaties.resolve([draft, Fact(kind="veto", by="rok", details={"draft_by": "us"})], D(2025, 1, 15), rules).council
    assert outcome.outcome == "failed" and "fails with 8 votes in favour; it needs 9" in outcome.because


def test_a_veto_names_the_drafter_by_its_id_whatever_alias_the_fact_gives(rules):
    [alone] = treaties.resolve([Fact(kind="veto", by="russia", details={"draft_by": "usa"})], D(2025, 1, 15), rules).council
    assert alone.draft_by == "us" and "its negative vote on the draft by the United States blocks" in alone.because
