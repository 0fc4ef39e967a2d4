"""Which options a seat can take in the situation: the one place that reads an option's ``requires:``.

An option may require a situation (``model.Condition``): a Security Council
draft tabled this turn, an armed attack on the deciding seat, a treaty in
force. Every list of options a person or a bot is offered (the board's option
list, the hot seat, the bots, the server's client) and the game's check of a
decision go through :func:`open_options` and :func:`unmet`, so what is offered
and what is accepted never differ. Everything here is a pure function of the
scenario, the rules and the state.

"This turn" means since the last adjudication: the injects released in this
turn, and what the previous turn's decisions and answers did, since those take
effect when that turn is adjudicated. A draft is tabled by a decision already
taken this turn (the seats decide in the scenario's order in headless play) or
by an inject released this turn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from tabletop import model as m
from tabletop.state import State, tail
from tabletop.treaties import binds, force_fact


@attrs.frozen
class Seen:
    """A fact and where it came from, in words a rationale can quote."""

    fact: m.Fact
    turn: int  # the turn whose decide phase first sees it
    source: str  # the inject's title, the option's label, or the treaty's label for an answer
    inject: bool  # True: an inject released that turn; False: a decision or answer
    seat: str | None = None  # the seat that decided or answered
    answer: bool = False  # an answer to an obligation under the treaty ``source`` names
    public: bool = True  # an inject sent to every seat (a rationale, revealed to all, never quotes one that was not)


def open_options(state: State, scenario: m.Scenario, rules: m.Rules, seat: str) -> tuple[m.Option, ...]:
    """The options ``seat`` can take now: open in this turn, and their conditions met."""
    return tuple(o for o in scenario.options_for(seat, state.turn) if o.requires is None or met(o.requires, state, scenario, rules, seat))


def unmet(option: m.Option, state: State, scenario: m.Scenario, rules: m.Rules, seat: str) -> str | None:
    """None if ``seat`` can take ``option`` in this situation, else what it lacks, in words."""
    if option.requires is None or met(option.requires, state, scenario, rules, seat):
        return None
    return f"it requires {describe(option.requires, scenario, rules)}"


def met(condition: m.Condition, state: State, scenario: m.Scenario, rules: m.Rules, seat: str) -> bool:
    if condition.council_draft is not None and not drafts(state, scenario, seat, condition.council_draft, name=condition.council_draft_name):
        return False
    if condition.attacked is not None and not _attacked(condition.attacked, state, scenario, rules, seat):
        return False
    if condition.treaty_in_force is not None and not _treaty_in_force(condition.treaty_in_force, state, scenario, rules):
        return False
    return not condition.any_of or any(met(c, state, scenario, rules, seat) for c in condition.any_of)


def _attacked(attacked: m.Attacked, state: State, scenario: m.Scenario, rules: m.Rules, seat: str) -> bool:
    on = attacked.on
    targets = [seat] if on == "self" else sorted(allies(rules, scenario, seat, state)) if on == "ally" else [on]
    return any(attacks_on(state, scenario, rules, target, attacked.within, attacked.by) for target in targets)


def allies(rules: m.Rules, scenario: m.Scenario, seat: str, state: State) -> set[str]:
    """Seats bound to ``seat`` by a treaty of the scenario in force on the state's date: allies come from treaties, never from code."""
    date = state.date or scenario.start
    return treaty_partners(rules, scenario, seat, lambda treaty: binds(treaty, date))


def treaty_partners(rules: m.Rules, scenario: m.Scenario, seat: str, keep: Callable[[m.Treaty], bool]) -> set[str]:
    """The other seats of the scenario's treaties that ``seat`` is party to and ``keep`` accepts."""
    found: set[str] = set()
    for treaty in rules.treaties.values():
        if scenario.treaties is not None and treaty.id not in scenario.treaties:
            continue
        if seat in treaty.parties and keep(treaty):
            found.update(p for p in treaty.parties if p != seat and p in scenario.seats)
    return found


def describe(condition: m.Condition, scenario: m.Scenario, rules: m.Rules) -> str:
    """The condition in words ("a Security Council draft by the US tabled this turn")."""
    parts = []
    if condition.council_draft is not None:
        by = "" if condition.council_draft == "any" else f" by {m.seat_name(scenario, rules, condition.council_draft)}"
        name = f" {condition.council_draft_name!r}" if condition.council_draft_name else ""
        parts.append(f"a Security Council draft{name}{by} tabled this turn")
    if condition.attacked is not None:
        by = f" by {m.seat_name(scenario, rules, condition.attacked.by)}" if condition.attacked.by else ""
        when = "this turn" if not condition.attacked.within else f"this turn or in the {condition.attacked.within} before it"
        on = {"self": "the seat", "ally": "an ally"}.get(condition.attacked.on) or m.seat_name(scenario, rules, condition.attacked.on)
        parts.append(f"an armed attack on {on}{by} {when}")
    if condition.treaty_in_force is not None:
        treaty = rules.treaties.get(condition.treaty_in_force)
        parts.append(f"the {treaty.label if treaty else condition.treaty_in_force} in force")
    if condition.any_of:
        parts.append("one of: " + "; ".join(describe(c, scenario, rules) for c in condition.any_of))
    return " and ".join(parts)


def _treaty_in_force(treaty_id: str, state: State, scenario: m.Scenario, rules: m.Rules) -> bool:
    treaty = rules.treaties.get(treaty_id)
    if treaty is None or (scenario.treaties is not None and treaty_id not in scenario.treaties):
        return False
    return binds(treaty, state.date or scenario.start)


def drafts(state: State, scenario: m.Scenario, seat: str, by: str = "any", injects: Sequence[Seen] | None = None,
           name: str | None = None) -> list[Seen]:
    """Security Council drafts tabled this turn by another seat (``by``: that seat, or ``any``; ``name``: only the draft of that name).

    ``injects`` are :func:`this_turns_injects`, for a caller that has them already (a bot reads them twice).
    """
    found = []
    for other, decision in state.decisions.get(state.turn, {}).items():
        if other == seat or decision.option is None:
            continue
        option = scenario.option(other, decision.option)
        for fact in option.facts:
            if fact.kind == "council_vote" and fact.by == other and by in ("any", other) and _named(fact, name):
                found.append(Seen(fact, state.turn, option.label, False, other))
    for seen in this_turns_injects(state, scenario) if injects is None else injects:
        fact = seen.fact
        if fact.kind == "council_vote" and fact.by != seat and by in ("any", fact.by) and _named(fact, name):
            found.append(seen)
    return found


def _named(fact: m.Fact, name: str | None) -> bool:
    return name is None or str(fact.details.get("draft", "")) == name


def this_turns_injects(state: State, scenario: m.Scenario) -> list[Seen]:
    """The facts of the injects released in this turn, in release order."""
    out: list[Seen] = []
    for inject_id in tail(state.released, len(state.released) - len(state.released_now)):  # released_now: this turn's, scripted and ad hoc
        inject = state.adhoc.get(inject_id) or scenario.inject(inject_id)
        if inject.turn == state.turn:
            out.extend(Seen(f, state.turn, inject.title, True, public="all" in inject.to) for f in inject.facts)
    return out


def decided(state: State, scenario: m.Scenario, rules: m.Rules, turn: int) -> list[Seen]:
    """What turn ``turn``'s decisions and answers did (the facts its adjudication asserted), seen in the turn after it."""
    from tabletop.game import answers_for  # game imports this module

    out: list[Seen] = []
    if turn < 1 or turn not in state.adjudicated:
        return out
    for seat, decision in state.decisions.get(turn, {}).items():
        if decision.option is None:
            continue
        option = scenario.option(seat, decision.option)
        out.extend(Seen(f, turn + 1, option.label, False, seat) for f in option.facts)
    for seat, assessed in state.assessments.get(turn, {}).items():
        out.extend(Seen(f, turn + 1, "", False, seat) for f in assessed.facts)
    obligations = state.obligations
    date = scenario.turn(turn).end
    for ob_id, answer in state.answers.get(turn, {}).items():
        open_ob = obligations[ob_id]
        ob = open_ob.obligation
        effect = answers_for(rules, open_ob).get(answer.answer)  # as Game._changes reads it
        if effect is not None and effect.force:
            fact = force_fact(ob, date)
            if fact is not None:
                treaty = rules.treaties[ob.treaty].label if ob.treaty in rules.treaties else ob.treaty
                out.append(Seen(fact, turn + 1, treaty, False, ob.obligor, answer=True))
    return out


def recent(state: State, scenario: m.Scenario, rules: m.Rules, within: int = 0, injects: Sequence[Seen] | None = None) -> list[Seen]:
    """Every fact seen since the last adjudication, and in the ``within`` turns before it; the latest first.

    ``injects`` as for :func:`drafts`.
    """
    out = list(reversed(this_turns_injects(state, scenario) if injects is None else injects))
    for back in range(within + 1):
        if back:  # an earlier turn: its injects too
            out.extend(reversed(_injects_of(state, scenario, state.turn - back)))
        out.extend(reversed(decided(state, scenario, rules, state.turn - 1 - back)))
    return out


def _injects_of(state: State, scenario: m.Scenario, turn: int) -> list[Seen]:
    """The facts of the injects released in turn ``turn``, in release order.

    Injects are released in their own turn (``Game.decide`` refuses any other),
    so the released ids run turn by turn: read from the latest back to the
    turn before ``turn``, not over the whole exercise.
    """
    found: list[m.Inject] = []
    for inject_id in reversed(state.released):
        inject = state.adhoc.get(inject_id) or scenario.inject(inject_id)
        if inject.turn < turn:
            break
        if inject.turn == turn:
            found.append(inject)
    return [Seen(f, turn, inject.title, True, public="all" in inject.to) for inject in reversed(found) for f in inject.facts]


def attacks_on(state: State, scenario: m.Scenario, rules: m.Rules, seat: str, within: int = 0, by: str | None = None) -> list[Seen]:
    """Armed attacks on ``seat`` since the last adjudication (and ``within`` turns before), the latest first."""
    return attacks_among(recent(state, scenario, rules, within), seat, by)


def attacks_among(seen: list[Seen], seat: str, by: str | None = None) -> list[Seen]:
    """The armed attacks on ``seat`` among ``seen`` (by ``by``, if given), in their order."""
    return [
        s for s in seen
        if s.fact.kind == "armed_attack" and s.fact.target == seat and s.fact.by not in (None, seat) and (by is None or s.fact.by == by)
    ]
