"""Seat policies for solo play and headless runs, driven by each seat's doctrine.

A bot weighs its open options by the tags its doctrine prefers, and by the
situation: it steers clear of raising tension once the ladder reaches its
ceiling, leans towards deterrence when an inject this turn targets it, answers
a rival's escalation last turn in kind and reciprocates a rival's offer of
talks, and is a little reluctant to repeat itself. Allies and rivals are not
written into code: they come from the treaties in force between the seats on
the scenario date. Near-ties are broken by a random number from a generator
seeded by (seed, turn, seat) alone, so the same seed gives the same choices
whatever order the seats are asked in. Every choice comes with one sentence
that says why.
"""

from __future__ import annotations

import random
from typing import Any

import attrs

from tabletop import model as m
from tabletop.game import answer_key, answers_for
from tabletop.treaties import in_force

JITTER = 1.5
AVOID_PENALTY = 100.0
CEILING_PENALTY = 6.0
THREAT_BONUS = 2.0
RECIPROCITY = 1.5
REPEAT_PENALTY = 0.75
SIMILAR = {"partial": ("measures",), "measures": ("partial",), "consult": ("honour",), "honour": ("consult",)}
FIRM_TAGS = ("deter", "alliance", "force", "signal")
OPEN_TAGS = ("diplomacy", "de_escalate")


@attrs.frozen
class Choice:
    option: str | None  # None: the seat has no menu, and ``text`` says what it does
    rationale: str
    text: str | None = None


@attrs.frozen
class Answer:
    obligation: str
    answer: str
    rationale: str


def rng_for(seed: int, turn: int, seat: str) -> random.Random:
    # A string seed is hashed with SHA-512 by random.Random: stable across runs
    # and unaffected by PYTHONHASHSEED.
    return random.Random(f"{seed}:{turn}:{seat}")


def allies(rules: m.Rules, scenario: m.Scenario, seat: str, state: m.WorldState) -> set[str]:
    """Seats bound to ``seat`` by a treaty in force on the scenario date."""
    date = state.date or scenario.start
    found: set[str] = set()
    for treaty in rules.treaties.values():
        if seat in treaty.parties and in_force(treaty, date)[0] == "yes":
            found.update(p for p in treaty.parties if p != seat and p in scenario.seats)
    return found


@attrs.frozen
class Situation:
    """What a bot looks at besides its doctrine."""

    targeted: str | None  # title of this turn's inject that acts against the seat
    escalated: tuple[str, str] | None  # (rival, option label) that raised tension last turn
    offered: tuple[str, str] | None  # (rival, option label) that offered talks last turn
    last: str | None  # the seat's own option last turn


def situation(state: m.WorldState, scenario: m.Scenario, rules: m.Rules, seat: str) -> Situation:
    friends = allies(rules, scenario, seat, state) | {seat}
    previous = state.decisions.get(state.turn - 1, {})
    escalated = offered = None
    for other in scenario.seats:  # scenario order: deterministic
        decision = previous.get(other)
        if other in friends or decision is None or decision.option is None:  # a decision in words has no effects to read
            continue
        option = scenario.option(other, decision.option)
        name = scenario.seats[other].name
        if escalated is None and option.effects.tension > 0:
            escalated = (name, option.label)
        # An offer is what lowers tension or says it does; a "diplomatic" show of strength is not one.
        if offered is None and option.effects.tension <= 0 and (option.effects.tension < 0 or "de_escalate" in option.tags):
            offered = (name, option.label)
    mine = previous.get(seat)
    return Situation(_targeted_by(state, scenario, rules, seat), escalated, offered, mine.option if mine else None)


def decide(state: m.WorldState, scenario: m.Scenario, rules: m.Rules, seat: str, seed: int) -> Choice:
    """The seat's choice this turn and the one sentence that says why.

    Every open option is scored; only the chosen one is then explained, by the
    same weighing run once more with its reasons written down.
    """
    options = scenario.options_for(seat, state.turn)
    if not options:
        return _acknowledge(state, scenario, seat)
    doctrine = scenario.seats[seat].doctrine
    rng = rng_for(seed, state.turn, seat)
    seen = situation(state, scenario, rules, seat)
    best, best_key = options[0], (float("-inf"), 0)
    for order, option in enumerate(options):
        key = (_weigh(option, doctrine, state, rules, seen) + rng.random() * JITTER, -order)
        if key > best_key:  # the first of equal keys, as max() keeps it
            best, best_key = option, key
    reasons: list[str] = []
    _weigh(best, doctrine, state, rules, seen, reasons)
    name = scenario.seats[seat].name
    why = "; ".join(reasons) if reasons else "no option stood out, so it took the one its doctrine ranks first"
    rationale = f"{name} chose '{best.label}' because {why}."
    return Choice(best.id, rationale)


def _acknowledge(state: m.WorldState, scenario: m.Scenario, seat: str) -> Choice:
    """A seat with no menu (an open-response exercise): a bot cannot answer in its own words, so it acknowledges and says so."""
    name = scenario.seats[seat].name
    titles = []
    for inject_id in reversed(state.released):
        inject = state.adhoc.get(inject_id) or scenario.inject(inject_id)
        if inject.turn != state.turn:
            break
        if "all" in inject.to or seat in inject.to:
            titles.append(inject.title)
    seen = "; ".join(reversed(titles)) if titles else "this turn's situation"
    text = f"Acknowledged: {seen}."
    rationale = f"{name} is played by a bot, which cannot answer in its own words; it acknowledges what reached it so the exercise can go on."
    return Choice(None, rationale, text)


def _weigh(option: m.Option, doctrine: m.Doctrine, state: m.WorldState, rules: m.Rules, seen: Situation, reasons: list[str] | None = None) -> float:
    """How much the seat likes ``option``; with ``reasons``, also why, in words, appended to it."""
    score = 0.0
    prefers = doctrine.prefers
    liked = [(tag, prefers[tag]) for tag in option.tags if tag in prefers]
    # The mean over all the option's tags: an option is not worth more for carrying more labels.
    score += sum(weight for _, weight in liked) / max(1, len(option.tags))
    if reasons is not None:
        positive = sorted((t for t in liked if t[1] > 0), key=lambda t: -t[1])
        if positive:
            reasons.append("its doctrine favours " + ", ".join(t.replace("_", "-") for t, _ in positive[:3]))
    avoided = [t for t in option.tags if t in doctrine.avoids]
    if avoided:
        score -= AVOID_PENALTY
        if reasons is not None:
            reasons.append(f"nothing better was open, though its doctrine avoids {', '.join(avoided)}")
    tension, ceiling, step = state.tension, doctrine.escalation_ceiling, option.effects.tension
    if step > 0 and tension >= ceiling:
        score -= CEILING_PENALTY
        if reasons is not None:
            reasons.append(f"even with tension at rung {tension} ({rules.escalation.rung_name(tension)}), its ceiling of {ceiling}")
    elif step < 0 and tension >= ceiling:
        score += CEILING_PENALTY / 2
        if reasons is not None:
            reasons.append(f"tension at rung {tension} ({rules.escalation.rung_name(tension)}) has reached its ceiling of {ceiling}, so it steps back")
    firm = bool(seen.targeted or seen.escalated) and any(t in FIRM_TAGS for t in option.tags)  # asked only where it counts
    if seen.targeted and firm:
        score += THREAT_BONUS
        if reasons is not None:
            reasons.append(f"it answers '{seen.targeted}', aimed at it this turn")
    if seen.escalated and firm:
        score += RECIPROCITY
        if reasons is not None:
            reasons.append(f"it matches {seen.escalated[0]}'s '{seen.escalated[1]}' last turn")
    elif seen.offered and any(t in OPEN_TAGS for t in option.tags):
        score += RECIPROCITY
        if reasons is not None:
            reasons.append(f"it reciprocates {seen.offered[0]}'s '{seen.offered[1]}' last turn")
    if option.id == seen.last:
        score -= REPEAT_PENALTY
    return score


def _targeted_by(state: m.WorldState, scenario: m.Scenario, rules: m.Rules, seat: str) -> str | None:
    """The title of this turn's latest inject with a hostile fact (rules/facts.yaml) aimed at the seat."""
    for inject_id in reversed(state.released):
        inject = state.adhoc.get(inject_id) or scenario.inject(inject_id)
        if inject.turn != state.turn:
            break
        for fact in inject.facts:
            kind = rules.fact_kinds.get(fact.kind)
            if kind is not None and kind.hostile and fact.target == seat and fact.by != seat:
                return inject.title
    return None


def answer(state: m.WorldState, scenario: m.Scenario, rules: m.Rules, open_ob: m.OpenObligation, seed: int) -> Answer:
    ob = open_ob.obligation
    seat = scenario.seats[ob.obligor]
    doctrine = seat.doctrine
    contested = ob.status == "contested" and open_ob.ruling != "triggered"
    key = "contested" if contested else ob.kind
    fallback = {"assist": "partial", "consult": "honour", "contested": "consult"}[key]
    offered = answers_for(rules, open_ob)
    word = doctrine.answers.get(answer_key(rules, open_ob), doctrine.answers.get(key, fallback))
    if word not in offered:  # the doctrine's word is not one this article's answers use: the nearest that is
        word = next((w for w in SIMILAR.get(word, ()) if w in offered), next(iter(offered), word))
    treaty = rules.treaties[ob.treaty]
    cite = f"{treaty.label} Art. {ob.article}"
    kind = f"contested {ob.kind}" if contested else ob.kind
    reason = f"its doctrine answers {'an' if kind[0] in 'aeiou' else 'a'} {kind} obligation with '{word}'"
    if word == "honour" and ob.kind == "assist" and state.tension >= doctrine.escalation_ceiling:
        word = next((w for w in ("partial", "measures") if w in offered), word)
        reason = (f"its doctrine would honour it, but tension at rung {state.tension} "
                  f"({rules.escalation.rung_name(state.tension)}) is at its ceiling, so it gives aid short of combat")
    beneficiary = m.seat_name(scenario, rules, ob.beneficiary)
    rationale = f"{seat.name} answers its {cite} obligation to {beneficiary} with '{word}' because {reason}."
    return Answer(open_ob.id, word, rationale)


def play_turn_decisions(session: Any, seats: list[str] | None = None) -> list[Any]:
    """Have the bot seats decide and answer everything owed in this decide phase; the events logged.

    The facilitation policy (``tabletop/facilitation.py``) calls this on entering
    the decide phase. Each choice is made on the state as it stands when the
    command is given, as replay re-derives it (a bot's logged choice must be the one it makes).
    """
    events: list[Any] = []
    for seat in seats if seats is not None else [s for s, k in session.seats.items() if k == "bot"]:
        for open_ob in session.unanswered(seat):
            reply = answer(session.state, session.scenario, session.rules, open_ob, session.seed)
            events += session.answer(seat, reply.obligation, reply.answer, reply.rationale, by="bot")
        if seat in session.undecided():
            choice = decide(session.state, session.scenario, session.rules, seat, session.seed)
            events += session.decide(seat, choice.option, choice.rationale, by="bot", text=choice.text)
    return events
