"""The rule engine: facts + a date + rule modules -> obligations, each with its reason.

Pure: the same facts, date and rules give the same answer, and nothing is kept
between calls. The facts are first read into a model of the conflict
(``tabletop.conflict``): the wars, their two sides, the side that began each
and with which fact. Then every article is asked the questions a careful
international lawyer asks, in this order:

1. Does the treaty bind on that date (entry into force, end, disputed end)?
2. Is the fact of the kind the article is about (an armed attack; a threat)?
3. Is the attacked state a party, and every attacker (a coalition's too) a
   state that is not one?
4. Is the attacked party in a state of war, where the article asks for one?
   A full-scale attack puts it in one; a limited one only if a fact of that
   date or earlier says so (a declaration, or a full-scale attack).
5. Did it happen on territory the article covers, as that territory was
   administered on the date of the fact?
6. Do the obliged party's own understandings (reservations) let it apply?
7. Did the attacked party, or a state fighting on its side, begin the war the
   attack belongs to (``unprovoked`` articles)? Then the partner's duty is
   open to argument, and the facilitator rules (``contested``).

No state is ever obliged against itself, nor to assist a state it is fighting.
One obligation is kept per (treaty, article, kind, obligor, beneficiary,
attacker), at the strongest status any fact gave it, and its ``because`` says
which fact that was. Nothing is evaluated as code: conditions are the
structured data of ``model.Trigger`` and ``model.LocationRule``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Iterable, Mapping, Sequence

import attrs

from tabletop import model as m
from tabletop.conflict import WAR_KINDS, Act, Conflict, War, full_scale, partners

# The order in which Engine._obligation passes an Obligation's fields; checked here, once,
# so that a field added to or moved in model.Obligation fails loudly rather than shifts values.
_OBLIGATION_FIELDS = ("treaty", "article", "kind", "obligor", "beneficiary", "status", "duty", "because", "fact", "attacker", "location", "scale")
if tuple(field.name for field in attrs.fields(m.Obligation)) != _OBLIGATION_FIELDS:
    raise ImportError("model.Obligation's fields changed: update Engine._obligation, which passes them by position")

Key = tuple[str, str, str, str, str, "str | None"]


@attrs.frozen
class Report:
    """A use of force in self-defence owes a report to the Security Council (Art. 51)."""

    by: str
    fact: int
    because: str

    def to_json(self) -> dict[str, object]:
        return {"by": self.by, "article": "51", "fact": self.fact, "because": self.because}


@attrs.frozen
class CouncilOutcome:
    fact: int
    draft_by: str
    outcome: str  # adopted | vetoed | failed | not_a_veto
    vetoed_by: tuple[str, ...]
    because: str

    def to_json(self) -> dict[str, object]:
        return {
            "fact": self.fact,
            "draft_by": self.draft_by,
            "outcome": self.outcome,
            "vetoed_by": list(self.vetoed_by),
            "because": self.because,
        }


@attrs.frozen
class NotTriggered:
    treaty: str
    article: str
    kind: str
    fact: int
    because: str

    def to_json(self) -> dict[str, object]:
        return {"treaty": self.treaty, "article": self.article, "kind": self.kind, "fact": self.fact, "because": self.because}


@attrs.frozen
class Resolution:
    """What one call of :meth:`Engine.resolve` found.

    ``wars`` describes every war the facts make, in words (for ``--explain``);
    it is not part of the JSON output, whose keys are pinned.
    """

    obligations: tuple[m.Obligation, ...] = ()
    reports: tuple[Report, ...] = ()
    council: tuple[CouncilOutcome, ...] = ()
    not_triggered: tuple[NotTriggered, ...] = ()
    wars: tuple[str, ...] = ()

    def to_json(self, explain: bool = False) -> dict[str, object]:
        out: dict[str, object] = {"obligations": [o.to_json() for o in self.obligations]}
        out["reports"] = [r.to_json() for r in self.reports]
        out["council"] = [c.to_json() for c in self.council]
        if explain:
            out["not_triggered"] = [n.to_json() for n in self.not_triggered]
        return out


@attrs.frozen
class Record:
    """The facts resolved so far as the engine reads them: how many, and the armed attacks and declarations of war among them.

    Only those shape the conflict model; the rest of the history matters only
    for its length (facts are numbered by their place in it). A caller that
    resolves facts as they come over a long exercise can keep one of these
    beside its facts, ``record = record.extend(new)`` after each resolve, and
    pass it as ``history=``: the call then costs nothing for the other facts,
    instead of a pass over all of them. The answer is the same either way.
    """

    count: int = 0
    wars: tuple[tuple[int, m.Fact], ...] = ()  # (place among the facts, from 0; the fact)

    def extend(self, facts: Sequence[m.Fact], kinds: Container[str] = WAR_KINDS) -> Record:
        """``kinds``: the kinds the conflict model reads (``Engine.model_kinds``: with the ones that end a war)."""
        added = tuple((self.count + i, f) for i, f in enumerate(facts) if f.kind in kinds)
        return Record(self.count + len(facts), self.wars + added if added else self.wars)

    @classmethod
    def of(cls, facts: Sequence[m.Fact], kinds: Container[str] = WAR_KINDS) -> Record:
        return cls().extend(facts, kinds)


# --- small helpers ------------------------------------------------------------


class _Names:
    """Readable names for states and territories in 'because' sentences."""

    def __init__(self, rules: m.Rules):
        self.rules = rules
        self._cache: dict[tuple[str | None, str | None], str] = {}

    def state(self, state: str | None, treaty: m.Treaty | None = None) -> str:
        key = (state, treaty.id if treaty is not None and state in treaty.party_names else None)
        name = self._cache.get(key)
        if name is None:
            name = self._cache[key] = self._state(state, treaty)
        return name

    def _state(self, state: str | None, treaty: m.Treaty | None) -> str:
        if state is None:
            return "an unnamed actor"
        if treaty is not None and state in treaty.party_names:
            return treaty.party_names[state]
        known = self.rules.states.get(state)
        if known is None:
            return state
        if known.short:
            return known.short
        name = known.name
        return f"the {name}" if name.startswith(("United", "Russian Federation", "Democratic", "Republic", "People's")) else name

    def states(self, states: Iterable[str | None], treaty: m.Treaty | None = None) -> str:
        """``the DPRK``; ``the United States and the ROK``; ``A, B and C``."""
        named = [self.state(s, treaty) for s in states]
        if not named:
            return "nobody"
        return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]

    def place(self, territory: str | None) -> str:
        if territory is None:
            return "an unstated place"
        known = self.rules.territories.get(territory)
        return known.name if known else territory


def _cite(treaty: m.Treaty, article: m.Article) -> str:
    return f"{treaty.label} Art. {article.id}"


def binds(treaty: m.Treaty, date: dt.date) -> bool:
    """Whether the treaty is in force on that date, beyond dispute: :func:`in_force`'s 'yes', without writing its reason.

    The bots and the option conditions ask this for every treaty of every seat
    at each decision; the reason's sentence is only for what is shown.
    """
    return (
        treaty.in_force is not None and date >= treaty.in_force
        and (treaty.ended is None or date < treaty.ended)
        and (treaty.ended_disputed_from is None or date < treaty.ended_disputed_from)
    )


def in_force(treaty: m.Treaty, date: dt.date) -> tuple[str, str]:
    """('yes' | 'no' | 'disputed', reason) for the treaty on that date."""
    if treaty.in_force is None:
        return "no", f"{treaty.label} was signed on {treaty.signed} but never entered into force"
    if date < treaty.in_force:
        if date >= treaty.signed:
            return "no", f"{treaty.label} was signed on {treaty.signed} but binds only from its entry into force on {treaty.in_force}"
        return "no", f"{treaty.label} did not yet exist on {date} (signed {treaty.signed}, in force {treaty.in_force})"
    if treaty.ended is not None and date >= treaty.ended:
        return "no", f"{treaty.label} was no longer in force on {date} (it lapsed on {treaty.ended})"
    if treaty.ended_disputed_from is not None and date >= treaty.ended_disputed_from:
        last = treaty.ended_disputed_from - dt.timedelta(days=1)
        return "disputed", (
            f"sources differ on whether {treaty.label} was still in force on {date} "
            f"(some give {last} as its last day in force, others have it lapse on {treaty.ended})"
        )
    return "yes", f"{treaty.label} is in force on {date} (since {treaty.in_force})"


# --- matching -----------------------------------------------------------------


class _Match:
    """The outcome of matching one trigger: a plain slotted class, made thousands of times a resolve."""

    __slots__ = ("ok", "contested", "why_not", "where", "also", "started_noted")

    def __init__(self, ok: bool, contested: list[str] | None = None, why_not: str = "", where: str = "") -> None:
        self.ok = ok
        self.contested = contested if contested is not None else []
        self.why_not = why_not
        self.where = where
        self.also = ""  # a further fact the status rests on (the one that put the party in a state of war)
        self.started_noted = False  # who began the war is among the reasons already


class _StatesOfWar:
    """Which fact put a state in a state of war that still holds on a date (a peace ends one)."""

    __slots__ = ("engine", "marks", "peaces", "_acts", "_words")

    def __init__(self, engine: Engine, marks: dict[str, list[tuple[dt.date, int, m.Fact]]],
                 peaces: list[tuple[dt.date, frozenset[str], str]]) -> None:
        self.engine, self.marks, self.peaces = engine, marks, peaces
        self._acts: dict[int, Act] = {}
        self._words: dict[int, str] = {}

    def at(self, state: str | None, day: dt.date) -> Act | None:
        """The earliest fact of ``day`` or before that put ``state`` in a state of war no peace of ``day`` or before has ended."""
        for when, i, fact in self.marks.get(state or "", ()):
            if when > day:
                return None
            if self.peaces and self._ended(state or "", when, fact, day):
                continue
            act = self._acts.get(i)
            if act is None:
                engine = self.engine
                act = self._acts[i] = Act(i + 1, fact, when, engine._attackers(fact), engine._words(fact, when, self._words, i))
            return act
        return None

    def _ended(self, state: str, since: dt.date, fact: m.Fact, day: dt.date) -> bool:
        """Whether a peace between ``state`` and a state on the other side of ``fact`` ends, by ``day``, the state of war it made."""
        attackers = self.engine._attackers(fact)
        other = {fact.target} if state in attackers else set(attackers)
        for when, makers, target in self.peaces:
            if since <= when <= day and ((state in makers and target in other) or (state == target and makers & other)):
                return True
        return False


class _Occasion:
    """One fact as the articles read it, with what every obligation it sets off repeats: worked out once.

    ``act`` is the conflict model's reading of an armed attack (None for a
    threat); ``war_since`` is the act that put the attacked state in a state of
    war, if one of that date or earlier did (for a full-scale attack, itself).
    """

    __slots__ = ("fact", "index", "number", "when", "act", "attackers", "principal", "target", "by", "place", "location",
                 "limited", "war_since", "opening_date", "_war", "conflict", "names", "in_force_from")

    def __init__(self, engine: Engine, fact: m.Fact, index: int, number: int, when: dt.date, act: Act | None,
                 attackers: tuple[str, ...], war_since: Act | None, conflict: Conflict) -> None:
        names = engine.names
        self.fact, self.index, self.number, self.when, self.act = fact, index, number, when, act
        self.attackers = attackers
        self.principal = engine.principal(fact, attackers)
        self.target = names.state(fact.target)
        self.by = names.states(attackers) if attackers else names.state(fact.by)
        self.location = engine.location_of(fact)
        self.place = names.place(self.location)
        self.limited = fact.kind == "armed_attack" and not full_scale(fact)
        self.war_since = war_since
        self.opening_date = f"{when}"
        self.in_force_from: dt.date | None = None  # read as of a later entry into force (Engine._continuing)
        self._war: str | None = None
        self.conflict, self.names = conflict, names

    def war(self) -> str:
        """The sentence on the war this fact belongs to, as the model stands when it is read."""
        if self._war is None:
            act, names = self.act, self.names
            if act is not None and act.war is not None:
                self._war = f"This is {act.war.summary(names, act)}."
            else:
                wars = self.conflict.of.get(self.fact.target or "")
                if wars:
                    self._war = f"{self.target[0].upper()}{self.target[1:]} is at war: {wars[0].summary(names)}."
                else:
                    self._war = f"No war involves {self.target}."
        return self._war


class _Parties:
    """What the resolve loop needs to know about a treaty's parties, shared by all its clauses."""

    __slots__ = ("members", "pairs_to", "all_pairs", "own_names", "who", "pairs_from")

    def __init__(self, treaty: m.Treaty, names: _Names) -> None:
        parties = treaty.parties
        self.members = frozenset(parties)
        # a party attacked: each other party owes it; a threat to the region: every party owes the others
        self.pairs_to = {t: tuple((p, t) for p in parties if p != t) for t in parties}
        self.all_pairs = tuple((p, q) for p in parties for q in parties if p != q)
        self.pairs_from = {p: tuple((p, q) for q in parties if q != p) for p in parties}  # a party acts: it owes the others
        self.own_names = dict(treaty.party_names)  # names the treaty itself gives its parties
        self.who = {p: names.state(p, treaty) for p in parties}


class _Entry:
    """One clause of one treaty article, with everything no fact can change worked out once.

    The resolve loop visits tens of thousands of these in a long exercise or a
    benchmark with hundreds of treaties, and composing each obligation's reason
    from the treaty, the article and the parties' names was most of its cost.
    Building the citation, the pairs of parties, each party's share of the
    sentence and its understandings here, in the index step, leaves the loop
    with lookups and one f-string per obligation.
    """

    __slots__ = ("treaty", "article", "trigger", "tid", "aid", "kind", "duty", "assist", "cite", "opening",
                 "parties", "pairs_to", "all_pairs", "understandings", "own_names", "so", "whether", "order", "pairs_from")

    def __init__(self, treaty: m.Treaty, article: m.Article, clause: m.Clause, parties: _Parties, order: int) -> None:
        duty = clause.obligation
        self.treaty, self.article, self.trigger = treaty, article, clause.trigger
        self.tid, self.aid, self.kind, self.duty = treaty.id, article.id, duty.kind, duty.duty
        self.assist = duty.kind == "assist"
        self.cite = _cite(treaty, article)
        # the sentence starts with the citation, so its capital is the citation's
        self.opening = f"{self.cite[0].upper()}{self.cite[1:]} binds on "
        self.parties, self.pairs_to, self.all_pairs = parties.members, parties.pairs_to, parties.all_pairs
        # who: acting_party: owed by the party that acts, to the others (a duty of the actor, not of the attacked's partners)
        self.pairs_from = parties.pairs_from if duty.who == "acting_party" else None
        self.own_names = parties.own_names
        self.understandings = {  # obligor -> its own understandings of this article, in their order
            p: own for p in treaty.parties if (own := tuple(u for u in article.understandings if u.by == p))
        } if article.understandings else {}
        self.so = {p: f", so {who} must {duty.duty}." for p, who in parties.who.items()}
        self.whether = {p: f": the facilitator rules whether {who} must {duty.duty}." for p, who in parties.who.items()}
        self.order = order  # place in the rule modules, for output in a stable order

    def name(self, state: str | None, plain: str) -> str:
        """The name of ``state`` in this treaty's own words, given its ``plain`` name."""
        return self.own_names.get(state or "", plain) if self.own_names else plain


class _Found:
    """The strongest obligation found so far for one key in one call, and the weaker one before it."""

    __slots__ = ("ob", "rank", "weaker", "reasons", "entry", "number")

    def __init__(self, ob: m.Obligation, rank: int, reasons: list[str], entry: _Entry, number: int) -> None:
        self.ob, self.rank, self.reasons, self.entry = ob, rank, reasons, entry
        self.number = number  # the fact that decided its status
        self.weaker: tuple[int, list[str]] | None = None  # (fact number, contested reasons) of a weaker status


class Engine:
    """Resolves facts against one set of rule modules.

    Indexes clauses once by (fact kind, attacked party): a fact is checked
    only against the clauses of treaties its target is a party to (and the
    few whose trigger names no party), so the cost of a resolve grows with
    the obligations it can find, linearly in treaties x facts.
    """

    def __init__(self, rules: m.Rules, treaties: Iterable[str] | None = None):
        self.rules = rules
        self.names = _Names(rules)
        self.ends = {kind.id: kind.ends for kind in rules.fact_kinds.values() if kind.ends}
        self.model_kinds = WAR_KINDS | frozenset(self.ends)  # the kinds of fact the conflict model reads
        self.commanded = [s for s in rules.states.values() if s.wartime_command]  # states whose forces another commands in war
        chosen = list(rules.treaties) if treaties is None else [t for t in treaties if t in rules.treaties]
        self.treaties = [rules.treaties[t] for t in chosen]
        for_target: dict[tuple[str, str], list[_Entry]] = {}
        open_target: dict[str, list[_Entry]] = {}
        self.entries: dict[tuple[str, str, str], _Entry] = {}
        order = 0
        for treaty in self.treaties:
            parties = _Parties(treaty, self.names)
            for article in treaty.articles:
                for clause in article.clauses:
                    entry = _Entry(treaty, article, clause, parties, order)
                    order += 1
                    self.entries.setdefault((entry.tid, entry.aid, entry.kind), entry)
                    for kind in _kinds(clause.trigger):
                        if clause.trigger.target == "party":
                            for party in treaty.parties:
                                for_target.setdefault((kind, party), []).append(entry)
                        else:
                            open_target.setdefault(kind, []).append(entry)
        # Each list in rule-module order; a clause whose trigger names no party goes in every list of its kind.
        self.for_kind = {kind: list(found) for kind, found in open_target.items()}
        self.for_target = {
            key: sorted([*found, *open_target.get(key[0], ())], key=lambda e: e.order) if key[0] in open_target else found
            for key, found in for_target.items()
        }
        self.council = rules.council

    def state_type(self, state: str | None) -> str:
        if state is None:
            return "unknown"
        known = self.rules.states.get(state)
        return known.type if known else "non_state"

    def principal(self, fact: m.Fact, attackers: tuple[str, ...]) -> str | None:
        """The attacker an obligation answers: ``by``, or the first state acting with it when ``by`` is none.

        The articles answer an attack by a state, "several states" or "several
        states jointly": a state's attack is no less one for a non-state group
        named first beside it.
        """
        if fact.by is None or self.state_type(fact.by) == "state":
            return fact.by
        for state in attackers:
            if self.state_type(state) == "state":
                return state
        return fact.by

    def location_of(self, fact: m.Fact) -> str | None:
        """Where a fact happened; an attack, threat or declaration of war that says nothing is on the target's own territory."""
        if fact.location is not None:
            return fact.location
        if fact.kind in ("armed_attack", "threat", "state_of_war") and fact.target in self.rules.territories:
            return fact.target
        return None

    def regions_of(self, fact: m.Fact) -> frozenset[str]:
        """The regions where a fact happened, disputed ones too (empty when its place is unknown or lies in none)."""
        territory = self.rules.territories.get(self.location_of(fact) or "")
        if territory is None:
            return frozenset()
        return frozenset((*territory.regions, *territory.regions_disputed))

    # The main entry point -----------------------------------------------------
    def resolve(
        self,
        facts: Sequence[m.Fact],
        date: dt.date,
        history: Sequence[m.Fact] | Record = (),
        explain: bool = False,
        known: Mapping[Key, str] | Iterable[Key] | None = None,
    ) -> Resolution:
        """The obligations, Security Council outcomes and Art. 51 reports that ``facts`` set off.

        ``facts`` are the new facts; ``history`` every fact resolved before them,
        in order (or their :class:`Record`, the same answer faster). The conflict model is rebuilt from both on every call, in date
        order (``date`` stands for the date of a fact that has none; within a
        date, the order given): history decides who fights whom and who began
        each war, and only ``facts`` set off obligations. The cost is linear in
        the facts of both and in the treaties.

        ``known`` maps the key (``Obligation.key``) of every obligation already
        raised to its status. ``obligations`` then holds only obligations that
        are new, or whose status is stronger than the known one: a known
        ``contested`` obligation that a fact now makes ``triggered`` comes back
        with the same key, and its ``because`` says which fact made it stronger.
        Any other known status is final. Within one call, each key comes once,
        at the strongest status any fact gave it. (A plain set of keys reads as
        all of them final: nothing is made stronger.) So a caller that keeps its
        obligations by key turns a returned obligation whose key it knows into
        an "obligation upgraded" event, and any other into a new obligation.
        """
        prior: Mapping[Key, str]
        if known is None:
            prior = {}
        elif isinstance(known, Mapping):
            prior = known
        else:
            prior = dict.fromkeys(known, "final")
        return self._resolve(facts, date, history, explain, prior)

    def _resolve(
        self, facts: Sequence[m.Fact], date: dt.date, history: Sequence[m.Fact] | Record, explain: bool, known: Mapping[Key, str]
    ) -> Resolution:
        # Of the earlier facts the model needs only armed attacks and declarations of war.
        if isinstance(history, Record):
            base = history.count
            timeline = [(f.date or date, i, f) for i, f in history.wars]
        else:
            base = len(history)
            kinds = self.model_kinds
            timeline = [(f.date or date, i, f) for i, f in enumerate(history) if f.kind in kinds]
        timeline.extend((f.date or date, base + j, f) for j, f in enumerate(facts))
        timeline.sort(key=_by_date)
        conflict = Conflict(self.names, self.rules.lapse_days, self.regions_of, self.rules.immediacy_days)
        acts: dict[int, Act] = {}
        war_since = self._war_since(timeline)
        limited_on: dict[str, list[Act]] = {}  # target -> limited attacks on it, for later declarations of war
        found: dict[Key, _Found] = {}
        reports: list[Report] = []
        council: list[CouncilOutcome] = []
        not_triggered: list[NotTriggered] = []
        force: dict[dt.date, dict[str, tuple[str, str]]] = {}  # date -> treaty id -> in_force()
        words: dict[int, str] = {}
        joined = _join_vetoes(facts, self.rules, date)
        deferred: list[tuple[_Entry, _Occasion]] = []  # acts of war made before a treaty's entry into force (_continuing)
        filed: dict[str, list[tuple[dt.date, int]]] = {}  # state -> the reports to the Security Council among the facts (_report)
        for j, f in enumerate(facts):
            if f.kind == "council_report" and f.by is not None:
                filed.setdefault(self.rules.canonical(f.by), []).append((f.date or date, base + j + 1))
        start = 0
        while start < len(timeline):
            day = timeline[start][0]
            if deferred:
                deferred = self._continuing(deferred, day, date, known, found, not_triggered, explain)
            end = start
            while end < len(timeline) and timeline[end][0] == day:
                end += 1
            group = timeline[start:end]
            start = end
            conflict.advance(day)
            for _day, i, fact in group:
                if fact.by is None or fact.target is None:
                    continue
                if fact.kind in WAR_KINDS:
                    act = Act(i + 1, fact, day, self._attackers(fact), self._words(fact, day, words, i))
                    conflict.add(act)
                    acts[i] = act
                    if fact.kind == "armed_attack" and not full_scale(fact):
                        limited_on.setdefault(fact.target, []).append(act)
                elif fact.kind in self.ends:
                    self._end(conflict, Act(i + 1, fact, day, self._attackers(fact), self._words(fact, day, words, i)))
            for _day, i, fact in group:
                if i < base:
                    continue
                index = i - base
                read = acts.get(i)
                if fact.kind in ("council_vote", "veto"):
                    if index not in joined.merged:  # a veto cast on a draft of the same batch is part of that draft's vote
                        council.append(self._council(fact, index, joined.against.get(index, ()), day))
                elif read is not None and fact.kind == "armed_attack":
                    self._report(read, index, reports, filed)
                entries = self.for_target.get((fact.kind, fact.target or ""))
                if entries is None:
                    entries = self.for_kind.get(fact.kind)
                binding = force.get(day)
                if binding is None:
                    binding = force[day] = {}
                if entries:
                    occasion = _Occasion(self, fact, index, i + 1, day, read, self._attackers(fact),
                                         war_since.at(fact.target, day), conflict)
                    self._fact(entries, occasion, binding, known, found, not_triggered, explain, defer=deferred)
                if read is not None and fact.kind == "state_of_war":
                    self._declared(read, index, limited_on, war_since, conflict, known, found, force, explain)
        if deferred:
            self._continuing(deferred, None, date, known, found, not_triggered, explain)
        obligations = self._strongest(found, known, acts, base, conflict)
        wars = tuple(_war_words(war, self.names) for war in conflict.wars)
        return Resolution(obligations, tuple(reports), tuple(council), tuple(not_triggered), wars)

    def model(self, facts: Sequence[m.Fact], date: dt.date) -> Conflict:
        """The conflict model of ``facts`` alone (``date`` for facts without one): wars, sides, who began each."""
        dates = [f.date or date for f in facts]
        conflict = Conflict(self.names, self.rules.lapse_days, self.regions_of, self.rules.immediacy_days)
        words: dict[int, str] = {}
        for i in sorted(range(len(facts)), key=lambda i: (dates[i], i)):
            fact = facts[i]
            if fact.by is None or fact.target is None:
                continue
            if fact.kind in WAR_KINDS:
                conflict.add(Act(i + 1, fact, dates[i], self._attackers(fact), self._words(fact, dates[i], words, i)))
            elif fact.kind in self.ends:
                self._end(conflict, Act(i + 1, fact, dates[i], self._attackers(fact), self._words(fact, dates[i], words, i)))
        return conflict

    def at_war(self, facts: Sequence[m.Fact], date: dt.date, on: dt.date) -> set[str]:
        """The states that ``facts`` put in a state of war by the date ``on`` (order within a date does not matter)."""
        timeline = sorted(((f.date or date, i, f) for i, f in enumerate(facts)), key=_by_date)
        since = self._war_since(timeline)
        return {state for state in since.marks if since.at(state, on) is not None}

    # --- the model's inputs --------------------------------------------------------
    def _attackers(self, fact: m.Fact) -> tuple[str, ...]:
        """``by`` and its ``with:`` partners on an armed attack or declaration of war (a coalition)."""
        if fact.by is None:
            return ()
        if fact.kind not in self.model_kinds or not fact.details:
            return (fact.by,)
        out = [fact.by]
        for partner in partners(fact, self.rules.canonical):
            if partner not in out and partner != fact.target:
                out.append(partner)
        return tuple(out)

    def _words(self, fact: m.Fact, when: dt.date, cache: dict[int, str], i: int) -> str:
        """An armed attack or declaration of war in words: who, on whom, where, for whom, when."""
        words = cache.get(i)
        if words is not None:
            return words
        names = self.names
        by = names.states(self._attackers(fact))
        target = names.state(fact.target)
        if fact.kind == "armed_attack":
            words = f"the {'armed attack' if full_scale(fact) else 'limited armed attack'} by {by} on {target}"
            location = self.location_of(fact)
            if location is not None and location != fact.target:
                words += f" at {names.place(location)}"
            if fact.on_behalf_of:
                words += f" in defence of {names.state(fact.on_behalf_of)}"
            words += f" on {when}"
            answers = fact.details.get("answers") if fact.details else None
            if isinstance(answers, str):
                words += f", honouring {self._article_label(answers)}"
        elif fact.kind == "state_of_war":
            words = f"the state of war declared by {by} on {target} on {when}"
        else:
            words = f"the {fact.kind.replace('_', ' ')} of {by} with {target} on {when}"
        cache[i] = words
        return words

    def _end(self, conflict: Conflict, act: Act) -> None:
        """A ceasefire or a peace into the conflict model, with the forces a signatory commands in war (a ceasefire only).

        An armistice is signed by commanders for the forces under them: the UN
        Command signed that of 1953 for the ROK's, though the ROK did not sign
        (``wartime_command`` in rules/geography.yaml). A peace ends a state of
        war, which only the state itself can do.
        """
        covered: list[str] = []
        if self.ends.get(act.fact.kind) == "hostilities" and self.commanded:
            signed = {*act.attackers, act.fact.target}
            for state in self.commanded:
                commander = state.commander(act.when)
                if commander in signed and state.id not in signed:
                    covered.append(state.id)
                    act.words += (f" (signed for {_whose(self.names.state(state.id))} forces too, under "
                                  f"{_whose(self.names.state(commander))} command in war)")
        conflict.end(act, covered)

    def _article_label(self, reference: str) -> str:
        """``us-rok-1953 Art. III`` -> ``US-ROK 1953 Art. III`` (unknown treaties as written)."""
        treaty_id, _, article = reference.partition(" Art. ")
        treaty = self.rules.treaties.get(treaty_id)
        return f"{treaty.label} Art. {article}" if treaty is not None and article else reference

    def _war_since(self, timeline: list[tuple[dt.date, int, m.Fact]]) -> _StatesOfWar:
        """For each state, the facts (by date, then order) that put it in a state of war, and the peaces that end one.

        A declared state of war, or a full-scale armed attack, puts every state
        it names in one from its date: an attack of the same date is in a state
        of war whatever the order of the two in the file. It lasts until a fact
        of a kind that ends the ``war`` (a peace) between it and a state on the
        other side; a ceasefire or an armistice ends only the fighting.
        """
        marks: dict[str, list[tuple[dt.date, int, m.Fact]]] = {}
        peaces: list[tuple[dt.date, frozenset[str], str]] = []
        for mark in timeline:  # in date order: the first mark of a state is its earliest
            fact = mark[2]
            if fact.by is None or fact.target is None:
                continue
            if fact.kind == "state_of_war" or (fact.kind == "armed_attack" and full_scale(fact)):
                for state in (*self._attackers(fact), fact.target):
                    marks.setdefault(state, []).append(mark)
            elif self.ends.get(fact.kind) == "war":
                peaces.append((mark[0], frozenset(self._attackers(fact)), fact.target))
        return _StatesOfWar(self, marks, peaces)

    # --- obligations -----------------------------------------------------------------
    def _fact(
        self,
        entries: list[_Entry],
        occasion: _Occasion,
        binding: dict[str, tuple[str, str]],
        known: Mapping[Key, str],
        found: dict[Key, _Found],
        not_triggered: list[NotTriggered],
        explain: bool,
        decided_by: Act | None = None,
        defer: list[tuple[_Entry, _Occasion]] | None = None,
    ) -> None:
        """Every obligation one fact sets off, over the clauses that may answer it.

        One loop over clauses and pairs of parties, not a call per clause: this
        is the loop that runs tens of thousands of times a resolve. An act of
        war made before a treaty's entry into force goes to ``defer``, to be
        read again on that date if its war still goes on (:meth:`_continuing`).
        """
        fact, index, when = occasion.fact, occasion.index, occasion.when
        target, attacker, attackers = fact.target, occasion.principal, occasion.attackers
        conflict = occasion.conflict
        enemies: dict[str, set[str]] = {}  # beneficiary -> the states that fight it
        for entry in entries:
            status = binding.get(entry.tid)
            if status is None:
                status = binding[entry.tid] = in_force(entry.treaty, when)
            if status[0] == "no":
                eif = entry.treaty.in_force
                if defer is not None and occasion.act is not None and eif is not None and when < eif:
                    defer.append((entry, occasion))
                elif explain:
                    not_triggered.append(NotTriggered(entry.tid, entry.aid, entry.kind, index, status[1]))
                continue
            pairs: tuple[tuple[str, str], ...] | None
            if entry.pairs_from is not None:
                pairs = entry.pairs_from.get(fact.by or "", ())
            else:
                pairs = entry.pairs_to.get(target or "")
                if pairs is None:
                    pairs = entry.all_pairs
            for obligor, beneficiary in pairs:
                if obligor in attackers and (entry.kind != "consult" or beneficiary == target or beneficiary in attackers):
                    # (consulting an ally that is neither struck nor striking, on a danger of its own making, is no duty against itself)
                    if explain:
                        not_triggered.append(NotTriggered(entry.tid, entry.aid, entry.kind, index,
                            f"{entry.cite} never obliges {self.names.state(obligor)} against itself"))
                    continue
                foes = enemies.get(beneficiary)
                if foes is None:
                    foes = enemies[beneficiary] = conflict.enemies(beneficiary) if conflict.of else set()
                clash = None
                if obligor in foes:
                    clash = conflict.clash(obligor, beneficiary)
                    if clash is None:  # a war between them, not a clash: the alliance does not hold against a third state now
                        if explain:
                            war = conflict.opposed(obligor, beneficiary)
                            not_triggered.append(NotTriggered(entry.tid, entry.aid, entry.kind, index,
                                f"{entry.cite} does not oblige {self.names.state(obligor)} to assist {self.names.state(beneficiary)}, "
                                f"which it is itself fighting in {war.summary(self.names) if war else 'a war'}"))
                        continue
                key = m.obligation_key(entry.tid, entry.aid, entry.kind, obligor, beneficiary, attacker)
                have = found.get(key)
                if have is not None and have.rank == 2:
                    continue
                prior = known.get(key)
                if prior is not None and prior != "contested":
                    continue
                match = self._match(entry.trigger, occasion, entry.treaty, obligor, beneficiary, explain)
                if match.ok and obligor in entry.understandings:
                    for understanding in entry.understandings[obligor]:
                        self._understanding(understanding, occasion, entry.treaty, obligor, beneficiary, match, explain)
                        if not match.ok:
                            break
                if not match.ok:
                    if explain:
                        not_triggered.append(NotTriggered(entry.tid, entry.aid, entry.kind, index,
                            f"{entry.cite} does not apply to fact {occasion.number}: {match.why_not}"))
                    continue
                if status[0] != "yes":  # disputed, or continuing (_continuing)
                    match.contested.append(status[1])
                if clash is not None:
                    names = self.names
                    where = "this war" if occasion.act is not None and occasion.act.war is clash else clash.summary(names)
                    match.contested.append(
                        f"{names.state(obligor, entry.treaty)} has itself fought {names.state(beneficiary, entry.treaty)} in {where}, "
                        "though only with limited attacks, and armed conflict does not by itself suspend a treaty between its parties "
                        "(ILC Draft Articles on the Effects of Armed Conflicts on Treaties, 2011, Art. 3): whether the treaty "
                        "still obliges it here is a judgement"
                    )
                rank = 1 if match.contested else 2
                ob = self._obligation(entry, occasion, obligor, beneficiary, match, decided_by)
                number = decided_by.number if decided_by is not None else occasion.number
                if have is None:
                    found[key] = _Found(ob, rank, match.contested, entry, number)
                elif rank > have.rank:
                    have.weaker = (have.number, have.reasons)
                    have.ob, have.rank, have.reasons, have.number = ob, rank, match.contested, number

    def _continuing(
        self,
        deferred: list[tuple[_Entry, _Occasion]],
        day: dt.date | None,
        date: dt.date,
        known: Mapping[Key, str],
        found: dict[Key, _Found],
        not_triggered: list[NotTriggered],
        explain: bool,
    ) -> list[tuple[_Entry, _Occasion]]:
        """Acts of war made before a treaty entered into force, read as of that date if it is ``day`` or earlier
        (before the facts of ``day``; every one when ``day`` is None); the rest, kept.

        A treaty does not bind a party "in relation to any act or fact which
        took place or any situation which ceased to exist before" its entry into
        force (VCLT Art. 28): a war over by then gives no duty under it, while
        one that still goes on is a situation that has not ceased, and whether
        being put in a state of war by an invasion is an act done before the
        treaty or a situation it now covers is a judgement: the obligation is
        contested. A war with no act in the ``lapse_days`` before the entry into
        force is a war on paper by then (the Korean War of 1950 and the US-ROK
        treaty of 1954): no hostilities went on into the treaty. Only a treaty
        in force on ``date``, the date of the resolve, can oblige: one that
        enters into force later obliges nothing yet.
        """
        kept = []
        for entry, occasion in deferred:
            treaty = entry.treaty
            eif = treaty.in_force
            assert eif is not None  # (deferred only with one: _fact)
            if day is not None and eif > day:
                kept.append((entry, occasion))
                continue
            # the duty arises on the entry into force, read on that date (as a fact is read on its own); the model is
            # not moved on to it: every fact before that date is in, and a lapse by then is ``quiet`` below
            status = in_force(treaty, eif)
            act = occasion.act
            war = act.war if act is not None else None
            lapse = self.rules.lapse_days
            quiet = war is not None and lapse is not None and (eif - war.last).days > lapse  # a war on paper, not fought
            if eif > date or status[0] == "no" or war is None or war.ended or quiet:
                if explain:
                    why = in_force(treaty, occasion.when)[1]
                    if status[0] == "no":
                        why += f", and {status[1]}"
                    elif eif > date:
                        why += f", which comes after {date}"
                    elif war is not None and war.ended:
                        why += f", and the war fact {occasion.number} is part of was over before then ({war.ended})"
                    elif war is not None:
                        why += (f", and the war fact {occasion.number} is part of had not been fought for more than {lapse} days "
                                f"by then (its last act on {war.last}): no situation of hostilities went on into the treaty")
                    not_triggered.append(NotTriggered(entry.tid, entry.aid, entry.kind, occasion.index, why))
                continue
            continuing = (
                "the war that attack is part of still went on when the treaty entered into force, and a treaty binds a party in "
                "relation to a situation that has not ceased to exist before its entry into force (VCLT Art. 28): whether the "
                "armed attack is an act done before the treaty or part of a situation it now covers is a judgement"
            )
            if status[0] == "disputed":
                continuing += f"; and {status[1]}"
            occasion.in_force_from = eif  # read as of that date, for this treaty's obligations only
            try:
                self._fact([entry], occasion, {entry.tid: ("continuing", continuing)}, known, found, not_triggered, explain)
            finally:
                occasion.in_force_from = None
        return kept

    def _declared(
        self,
        declaration: Act,
        index: int,
        limited_on: dict[str, list[Act]],
        war_since: _StatesOfWar,
        conflict: Conflict,
        known: Mapping[Key, str],
        found: dict[Key, _Found],
        force: dict[dt.date, dict[str, tuple[str, str]]],
        explain: bool,
    ) -> None:
        """A state of war declared after a limited attack: the attacked party is now in one, because of it.

        The attacks made before the declaration's date, on a state it names,
        by the other side, are read again with the state of war the article
        asks for; an obligation made stronger that way is the declaration's.
        """
        named = {*declaration.attackers, declaration.fact.target}
        for state in named:
            for act in limited_on.get(state or "", ()):
                if act.when >= declaration.when:
                    continue  # the same date (or later): already read with it
                if war_since.at(state, act.when) is not None:
                    continue  # it was in a state of war already
                if not (named & set(act.attackers) or act.war is declaration.war):
                    continue
                if act.war is not None and act.war.ended:
                    continue  # its war is over (a ceasefire, a lapse): the declaration does not answer it
                fact = act.fact
                entries = self.for_target.get((fact.kind, fact.target or "")) or self.for_kind.get(fact.kind)
                if not entries:
                    continue
                binding = force.setdefault(act.when, {})
                occasion = _Occasion(self, fact, index, act.number, act.when, act, act.attackers, declaration, conflict)
                self._fact([e for e in entries if _needs_war(e.trigger)], occasion, binding, known, found, [], False, declaration)

    def _strongest(
        self, found: dict[Key, _Found], known: Mapping[Key, str], acts: dict[int, Act], base: int, conflict: Conflict
    ) -> tuple[m.Obligation, ...]:
        """One obligation a key, at its strongest; a known one only if this call made it stronger."""
        out = []
        for key, have in found.items():
            prior = known.get(key)
            ob = have.ob
            if prior is not None:
                if not (prior == "contested" and have.rank == 2):
                    continue
                weaker = have.weaker or self._earlier(key, have.entry, acts, base, conflict)
                if weaker is not None:
                    told = f" It was contested after fact {weaker[0]} ({'; and '.join(weaker[1])}); fact {have.number} makes it triggered."
                else:
                    told = f" It was contested before; fact {have.number} makes it triggered."
                ob = attrs.evolve(ob, because=ob.because + told)
            elif have.weaker is not None:
                number, reasons = have.weaker
                ob = attrs.evolve(ob, because=ob.because + (
                    f" Fact {number} had left it contested ({'; and '.join(reasons)}); "
                    f"fact {have.number} makes it triggered, the strongest status reached."))
            out.append(ob)
        return tuple(out)

    def _earlier(self, key: Key, entry: _Entry, acts: dict[int, Act], base: int, conflict: Conflict) -> tuple[int, list[str]] | None:
        """Why a known contested obligation was contested: the first earlier attack that made it so."""
        _tid, _aid, _kind, obligor, beneficiary, attacker = key
        for i, act in sorted(acts.items()):
            if i >= base:
                break
            fact = act.fact
            if fact.kind != "armed_attack" or fact.target != beneficiary or (attacker is not None and self.principal(fact, act.attackers) != attacker):
                continue
            occasion = _Occasion(self, fact, -1, act.number, act.when, act, act.attackers, None, conflict)
            match = self._match(entry.trigger, occasion, entry.treaty, obligor, beneficiary, False)
            if match.ok and match.contested:
                return act.number, match.contested
        return None

    def _match(
        self,
        trigger: m.Trigger,
        occasion: _Occasion,
        treaty: m.Treaty,
        obligor: str,
        beneficiary: str,
        explain: bool = True,
    ) -> _Match:
        """Whether ``trigger`` holds for this fact and pair of parties.

        Why it does not is worded only when ``explain`` asks for it: without
        it nobody reads those sentences, and thousands of failed matches a
        resolve would word them for nothing.
        """
        names = self.names
        fact = occasion.fact
        if trigger.fact and fact.kind not in trigger.fact:
            return _Match(False, why_not=f"it concerns {' or '.join(_a(k) for k in trigger.fact)}, not {_a(fact.kind)}" if explain else "")
        if trigger.target == "party" and fact.target not in treaty.parties:
            return _Match(False, why_not=f"{names.state(fact.target)} is not a party" if explain else "")
        if trigger.target not in (None, "party") and fact.target != trigger.target:
            return _Match(False, why_not=f"it concerns {names.state(trigger.target)}, not {names.state(fact.target)}" if explain else "")
        if trigger.by == "non_party":
            inside = [a for a in occasion.attackers if a in treaty.parties] if occasion.attackers else ([fact.by] if fact.by in treaty.parties else [])
            if inside:
                if not explain:
                    return _Match(False)
                if inside[0] == fact.by:
                    return _Match(False, why_not=f"the attacker, {names.state(fact.by, treaty)}, is itself a party")
                return _Match(False, why_not=f"{names.state(inside[0], treaty)}, a party, attacks together with {names.state(fact.by)}")
        if trigger.by == "party" and fact.by not in treaty.parties:
            return _Match(False, why_not=f"the acting state, {names.state(fact.by)}, is not a party" if explain else "")
        if trigger.not_in_defence_of_party:
            answers = fact.details.get("answers")
            if fact.on_behalf_of in treaty.parties or (isinstance(answers, str) and answers.startswith(f"{treaty.id} Art. ")):
                return _Match(False, why_not=(f"it is made in defence of {names.state(fact.on_behalf_of, treaty)}, a party"
                                              if fact.on_behalf_of in treaty.parties else f"it honours {self._article_label(str(answers))}")
                              if explain else "")
        if trigger.launched_from is not None:
            launched = self._launched(trigger.launched_from, occasion, treaty, obligor, beneficiary, explain)
            if isinstance(launched, _Match):
                return launched
        else:
            launched = ""
        if trigger.by_state and self.state_type(occasion.principal) != "state":
            return _Match(False, why_not=f"{occasion.by} {'is not a state' if len(occasion.attackers) < 2 else 'are not states'}, "
                          "and the article answers an armed attack by a state" if explain else "")
        match = _Match(True)
        if launched:
            match.also = launched
        if fact.kind == "armed_attack":
            self._unrecognised(occasion, treaty, match)
        if trigger.state_of_war and occasion.limited:
            since = occasion.war_since
            if since is None:
                match.contested.append(
                    f"the attack is limited and no fact of {occasion.when} or earlier puts {names.state(fact.target, treaty)} "
                    "in a state of war, so whether this attack does, as the article requires, is a judgement"
                )
            elif fact.target in since.attackers:
                # "put in a state of war by an armed invasion" (Russia-DPRK Art. 4), "and thus being involved in a state of
                # war" (PRC-DPRK Art. II): a state of war the party made itself is not plainly one this attack put it in. One
                # made with another state, or before the attack (the DPRK's of 1950, standing after the armistice), is not;
                # one declared on the attacker in answer to a limited attack may be: both are for the facilitator to rule.
                whom = names.state(since.fact.target, treaty)
                if since.fact.target not in occasion.attackers:
                    made = f"with {whom}"
                elif since.when < occasion.when:
                    made = f"with {whom} before this attack"
                elif since.fact.kind == "state_of_war":
                    made = f"declared on {whom} in answer to it"
                else:
                    made = f"by its own full-scale attack on {whom} in answer to it"
                match.contested.append(
                    f"the attack is limited, and the state of war {names.state(fact.target, treaty)} is in is of its own making, "
                    f"{made} ({since.ref}), so whether this attack puts it in one, as the article requires, is a judgement"
                )
            else:
                match.also = f"it is in a state of war ({since.ref})"
        if trigger.location is not None:
            self._location(trigger.location, occasion, treaty, obligor, beneficiary, match, explain)
            if not match.ok:
                return match
        if trigger.unprovoked:
            self._unprovoked(occasion, treaty, match)
        if trigger.any_of:
            reasons = []
            for branch in trigger.any_of:
                sub = self._match(branch, occasion, treaty, obligor, beneficiary, explain)
                if sub.ok:
                    match.contested.extend(sub.contested)
                    match.where = match.where or sub.where
                    match.also = match.also or sub.also
                    return match
                reasons.append(sub.why_not)
            return _Match(False, why_not="; ".join(reasons) if explain else "")
        return match

    def _unrecognised(self, occasion: _Occasion, treaty: m.Treaty, match: _Match) -> None:
        """Contest an attack by a claimant on territory whose administration states refused to recognise (Crimea).

        Ukraine's use of force in Crimea is not plainly an "armed invasion" of
        Russia: UNGA resolution 68/262 calls on every state not to recognise
        the change of its status. An attack there by anyone else is an attack
        on the forces that hold it, as anywhere.
        """
        territory = self.rules.territories.get(occasion.location or "")
        if territory is None or not territory.not_recognised:
            return
        fact = occasion.fact
        claimants = [a for a in occasion.attackers if a in territory.claimed_by]
        if not claimants or territory.administrator(occasion.when) != fact.target:
            return
        names = self.names
        by, target = names.states(claimants, treaty), names.state(fact.target, treaty)
        match.contested.append(
            f"{territory.name} is claimed by {by} and administered by {target}, whose administration there is not recognised "
            f"as lawful ({territory.not_recognised}), so whether force used there by {by} is an armed attack on {target} is disputed"
        )

    def _unprovoked(self, occasion: _Occasion, treaty: m.Treaty, match: _Match, label: str = "") -> None:
        """Contest an obligation to a party whose own side began the war (or when who began it is disputed).

        ``label`` names an understanding that asks for an external armed attack;
        who began the war is said once, whichever asks first.
        """
        act = occasion.act
        if act is None or act.started == "no":
            return
        if not match.started_noted:
            match.started_noted = True
            victim = self.names.state(occasion.fact.target, treaty)
            if act.started == "yes":
                match.contested.append(f"{act.why}, so whether {victim} suffered an armed attack that obliges its partner is disputed")
                if act.late is not None:
                    match.contested.append(_late(act, self.names))
            else:
                match.contested.append(f"who began the war is disputed: {act.why}")
        if label:
            match.contested.append(f"{label} only an external armed attack obliges it")

    def _launched(
        self, rule: m.LocationRule, occasion: _Occasion, treaty: m.Treaty, obligor: str, beneficiary: str, explain: bool
    ) -> str | _Match:
        """Where an act was launched from (its ``launched_from``), against the trigger's rule: the words, or the failed match."""
        names = self.names
        fact = occasion.fact
        raw = fact.details.get("launched_from")
        territory = self.rules.territories.get(self.rules.territory_id(str(raw))) if raw is not None else None
        if territory is None:
            return _Match(False, why_not="the fact does not say where it was launched from" if explain else "")
        span = territory.administration_on(occasion.when)
        admin = span.state if span is not None else None
        if rule.administered_by is not None:
            wanted = (admin in treaty.parties if rule.administered_by == "any_party"
                      else admin is not None and admin == _role(rule.administered_by, fact, obligor, beneficiary))
            if not wanted:
                return _Match(False, why_not=f"it was launched from {territory.name}, which {_held(territory, span, occasion.when, names)}" if explain else "")
        if rule.region is not None and rule.region not in territory.regions:
            return _Match(False, why_not=f"it was launched from {territory.name}, outside {self.rules.regions.get(rule.region, rule.region)}"
                          if explain else "")
        return f"it was launched from {territory.name}" + (f", administered by {names.state(admin, treaty)}" if admin else "")

    def _location(
        self,
        rule: m.LocationRule,
        occasion: _Occasion,
        treaty: m.Treaty,
        obligor: str,
        beneficiary: str,
        match: _Match,
        explain: bool = True,
    ) -> None:
        names = self.names
        fact, when = occasion.fact, occasion.when
        territory = self.rules.territories.get(occasion.location or "")
        if territory is None:
            match.ok, match.why_not = False, "the fact does not say where it happened, and the article covers only certain territory"
            return
        if rule.administered_by is not None:
            span = territory.administration_on(when)
            admin = span.state if span is not None else None
            if rule.administered_by == "any_party":
                wanted_ok = admin in treaty.parties
                sharers = [s for s in territory.shared_by if s in treaty.parties]
            else:
                state = _role(rule.administered_by, fact, obligor, beneficiary)
                wanted_ok = admin is not None and admin == state
                sharers = [s for s in territory.shared_by if s == state]
            if not wanted_ok and admin is None and sharers:
                # divided by a line the fact does not name: it may have happened on the side the article covers
                match.contested.append(f"whether where it happened ({territory.name}) is under the administration "
                                       f"of {names.states(sharers, treaty)} is open to argument: {territory.shared_note}")
                match.where = f"{territory.name}, divided between {names.states(territory.shared_by, treaty)}"
                wanted_ok = True
                admin = sharers[0]
            elif not wanted_ok:
                match.ok = False
                if explain:
                    wanted = "a party" if rule.administered_by == "any_party" else names.state(state, treaty)
                    match.why_not = f"{territory.name} {_held(territory, span, when, names)}, not by {wanted}"
                return
            if not match.where:
                match.where = f"{territory.name}, administered by {names.state(admin, treaty)}"
                if len(territory.administration) > 1:
                    match.where += f" on {when}"
        if rule.region is not None:
            region_name = self.rules.regions.get(rule.region, rule.region)
            if rule.region in territory.regions:
                match.where = (match.where or territory.name) + f", in the {_region_phrase(rule.region, region_name)}"
            elif rule.region in territory.regions_disputed:
                match.contested.append(f"whether {territory.name} lies in the {_region_phrase(rule.region, region_name)} is open to argument")
            else:
                match.ok = False
                if explain:
                    match.why_not = f"{territory.name} is outside the {_region_phrase(rule.region, region_name)}"
                return
        if rule.recognized_by is not None:
            state = _role(rule.recognized_by, fact, obligor, beneficiary) or ""
            if not territory.recognised_by(state):
                match.ok = False
                if explain:
                    match.why_not = f"{names.state(state)} has not recognised the administration of {territory.name} as lawful"
                return
        match.where = match.where or territory.name

    def _understanding(
        self,
        understanding: m.Understanding,
        occasion: _Occasion,
        treaty: m.Treaty,
        obligor: str,
        beneficiary: str,
        match: _Match,
        explain: bool = True,
    ) -> None:
        label = f"under the understanding attached by {self.names.state(obligor)} on ratification"
        if understanding.location is not None:
            sub = _Match(True)
            self._location(understanding.location, occasion, treaty, obligor, beneficiary, sub, explain)
            if not sub.ok:
                match.ok, match.why_not = False, f"{label}, {sub.why_not}" if explain else ""
                return
            match.contested.extend(c for c in sub.contested if c not in match.contested)  # the article's own rule may have said it
        if understanding.external:
            self._unprovoked(occasion, treaty, match, label)

    def _obligation(
        self,
        entry: _Entry,
        occasion: _Occasion,
        obligor: str,
        beneficiary: str,
        match: _Match,
        decided_by: Act | None = None,
    ) -> m.Obligation:
        fact = occasion.fact
        victim = entry.name(fact.target, occasion.target)
        where = match.where
        if where and fact.target is not None and occasion.location == fact.target:  # a state's home territory: no need to name it
            named = self.rules.territories[fact.target].name
            where = "its own territory" + where[len(named):] if where.startswith(named) else where
            at = " on "
        else:
            at = " at "
        if fact.kind == "armed_attack":
            by = self.names.states(occasion.attackers, entry.treaty) if entry.own_names else occasion.by
            event = f"{victim} suffered {'a limited' if occasion.limited else 'an'} armed attack by {by}"
            if where:
                event += at + where
            elif occasion.location and occasion.location != fact.target:
                event += f" at {occasion.place}"
            if fact.on_behalf_of:
                event += f" in defence of {self.names.state(fact.on_behalf_of, entry.treaty)}"
            event += f" (fact {occasion.number})"
            if match.also:
                event += f", and {match.also}"
        elif fact.kind == "state_of_war":
            if fact.target in entry.parties:
                event = f"{victim} faces a threat of attack: {occasion.by} declared a state of war on it (fact {occasion.number})"
            else:
                event = f"the state of war {occasion.by} declared on {victim} (fact {occasion.number}) endangers the region the article names"
        elif fact.target in entry.parties:
            event = f"{victim} faces a threat" + (f" from {occasion.by}" if fact.by else "") + f" (fact {occasion.number})"
        else:
            event = f"a threat to {victim}" + (at + where if where else "") + f" (fact {occasion.number}) endangers the region the article names"
        when = occasion.opening_date
        if occasion.in_force_from is not None:
            opened = f"{entry.opening}{occasion.in_force_from}, its entry into force, and before it, on {when}, {event}"
        else:
            opened = f"{entry.opening}{when} and {event}"
        if match.contested:
            because = f"{opened}, but {'; and '.join(match.contested)}{entry.whether[obligor]}"
            status = "contested"
        else:
            because = f"{opened}{entry.so[obligor]}"
            status = "triggered"
        if beneficiary != fact.target:  # a duty to a party that was not itself attacked or threatened
            because = f"{because[:-1]}, owed to {entry.name(beneficiary, self.names.state(beneficiary))}."
            if obligor in occasion.attackers and entry.pairs_from is None:
                because = (f"{because[:-1]}, though the {'attack' if fact.kind == 'armed_attack' else 'threat'} is its own: "
                           "a consultation is owed whoever made the danger.")
        because += " " + occasion.war()
        scale = (fact.details.get("scale") or "war") if fact.kind == "armed_attack" else None
        # by position (see _OBLIGATION_FIELDS): naming twelve arguments costs half as much
        # again as the call itself, and this runs for every obligation
        return m.Obligation(
            entry.tid, entry.aid, entry.kind, obligor, beneficiary, status, entry.duty, because, occasion.index,
            occasion.principal, occasion.location, scale,
        )

    # --- Art. 51 and the Security Council ---------------------------------------------
    def _report(self, act: Act, index: int, out: list[Report], filed: Mapping[str, list[tuple[dt.date, int]]]) -> None:
        """Art. 51: measures in self-defence, individual or collective, are reported at once.

        Owed by every attacker whose act answers aggression by the attacked
        state's side, by any that says it acts in self-defence, and by a state
        struck first that answers a strike whose maker calls it self-defence
        (who began the war is then disputed, and its answer is at least a claim).
        ``filed``: the reports among the facts (``council_report``), by state,
        with their dates and numbers: a report of the same date or later says
        the duty was met.
        """
        # A state struck first by a strike whose maker calls it self-defence answers at least in a claim of its own.
        answering = act.started == "disputed" and not act.claim and any(a in act.individual for a in act.attackers)
        if not (act.responds or act.claim or answering):
            return
        names = self.names
        fact = act.fact
        helper = fact.on_behalf_of
        target = names.state(fact.target)
        attacked = act.war.attacked if act.war is not None else set()
        for attacker in act.attackers:
            who = names.state(attacker)
            subject = f"{who[0].upper()}{who[1:]}"
            ref = f"fact {act.number}: {act.words}"
            # The victims it acts with in this very act have asked by conduct: they strike beside it (Nicaragua, paras. 196-199).
            beside = [a for a in act.attackers if a != attacker and a in act.individual]
            if helper is not None and helper not in attacked and helper not in act.individual:
                said = (f"{subject} claims to act in collective self-defence of {names.state(helper)} against {target} ({ref}), "
                        f"though no armed attack by {target} on {names.state(helper)} is on record, and collective self-defence answers an "
                        "armed attack on the state defended, at its request (UN Charter Art. 51; Nicaragua, paras. 195-199): "
                        "whether it may is for the facilitator")
            elif helper is not None or (beside and attacker not in act.individual):
                defended = names.state(helper) if helper is not None else names.states(beside)
                kind = f"collective self-defence of {defended}"
                said = (f"{subject} uses force in {kind} against {target} ({ref})" if act.responds
                        else f"{subject} says it uses force in {kind} against {target} ({ref}); whether it may is for the facilitator")
            elif attacker in act.individual and not act.responds and not act.claim:
                said = (f"{subject} strikes back at {target} ({ref}), and {act.why}: "
                        "whether this is individual self-defence is for the facilitator")
            elif attacker in act.individual:
                said = (f"{subject} uses force in individual self-defence against {target} ({ref})" if act.responds
                        else f"{subject} says it uses force in individual self-defence against {target} ({ref}); whether it may is for the facilitator")
                if act.responds and act.late is not None:
                    said += f", though {_late(act, names)}"
            elif act.responds and not act.claim:
                # Nobody asked: collective self-defence is the attacked state's to request (Nicaragua, paras. 195-199).
                said = (f"{subject} uses force against {target} ({ref}), whose side "
                        f"began the war; that is collective self-defence only at the request of a state {_whose(target)} side attacked, "
                        "and none is on record: whether it is, is for the facilitator")
            elif act.responds:
                said = f"{subject} uses force in collective self-defence against {target} ({ref})"
            else:  # a first strike it calls self-defence, for nobody else: a claim of its own, before any attack on it
                said = (f"{subject} says it uses force in individual self-defence against {target} ({ref}), though no armed attack "
                        f"on {who} is on record (a claim of anticipatory self-defence): whether it may is for the facilitator")
            made = next((number for when, number in filed.get(attacker, ()) if when >= act.when), None)
            done = f": {who} did so (fact {made})" if made is not None else ""
            out.append(Report(attacker, index, f"{said}, and UN Charter Art. 51 requires the measures to be reported to the Security Council at once{done}."))

    def _council(self, fact: m.Fact, index: int, joined: tuple[str, ...] = (), day: dt.date | None = None) -> CouncilOutcome:
        outcome = self._vote(fact, index, joined)
        after = self.council.follows_veto(day) if day is not None and outcome.outcome == "vetoed" else ()
        if after:
            outcome = attrs.evolve(outcome, because=" ".join((outcome.because, *after)))
        return outcome

    def _vote(self, fact: m.Fact, index: int, joined: tuple[str, ...]) -> CouncilOutcome:
        names = self.names
        council = self.council
        drafter = fact.by or "?"
        name = f" {str(fact.details['draft'])!r}" if "draft" in fact.details else ""  # a named draft (_join_vetoes)
        if fact.kind == "veto":
            draft_by = self.rules.canonical(str(fact.details["draft_by"])) if "draft_by" in fact.details else ""
            on = (f" on the draft{name}{f' by {names.state(draft_by)}' if draft_by else ''}" if name or draft_by else "")
            if drafter in council.permanent:
                return CouncilOutcome(index, draft_by, "vetoed", (drafter,),
                    f"{names.state(drafter)} is a permanent member, and its negative vote{on} blocks a substantive decision (UN Charter Art. 27(3)).")
            return CouncilOutcome(index, "", "not_a_veto", (),
                f"{names.state(drafter)} is not a permanent member, so its negative vote{on} is not a veto.")
        votes = fact.details.get("votes") or {}
        against = [self.rules.canonical(str(s)) for s in _as_list(votes.get("against"))]
        against += [s for s in joined if s not in against]  # vetoes cast on this draft in the same batch (_join_vetoes)
        abstain = [self.rules.canonical(str(s)) for s in _as_list(votes.get("abstain"))]
        chapter = str(fact.details.get("chapter", "VII"))
        disputants = {self.rules.canonical(str(s)) for s in _as_list(fact.details.get("parties"))}
        notes = []
        not_vetoes = [s for s in joined if s not in council.permanent]
        if not_vetoes:  # a "veto" fact by an elected member: a vote against (whatever the list in favour says), and no veto
            if isinstance(votes.get("for"), list):
                votes = {**votes, "for": [s for s in votes["for"] if self.rules.canonical(str(s)) not in not_vetoes]}
            notes.append(f"{names.states(not_vetoes)} cast {'its negative vote' if len(not_vetoes) == 1 else 'negative votes'} "
                         f"as a veto, but {'is not a permanent member' if len(not_vetoes) == 1 else 'are not permanent members'}: "
                         "a vote against, and no veto")
        raw_for = votes.get("for")
        listed_for = [self.rules.canonical(str(s)) for s in raw_for] if isinstance(raw_for, list) else None
        if chapter in council.compulsory_abstention:
            # "A party to a dispute shall abstain from voting" (Art. 27(3)): whatever it voted, or if it is a permanent
            # member not listed at all, it is counted as abstaining, never as a vote in favour or against.
            voted = [*against, *(listed_for or ())]
            barred = [s for s in dict.fromkeys([*voted, *council.permanent]) if s in disputants and s not in abstain]
            if barred:
                notes.append(f"{', '.join(names.state(s) for s in barred)} must abstain as a party to the dispute under "
                             f"Chapter {chapter}, and {'is' if len(barred) == 1 else 'are'} counted as abstaining")
                against = [s for s in against if s not in disputants]
                listed_for = [s for s in listed_for if s not in disputants] if listed_for is not None else None
                abstain = [*abstain, *barred]
        elif disputants & set(council.permanent):
            notes.append(f"a decision under Chapter {chapter} carries no compulsory abstention, so a party to the dispute may still veto")
        if listed_for is not None:
            affirmative = len(listed_for)
        elif isinstance(raw_for, int) and not isinstance(raw_for, bool):
            affirmative = raw_for
        else:
            affirmative = council.members - len(against) - len(abstain)
        vetoers = tuple(s for s in against if s in council.permanent)
        tail = f" ({'; '.join(notes)})" if notes else ""
        if vetoers:
            return CouncilOutcome(index, drafter, "vetoed", vetoers,
                f"The draft{name} by {names.state(drafter)} fails: {names.states(vetoers)} voted against as "
                f"{'a permanent member, a veto' if len(vetoers) == 1 else 'permanent members, each a veto'} under UN Charter Art. 27(3){tail}.")
        if affirmative >= council.threshold:
            return CouncilOutcome(index, drafter, "adopted", (),
                f"The draft{name} by {names.state(drafter)} is adopted with {affirmative} votes in favour and no permanent member against{tail}.")
        return CouncilOutcome(index, drafter, "failed", (),
            f"The draft{name} by {names.state(drafter)} fails with {affirmative} votes in favour; it needs {council.threshold}{tail}.")


@attrs.frozen
class _Joined:
    against: Mapping[int, tuple[str, ...]]  # index of a draft (council_vote) -> the states whose veto facts name it
    merged: frozenset[int]  # indexes of those veto facts: decided with the draft, not on their own


def _join_vetoes(facts: Sequence[m.Fact], rules: m.Rules, date: dt.date) -> _Joined:
    """Vetoes among ``facts`` that name a draft tabled among the same facts: one vote, not two.

    A seat that tables a draft and a seat that vetoes it decide in the same
    turn, so both facts reach the engine in one adjudication; the draft is
    then decided with the veto among its votes against. A veto names its
    draft by the draft's name (``draft``, when the drafts are named: one state
    may table two in a turn) or by its drafter (``draft_by``: that state's
    first draft among them); a veto that gives both needs both to match. A
    veto whose draft is not among them, or dated before it (``date`` stands
    for a fact's own date), is decided on its own, as before.
    """
    by_drafter: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}  # two states may give their drafts one name: the veto's draft_by tells them apart
    for i, fact in enumerate(facts):
        if fact.kind == "council_vote" and fact.by is not None:
            by_drafter.setdefault(rules.canonical(fact.by), i)
            if "draft" in fact.details:
                by_name.setdefault(str(fact.details["draft"]), []).append(i)
    against: dict[int, list[str]] = {}
    merged: set[int] = set()
    for i, fact in enumerate(facts):
        if fact.kind != "veto" or fact.by is None:
            continue
        drafter = rules.canonical(str(fact.details["draft_by"])) if "draft_by" in fact.details else None
        if "draft" in fact.details:
            named = by_name.get(str(fact.details["draft"]), [])
            # that name, and the drafter's if the veto gives one (a draft of that name by another state is not this veto's)
            draft = next((d for d in named if drafter is None or rules.canonical(facts[d].by or "") == drafter), None)
        else:
            draft = by_drafter.get(drafter) if drafter is not None else None
        if draft is not None and (fact.date or date) < (facts[draft].date or date):
            draft = None  # cast before the draft was tabled: on another draft
        if draft is not None:
            against.setdefault(draft, []).append(rules.canonical(fact.by))
            merged.add(i)
    return _Joined({k: tuple(v) for k, v in against.items()}, frozenset(merged))


def _late(act: Act, names: _Names) -> str:
    """An answer in self-defence made long after the attack it answers (Act.late), in words."""
    assert act.late is not None
    days, last = act.late
    return (f"{names.states(act.attackers)} answered {days} days after the last armed attack on {'it' if len(act.attackers) == 1 else 'them'} "
            f"({last.ref}): whether so late an "
            "answer is still necessary and immediate self-defence is for the facilitator (Nicaragua, para. 237; Oil Platforms, para. 76)")


def _whose(name: str) -> str:
    """``the ROK`` -> ``the ROK's``; ``the United States`` -> ``the United States'``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _war_words(war: War, names: _Names) -> str:
    """One war for ``--explain``: its sides, who struck first, and any state whose side is unclear."""
    told = war.summary(names)
    words = f"{told[0].upper()}{told[1:]}."
    if war.ended:
        words += f" It is {war.ended}."
    for state, why in war.left.items():
        name = names.state(state)
        words += f" {name[0].upper()}{name[1:]} {why}."
    unclear = list(dict.fromkeys(war.blurred.values()))
    if unclear:
        words += f" Unclear sides: {'; '.join(unclear)}."
    return words


def _by_date(mark: tuple[dt.date, int, m.Fact]) -> tuple[dt.date, int]:
    return mark[0], mark[1]


def _needs_war(trigger: m.Trigger) -> bool:
    return trigger.state_of_war or any(_needs_war(b) for b in trigger.any_of)


def _held(territory: m.Territory, span: m.Administration | None, when: dt.date, names: _Names) -> str:
    """``is administered by Japan``; with dates where its administration changed."""
    if span is None or span.state is None:
        held = f"was under no state's administration on {when}" if len(territory.administration) > 1 else "is not under any state's administration"
        return held
    if len(territory.administration) == 1:
        return f"is administered by {names.state(span.state)}"
    dates = (f" from {span.start}" if span.start else "") + (f" until {span.end}" if span.end else "")
    return f"was administered by {names.state(span.state)} on {when} ({dates.strip()})"


def _role(role: str, fact: m.Fact, obligor: str, beneficiary: str) -> str | None:
    """The state a location rule's role names in this case; a state id names itself."""
    if role == "target":
        return fact.target
    if role == "beneficiary":
        return beneficiary
    if role == "obligor":
        return obligor
    return role


def _a(kind: str) -> str:
    """``armed_attack`` -> ``an armed attack``."""
    words = kind.replace("_", " ")
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _kinds(trigger: m.Trigger) -> set[str]:
    kinds = set(trigger.fact)
    for branch in trigger.any_of:
        kinds |= _kinds(branch)
    return kinds


def _region_phrase(region: str, name: str) -> str:
    return name.split(" (")[0].removeprefix("The ").removeprefix("the ") if name else region


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def resolve(
    facts: Sequence[m.Fact],
    date: dt.date,
    rules: m.Rules,
    treaties: Iterable[str] | None = None,
    history: Sequence[m.Fact] | Record = (),
    explain: bool = False,
) -> Resolution:
    return Engine(rules, treaties).resolve(facts, date, history=history, explain=explain)


def force_fact(obligation: m.Obligation, date: dt.date | None = None) -> m.Fact | None:
    """The armed attack that honouring an assistance obligation with force amounts to.

    Collective self-defence of the beneficiary against the state that attacked
    it, at the scale of the attack it answers (``limited`` where the obligation
    does not say), naming the article it honours and the attack it answers.
    Self-defence must be necessary and proportionate (Nicaragua, para. 176;
    Oil Platforms, paras. 73-77): a full-scale attack, an invasion, is repelled
    where it is made (on the beneficiary's territory it invaded), not by a new
    front on the invader's homeland; a limited strike, a shelling or a missile
    salvo, is answered at its source, the attacker's own territory (a state's
    id is its home territory). None where there is nobody to act against or
    the obligor would be acting against itself.
    """
    if obligation.kind != "assist" or obligation.attacker is None:
        return None
    if obligation.attacker in (obligation.obligor, obligation.beneficiary):
        return None
    answered = f"armed attack by {obligation.attacker} on {obligation.beneficiary}"
    if obligation.location and obligation.location != obligation.beneficiary:
        answered += f" at {obligation.location}"
    return m.Fact(
        kind="armed_attack",
        by=obligation.obligor,
        target=obligation.attacker,
        location=(obligation.location or obligation.attacker) if (obligation.scale or "limited") == "war" else obligation.attacker,
        on_behalf_of=obligation.beneficiary,
        date=date,
        details={
            "scale": obligation.scale or "limited",
            "answers": f"{obligation.treaty} Art. {obligation.article}",
            "answered": answered,
        },
    )


def cascade(
    facts: Sequence[m.Fact],
    date: dt.date,
    rules: m.Rules,
    treaties: Iterable[str] | None = None,
    honours: Callable[[m.Obligation], bool] = lambda ob: ob.status == "triggered",
) -> list[Resolution]:
    """Resolve, let every obliged state that ``honours`` its duty use force, resolve again.

    Ends because each (treaty, article, kind, obligor, beneficiary, attacker) is
    raised once, and made stronger at most once, and there are finitely many;
    returns one Resolution a round.
    """
    engine = Engine(rules, treaties)
    known: dict[Key, str] = {}
    history = Record()
    rounds: list[Resolution] = []
    pending = list(facts)
    limit = max(1, len(rules.states)) ** 2
    while pending and len(rounds) < limit:
        result = engine.resolve(pending, date, history=history, known=known)
        rounds.append(result)
        history = history.extend(pending)
        known.update((ob.key, ob.status) for ob in result.obligations)
        pending = [f for f in (force_fact(ob, date) for ob in result.obligations if honours(ob)) if f is not None]
    return rounds

