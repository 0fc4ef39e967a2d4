"""The bundled scenarios read as an instructor would read them: the corrections of issue #15 hold.

Each test checks one corrected fact in the scenario's own data (texts, notes, dates) or in
the rule modules it plays under, and, where a note says what the rule engine will return,
asks the engine.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tabletop import ladder, treaties
from tabletop import model as m
from tabletop.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
NEA = ROOT / "scenarios" / "nea-2024.yaml"
NLL = ROOT / "scenarios" / "nll-2025.yaml"
D = dt.date


@pytest.fixture(scope="module")
def nea() -> tuple[m.Scenario, m.Rules]:
    return load_scenario(NEA)


@pytest.fixture(scope="module")
def nll() -> tuple[m.Scenario, m.Rules]:
    return load_scenario(NLL)


def player_texts(scenario: m.Scenario) -> list[str]:
    """Everything a player reads: setting, briefs, objectives, read-ahead, injects and questions (not facilitator notes)."""
    out = [scenario.title, scenario.setting]
    for seat in scenario.seats.values():
        out += [seat.brief, *seat.interests, *seat.objectives, *seat.red_lines, *(a.text for a in seat.alliances)]
    out += [f"{e.title} {e.text}" for e in scenario.timeline]
    out += [f"{t.title} {t.brief} {' '.join(t.questions)}" for t in scenario.turns]
    out += [f"{i.title} {i.text}" for i in scenario.injects]
    return out


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;])\s+", " ".join(text.split()))


def inject(scenario: m.Scenario, inject_id: str) -> m.Inject:
    return scenario.inject(inject_id)


def scheduled_history(scenario: m.Scenario, before: m.Inject) -> list[m.Fact]:
    """The facts of every scheduled inject released before ``before``, as a headless run releases them."""
    out: list[m.Fact] = []
    for other in scenario.injects:
        if other.id == before.id:
            return out
        if not other.standby:
            out.extend(attrs_dated(f, other.date) for f in other.facts)
    raise AssertionError(f"{before.id} not in the scenario")


def attrs_dated(fact: m.Fact, date: dt.date | None) -> m.Fact:
    import attrs

    return fact if fact.date is not None or date is None else attrs.evolve(fact, date=date)


# --- the anthem ------------------------------------------------------------------------


def test_the_anthem_inject_says_the_law_codifies_the_february_and_april_changes(nea):
    scenario, _ = nea
    anthem = inject(scenario, "anthem-law")
    assert anthem.date == D(2024, 10, 24)
    text = " ".join(anthem.text.split())
    assert "codifies" in text
    assert "February" in text and "April" in text
    assert "three thousand ri" in text


def test_one_spelling_ri_everywhere_a_player_reads(nea, nll):
    for scenario, _ in (nea, nll):
        for text in player_texts(scenario):
            assert not re.search(r"\bthree thousand li\b", text), text[:80]


# --- the 1961 USSR-DPRK treaty lapsed ---------------------------------------------------


def test_the_ussr_treaty_lapsed_in_september_1996_and_was_not_terminated(nea):
    scenario, _ = nea
    [entry] = [e for e in scenario.timeline if e.date.year == 1996]
    assert entry.date.month == 9
    assert "lapsed" in entry.text and "7 September 1995" in entry.text
    assert "terminated" in entry.note  # the seed's word, attributed
    for text in player_texts(scenario):
        assert "terminated" not in text, text[:80]
    russia = " ".join(scenario.seats["russia"].brief.split())
    assert "lapse" in russia and "1996" in russia


def test_the_rule_module_gives_the_month_not_a_day(nea):
    _, rules = nea
    ussr = rules.treaties["ussr-dprk-1961"]
    assert ussr.ended == D(1996, 10, 1)  # the first day every source has it lapsed
    assert ussr.ended_disputed_from == D(1995, 9, 8)  # the day after 7 Sep 1995
    assert "September 1996" in ussr.note
    assert treaties.in_force(ussr, D(1996, 9, 30))[0] == "disputed"
    assert treaties.in_force(ussr, D(1996, 10, 1))[0] == "no"


# --- attributions ---------------------------------------------------------------------


def test_the_bulk_of_the_cost_is_rusetskys_claim(nea, nll):
    for scenario, _ in (nea, nll):
        for text in player_texts(scenario):
            for sentence in sentences(text):
                if "bulk of the cost" in sentence:
                    assert "Rusetsky" in sentence, sentence


def test_three_trump_kim_meetings_on_their_dates(nea):
    scenario, _ = nea
    meetings = {e.date: e for e in scenario.timeline if "Trump and Kim" in e.title}
    assert set(meetings) == {D(2018, 6, 12), D(2019, 2, 27), D(2019, 6, 30)}
    assert "Singapore" in meetings[D(2018, 6, 12)].title
    assert "Hanoi" in meetings[D(2019, 2, 27)].title and "27-28 February 2019" in meetings[D(2019, 2, 27)].text
    assert "Panmunjom" in meetings[D(2019, 6, 30)].title
    note = " ".join(meetings[D(2019, 6, 30)].note.split())
    assert "two direct meetings" in note and "three" in note and "12 June 2018" in note


def test_the_us_rok_treaty_misreadings_carry_a_facilitator_note(nea):
    scenario, rules = nea
    [entry] = [e for e in scenario.timeline if e.date == D(1953, 10, 1)]
    note = " ".join(entry.note.split())
    assert "from the Pacific Ocean will cause a response from both" in note
    assert '"in the Pacific area"' in note and "constitutional processes" in note
    assert "1967" in note and "Vietnam" in note
    article = " ".join(rules.treaties["us-rok-1953"].article("III").text.split())
    assert "in the Pacific area" in article and "in accordance with its constitutional processes" in article
    assert "Pacific Ocean" not in article and "Vietnam" not in article


def test_biegun_spoke_at_a_public_forum_in_a_private_capacity(nea):
    scenario, _ = nea
    biegun = inject(scenario, "biegun")
    note = " ".join(biegun.note.split())
    assert "public forum" in note and "private capacity" in note
    assert "privately" not in note


def test_the_title_covers_the_months_the_scenario_runs(nea):
    scenario, _ = nea
    assert scenario.end == D(2025, 2, 28)
    assert scenario.title.endswith("June 2024 - February 2025")
    assert scenario.turns[-1].end <= scenario.end


# --- the Northwest Islands --------------------------------------------------------------


def test_the_islands_are_not_coded_as_claimed_the_waters_are(nea):
    scenario, rules = nea
    for island in ("yeonpyeong", "baengnyeong"):
        assert rules.territories[island].claimed_by == ()
        assert rules.territories[island].administrator(scenario.start) == "rok"
    assert rules.territories["nll_waters"].claimed_by == ("dprk",)


@pytest.mark.parametrize("which", ["nea", "nll"])
def test_the_shelling_note_says_what_the_engine_returns(which, nea, nll):
    scenario, rules = {"nea": nea, "nll": nll}[which]
    shelling = inject(scenario, "hyp-yeonpyeong-shelling")
    result = treaties.resolve(shelling.facts, shelling.date, rules, scenario.treaties, history=scheduled_history(scenario, shelling))
    [art3] = [o for o in result.obligations if (o.treaty, o.article, o.obligor) == ("us-rok-1953", "III", "us")]
    assert art3.status == "triggered"
    note = " ".join(shelling.note.split())
    assert "III as triggered" in note
    assert "claimed by the DPRK" not in note and "may be contested" not in note


@pytest.mark.parametrize("which", ["nea", "nll"])
def test_an_attack_in_the_dmz_raises_a_contested_article_iii_obligation_as_the_guide_says(which, nea, nll):
    """The zone is divided by a line a fact does not name (Armistice Art. I, para. 10); the guide tells the facilitator to rule."""
    scenario, rules = {"nea": nea, "nll": nll}[which]
    attack = m.Fact("armed_attack", by="dprk", target="rok", location="dmz", details={"scale": "limited"})
    result = treaties.resolve([attack], D(2025, 2, 18), rules, scenario.treaties)
    [art3] = [o for o in result.obligations if (o.treaty, o.article, o.obligor) == ("us-rok-1953", "III", "us")]
    assert art3.status == "contested" and "Military Demarcation Line" in art3.because
    assert rules.territories["dmz"].administrator(D(2025, 2, 18)) is None
    text = " ".join(Path(scenario.path).read_text().split())  # the facilitator guide's note on where it happened
    assert "an Art. III obligation that is contested" in text and "raises no Art. III obligation" not in text


# --- the PRC-DPRK treaty ------------------------------------------------------------------


def test_prc_dprk_article_ii_first_sentence_is_not_a_consultation_article(nea):
    _, rules = nea
    treaty = rules.treaties["prc-dprk-1961"]
    art2 = treaty.article("II")
    assert [c.obligation.kind for c in art2.clauses] == ["assist"]
    assert "to prevent aggression" in art2.text
    threat = m.Fact("threat", by="us", target="dprk", location="dprk")
    assert not treaties.resolve([threat], D(2025, 2, 3), rules, ["prc-dprk-1961"]).obligations
    attack = m.Fact("armed_attack", by="us", target="dprk", location="dprk")
    [ob] = treaties.resolve([attack], D(2025, 2, 3), rules, ["prc-dprk-1961"]).obligations
    assert (ob.article, ob.kind, ob.obligor) == ("II", "assist", "china")


def test_prc_dprk_article_vii_is_exact_only_in_its_quoted_fragment(nea):
    _, rules = nea
    art7 = rules.treaties["prc-dprk-1961"].article("VII")
    assert art7.wording != "exact" and "fragment exact" in art7.wording
    assert '"remains in force until agreement is reached on its amendment or termination"' in " ".join(art7.text.split())


# --- coverage ---------------------------------------------------------------------------


def test_the_us_election_and_a_transition_for_the_us_seat(nea):
    scenario, _ = nea
    [election] = [i for i in scenario.injects if i.date == D(2024, 11, 5) and "election" in i.title]
    assert "President-elect" in election.text and "20 January 2025" in election.text
    inauguration = inject(scenario, "us-inauguration")
    transition = [o for o in scenario.options["us"] if o.id.startswith("transition-")]
    assert len(transition) >= 3
    for option in transition:
        assert option.turns, option.id
        for turn_id in option.turns:
            turn = scenario.turn(turn_id)
            assert turn.end >= election.date and turn.start <= inauguration.date, option.id


def test_the_first_freedom_edge_and_the_second(nea):
    scenario, _ = nea
    first = inject(scenario, "freedom-edge-1")
    assert first.date == D(2024, 6, 27) and "27 to 29 June" in first.text
    assert "second Freedom Edge" in inject(scenario, "freedom-edge").text


def test_turn_one_is_no_longer_a_thin_prologue(nea):
    scenario, _ = nea
    scheduled = {t.id: [i for i in scenario.injects_for(t.id) if not i.standby] for t in scenario.turns}
    assert len(scheduled[1]) * 2 >= max(len(v) for v in scheduled.values())


def test_the_sanctions_counter_argument_is_made_and_cited(nea):
    scenario, _ = nea
    brief = inject(scenario, "brief-sanctions-law")
    text = " ".join(brief.text.split())
    for resolution in ("1718", "1874", "2270", "2397"):
        assert resolution in text
        assert f"unscr-{resolution}" in scenario.sources
    assert "Russia and China voted for every one" in text
    assert any("1718" in q for t in scenario.turns for q in t.questions)


SEEDS = {"barannikova", "rusetsky"}
ATTRIBUTIONS = {
    "Barannikova": {"barannikova"},
    "Rusetsky": {"rusetsky"},
    "Camp David": {"camp-david-2023"},
    "Washington Declaration": {"washington-declaration-2023"},
    "National Security Strategy": {"jp-nss-2022"},
    "1718": {"unscr-1718", "un-sc8853"},
}


@pytest.mark.parametrize("which", ["nea", "nll"])
def test_every_brief_cites_what_it_draws_on(which, nea, nll):
    scenario, _ = {"nea": nea, "nll": nll}[which]
    for seat in scenario.seats.values():
        assert seat.sources, seat.id
        for name, keys in ATTRIBUTIONS.items():
            if name in seat.brief:
                assert keys & set(seat.sources), (seat.id, name)


def test_us_rok_and_japan_speak_with_voices_of_their_own(nea):
    scenario, _ = nea
    for seat_id in ("us", "rok", "japan"):
        seat = scenario.seats[seat_id]
        own = [k for k in seat.sources if k not in SEEDS and not k.startswith("ref-")]
        assert len(own) >= 2, seat_id
        assert "own" in seat.brief  # "Your own reading", "Seoul's own view", "Tokyo's own reading"


def test_the_debrief_says_what_happened_next_after_the_end(nea):
    scenario, _ = nea
    after = scenario.debrief.after
    assert after and all(e.date > scenario.end for e in after)
    [art4] = [e for e in after if e.date == D(2025, 4, 28)]
    assert "Article 4" in art4.title and "Kursk" in art4.text


def resolved(scenario, rules, *ids):
    """The obligations the injects ``ids`` raise, released in that order on the last one's date."""
    facts = [f for i in ids for f in inject(scenario, i).facts]
    return treaties.resolve(facts, inject(scenario, ids[-1]).date, rules, scenario.treaties).obligations


def test_guam_okinawa_and_a_ship_at_sea_oblige_differently(nea):
    scenario, rules = nea
    guam = {(o.treaty, o.article, o.obligor, o.beneficiary, o.status) for o in resolved(scenario, rules, "hyp-guam-strike")}
    assert guam == {("us-rok-1953", "III", "rok", "us", "triggered"), ("us-rok-1953", "II", "rok", "us", "triggered")}
    okinawa = {(o.treaty, o.article, o.obligor, o.beneficiary, o.status) for o in resolved(scenario, rules, "hyp-okinawa-strike")}
    # Okinawa is Japan's to defend (US-Japan Art. V), not the ROK's (US-ROK Art. III); the ROK still consults (Art. II)
    assert okinawa == {(t, art, a, b, "triggered") for t, art, a, b in [
        ("us-japan-1960", "V", "japan", "us"), ("us-japan-1960", "V", "us", "japan"), ("us-japan-1960", "IV", "japan", "us"),
        ("us-japan-1960", "IV", "us", "japan"), ("us-rok-1953", "II", "rok", "us")]}
    # at sea no territory is administered: no assistance, only consultation on the danger (US-Japan Art. IV, US-ROK Art. II)
    at_sea = {(o.treaty, o.article, o.obligor, o.beneficiary) for o in resolved(scenario, rules, "hyp-destroyer-hit")}
    assert at_sea == {("us-japan-1960", "IV", "japan", "us"), ("us-rok-1953", "II", "rok", "us")}
    destroyer = inject(scenario, "hyp-destroyer-hit")
    assert rules.territories[destroyer.facts[0].location].administrator(destroyer.date) is None


def test_when_the_rok_fires_first_the_us_duty_is_contested(nea):
    scenario, rules = nea
    first = inject(scenario, "hyp-rok-fires-first")
    assert first.standby and first.facts[0].by == "rok" and not first.facts[0].details.get("self_defence")
    [art3] = [o for o in resolved(scenario, rules, "hyp-rok-fires-first", "hyp-yeonpyeong-shelling") if o.treaty == "us-rok-1953" and o.article == "III"]
    assert art3.status == "contested" and "external armed attack" in art3.because


def test_a_nuclear_test_option_is_a_red_line_for_washington_and_beijing(nea):
    scenario, _ = nea
    [test] = [o for o in scenario.options["dprk"] if any(f.kind == "nuclear_test" for f in o.facts)]
    assert test.open_in(6)
    for seat in ("us", "china"):
        assert any("nuclear test" in line for line in scenario.seats[seat].red_lines), seat


def test_the_nuclear_umbrella_comes_with_its_cost(nea):
    scenario, _ = nea
    umbrella = scenario.option("russia", "nuclear-umbrella")
    _, rules = nea
    # Its cost is on the ladder: the guarantee is a fact that shows a rung above "Stable", and Russia's posture moves.
    assert "cost" in umbrella.text and umbrella.facts
    assert max(ladder.level(rules.escalation, f, rules) for f in umbrella.facts) > rules.escalation.bottom and umbrella.effects.posture
    offer = inject(scenario, "hyp-umbrella-offer")
    assert set(offer.to) == {"russia", "dprk"}
    assert "would pay for it" in offer.text
    assert scenario.option("dprk", "accept-umbrella").effects.credibility == {"dprk": -1}


def test_the_crisis_obligations_are_answered_within_the_exercise(nea, tmp_path):
    from tabletop import runner

    scenario, rules = nea
    session = runner.play(scenario, rules, seed=3, log_path=tmp_path / "run.jsonl", fsync=False)
    last = scenario.turns[-1].id
    raised_before_last = [o for o in session.state.obligations.values() if o.turn < last]
    assert raised_before_last
    for open_ob in raised_before_last:
        assert open_ob.answer is not None or open_ob.status == "void", open_ob.id


# --- objectives, roles, control cells ---------------------------------------------------


@pytest.mark.parametrize("which", ["nea", "nll"])
def test_every_inject_serves_an_objective_and_says_what_players_should_do(which, nea, nll):
    scenario, _ = {"nea": nea, "nll": nll}[which]
    served = set()
    for i in scenario.injects:
        assert i.objectives and i.expected_actions, i.id
        served.update(i.objectives)
    assert served == {o.id for o in scenario.objectives}


@pytest.mark.parametrize("which", ["nea", "nll"])
def test_roles_fit_a_class_of_twenty_to_thirty(which, nea, nll):
    scenario, _ = {"nea": nea, "nll": nll}[which]
    for seat in scenario.seats.values():
        assert {r.id for r in seat.roles} >= {"head", "foreign", "defence", "un"}, seat.id
    everyone = [r for s in scenario.seats.values() for r in s.roles] + [r for c in scenario.control.values() for r in c.roles]
    core = [r for r in everyone if r.merge_into is None]
    assert 20 <= len(everyone) <= 30
    assert len(core) <= 20


def test_control_cells_deliver_injects_and_private_injects_reach_one_or_two_seats(nea):
    scenario, _ = nea
    assert {"unsc-president", "press"} <= set(scenario.control)
    for cell in scenario.control:
        assert len([i for i in scenario.injects if i.sender == cell]) >= 3, cell
    private = [i for i in scenario.injects if "all" not in i.to and len(i.to) <= 2]
    assert len(private) >= 10


# --- cites are the sources' own words ---------------------------------------------------

SHARED = ROOT.parent / "shared"
SEED_FILES = {"barannikova": "000_035c638d50322467.txt", "rusetsky": "002_ef3516613074b9f4.txt"}


def normal(text: str) -> str:
    for a, b in (("|", " "), ("**", ""), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-")):
        text = text.replace(a, b)
    return " ".join(text.split()).lower()


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="the seed documents are not beside this checkout")
@pytest.mark.parametrize("which", ["nea", "nll"])
def test_cites_are_verbatim_in_the_seeds_and_the_checked_tables(which, nea, nll):
    scenario, _ = {"nea": nea, "nll": nll}[which]
    texts = {k: normal((SHARED / "seeds" / f).read_text(encoding="utf-8")) for k, f in SEED_FILES.items()}
    texts["ref-events"] = normal((SHARED / "reference" / "events.md").read_text(encoding="utf-8"))
    texts["ref-treaties"] = normal((SHARED / "reference" / "treaties.md").read_text(encoding="utf-8"))
    checked = 0
    for i in scenario.injects:
        source = scenario.sources[i.source]
        if i.source in texts:
            haystacks = [texts[i.source]]
        elif source.note and "Barannikova ref" in source.note:  # her references, as she quotes them (or as the treaty texts give them)
            haystacks = [texts["barannikova"], texts["ref-treaties"]]
        else:
            continue
        for fragment in re.split(r"\s*\.\.\.\s*", i.cite):
            if fragment:
                assert any(normal(fragment) in h for h in haystacks), (i.id, fragment)
                checked += 1
    assert checked >= 10
