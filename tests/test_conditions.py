"""Options with conditions (``requires:``): read and checked by the loader, met or not in the situation, never offered unmet.

Each kind of condition is exercised on a situation reached through the
session API (a scenario and a short sequence of commands), and the property
that matters is checked by Hypothesis: whatever the seed and whatever people
choose, a bot never picks an option whose condition is unmet, and the game
accepts exactly the options it offers.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop import bots, conditions, facilitation
from tabletop import model as m
from tabletop.game import CommandError
from tabletop.loading import load_named, load_scenario
from tabletop.session import Session
from tabletop.yamlnodes import InputError

from .conftest import MINI

MINI_TEXT = MINI.read_text()
SANCTIONS = "Table a sanctions draft at the Council"


@pytest.fixture(scope="module")
def nea():
    return load_named("nea-2024")


@pytest.fixture(scope="module")
def nll():
    return load_named("nll-2025")


def to_next_turn(session, bot_seats):
    """From the decide phase: ``bot_seats`` decide by the bots' choices, the turn is adjudicated, and the next one starts (nothing released)."""
    bots.play_turn_decisions(session, bot_seats)
    session.advance()
    session.adjudicate()
    session.advance()
    session.advance()


def at_decide(scenario, rules, turn, seed=0, release=True):
    """A session in turn ``turn``, its scheduled injects released (with ``release``), entering its decide phase.

    Every seat is a person here, so nobody decides on entering the phase; the
    turns before are played by the bots' own choices, logged as theirs.
    """
    session = Session.new(scenario, rules, seed=seed, seats=dict.fromkeys(scenario.seats, "human"), fsync=False, sign=False)
    while session.state.turn < turn:
        facilitation.release_scheduled(session)
        while session.state.phase != "decide":
            session.advance()
        to_next_turn(session, list(scenario.seats))
    if release:
        facilitation.release_scheduled(session)
        while session.state.phase != "decide":
            session.advance()
    return session


def ids(options):
    return [o.id for o in options]


# ---------------------------------------------------------------- the loader


def with_options(extra: str) -> str:
    """mini.yaml with ``extra`` added to the US's options."""
    anchor = "  us:\n    - {id: talk,"
    assert anchor in MINI_TEXT
    return MINI_TEXT.replace(anchor, "  us:\n" + extra + "    - {id: talk,")


def test_the_loader_reads_each_kind_of_condition(tmp_path, rules):
    path = tmp_path / "s.yaml"
    path.write_text(with_options(
        "    - {id: veto, label: Veto, requires: {council_draft: {by: rok}}}\n"
        "    - {id: any-draft, label: Any draft, requires: {council_draft: {}}}\n"
        "    - {id: veto-two, label: Veto the second, requires: {council_draft: {by: rok, draft: rok-2}}}\n"
        "    - {id: hit-back, label: Hit back, requires: {attacked: {by: dprk, within: 1}}}\n"
        "    - {id: for-ally, label: For an ally, requires: {attacked: {on: ally}}}\n"
        "    - {id: bound, label: Bound, requires: {treaty_in_force: us-rok-1953}}\n"
        "    - {id: either, label: Either, requires: {any_of: [{treaty_in_force: ussr-dprk-1961}, {attacked: {}}]}}\n"
    ))
    scenario, _ = load_scenario(path, rules)
    got = {o.id: o.requires for o in scenario.options["us"]}
    assert got["veto"] == m.Condition(council_draft="rok")
    assert got["any-draft"] == m.Condition(council_draft="any")
    assert got["veto-two"] == m.Condition(council_draft="rok", council_draft_name="rok-2")
    assert got["hit-back"] == m.Condition(attacked=m.Attacked(within=1, by="dprk"))
    assert got["for-ally"] == m.Condition(attacked=m.Attacked(on="ally"))
    assert got["bound"] == m.Condition(treaty_in_force="us-rok-1953")
    assert got["either"] == m.Condition(any_of=(m.Condition(treaty_in_force="ussr-dprk-1961"), m.Condition(attacked=m.Attacked())))
    assert got["talk"] is None


@pytest.mark.parametrize(("condition", "expected"), [
    ("{draft: {by: rok}}", "unknown key 'draft' in an option's requires (a condition); expected one of: any_of, attacked, council_draft, treaty_in_force"),
    ("{council_draft: {by: atlantis}}", "expected a seat or 'any' for the seat that tables the draft, got 'atlantis'"),
    ("{council_draft: {seat: rok}}", "unknown key 'seat' in council_draft (a Security Council draft tabled this turn); expected one of: by, draft"),
    ("{council_draft: {by: rok, draft: 'two words'}}", "expected the name of a draft (letters, digits, '-', '_' or '.', at most 64), got 'two words'"),
    ("{attacked: {when: 1}}", "unknown key 'when' in attacked (an armed attack on the deciding seat); expected one of: by, on, within"),
    ("{attacked: {within: -1}}", "expected 0 (this turn) or more turns for within, got -1"),
    ("{attacked: {on: everyone}}", "expected self, ally or a state for whom the attack is on, got 'everyone'"),
    ("{treaty_in_force: nato-1949}", "undefined treaty 'nato-1949'; expected one of: prc-dprk-1961, ru-dprk-2024"),
    ("{}", "an empty condition; expected one or more of: council_draft, attacked, treaty_in_force, any_of"),
    ("yes", "expected an option's requires (a condition) as a mapping"),
])
def test_a_bad_condition_is_refused_with_file_line_column_and_what_is_allowed(tmp_path, rules, condition, expected):
    text = with_options(f"    - {{id: odd, label: Odd, requires: {condition}}}\n")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_scenario(path, rules)
    [problem] = [str(p) for p in info.value.problems]
    line = text.splitlines().index(next(x for x in text.splitlines() if "id: odd" in x)) + 1
    assert re.match(rf".*s\.yaml:{line}:\d+: ", problem), problem
    assert expected in problem, problem


# ---------------------------------------------------------------- the Council


def test_a_veto_needs_a_draft_tabled_this_turn_and_vetoes_that_draft(nea):
    scenario, rules = nea
    session = at_decide(scenario, rules, 1)
    assert "council-veto" not in ids(session.options("russia"))
    assert "abstain" not in ids(session.options("china"))
    with pytest.raises(CommandError, match=r"cannot take 'council-veto' now: it requires a Security Council draft by US tabled this turn"):
        session.decide("russia", "council-veto", "We veto.")
    session.decide("us", "sanctions-draft", "Sanctions for the launches.")
    assert "council-veto" in ids(session.options("russia")) and "council-veto" in ids(session.options("china"))
    assert "council-veto" not in ids(session.options("us"))  # nobody vetoes its own draft, nor has the option
    choice = bots.decide(session.state, scenario, rules, "russia", session.seed)
    assert choice.option == "council-veto"
    assert choice.rationale == f"Russia chose 'Veto a US draft at the Council' in answer to the council vote by the United States in the United States' '{SANCTIONS}'."
    session.decide("russia", choice.option, choice.rationale, by="bot")
    bots.play_turn_decisions(session, [s for s in scenario.seats if s not in ("us", "russia")])
    session.advance()
    session.adjudicate()
    council = [e for e in session.events if e["type"] == "council_decided"]
    # One vote on the US draft, Russia among those against: not an adopted draft and a separate veto.
    assert [(e["draft_by"], e["outcome"], e["vetoed_by"][:1]) for e in council] == [("us", "vetoed", ["russia"])]


def test_a_condition_can_name_the_draft_when_a_state_tables_two(nea):
    scenario, rules = nea
    session = at_decide(scenario, rules, 1, release=False)
    session.release_adhoc("US drafts tabled", "The US tables two drafts.", facts=[
        m.Fact("council_vote", by="us", details={"draft": "sanctions"}), m.Fact("council_vote", by="us", details={"draft": "inspections"})])
    while session.state.phase != "decide":
        session.advance()
    second = m.Condition(council_draft="us", council_draft_name="inspections")
    assert conditions.met(second, session.state, scenario, rules, "russia")
    assert [s.fact.details["draft"] for s in conditions.drafts(session.state, scenario, "russia", "us", name="inspections")] == ["inspections"]
    third = m.Condition(council_draft="us", council_draft_name="resolution-3")
    assert not conditions.met(third, session.state, scenario, rules, "russia")
    assert conditions.describe(third, scenario, rules) == "a Security Council draft 'resolution-3' by US tabled this turn"


def test_a_draft_tabled_in_an_inject_this_turn_meets_the_condition(nea):
    scenario, rules = nea
    session = at_decide(scenario, rules, 1, release=False)
    session.release_adhoc("US draft tabled", "The US tables a draft.", facts=[m.Fact("council_vote", by="us", details={"chapter": "VII"})])
    while session.state.phase != "decide":
        session.advance()
    assert "council-veto" in ids(session.options("russia"))
    assert [s.source for s in conditions.drafts(session.state, scenario, "russia", "us")] == ["US draft tabled"]


def test_last_turns_draft_is_not_this_turns(nea):
    scenario, rules = nea
    session = at_decide(scenario, rules, 1)
    session.decide("us", "sanctions-draft", "Sanctions for the launches.")
    to_next_turn(session, [s for s in scenario.seats if s != "us"])
    facilitation.release_scheduled(session)
    while session.state.phase != "decide":
        session.advance()
    assert "council-veto" not in ids(session.options("russia"))


# ---------------------------------------------------------------- attacks and treaties


def test_return_fire_needs_an_attack_this_turn_or_the_turn_before(nll):
    scenario, rules = nll
    session = at_decide(scenario, rules, 2, release=False)
    while session.state.phase != "decide":
        session.advance()
    assert "counter-battery" not in ids(session.options("rok"))  # turn 2 has begun, nobody has fired yet
    assert "strike-batteries" not in ids(session.options("us"))
    with pytest.raises(CommandError, match="requires an armed attack on the seat by DPRK this turn or in the 1 before it"):
        session.decide("rok", "counter-battery", "We return fire.")

    session = at_decide(scenario, rules, 2, release=False)
    session.release("hyp-yeonpyeong-shelling")
    while session.state.phase != "decide":
        session.advance()
    assert "counter-battery" in ids(session.options("rok"))
    assert "strike-batteries" in ids(session.options("us"))  # on: rok, its ally
    assert "counter-battery" not in ids(session.options("dprk"))
    [seen] = conditions.attacks_on(session.state, scenario, rules, "rok")
    assert seen.source == "Hypothetical: DPRK artillery shells Yeonpyeong" and seen.fact.by == "dprk"


def test_an_attack_decided_in_a_turn_is_seen_in_the_next(nll):
    scenario, rules = nll
    session = at_decide(scenario, rules, 1)
    session.decide("dprk", "shell-islands", "Punish the exercise.")
    to_next_turn(session, [s for s in scenario.seats if s != "dprk"])  # turn 2, nothing released yet
    [seen] = conditions.attacks_on(session.state, scenario, rules, "rok")
    assert (seen.seat, seen.source, seen.inject) == ("dprk", "Shell the Northwest Islands", False)


def test_an_attack_in_an_inject_counts_in_the_turn_after_for_within_one_and_not_for_this_turn_alone(nll):
    """``within`` reaches back to the injects of the turns before: the shelling released in turn 2 is seen from turn 3 with ``within: 1``."""
    scenario, rules = nll
    session = at_decide(scenario, rules, 2, release=False)
    session.release("hyp-yeonpyeong-shelling")
    while session.state.phase != "decide":
        session.advance()
    bots.play_turn_decisions(session, list(scenario.seats))
    session.advance()
    session.adjudicate()
    session.advance()
    session.advance()  # turn 3, nothing released yet
    assert session.state.turn == 3

    def injects(within):
        return [s.source for s in conditions.attacks_on(session.state, scenario, rules, "rok", within) if s.inject]

    assert injects(0) == []
    assert injects(1) == ["Hypothetical: DPRK artillery shells Yeonpyeong"]


def test_a_treaty_condition_follows_the_treaty_in_force_on_the_date(tmp_path, rules):
    path = tmp_path / "s.yaml"
    path.write_text(with_options(
        "    - {id: bound, label: Bound, requires: {treaty_in_force: us-rok-1953}}\n"
        "    - {id: lapsed, label: Lapsed, requires: {treaty_in_force: ussr-dprk-1961}}\n"
        "    - {id: either, label: Either, requires: {any_of: [{treaty_in_force: ussr-dprk-1961}, {treaty_in_force: ru-dprk-2024}]}}\n"
    ))
    scenario, _ = load_scenario(path, rules)
    session = at_decide(scenario, rules, 1)
    offered = ids(session.options("us"))
    assert "bound" in offered and "either" in offered and "lapsed" not in offered
    with pytest.raises(CommandError, match="it requires the USSR-DPRK 1961 in force"):
        session.decide("us", "lapsed", "An old treaty.")


# ---------------------------------------------------------------- the property


@st.composite
def plays(draw):
    """A seed, and for some turns a seat that a person plays and the option (open or not) it tries first."""
    seed = draw(st.integers(0, 10_000))
    tries = draw(st.lists(st.tuples(st.sampled_from(["dprk", "rok", "us", "russia", "china", "japan"]), st.integers(0, 30)), min_size=7, max_size=7))
    return seed, tries


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plays())
def test_a_bot_never_picks_an_option_whose_condition_is_unmet(nea, play):
    """Whatever the seed and whatever a person tries, bots pick only what is offered, and the game accepts exactly that."""
    scenario, rules = nea
    seed, tries = play
    session = Session.new(scenario, rules, seed=seed, seats=dict.fromkeys(scenario.seats, "human"), fsync=False, sign=False)
    checked = 0
    for turn in range(1, len(scenario.turns) + 1):
        facilitation.release_scheduled(session)
        while session.state.phase != "decide":
            session.advance()
        person, pick = tries[turn - 1]
        everything = scenario.options_for(person, turn)
        tried = everything[pick % len(everything)]
        offered = session.options(person)
        if tried in offered:
            session.decide(person, tried.id, "A person's choice.")
        else:
            with pytest.raises(CommandError):
                session.decide(person, tried.id, "A person's choice.")
        for seat in scenario.seats:  # in scenario order, as headless play asks them
            for open_ob in session.unanswered(seat):
                reply = bots.answer(session.state, scenario, rules, open_ob, seed)
                session.answer(seat, reply.obligation, reply.answer, reply.rationale, by="bot")
            if seat not in session.undecided():
                continue
            choice = bots.decide(session.state, scenario, rules, seat, seed)
            option = next(o for o in scenario.options_for(seat, turn) if o.id == choice.option)
            assert conditions.unmet(option, session.state, scenario, rules, seat) is None
            assert option in session.options(seat)
            for other in scenario.options_for(seat, turn):  # the game refuses what it does not offer
                if other not in session.options(seat):
                    with pytest.raises(CommandError):
                        session.game.decide(session.state, _decide(seat, other.id))
                    checked += 1
            session.decide(seat, choice.option, choice.rationale, by="bot")
        session.advance()
        session.adjudicate()
        session.advance()
        if turn < len(scenario.turns):
            session.advance()
    assert checked  # some option was unmet somewhere: every exercise has the vetoes without a draft in turn 1


def _decide(seat, option):
    from tabletop import events as ev

    return ev.Decide(seat, option, "A try.")
