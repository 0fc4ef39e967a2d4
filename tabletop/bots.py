"""Seat policies for solo play and headless runs, driven by each seat's doctrine.

A bot weighs the options its seat can take now (tabletop/conditions.py: open
this turn, their conditions met) by the tags its doctrine prefers, and by the
situation as the seat's government would read it:

- attacked on its territory since the last adjudication, a state answers in
  kind (force on its attacker, no larger than the attack) or takes a
  defensive military step (a deployment or an exercise of its own forces),
  unless its doctrine weighs that situation otherwise (``situations.attacked``);
- when an ally is attacked it stands by it (``situations.ally_attacked``);
- a fact of a kind its doctrine names (``situations.missile_test``, say) by a
  state outside its alliances calls for what its doctrine says;
- it never offers talks to a state that has just attacked it, an ally or an
  ally's ally, unless its doctrine says so (``talks_with_attacker``);
- it steers clear of raising tension at or above its ceiling, answers a
  rival's escalation last turn firmly, takes up a rival's offer of talks, and
  is a little reluctant to repeat itself.

Allies come from the treaties in force between the seats on the state's date,
never from code. How far an option raises tension is read in one place,
:func:`_pressure`. Near-ties are broken by a random number from a generator
seeded by (seed, turn, seat) alone, so the same seed gives the same choices
whatever order the seats are asked in. Every choice comes with one plain
sentence naming what prompted it: the inject, the fact or the rival's move.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from tabletop import conditions, ladder
from tabletop import model as m
from tabletop.conditions import Seen
from tabletop.game import answer_key, answers_for
from tabletop.state import tail

if TYPE_CHECKING:  # annotations only
    from tabletop.state import State

JITTER = 1.5
AVOID_PENALTY = 100.0
TALKS_PENALTY = 50.0  # talks with the state that has just attacked the seat or its allies
CEILING_PENALTY = 6.0
RECIPROCITY = 1.5
REPEAT_PENALTY = 0.75
SIMILAR = {"partial": ("measures",), "measures": ("partial",), "consult": ("honour",), "honour": ("consult",)}
FIRM_TAGS = ("deter", "alliance", "force", "signal")
OPEN_TAGS = ("diplomacy", "de_escalate")
#: How a government weighs a situation when its doctrine does not say (``doctrine.situations``).
#: Keys are option tags, or what an option does: ``in_kind`` (force on the one who acted, no
#: larger than its attack), ``defence`` (a deployment or exercise of its own forces).
DEFAULT_SITUATIONS: Mapping[str, Mapping[str, float]] = {
    "attacked": {"in_kind": 4.0, "defence": 3.0},
    "ally_attacked": {"defence": 2.0, "alliance": 2.0},
    "threatened": {"deter": 2.0, "alliance": 2.0, "force": 2.0, "signal": 2.0},
}
#: What an option's leading tag says it is for, to finish a rationale with no situation behind it.
PURPOSE = {
    "deter": "to show it can deter", "signal": "to make its position plain", "alliance": "to stand with its allies",
    "force": "to use force", "escalate": "to raise the stakes", "de_escalate": "to lower the temperature",
    "diplomacy": "to keep diplomacy going", "legal": "to keep the law on its side", "economic": "to use economic pressure",
    "information": "to win the argument", "restraint": "to avoid a clash",
}


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


def allies(rules: m.Rules, scenario: m.Scenario, seat: str, state: State) -> set[str]:
    """Seats bound to ``seat`` by a treaty in force on the state's date (tabletop/conditions.py)."""
    return conditions.allies(rules, scenario, seat, state)


def partners(rules: m.Rules, scenario: m.Scenario, seat: str, state: State) -> set[str]:
    """Seats bound to ``seat`` by a treaty signed by the state's date and not ended: not rivals, even before it binds."""
    date = state.date or scenario.start
    return conditions.treaty_partners(rules, scenario, seat, lambda t: t.signed <= date and (t.ended is None or date < t.ended))


def said(scenario: m.Scenario, rules: m.Rules, state: str | None) -> str:
    """A state as a sentence names it ("the DPRK"): the rules' short name, else the seat's name."""
    known = rules.states.get(state or "")
    return known.short if known is not None and known.short else m.seat_name(scenario, rules, state)


def _pressure(option: m.Option, rules: m.Rules, tension: int) -> int:
    """How far the bot expects ``option`` to move tension from ``tension``: the one place that estimate is made.

    Read off the ladder (tabletop/ladder.py, rules/escalation.yaml ``signals``):
    the rung its facts show above tension, less the relief they bring, plus
    any explicit tension effect the scenario gives the option.
    """
    esc = rules.escalation
    shown = [ladder.read(esc, fact, rules) for fact in option.facts]
    top = max((rung for rung, _ in shown), default=esc.bottom)
    if top > tension:
        return option.effects.tension + top - tension
    return option.effects.tension - sum(relief for _, relief in shown)


@attrs.frozen
class Prompt:
    """A situation that calls for something: its key in ``doctrine.situations``, who acted, and where it was seen."""

    key: str  # attacked | ally_attacked | threatened | a fact kind
    seen: Seen
    culprit: str | None  # the state that acted
    ally: str | None = None  # for ally_attacked: the ally attacked


@attrs.frozen
class Situation:
    """What a bot looks at besides its doctrine."""

    prompts: tuple[Prompt, ...]  # the most pressing first
    barred: frozenset[str]  # states it will not offer talks to this turn (they attacked it or its allies)
    escalated: tuple[str, str] | None  # (rival, option label) that raised tension last turn
    offered: tuple[str, str, str] | None  # (rival's id, name, option label) that offered talks last turn
    last: str | None  # the seat's own option last turn
    latest: str | None  # the title of the latest inject this turn that reached the seat


def situation(state: State, scenario: m.Scenario, rules: m.Rules, seat: str) -> Situation:
    doctrine = scenario.seats[seat].doctrine
    friends = allies(rules, scenario, seat, state)
    not_rivals = friends | partners(rules, scenario, seat, state)
    network = set(friends)
    for ally in friends:
        network |= allies(rules, scenario, ally, state)
    network.discard(seat)
    prompts: list[Prompt] = []
    barred: set[str] = set()
    injects = conditions.this_turns_injects(state, scenario)
    recent = conditions.recent(state, scenario, rules, injects=injects)
    for seen in conditions.attacks_among(recent, seat):
        prompts.append(Prompt("attacked", seen, seen.fact.by))
        barred.add(seen.fact.by or "")
    for other in sorted(network, key=list(scenario.seats).index):
        for seen in conditions.attacks_among(recent, other):
            if seen.fact.by == seat:
                continue
            barred.add(seen.fact.by or "")
            if other in friends:
                prompts.append(Prompt("ally_attacked", seen, seen.fact.by, other))
    threatened = _targeted_by(recent, state, rules, seat)
    if threatened is not None:
        prompts.append(Prompt("threatened", threatened, threatened.fact.by))
    # Drafts are voted on in the turn they are tabled: this turn's, not last turn's.
    for seen in (*conditions.drafts(state, scenario, seat, injects=injects), *(s for s in recent if s.fact.kind != "council_vote")):
        by = seen.fact.by
        if seen.fact.kind in doctrine.situations and by not in (None, seat) and by not in not_rivals:
            prompts.append(Prompt(seen.fact.kind, seen, by))
    previous = state.decisions.get(state.turn - 1, {})
    escalated = offered = None
    for other in scenario.seats:  # scenario order: deterministic; the first of each counts
        decision = previous.get(other)
        if other in not_rivals or other == seat or decision is None or decision.option is None:
            continue
        option = scenario.option(other, decision.option)
        pressure = _pressure(option, rules, state.tension)
        if escalated is None and pressure > 0:
            escalated = (said(scenario, rules, other), option.label)
        # An offer is talks with this seat that do not raise tension; a "diplomatic" show of strength is not one.
        if offered is None and pressure <= 0 and _talks_with(option, seat):
            offered = (other, said(scenario, rules, other), option.label)
        if escalated is not None and offered is not None:
            break
    mine = previous.get(seat)
    barred.discard("")
    return Situation(tuple(prompts), frozenset(barred), escalated, offered, mine.option if mine else None, _latest(state, scenario, seat))


def decide(state: State, scenario: m.Scenario, rules: m.Rules, seat: str, seed: int) -> Choice:
    """The seat's choice this turn and the one sentence that says why.

    Every option the seat can take now is scored; only the chosen one is then
    explained, by the same weighing run once more with its reasons written down.
    """
    if scenario.free_text(seat):
        return _acknowledge(state, scenario, seat)
    options = conditions.open_options(state, scenario, rules, seat)
    if not options:
        return _acknowledge(state, scenario, seat)
    doctrine = scenario.seats[seat].doctrine
    rng = rng_for(seed, state.turn, seat)
    seen = situation(state, scenario, rules, seat)
    best, best_key = options[0], (float("-inf"), 0)
    for order, option in enumerate(options):
        key = (_weigh(option, seat, doctrine, state, scenario, rules, seen) + rng.random() * JITTER, -order)
        if key > best_key:  # the first of equal keys, as max() keeps it
            best, best_key = option, key
    reasons: list[tuple[float, str]] = []
    _weigh(best, seat, doctrine, state, scenario, rules, seen, reasons)
    name = scenario.seats[seat].name
    rationale = f"{name} chose '{best.label}' {_because(best, doctrine, seen, reasons)}."
    return Choice(best.id, rationale)


def _because(option: m.Option, doctrine: m.Doctrine, seen: Situation, reasons: list[tuple[float, str]]) -> str:
    """The clause that finishes the rationale: the weightiest reason behind the choice, else what the option is for."""
    if reasons:
        return max(reasons, key=lambda r: r[0])[1]  # the first of equal weights
    liked = sorted((t for t in option.tags if doctrine.prefers.get(t, 0) > 0), key=lambda t: -doctrine.prefers[t])
    purpose = next((PURPOSE[t] for t in liked if t in PURPOSE), None) or next((PURPOSE[t] for t in option.tags if t in PURPOSE), "as its government judged best")
    return f"{purpose}, after '{seen.latest}'" if seen.latest else purpose


def _acknowledge(state: State, scenario: m.Scenario, seat: str) -> Choice:
    """A seat with no menu (an open-response exercise): a bot cannot answer in its own words, so it acknowledges and says so."""
    name = scenario.seats[seat].name
    titles, private = [], 0
    for inject_id in reversed(state.released):
        inject = state.adhoc.get(inject_id) or scenario.inject(inject_id)
        if inject.turn != state.turn:
            break
        if "all" in inject.to:
            titles.append(inject.title)
        elif seat in inject.to:  # the decision is revealed to every seat: an inject sent to it alone is counted, not named
            private += 1
    if private:
        titles.insert(0, f"{private} report(s) sent to {name} alone")
    seen = "; ".join(reversed(titles)) if titles else "this turn's situation"
    text = f"Acknowledged: {seen}."
    rationale = f"{name} is played by a bot, which cannot answer in its own words; it acknowledges what reached it so the exercise can go on."
    return Choice(None, rationale, text)


def _weigh(
    option: m.Option, seat: str, doctrine: m.Doctrine, state: State, scenario: m.Scenario, rules: m.Rules, seen: Situation,
    reasons: list[tuple[float, str]] | None = None,
) -> float:
    """How much the seat likes ``option``; with ``reasons``, also why: (weight, clause) for each thing that counted for it."""
    score = 0.0
    prefers = doctrine.prefers
    liked = [(tag, prefers[tag]) for tag in option.tags if tag in prefers]
    # The mean over all the option's tags: an option is not worth more for carrying more labels.
    score += sum(weight for _, weight in liked) / max(1, len(option.tags))
    if any(t in doctrine.avoids for t in option.tags):
        score -= AVOID_PENALTY
    pressure, tension, ceiling = _pressure(option, rules, state.tension), state.tension, doctrine.escalation_ceiling
    latest = f" after '{seen.latest}'" if seen.latest else ""
    # Attacked, a state defends itself whatever its ceiling: an answer to the attack is not escalation by choice.
    defends = any(p.key == "attacked" and _does(option, seat, p) for p in seen.prompts)
    if pressure > 0 and tension >= ceiling and not defends:
        score -= CEILING_PENALTY
    elif pressure < 0 and tension >= ceiling:
        score += CEILING_PENALTY / 2
        if reasons is not None:
            reasons.append((CEILING_PENALTY / 2, f"to keep the crisis from going further{latest}"))
    answered: set[str] = set()
    for prompt in seen.prompts:
        if prompt.key in answered:  # each kind of situation counts once, the most pressing of it
            continue
        weights = doctrine.situations.get(prompt.key, DEFAULT_SITUATIONS.get(prompt.key, {}))
        does = _does(option, seat, prompt)
        matched = [(weights[k], k) for k in (*does, *option.tags) if k in weights and weights[k] > 0]
        if not matched:
            continue
        answered.add(prompt.key)
        bonus, how = max(matched)
        score += bonus
        if reasons is not None:
            reasons.append((bonus, _clause(prompt, how, scenario, rules)))
    if not doctrine.talks_with_attacker:
        shunned = [s for s in seen.barred if _talks_with(option, s)]
        if shunned:
            score -= TALKS_PENALTY
    if seen.escalated and _firm(option):
        score += RECIPROCITY
        if reasons is not None:
            reasons.append((RECIPROCITY, f"in answer to {seen.escalated[0]}'s '{seen.escalated[1]}' last turn"))
    elif seen.offered and _talks_with(option, seen.offered[0]) and seen.offered[0] not in seen.barred:
        score += RECIPROCITY
        if reasons is not None:
            reasons.append((RECIPROCITY, f"to take up {seen.offered[1]}'s '{seen.offered[2]}' last turn"))
    if option.id == seen.last:
        score -= REPEAT_PENALTY
    return score


def _does(option: m.Option, seat: str, prompt: Prompt) -> list[str]:
    """What ``option`` does about ``prompt``, in the words of ``doctrine.situations``: in_kind, defence."""
    out = []
    culprit = prompt.culprit
    attack = prompt.seen.fact
    if culprit is not None and prompt.key in ("attacked", "ally_attacked"):
        blows = [f for f in option.facts if f.kind == "armed_attack" and f.target == culprit]
        if blows and all(_scale(f) <= _scale(attack) for f in blows):
            out.append("in_kind")
    if any(f.kind in ("deployment", "exercise") and f.by == seat for f in option.facts):
        out.append("defence")
    return out


def _scale(fact: m.Fact) -> int:
    """An attack's size for proportion: limited below war (rules/facts.yaml: war is the default)."""
    return 0 if fact.details.get("scale") == "limited" else 1


def _clause(prompt: Prompt, how: str, scenario: m.Scenario, rules: m.Rules) -> str:
    """Why, in plain words, naming the inject or the decision that prompted it."""
    where = _where(prompt.seen, scenario, rules)
    culprit = said(scenario, rules, prompt.culprit)
    if prompt.key == "attacked":
        if how == "in_kind":
            return f"to answer in kind the armed attack by {culprit} in {where}"
        if how == "defence":
            return f"to defend itself after the armed attack by {culprit} in {where}"
        return f"in answer to the armed attack by {culprit} in {where}"
    if prompt.key == "ally_attacked":
        ally = said(scenario, rules, prompt.ally)
        if how == "in_kind":
            return f"to strike back with {ally}, its ally, after the armed attack by {culprit} in {where}"
        return f"to stand by {ally}, its ally, after the armed attack by {culprit} in {where}"
    if prompt.key == "threatened":
        return f"in answer to {where}, aimed at it this turn"
    kind = prompt.seen.fact.kind.replace("_", " ")
    return f"in answer to the {kind} by {culprit} in {where}"


def _where(seen: Seen, scenario: m.Scenario, rules: m.Rules) -> str:
    """Where a fact was seen, as a sentence quotes it: an inject's title, a seat's option, a seat's answer."""
    if seen.inject:  # a decision's rationale is revealed to every seat: an inject sent to some only is not quoted
        return f"'{seen.source}'" if seen.public else "a report sent to it alone"
    who = said(scenario, rules, seen.seat)
    whose = f"{who}'" if who.endswith("s") else f"{who}'s"
    if seen.answer:
        return f"{whose} answer under the {seen.source}"
    return f"{whose} '{seen.source}'" if seen.source else f"what {who} did"


def _firm(option: m.Option) -> bool:
    """A firm answer: a show of strength or of solidarity, not an offer of talks."""
    return any(t in FIRM_TAGS for t in option.tags) and not any(f.kind == "talks" for f in option.facts) and "de_escalate" not in option.tags


def _talks_with(option: m.Option, state: str) -> bool:
    """Does ``option`` offer talks to ``state``: a talks fact that names it among its partners, or names none (open to all)?"""
    for fact in option.facts:
        if fact.kind == "talks":
            partners = fact.details.get("with") or ()
            if not partners or state in (partners if isinstance(partners, (list, tuple)) else (partners,)):
                return True
    return False


def _latest(state: State, scenario: m.Scenario, seat: str) -> str | None:
    """The title of the latest inject released this turn that reached the seat."""
    for inject_id in reversed(tail(state.released, len(state.released) - len(state.released_now))):
        inject = state.adhoc.get(inject_id) or scenario.inject(inject_id)
        if inject.turn == state.turn and "all" in inject.to:  # the rationale is revealed to all: only a public inject is named
            return inject.title
    return None


def _targeted_by(recent: list[Seen], state: State, rules: m.Rules, seat: str) -> Seen | None:
    """This turn's latest inject fact that is hostile (rules/facts.yaml) and aimed at the seat, other than an armed attack."""
    for seen in recent:  # the latest first, this turn's injects before anything else
        if not seen.inject or seen.turn != state.turn:
            break
        fact = seen.fact
        kind = rules.fact_kinds.get(fact.kind)
        if kind is not None and kind.hostile and fact.kind != "armed_attack" and fact.target == seat and fact.by != seat:
            return seen
    return None


def answer(state: State, scenario: m.Scenario, rules: m.Rules, open_ob: m.OpenObligation, seed: int) -> Answer:
    """The seat's answer to an obligation it owes, by its doctrine, and one plain sentence on why."""
    ob = open_ob.obligation
    seat = scenario.seats[ob.obligor]
    doctrine = seat.doctrine
    table = answer_key(rules, open_ob)
    contested = table == "contested"
    key = table if table in ("contested", "consult") else ob.kind  # a ruling of consultation only is answered as a consult article
    fallback = {"assist": "partial", "consult": "honour", "contested": "consult"}[key]
    offered = answers_for(rules, open_ob)
    word = doctrine.answers.get(table, doctrine.answers.get(key, fallback))
    if word not in offered:  # the doctrine's word is not one this article's answers use: the nearest that is
        word = next((w for w in SIMILAR.get(word, ()) if w in offered), next(iter(offered), word))
    treaty = rules.treaties[ob.treaty]
    cite = f"{treaty.label} Art. {ob.article}"
    beneficiary = said(scenario, rules, ob.beneficiary)
    if ob.attacker and ob.attacker not in (ob.obligor, ob.beneficiary):
        what = f", after the {'armed attack' if ob.kind == 'assist' else 'danger'} from {said(scenario, rules, ob.attacker)}"
    else:
        what = ""
    # In proportion: force answers a limited attack only where the article leaves nothing short of force that honours it.
    short = next((w for w, e in offered.items() if e.honours and not e.force), None)
    forceful = word in offered and offered[word].force
    proportion = forceful and ob.scale == "limited" and short is not None
    held_back = forceful and not proportion and state.tension >= doctrine.escalation_ceiling and short is not None
    if proportion or held_back:
        word = short or word
    if proportion:
        why = f"to stand by {beneficiary} short of force, in proportion to the limited attack from {said(scenario, rules, ob.attacker)}"
    elif held_back:
        why = f"to help {beneficiary} short of combat without widening the fighting{what}"
    elif word == "honour":
        why = f"to keep its word to {beneficiary}{what}"
    elif word == "partial":
        why = f"to help {beneficiary} short of combat{what}"
    elif word == "measures":
        why = f"to meet the common danger by means short of force{what}"
    elif word == "consult":
        why = f"to talk with {beneficiary} before committing itself{what}"
    elif contested:
        why = f"because it doubts the article applies here{what}"
    else:
        why = f"because it will not be drawn in{what}"
    rationale = f"{seat.name} answers its {cite} obligation to {beneficiary} with '{word}' {why}."
    return Answer(open_ob.id, word, rationale)


def play_turn_decisions(session: Any, seats: list[str] | None = None) -> list[Any]:
    """Have the bot seats decide and answer everything owed in this decide phase; the events logged.

    The facilitation policy (``tabletop/facilitation.py``) calls this on entering
    the decide phase. Each choice is made on the state as it stands when the
    command is given, as ``verify --bots`` re-derives it (replay.check_bot).
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
