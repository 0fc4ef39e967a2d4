"""The facilitator's ruling on an obligation whose trigger the texts leave open.

A contested obligation is one the treaty engine could not settle from the facts:
who began the war is disputed, the territory may lie outside the region the
article names, the attack may not be "external". Ruling on it is a judgement,
so the facilitator is shown what it turns on (the facts between the two sides,
why it is contested, the article's words and the scenario's own guidance on
rulings that cite that article) and chooses one of three rulings, each logged
as an ``overridden`` event with its reason:

- ``triggered`` (upheld): the article applies, and the obligation is answered as
  the article's strength asks (rules/escalation.yaml ``answers``);
- ``void`` (set aside): the article does not apply; nothing is owed;
- ``consult`` (consultation only): the obligor owes its partner consultations,
  not assistance; it is answered from the ``consult`` table.

The words here are the one place the board, the bots' reasons and the report
take a ruling's name from.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from tabletop import model as m
from tabletop.ladder import Words
from tabletop.state import OpenObligation, State

SAID = {"triggered": "upheld", "void": "set aside", "consult": "consultation only"}
VALUES = tuple(SAID)
MAX_FACTS = 8  # the most recent facts between the two sides a ruling is shown; a long war's first shots are in the log


def said(value: str | None) -> str:
    """A ruling as people say it (``upheld``); an unknown value as it is."""
    return SAID.get(value or "", value or "")


@attrs.frozen
class Choice:
    """One ruling the facilitator may give, and what it means for this obligation in a sentence."""

    value: str
    label: str
    meaning: str


def choices(scenario: m.Scenario, rules: m.Rules, open_ob: OpenObligation, offered: Sequence[str]) -> list[Choice]:
    """The rulings open on ``open_ob``; ``offered`` are the answers an upheld obligation takes (game.answers_for).

    Consultation only is offered for a duty of assistance; for a consultation
    article it would be the same as upholding it.
    """
    ob = open_ob.obligation
    words = Words(scenario, rules)
    obligor, beneficiary = words.state(ob.obligor), words.state(ob.beneficiary)
    answers = ", ".join(offered)
    out = [Choice("triggered", "Uphold", f"the article applies, and {obligor} owes {beneficiary} what it says"
                  + (f" (answered: {answers})." if answers else "."))]
    if ob.kind != "consult":
        out.append(Choice("consult", "Consult only", f"{obligor} owes {beneficiary} consultations, not assistance."))
    out.append(Choice("void", "Set aside", f"the article does not apply here; {obligor} owes nothing, and the obligation closes."))
    return out


def facts_between(state: State, rules: m.Rules, ob: m.Obligation) -> list[tuple[int, m.Fact]]:
    """The hostile facts between the attacker and the attacked (either way), numbered as the log numbers them.

    Who struck whom first is what most contested triggers turn on, so both
    directions are shown, the latest :data:`MAX_FACTS`. Without an attacker
    (a threat), the hostile facts against the beneficiary.
    """
    sides = {ob.beneficiary, ob.attacker} if ob.attacker else None
    found: list[tuple[int, m.Fact]] = []
    for number, fact in enumerate(state.facts, 1):
        kind = rules.fact_kinds.get(fact.kind)
        if kind is None or not kind.hostile:
            continue
        target = fact.on_behalf_of if fact.on_behalf_of and fact.target not in (sides or ()) else fact.target
        if sides is not None:
            if fact.by in sides and target in sides and fact.by != target:
                found.append((number, fact))
        elif target == ob.beneficiary:
            found.append((number, fact))
    return found[-MAX_FACTS:]


def guidance(scenario: m.Scenario, ob: m.Obligation) -> list[m.Ruling]:
    """The scenario's guidance on recurring rulings (facilitation.rulings) that cite this obligation's article."""
    return [r for r in scenario.facilitation.rulings if any(a.treaty == ob.treaty and a.article == ob.article for a in r.articles)]


def fact_line(words: Words, number: int, fact: m.Fact) -> str:
    """``fact 12, 2024-11-05: the DPRK's armed attack on the ROK at Yeonpyeong (limited)``."""
    when = f", {fact.date.isoformat()}" if fact.date else ""
    return f"fact {number}{when}: {words.fact(fact)}"
