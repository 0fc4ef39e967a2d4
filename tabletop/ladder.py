"""The escalation ladder read against what happened: how far a turn's facts move tension, and why.

Tension is a rung of the ladder in ``rules/escalation.yaml``. Three rules,
all data, move it at each adjudication:

* **Facts set the level.** Each fact shows a rung (``signals``: a missile test
  shows "Shows of force", an armed attack "Armed clash", one of scale war
  "Regional war"), raised by its details (casualties, scale, weapon). When the
  turn's highest fact shows a rung above tension, tension rises to it at once:
  a shelling with casualties is an armed clash, however calm the turn before.
  When two or more states act at the current rung in one turn (action and
  reaction), it climbs one more.
* **Nothing holds it up, it falls back.** A turn whose facts all show less
  than tension lets it fall by ``decay`` rungs, more with de-escalating facts
  (talks: ``relief``), never below what the turn's facts show.
* **A rung needs its facts.** A rung with ``needs`` can only be stood on while
  a fact that meets it lies in this turn or the ``within`` turns before: no
  "Armed clash" without an armed attack, whatever the signals, and when the
  attacks stop, tension comes down.

An explicit ``effects: {tension: N}`` of a scenario (an MSEL without facts, a
facilitator's assessment) adds on top, under the same ceiling. Every change
comes with one sentence naming the fact, decision or rule behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from tabletop import model as m
from tabletop.conflict import partners

GIVING = frozenset({"assistance", "guarantee"})  # facts whose target receives, not suffers, them


@attrs.frozen
class Step:
    """One move of a number, and the sentence that says why."""

    delta: int
    because: str


def _values(fact: m.Fact, name: str, rules: m.Rules) -> tuple[object, ...]:
    if name in ("by", "target", "location", "on_behalf_of"):
        value = getattr(fact, name)
    else:
        value = fact.details.get(name) if fact.details else None
    if value is None:
        spec = rules.fact_fields.get(name)  # a field left out means its default (an attack's scale is war)
        applies = spec is not None and spec.default is not None and (not spec.kinds or fact.kind in spec.kinds)
        return (spec.default,) if applies and spec is not None else ()
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def matches(test: m.FactMatch, fact: m.Fact, rules: m.Rules, seat: str | None = None) -> bool:
    """Whether one fact passes ``test`` (``states`` is a property of several facts: see :func:`met`)."""
    if fact.kind not in test.kinds:
        return False
    for name, allowed in test.fields.items():
        wanted = tuple(seat if v == "self" else v for v in allowed)
        if not any(v in wanted for v in _values(fact, name, rules)):
            return False
    for name, lowest in test.at_least.items():
        if not any(isinstance(v, int | float) and not isinstance(v, bool) and v >= lowest for v in _values(fact, name, rules)):
            return False
    if test.home is not None:
        home = fact.location is None or fact.location == fact.target or _administered(rules, fact)
        if home != test.home:
            return False
    return True


def _administered(rules: m.Rules, fact: m.Fact) -> bool:
    territory = rules.territories.get(fact.location or "")
    if territory is None or fact.date is None:
        return False
    return territory.administrator(fact.date) == fact.target


def _involved(fact: m.Fact, rules: m.Rules) -> set[str]:
    found = {s for s in (fact.by, fact.target, fact.on_behalf_of) if s}
    found.update(partners(fact, rules.canonical))
    return found


def met(test: m.FactMatch, facts: Iterable[m.Fact], rules: m.Rules) -> m.Fact | None:
    """The first fact that meets ``test`` (with ``states``: the fact that brings the states involved to that many)."""
    states: set[str] = set()
    for fact in facts:
        if not matches(test, fact, rules):
            continue
        if not test.states:
            return fact
        states |= _involved(fact, rules)
        if len(states) >= test.states:
            return fact
    return None


def read(esc: m.Escalation, fact: m.Fact, rules: m.Rules) -> tuple[int, int]:
    """The rung one fact shows and the relief it brings (rules/escalation.yaml, ``signals``)."""
    signal = esc.signals.get(fact.kind)
    if signal is None:
        return esc.bottom, 0
    return signal.read(fact, lambda test, f: matches(test, f, rules))


def level(esc: m.Escalation, fact: m.Fact, rules: m.Rules) -> int:
    """The rung one fact shows."""
    return read(esc, fact, rules)[0]


def ceiling(esc: m.Escalation, recent: Callable[[int], Sequence[m.Fact]], rules: m.Rules) -> tuple[int, m.Rung | None]:
    """The highest rung the facts allow, and the lowest rung they do not (None: the top is allowed).

    ``recent(k)`` gives the facts of this turn and the ``k`` turns before it.
    """
    allowed = esc.bottom
    for rung in esc.ladder:
        if rung.needs and not any(met(test, recent(rung.within), rules) for test in rung.needs):
            return allowed, rung
        allowed = rung.rung
    return allowed, None


@attrs.frozen
class Words:
    """How facts are named in a sentence: seats by their names, places by theirs."""

    scenario: m.Scenario
    rules: m.Rules

    def state(self, state: str | None) -> str:
        return m.seat_name(self.scenario, self.rules, state) if state else "an unnamed state"

    def states(self, states: Iterable[str]) -> str:
        return _join(self.state(s) for s in states)

    def place(self, territory: str | None) -> str:
        known = self.rules.territories.get(territory or "")
        return known.name if known else (territory or "")

    def fact(self, fact: m.Fact) -> str:
        """``the DPRK's armed attack on the ROK at Yeonpyeong (limited, with casualties)``."""
        what = fact.kind.replace("_", " ")
        text = f"{self.state(fact.by)}'s {what}" if fact.by else f"a {what}"
        if fact.target:
            text += f" {'to' if fact.kind in GIVING else 'on'} {self.state(fact.target)}"
        with_ = partners(fact, self.rules.canonical)
        if with_:
            text += " with " + _join(self.state(s) for s in with_)
        if fact.location and fact.location != fact.target:
            text += f" at {self.place(fact.location)}"
        details = fact.details or {}
        said = [str(details[k]) for k in ("scale", "class", "weapon", "type") if isinstance(details.get(k), str)]
        if details.get("casualties") is True:
            said.append("with casualties")
        return text + (f" ({', '.join(said)})" if said else "")


def move(
    esc: m.Escalation,
    rules: m.Rules,
    words: Words,
    before: int,
    facts: Sequence[m.Fact],
    recent: Callable[[int], Sequence[m.Fact]],
    explicit: Sequence[Step] = (),
) -> tuple[int, list[Step]]:
    """Tension after a turn whose facts are ``facts``, and the steps that took it there (they add up)."""
    name = esc.rung_name
    steps: list[Step] = []
    read_out = [(read(esc, f, rules), f) for f in facts]
    shown = [(lv, f) for (lv, _), f in read_out]
    top = max((lv for lv, _ in shown), default=esc.bottom)
    tension = before
    if top > tension:
        fact = next(f for lv, f in shown if lv == top)
        steps.append(Step(top - tension, f"{_cap(words.fact(fact))} took tension to {name(top)}."))
        tension = top
    elif top < tension:
        relief = [f for (_, eased), f in read_out if eased]
        drop = min(esc.max_fall, esc.decay + sum(eased for (_, eased), _ in read_out))
        after = max(top, esc.bottom, tension - drop)
        if after < tension:
            if relief:
                why = f"{_cap(_join(words.fact(f) for f in relief))} eased tension to {name(after)}."
            else:
                why = f"Nothing this turn held tension at {name(tension)}; it eased to {name(after)}."
            steps.append(Step(after - tension, why))
            tension = after
    actors = []
    for lv, fact in shown:
        if lv >= tension > esc.bottom and fact.by and fact.by not in actors:
            actors.append(fact.by)
    allowed, barred = ceiling(esc, recent, rules)
    if len(actors) >= esc.spiral and tension < esc.top:
        names = _join(words.state(s) for s in actors)
        if tension < allowed:
            steps.append(Step(1, f"{names} each acted at the level of {name(tension)} this turn, action and reaction: tension rose to {name(tension + 1)}."))
            tension += 1
        elif barred is not None:  # a rung the facts do not allow is not climbed to: say so, it is what the turn teaches
            need = barred.needs_text or "facts that are not there"
            steps.append(Step(0, f"{names} each acted at the level of {name(tension)} this turn, but {barred.name} needs {need}: tension stays at {name(tension)}."))
    for step in explicit:
        if step.delta:
            steps.append(step)
            tension += step.delta
    if tension > allowed:
        need = barred.needs_text if barred is not None and barred.needs_text else "facts that are not there"
        assert barred is not None
        steps.append(Step(allowed - tension, f"{barred.name} needs {need}: tension stays at {name(allowed)}."))
        tension = allowed
    if tension < esc.bottom:
        steps.append(Step(esc.bottom - tension, f"Tension cannot fall below {name(esc.bottom)}."))
        tension = esc.bottom
    return tension, steps


def capped(esc: m.Escalation, rules: m.Rules, tension: int, recent: Callable[[int], Sequence[m.Fact]]) -> int:
    """``tension`` within the ladder and under the ceiling the facts allow (the Security Council's effects)."""
    allowed, _ = ceiling(esc, recent, rules)
    return max(esc.bottom, min(allowed, tension))


def crossed(line: m.RedLine, seat: str, facts: Iterable[m.Fact], rules: m.Rules) -> m.Fact | None:
    """The first fact by another state that crosses the seat's red line."""
    for fact in facts:
        if fact.by != seat and matches(line.when, fact, rules, seat):
            return fact
    return None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


__all__ = ["Step", "Words", "capped", "ceiling", "crossed", "level", "matches", "met", "move"]
