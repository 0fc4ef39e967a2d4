"""The model of the conflict the rule engine reads: who fights whom, in which war, and who began it.

Treaty articles do not ask whether the attacked state struck *this* attacker
first: they ask whether it suffered an armed attack "by any State or coalition
of States" (USSR-DPRK 1961), "by any state or several states jointly"
(PRC-DPRK 1961), an "armed invasion" (Russia-DPRK 2024), an "external armed
attack" (the US understanding of US-ROK 1953). Whether the attacked state is a
victim depends on the war the attack belongs to, and on which side began it.
So, before any article is read, the facts are grouped into wars:

* An armed attack (or a declared state of war) puts the attackers -- ``by`` and
  its ``with:`` partners, a coalition -- and the state they act for
  (``on_behalf_of``: collective self-defence, unless no attack on that state
  is on record: a claim void on its face places nobody) on one side, and the
  attacked state on the other.
* The attack belongs to the war in which an attacker (or the state it acts for)
  already fights the attacked state. Failing that, the attackers join the war
  the attacked state fights (the first it joined that none of them is in yet),
  on the other side: a state that strikes the aggressor joins the victim's
  side, one that strikes the victim joins the aggressor's -- if the strike is
  made where that war is fought (a region in common with a place it has been
  fought in, rules/geography.yaml): a strike on Russia in Primorye while
  Russia fights Ukraine in Europe is no part of that war, and being the
  aggressor there takes nothing from Russia's standing against it. Nor does a
  full-scale attack or a declaration join a war of limited attacks alone (a
  clash between others): the DPRK invading the ROK during an ROK-US exchange
  of fire begins its own war, which it began. A strike
  far from every war of the attacked state, or on a state that fights no war,
  begins a new one. An attack within one side blurs the
  side of its attackers (they now fight both sides), not the attacked state's,
  which did nothing: it keeps the standing it had, so a victim struck by a
  state its side had counted as a friend still suffered an armed attack. Such
  an attack places no state it merely acts for either: a state named as the
  one defended, by an act whose own side cannot be told, joins the war only
  when it fights.
* The side of the war's first armed attack began it. A first attack that
  claims self-defence (``self_defence: true``, or ``on_behalf_of`` a state
  struck by the attacked one in a war that goes on) with no armed attack on
  record to answer, a war declared by one side and first
  fought by the other, and a state found on both sides (or one that attacks its
  own side) leave who began it disputed: the engine says ``contested``, with why.

A war ends (rules/facts.yaml), and an attack after its end begins a new one,
read afresh: who fights whom and who began it:

* with a fact of a kind that ``ends`` it between states on its two sides (a
  ceasefire or armistice ends the hostilities, a peace the war itself): the
  sides stop fighting, though only a peace ends a state of war (the Korean
  Armistice of 1953 ended the fighting, not the war);
* by lapse, when it was fought only with limited armed attacks and its sides
  have not fought for more than ``lapse_days``: a skirmish of five years ago
  is no war today, and self-defence answers an attack only while it is
  necessary and immediate. A full-scale attack or a declared state of war
  never lapses: it takes a fact to end it.

Each act is read as it comes, in date order (the order of the facts within a
date): what it says about who began the war is fixed when it is made, so a
later fact never rewrites it. The model is pure: it is rebuilt from the facts
on every resolution and holds nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Protocol

from tabletop import model as m

WAR_KINDS = frozenset({"armed_attack", "state_of_war"})


class Names(Protocol):
    def state(self, state: str | None, treaty: m.Treaty | None = None) -> str: ...

    def states(self, states: Iterable[str | None], treaty: m.Treaty | None = None) -> str: ...

    def place(self, territory: str | None) -> str: ...


def full_scale(fact: m.Fact) -> bool:
    """An armed attack of scale ``war`` (the default): it puts the attacked state in a state of war by itself."""
    scale = fact.details.get("scale") if fact.details else None
    return scale is None or scale == "war"


def partners(fact: m.Fact, canonical: Callable[[str], str]) -> tuple[str, ...]:
    """The states of a fact's ``with:``, by id."""
    value = fact.details.get("with") if fact.details else None
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else [value]
    return tuple(canonical(str(x)) for x in items)


class Act:
    """One armed attack or declaration of war, as the model read it when it was made.

    ``started`` says whether the attacked state's side began the war the act
    belongs to: ``no``, ``yes`` or ``disputed``; ``why`` words it (empty for
    ``no``). ``responds`` marks an act that answers aggression by the attacked
    state's side (it is self-defence, individual or collective).
    """

    __slots__ = ("number", "fact", "when", "attackers", "words", "claim", "war", "side", "started", "why", "individual", "baseless",
                 "late")

    def __init__(self, number: int, fact: m.Fact, when: dt.date, attackers: tuple[str, ...], words: str) -> None:
        self.number = number  # 1-based place among all facts (history and new)
        self.fact = fact
        self.when = when
        self.attackers = attackers
        self.words = words  # "the armed attack by the DPRK on the ROK at Seoul on 2025-01-15"
        self.claim = bool(fact.on_behalf_of) or fact.details.get("self_defence") is True
        self.war: War | None = None
        self.side = 0
        self.started = "no"
        self.why = ""
        self.individual: frozenset[str] = frozenset()  # attackers already attacked in this war
        # a claim to act for a state (on_behalf_of) that no armed attack on it is on record to answer, and no
        # self-defence of its own: void on its face (Nicaragua, paras. 195, 199), it neither places that state nor blurs who began
        self.baseless = False
        # an answer in self-defence made more than immediacy_days after the last attack on its maker in this war:
        # the days, and that attack (Conflict.add)
        self.late: tuple[int, Act] | None = None

    @property
    def ref(self) -> str:
        return f"fact {self.number}: {self.words}"

    @property
    def responds(self) -> bool:
        return self.started == "yes"


class War:
    """Two sides, the act that began the war and its first armed attack, and states whose side is unclear.

    ``last`` is the date of its latest act; ``limited`` holds while it has been
    fought only with limited armed attacks (so it may lapse); ``ended`` says why
    it is over ("" while it goes on).
    """

    __slots__ = ("side", "order", "first", "first_attack", "blurred", "attacked", "last", "limited", "ended", "pairs", "regions", "left",
                 "hit")

    def __init__(self, first: Act) -> None:
        self.side: dict[str, int] = {}
        self.order: tuple[list[str], list[str]] = ([], [])  # members of each side, in order of joining
        self.first = first
        self.first_attack: Act | None = None
        self.blurred: dict[str, str] = {}  # state -> why its side cannot be told
        self.attacked: set[str] = set()
        self.last = first.when
        self.limited = True
        self.ended = ""
        # (attacker, attacked, grave) of each of its acts; grave: full scale or declared, or made once the war was more than limited
        self.pairs: list[tuple[str, str, bool]] = []
        self.regions: set[str] | None = set()  # where it has been fought; None once an act's place says nothing
        self.left: dict[str, str] = {}  # state -> why it fights no more in this war, which goes on without it (a ceasefire of its own)
        self.hit: dict[str, Act] = {}  # state -> the latest armed attack on it in this war

    def verdict(self, state: str, names: Names) -> tuple[str, str]:
        """Whether ``state``'s side began this war: ``no``, ``yes`` or ``disputed``, and why in words."""
        blurred = self.blurred.get(state)
        if blurred is not None:
            return "disputed", blurred
        mine = self.side.get(state)
        first, attack = self.first, self.first_attack
        who = names.state(state)
        if attack is None:  # declared, not yet fought
            if first.side == mine:
                return "yes", _own(who, first, state, "declared")
            return "no", ""
        if attack is not first and attack.side != first.side:
            return "disputed", (
                f"{names.states(first.attackers)} declared the war ({first.ref}), "
                f"but {names.states(attack.attackers)} made the first armed attack ({attack.ref})"
            )
        if attack.claim and not attack.baseless:
            helper = attack.fact.on_behalf_of
            defended = names.state(helper) if helper else names.states(attack.attackers)
            return "disputed", (
                f"{names.states(attack.attackers)} began the war ({attack.ref}) saying it acted in "
                f"{'collective ' if helper else ''}self-defence, though no armed attack by "
                f"{names.state(attack.fact.target)} on {defended} is on record"
            )
        if attack.side == mine:
            return "yes", _own(who, attack, state, "began")
        return "no", ""

    def summary(self, names: Names, this: Act | None = None) -> str:
        """The war in a phrase a facilitator reads: its sides, and which side struck first with which fact.

        ``this``: the act the sentence is about, named as such rather than described again.
        """
        first, attack = self.first, self.first_attack
        begun = first.side
        war = f"the war of {names.states(self.order[begun])} against {names.states(self.order[1 - begun])}"

        def ref(act: Act) -> str:
            if act is this:
                return f"with this {'declaration' if act.fact.kind == 'state_of_war' else 'attack'}, fact {act.number}"
            return act.ref

        if attack is None:
            return f"{war}, which {names.states(first.attackers)} declared ({ref(first)}) and nobody has yet fought"
        lead = names.states(attack.attackers)
        if set(attack.attackers) >= set(self.order[attack.side]):
            struck = lead
        else:
            struck = possessive(lead) + " side" if len(attack.attackers) == 1 else f"the side of {lead}"
        if attack is not first:
            if attack.side != first.side:
                return f"{war}, which {names.states(first.attackers)} declared ({ref(first)}) and {struck} fought first ({ref(attack)})"
            return f"{war}, which {names.states(first.attackers)} declared ({ref(first)}) and in which {struck} struck first ({ref(attack)})"
        claim = " saying it acted in self-defence" if attack.claim else ""
        if attack.baseless:
            helper = names.state(attack.fact.on_behalf_of)
            claim = (f" saying it acted in collective self-defence of {helper}, though no armed attack by "
                     f"{names.state(attack.fact.target)} on {helper} is on record")
        return f"{war}, in which {struck} struck first ({ref(attack)}){claim}"


def _when(act: Act) -> dt.date:
    return act.when


def _own(who: str, act: Act, state: str, verb: str) -> str:
    """That ``state`` began (or declared) the war with ``act``, itself or by its side."""
    if state in act.attackers:
        return f"{who} {verb} the war itself ({act.ref})"
    return f"{who} fights on the side that {verb} the war ({act.ref})"


def possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


class Conflict:
    """Every war the facts so far make, built one act at a time (see the module docstring)."""

    def __init__(self, names: Names, lapse_days: int | None = None,
                 regions: Callable[[m.Fact], frozenset[str]] | None = None, immediacy_days: int | None = None) -> None:
        self.names = names
        self.lapse_days = lapse_days
        self.immediacy_days = immediacy_days
        self.regions = regions  # the regions where a fact happened (empty: not known); None: every war is everywhere
        self.wars: list[War] = []  # every war, over or not
        self.of: dict[str, list[War]] = {}  # state -> the wars it fights and that go on, in the order it joined them
        # state -> the states it attacked or was attacked by in a war that goes on, whatever their sides (with how many acts)
        self.struck: dict[str, dict[str, int]] = {}
        self._day: dt.date | None = None

    def advance(self, day: dt.date) -> None:
        """End every war of limited attacks alone whose sides have not fought for more than ``lapse_days`` by ``day``."""
        lapse = self.lapse_days
        if lapse is None or day == self._day:
            return
        self._day = day
        for war in self.wars:
            if not war.ended and war.limited and (day - war.last).days > lapse:
                self._close(war, f"over: its sides had not fought for more than {lapse} days after {war.last}, "
                                 "and it was fought only with limited attacks")

    def end(self, act: Act, covered: Iterable[str] = ()) -> None:
        """A fact that ends a war between states on its two sides (a ceasefire, an armistice, a peace).

        Made by the states that began it (every state that made its first act
        and the state that act was aimed at), it ends the war for every state
        in it. Made by others, it stops the fighting between them, and a
        signatory that then fights nobody in the war leaves it: the war goes on
        between the rest (a US-China ceasefire in a war the DPRK began on the
        ROK takes China out, and leaves the US fighting the DPRK; should China
        strike again where the war goes on, it is back in it). ``covered``
        are states whose forces a signatory commands, so that it signs for them
        too (an armistice signed by the UN Command covers the ROK's forces).
        """
        self.advance(act.when)
        target = act.fact.target or ""
        signed = {*act.attackers, target, *covered}
        # wars in which two signatories fight on opposite sides (a state covered signs through its commander, who may not
        # have fought in it), in the order the attacked state joined them
        wars = []
        for state in (target, *covered):
            for w in self.of.get(state, ()):
                sides = {w.side[s] for s in signed if s in w.side and s not in w.left}
                if len(sides) == 2 and w not in wars:
                    wars.append(w)
        why = f"ended its part in it with {act.ref}"
        for war in wars:
            first = war.first
            if signed >= {*first.attackers, first.fact.target}:
                self._close(war, f"ended by {act.ref}")
                continue
            # The fighting stops between the signatories; a signatory leaves the war once it fights nobody in it.
            side = war.side
            kept = []
            for pair in war.pairs:
                a, b, _ = pair
                if a in signed and b in signed and side[a] != side[b]:
                    self._unstrike(a, b)
                else:
                    kept.append(pair)
            war.pairs = kept
            fighting = {s for a, b, _ in kept for s in (a, b)}
            leaving = [s for s in sorted(signed) if s in side and s not in fighting]
            self._leave(war, leaving, why)

    def _leave(self, war: War, states: list[str], why: str) -> None:
        """``states`` fight no more in ``war``, which goes on without them."""
        for state in states:
            war.left[state] = why
            wars = self.of.get(state)
            if wars is not None and war in wars:
                wars.remove(war)
                if not wars:
                    del self.of[state]

    def _close(self, war: War, why: str) -> None:
        war.ended = why
        for state in war.side:
            wars = self.of.get(state)
            if wars is not None and war in wars:
                wars.remove(war)
                if not wars:
                    del self.of[state]
        for a, b, _ in war.pairs:
            self._unstrike(a, b)
        war.pairs = []

    def _unstrike(self, a: str, b: str) -> None:
        """One attack between ``a`` and ``b`` counts no more (its war is over for them)."""
        struck = self.struck
        for x, y in ((a, b), (b, a)):
            mine = struck[x]
            mine[y] -= 1
            if not mine[y]:
                del mine[y]
                if not mine:
                    del struck[x]

    def opposed(self, a: str | None, b: str | None) -> War | None:
        """The first war in which ``a`` and ``b`` fight on opposite sides, if any."""
        for war in self.of.get(a or "", ()):
            theirs = war.side.get(b or "")
            if theirs is not None and theirs != war.side[a or ""] and b not in war.left:
                return war
        return None

    def _allied(self, a: str, b: str | None) -> War | None:
        for war in self.of.get(a, ()):
            if war.side.get(b or "") == war.side[a] and b not in war.left:
                return war
        return None

    def enemies(self, state: str | None) -> set[str]:
        """Every state that fights ``state``: on the other side of one of its wars, or in an attack between the two.

        Fights: has struck or been struck. A state only named as the one an attack was made for (``on_behalf_of``)
        stands on a side, but is fighting nobody: a third state's claim to act for it is no request of its own.
        """
        struck = self.struck
        out: set[str] = set(struck.get(state or "", ()))
        for war in self.of.get(state or "", ()):
            mine = war.side[state or ""]
            out.update(s for s in war.order[1 - mine] if s in struck and s not in war.left)
        return out

    def clash(self, a: str | None, b: str | None) -> War | None:
        """The war in which ``a`` and ``b``, enemies, have fought each other only with limited attacks; None if any of it was more.

        More: a full-scale attack or a declared state of war between the two, a
        limited one made in a war that was already more than limited (it takes
        part in that war), or, where neither struck the other, opposite sides
        of a war that is more than limited. A clash is not a war between them:
        armed conflict does not by itself suspend a treaty between its parties
        (ILC Draft Articles on the Effects of Armed Conflicts on Treaties, 2011,
        Art. 3), so an ally that fought its ally in a clash may still owe it help
        against a third state.
        """
        found = None
        for war in self.of.get(a or "", ()):
            if b not in war.side or b in war.left:
                continue
            direct = [grave for x, y, grave in war.pairs if (x, y) in ((a, b), (b, a))]
            if direct:
                if any(direct):
                    return None
            elif war.side[a or ""] == war.side[b or ""]:
                continue  # on one side, and neither struck the other: not fighting each other in this war
            elif not war.limited:
                return None
            found = found or war
        return found

    def _join(self, war: War, state: str, side: int, act: Act) -> None:
        have = war.side.get(state)
        if state in war.left:  # it had left the war with a ceasefire of its own, and fights in it again
            del war.left[state]
            self.of.setdefault(state, []).append(war)
        if have is None:
            war.side[state] = side
            war.order[side].append(state)
            self.of.setdefault(state, []).append(war)
        elif have != side and state not in war.blurred:
            names = self.names
            war.blurred[state] = f"{names.state(state)} has fought on both sides since {act.ref}"

    def add(self, act: Act) -> None:
        """Read one armed attack or declaration of war into the model; fills in ``act``'s reading."""
        self.advance(act.when)
        fact = act.fact
        target, helper = fact.target or "", fact.on_behalf_of
        attackers = act.attackers
        full = fact.kind != "armed_attack" or full_scale(fact)  # a full-scale attack or a declaration
        war = None
        for attacker in attackers:
            war = self.opposed(attacker, target)
            if war is not None:
                break
        if war is None and helper is not None:
            war = self.opposed(helper, target)
        new = within = False
        if war is None:
            war = next((w for a in attackers if (w := self._allied(a, target)) is not None), None)
            if war is not None:  # an attack within one side: its attackers' side can no longer be told
                within = True
                names = self.names
                why = f"{names.states(attackers)} and {names.state(target)} had fought on the same side until {act.ref}"
                for state in attackers:  # not the attacked state: it did nothing, and keeps its standing
                    war.blurred.setdefault(state, why)
        if war is None:  # a state that strikes a belligerent joins its war, on the other side, where it is fought
            involved = [s for s in (*attackers, helper) if s is not None]
            where = self.regions(fact) if self.regions is not None else frozenset()
            # An invasion or a declaration does not join a clash of limited attacks between others: it begins its own war
            # (the DPRK invading the ROK during an ROK-US exchange of fire takes no side in that exchange).
            war = next((w for w in self.of.get(target, ()) if not any(s in w.side and s not in w.left for s in involved) and not (full and w.limited)
                        and (not where or w.regions is None or not w.regions or not where.isdisjoint(w.regions))), None)
        if war is None:
            war = War(act)
            self.wars.append(war)
            new = True
        act.war = war
        act.baseless = (helper is not None and fact.details.get("self_defence") is not True and helper not in war.attacked
                        and target not in self.struck.get(helper, ()))
        if new:
            self._join(war, target, 1, act)
        theirs = war.side[target]
        act.side = 1 - theirs
        for state in attackers:
            self._join(war, state, act.side, act)
        # A claim to act for a state never moves it; nor does one made by an attack within one side place it:
        # that act's side cannot be told, so neither can the side of a state it only names.
        if helper is not None and helper not in war.side and not within and not act.baseless:
            self._join(war, helper, act.side, act)
        struck = self.struck
        # A limited strike on the other side of a war already more than limited takes part in that war; one within a side is a clash.
        grave = full or (not war.limited and not within)
        for state in attackers:
            hit, back = struck.setdefault(state, {}), struck.setdefault(target, {})
            hit[target] = hit.get(target, 0) + 1
            back[state] = back.get(state, 0) + 1
            war.pairs.append((state, target, grave))
        war.last = act.when
        if war.regions is not None and self.regions is not None:
            where = self.regions(fact)
            if where:
                war.regions.update(where)
            else:
                war.regions = None  # fought somewhere the rules do not place: it may be anywhere
        limited = war.limited  # as it was fought before this act (for a late answer, below)
        if full:
            war.limited = False
        if fact.kind == "armed_attack":
            act.individual = frozenset(a for a in attackers if a in war.attacked)
            war.attacked.add(target)
            # the last attack by the side it strikes on the state that answers, or on the state it answers for
            answering = [*act.individual, *([helper] if helper is not None else [])]
            hits = [h for a in answering if (h := war.hit.get(a)) is not None and war.side.get(h.fact.by or "") == war.side.get(target)]
            last = max(hits, key=_when, default=None)
            war.hit[target] = act
            if war.first_attack is None:
                war.first_attack = act
        else:
            last = None
        # read once the act is in: a war's first armed attack decides who began it, this one included
        act.started, act.why = war.verdict(target, self.names)
        # A war of limited strikes only: an invasion goes on, and repelling it is never late (as such a war never lapses).
        if (last is not None and self.immediacy_days is not None and act.responds and limited
                and (act.when - last.when).days > self.immediacy_days):
            act.late = ((act.when - last.when).days, last)
