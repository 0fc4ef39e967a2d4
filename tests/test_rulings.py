"""Ruling on a contested obligation: upheld, consultation only or set aside, each logged and honoured by answers, bots and the report."""

from __future__ import annotations

import pytest

from tabletop import rulings
from tabletop.bots import answer as bot_answer
from tabletop.game import CommandError, answer_key, answers_for
from tabletop.ladder import Words
from tabletop.model import Fact
from tabletop.report import render
from tabletop.session import Session
from tabletop.verify import verify

STRIKE = Fact(kind="armed_attack", by="rok", target="dprk", location="dprk", details={"scale": "limited"})


def contested_session(mini, rules, path):
    """The ROK's limited strike on the DPRK leaves Russia's duty of assistance open to argument."""
    s = Session.new(mini, rules, seed=5, log_path=path, fsync=False)
    s.release_adhoc("Hypothetical: a limited strike", "The ROK shells a DPRK position.", facts=[STRIKE])
    found = [o for o in s.state.obligations.values() if o.status == "contested" and o.obligation.kind == "assist"]
    assert found, "the strike leaves an assist obligation contested"
    return s, found[0]


def test_consultation_only_is_owed_and_answered_from_the_consult_table(mini, rules, tmp_path):
    path = tmp_path / "consult.jsonl"
    s, ob = contested_session(mini, rules, path)
    assert answer_key(rules, ob) == "contested"
    s.override("obligation", "consult", "a border skirmish; the treaty's consultation article fits it better", obligation=ob.id)
    now = s.state.obligations[ob.id]
    assert (now.status, now.ruling) == ("triggered", "consult")
    assert ob.id in s.state.open_ids
    assert answer_key(rules, now) == "consult"
    assert list(answers_for(rules, now)) == list(rules.escalation.answer_table("consult"))
    for _ in range(2):
        s.advance()  # to decide
    assert s.state.phase == "decide"
    with pytest.raises(CommandError, match="expected one of"):
        s.answer(ob.obligation.obligor, ob.id, "measures", "not a word a consultation takes")
    s.answer(ob.obligation.obligor, ob.id, "consult", "We hold the consultations the ruling asks for.")
    assert s.state.obligations[ob.id].status == "answered"
    s.close()
    assert verify(path, mini, rules).events == len(s.events)
    report = render(s, "md")
    assert "Facilitator ruling: consultation only: a border skirmish" in report
    assert "upheld (triggered)" not in report and "consultation only (consult)" in report  # the override list says the ruling too


def test_a_bot_answers_a_consultation_ruling_with_a_word_the_consult_table_offers(mini, rules, tmp_path):
    s, ob = contested_session(mini, rules, tmp_path / "bot.jsonl")
    s.override("obligation", "consult", "consultations only", obligation=ob.id)
    now = s.state.obligations[ob.id]
    said = bot_answer(s.state, mini, rules, now, seed=5)
    assert said.answer in rules.escalation.answer_table("consult")
    s.close()


def test_the_rulings_offered_and_what_each_means(mini, rules, tmp_path):
    s, ob = contested_session(mini, rules, tmp_path / "choices.jsonl")
    offered = list(answers_for(rules, ob))
    choices = rulings.choices(mini, rules, ob, offered)
    assert [c.value for c in choices] == ["triggered", "consult", "void"]
    assert [rulings.said(c.value) for c in choices] == ["upheld", "consultation only", "set aside"]
    words = Words(mini, rules)
    obligor = words.state(ob.obligation.obligor)
    assert all(obligor in c.meaning for c in choices)
    s.close()


def test_the_facts_shown_are_those_between_the_two_sides_numbered_as_the_because_sentence(mini, rules, tmp_path):
    s, ob = contested_session(mini, rules, tmp_path / "facts.jsonl")
    s.release_adhoc("Hypothetical: elsewhere", "A quarrel between others.",
                    facts=[Fact(kind="armed_attack", by="china", target="japan", location="japan", details={"scale": "limited"})])
    s.release_adhoc("Hypothetical: the reply", "The DPRK fires back.",
                    facts=[Fact(kind="armed_attack", by="dprk", target="rok", location="rok", details={"scale": "limited"})])
    between = rulings.facts_between(s.state, rules, ob.obligation)
    kinds = [(f.by, f.target) for _, f in between]
    assert ("rok", "dprk") in kinds and ("dprk", "rok") in kinds and ("china", "japan") not in kinds
    first_number = next(n for n, f in between if f.by == "rok")
    assert f"(fact {first_number})" in ob.obligation.because
    line = rulings.fact_line(Words(mini, rules), first_number, between[0][1])
    assert line.startswith(f"fact {first_number}") and "armed attack" in line
    s.close()


def test_a_ruling_outside_the_three_is_refused_with_the_values_allowed(mini, rules, tmp_path):
    s, ob = contested_session(mini, rules, tmp_path / "bad.jsonl")
    with pytest.raises(CommandError, match="'triggered'.*'void'.*'consult'"):
        s.override("obligation", "maybe", "unsure", obligation=ob.id)
    s.close()


def test_setting_aside_closes_it_and_upholding_again_reopens_it(mini, rules, tmp_path):
    path = tmp_path / "again.jsonl"
    s, ob = contested_session(mini, rules, path)
    s.override("obligation", "void", "not an armed attack in the treaty's sense", obligation=ob.id)
    assert ob.id not in s.state.open_ids and s.state.obligations[ob.id].status == "void"
    s.override("obligation", "triggered", "on reflection, the strike was an armed attack", obligation=ob.id)
    now = s.state.obligations[ob.id]
    assert ob.id in s.state.open_ids and (now.status, now.ruling) == ("triggered", "triggered")
    assert answer_key(rules, now) != "contested"
    s.close()
    assert verify(path, mini, rules).events == len(s.events)
