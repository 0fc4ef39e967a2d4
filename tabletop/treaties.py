"""The rule engine: facts + a date + rule modules -> obligations, each with its reason.

Pure functions over frozen values. The questions it asks of every article are
the ones a careful international lawyer asks, in this order:

1. Does the treaty bind on that date (entry into force, end, disputed end)?
2. Is the fact of the kind the article is about (an armed attack; a threat)?
3. Is the attacked state a party, and the attacker a state that is not a party?
4. Did it happen on territory the article covers (administration, region,
   recognition of lawful administration)?
5. Do the obliged party's own understandings (reservations) let it apply?
6. Did the attacked party start the hostilities? Then the partner's duty is
   open to argument, and the facilitator rules (``contested``).

Nothing is evaluated as code: conditions are the structured data of
``model.Trigger`` and ``model.LocationRule``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import attrs

from tabletop import model as m

LIMITED_SCALES = frozenset({"limited", "incident", "skirmish", "clash", "border_clash", "exchange_of_fire"})

# The order in which Engine._obligation passes an Obligation's fields; checked here, once,
# so that a field added to or moved in model.Obligation fails loudly rather than shifts values.
_OBLIGATION_FIELDS = ("treaty", "article", "kind", "obligor", "beneficiary", "status", "duty", "because", "fact", "attacker", "location")
if tuple(field.name for field in attrs.fields(m.Obligation)) != _OBLIGATION_FIELDS:
    raise ImportError("model.Obligation's fields changed: update Engine._obligation, which passes them by position")


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
    obligations: tuple[m.Obligation, ...] = ()
    reports: tuple[Report, ...] = ()
    council: tuple[CouncilOutcome, ...] = ()
    not_triggered: tuple[NotTriggered, ...] = ()

    def to_json(self, explain: bool = False) -> dict[str, object]:
        out: dict[str, object] = {"obligations": [o.to_json() for o in self.obligations]}
        out["reports"] = [r.to_json() for r in self.reports]
        out["council"] = [c.to_json() for c in self.council]
        if explain:
            out["not_triggered"] = [n.to_json() for n in self.not_triggered]
        return out


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
        name = known.name
        return f"the {name}" if name.startswith(("United", "Russian Federation", "Democratic", "Republic", "People's")) else name

    def place(self, territory: str | None) -> str:
        if territory is None:
            return "an unstated place"
        known = self.rules.territories.get(territory)
        return known.name if known else territory


def _cite(treaty: m.Treaty, article: m.Article) -> str:
    return f"{treaty.label} Art. {article.id}"


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


class History:
    """Who attacked whom first: decides who started the hostilities.

    Kept incrementally so that resolving n facts costs O(n), not O(n^2).
    """

    def __init__(self) -> None:
        self.first: dict[frozenset[str], tuple[str, int]] = {}
        self.war: set[frozenset[str]] = set()
        self.count = 0  # facts seen; the index of the next one

    def add(self, fact: m.Fact, index: int | None = None) -> None:
        index = self.count if index is None else index
        self.count += 1
        if fact.by is None or fact.target is None:
            return
        pair = frozenset((fact.by, fact.target))
        if fact.kind == "armed_attack":
            self.first.setdefault(pair, (fact.by, index))
            if (fact.details.get("scale") or "war") not in LIMITED_SCALES:
                self.war.add(pair)
        elif fact.kind == "state_of_war":
            self.war.add(pair)

    def started_by(self, target: str, against: Iterable[str]) -> int | None:
        """Index of an earlier attack by ``target`` on any of ``against``, if it struck first."""
        for other in against:
            first = self.first.get(frozenset((target, other)))
            if first is not None and first[0] == target:
                return first[1]
        return None

    def at_war(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.war


# --- matching -----------------------------------------------------------------


class _Match:
    """The outcome of matching one trigger: a plain slotted class, made thousands of times a resolve."""

    __slots__ = ("ok", "contested", "why_not", "where")

    def __init__(self, ok: bool, contested: list[str] | None = None, why_not: str = "", where: str = "") -> None:
        self.ok = ok
        self.contested = contested if contested is not None else []
        self.why_not = why_not
        self.where = where


class _Text:
    """The words for one fact that every obligation it sets off repeats: worked out once a fact."""

    __slots__ = ("target", "by", "place", "when")

    def __init__(self, names: _Names, fact: m.Fact, when: dt.date) -> None:
        self.target = names.state(fact.target)
        self.by = names.state(fact.by)
        self.place = names.place(fact.location)
        self.when = f"{when}"


class _Parties:
    """What the resolve loop needs to know about a treaty's parties, shared by all its clauses."""

    __slots__ = ("members", "pairs_to", "all_pairs", "own_names", "who")

    def __init__(self, treaty: m.Treaty, names: _Names) -> None:
        parties = treaty.parties
        self.members = frozenset(parties)
        # a party attacked: each other party owes it; a threat to the region: every party owes the others
        self.pairs_to = {t: tuple((p, t) for p in parties if p != t) for t in parties}
        self.all_pairs = tuple((p, q) for p in parties for q in parties if p != q)
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
                 "parties", "pairs_to", "all_pairs", "understandings", "own_names", "so", "whether")

    def __init__(self, treaty: m.Treaty, article: m.Article, clause: m.Clause, parties: _Parties) -> None:
        duty = clause.obligation
        self.treaty, self.article, self.trigger = treaty, article, clause.trigger
        self.tid, self.aid, self.kind, self.duty = treaty.id, article.id, duty.kind, duty.duty
        self.assist = duty.kind == "assist"
        self.cite = _cite(treaty, article)
        # the sentence starts with the citation, so its capital is the citation's
        self.opening = f"{self.cite[0].upper()}{self.cite[1:]} binds on "
        self.parties, self.pairs_to, self.all_pairs = parties.members, parties.pairs_to, parties.all_pairs
        self.own_names = parties.own_names
        self.understandings = {  # obligor -> its own understandings of this article, in their order
            p: own for p in treaty.parties if (own := tuple(u for u in article.understandings if u.by == p))
        } if article.understandings else {}
        self.so = {p: f", so {who} must {duty.duty}." for p, who in parties.who.items()}
        self.whether = {p: f": the facilitator rules whether {who} must {duty.duty}." for p, who in parties.who.items()}

    def name(self, state: str | None, plain: str) -> str:
        """The name of ``state`` in this treaty's own words, given its ``plain`` name."""
        return self.own_names.get(state, plain) if self.own_names else plain  # type: ignore[arg-type]


class Engine:
    """Resolves facts against one set of rule modules.

    Indexes clauses by fact kind once, so that a long exercise or a benchmark
    with hundreds of treaties does not rescan every article for every fact.
    """

    def __init__(self, rules: m.Rules, treaties: Iterable[str] | None = None):
        self.rules = rules
        self.names = _Names(rules)
        chosen = list(rules.treaties) if treaties is None else [t for t in treaties if t in rules.treaties]
        self.treaties = [rules.treaties[t] for t in chosen]
        self.by_kind: dict[str, list[_Entry]] = {}
        self.by_party: dict[tuple[str, str], list[_Entry]] = {}
        self.open_target: dict[str, list[_Entry]] = {}
        for treaty in self.treaties:
            parties = _Parties(treaty, self.names)
            for article in treaty.articles:
                for clause in article.clauses:
                    entry = _Entry(treaty, article, clause, parties)
                    kinds = _kinds(clause.trigger)
                    for kind in kinds:
                        self.by_kind.setdefault(kind, []).append(entry)
                        if clause.trigger.target == "party":
                            for party in treaty.parties:
                                self.by_party.setdefault((kind, party), []).append(entry)
                        else:
                            self.open_target.setdefault(kind, []).append(entry)
        self.council = rules.council
        self.order = {id(e): i for entries in self.by_kind.values() for i, e in enumerate(entries)}
        self.for_target, self.for_kind = self._merge()

    def _merge(self) -> tuple[dict[tuple[str, str], list[_Entry]], dict[str, list[_Entry]]]:
        """The clauses a fact of each kind against each target must be checked against, in rule-module order.

        Merged once here rather than sorted again for every fact: for a fact
        whose target is a party to some treaty, ``(kind, target)``; for any other,
        its kind alone.
        """
        for_target = {key: self._sorted(found, key[0]) for key, found in self.by_party.items()}
        for_kind = {kind: self._sorted([], kind) for kind in self.by_kind}
        return for_target, for_kind

    def _sorted(self, found: list[_Entry], kind: str) -> list[_Entry]:
        extra = self.open_target.get(kind)
        if extra:
            # keep the order of the rule modules, so output is stable whatever the index
            order = self.order
            found = sorted([*found, *extra], key=lambda e: order[id(e)])
        return found

    def state_type(self, state: str | None) -> str:
        if state is None:
            return "unknown"
        known = self.rules.states.get(state)
        return known.type if known else "non_state"

    # The main entry point -----------------------------------------------------
    def resolve(
        self,
        facts: Sequence[m.Fact],
        date: dt.date,
        history: Sequence[m.Fact] = (),
        explain: bool = False,
        known: set[tuple[str, str, str, str, str, str | None]] | None = None,
        past: History | None = None,
    ) -> Resolution:
        """Obligations that ``facts`` trigger; ``history`` only decides who struck first.

        A caller that resolves facts as they come (the session) passes its own
        ``past`` and it is updated in place, so each fact is read once.
        """
        if past is None:
            past = History()
            for fact in history:
                past.add(fact)
        base = past.count
        obligations: list[m.Obligation] = []
        reports: list[Report] = []
        council: list[CouncilOutcome] = []
        not_triggered: list[NotTriggered] = []
        seen = known if known is not None else set()
        force: dict[dt.date, dict[str, tuple[str, str]]] = {}  # date -> treaty id -> in_force()
        for_target, for_kind = self.for_target, self.for_kind
        for index, fact in enumerate(facts):
            when = fact.date or date
            if fact.kind in ("council_vote", "veto"):
                council.append(self._council(fact, index))
            elif fact.kind == "armed_attack":
                self._report(fact, index, past, reports)
            entries = for_target.get((fact.kind, fact.target or ""))
            if entries is None:
                entries = for_kind.get(fact.kind, [])
            if entries:
                binding = force.get(when)
                if binding is None:
                    binding = force[when] = {}
                self._fact(entries, fact, index, when, binding, past, seen, obligations, not_triggered, explain, base)
            past.add(fact, base + index)
        return Resolution(tuple(obligations), tuple(reports), tuple(council), tuple(not_triggered))

    def _fact(
        self,
        entries: list[_Entry],
        fact: m.Fact,
        index: int,
        when: dt.date,
        binding: dict[str, tuple[str, str]],
        past: History,
        seen: set[tuple[str, str, str, str, str, str | None]],
        out: list[m.Obligation],
        not_triggered: list[NotTriggered],
        explain: bool,
        base: int,
    ) -> None:
        """Every obligation one fact sets off, over the clauses that may answer it.

        One loop over clauses and pairs of parties, not a call per clause: this
        is the loop that runs tens of thousands of times a resolve.
        """
        target, attacker = fact.target, fact.by
        text = _Text(self.names, fact, when)
        for entry in entries:
            status = binding.get(entry.tid)
            if status is None:
                status = binding[entry.tid] = in_force(entry.treaty, when)
            if status[0] == "no":
                if explain:
                    not_triggered.append(NotTriggered(entry.tid, entry.aid, entry.kind, index, status[1]))
                continue
            pairs = entry.pairs_to.get(target)  # type: ignore[arg-type]
            if pairs is None:
                pairs = entry.all_pairs
            for obligor, beneficiary in pairs:
                if obligor == attacker:
                    if explain:
                        not_triggered.append(NotTriggered(entry.tid, entry.aid, entry.kind, index,
                            f"{entry.cite} never obliges {self.names.state(obligor)} against itself"))
                    continue
                key = (entry.tid, entry.aid, entry.kind, obligor, beneficiary, attacker)
                if key in seen:
                    continue
                match = self._match(entry.trigger, fact, entry.treaty, obligor, beneficiary, past, explain)
                if match.ok and obligor in entry.understandings:
                    for understanding in entry.understandings[obligor]:
                        self._understanding(understanding, fact, entry.treaty, obligor, beneficiary, past, match, explain)
                        if not match.ok:
                            break
                if not match.ok:
                    if explain:
                        not_triggered.append(NotTriggered(entry.tid, entry.aid, entry.kind, index, f"{entry.cite} does not apply: {match.why_not}"))
                    continue
                if status[0] == "disputed":
                    match.contested.append(status[1])
                if entry.assist and target is not None and attacker is not None:
                    self._struck_first(entry, fact, text, past, base, match)
                seen.add(key)
                out.append(self._obligation(entry, fact, index, text, obligor, beneficiary, match))

    @staticmethod
    def _struck_first(entry: _Entry, fact: m.Fact, text: _Text, past: History, base: int, match: _Match) -> None:
        """Contest an assistance obligation to a party that itself struck first (or says it acts in self-defence)."""
        against = [fact.by] + ([fact.on_behalf_of] if fact.on_behalf_of else [])
        first = past.started_by(fact.target, against)  # type: ignore[arg-type]
        if first is not None or fact.details.get("self_defence"):
            match.contested.append(
                f"{entry.name(fact.target, text.target)} struck {entry.name(fact.by, text.by)} first"
                + (f" (fact {first - base + 1})" if first is not None and first >= base else " earlier" if first is not None else "")
                + ", so whether it suffered an armed attack that obliges its partner is disputed"
            )

    def _match(
        self,
        trigger: m.Trigger,
        fact: m.Fact,
        treaty: m.Treaty,
        obligor: str,
        beneficiary: str,
        past: History,
        explain: bool = True,
    ) -> _Match:
        """Whether ``trigger`` holds for this fact and pair of parties.

        Why it does not is worded only when ``explain`` asks for it: without
        it nobody reads those sentences, and thousands of failed matches a
        resolve would word them for nothing.
        """
        names = self.names
        if trigger.fact and trigger.fact != fact.kind:
            return _Match(False, why_not=f"it concerns a {trigger.fact.replace('_', ' ')}, not a {fact.kind.replace('_', ' ')}" if explain else "")
        if trigger.target == "party" and fact.target not in treaty.parties:
            return _Match(False, why_not=f"{names.state(fact.target)} is not a party" if explain else "")
        if trigger.target not in (None, "party") and fact.target != trigger.target:
            return _Match(False, why_not=f"it concerns {names.state(trigger.target)}, not {names.state(fact.target)}" if explain else "")
        if trigger.by == "non_party" and fact.by in treaty.parties:
            return _Match(False, why_not=f"the attacker, {names.state(fact.by, treaty)}, is itself a party" if explain else "")
        if trigger.by_state and self.state_type(fact.by) != "state":
            return _Match(False, why_not=f"{names.state(fact.by)} is not a state, and the article answers an armed attack by a state" if explain else "")
        match = _Match(True)
        if trigger.state_of_war:
            scale = fact.details.get("scale")
            if scale in LIMITED_SCALES and not (fact.by and fact.target and past.at_war(fact.by, fact.target)):
                match.contested.append(
                    f"the attack is described as {str(scale).replace('_', ' ')}, and whether it puts "
                    f"{names.state(fact.target, treaty)} in a state of war, as the article requires, is a judgement"
                )
        if trigger.location is not None:
            self._location(trigger.location, fact, treaty, obligor, beneficiary, match, explain)
            if not match.ok:
                return match
        if trigger.any_of:
            reasons = []
            for branch in trigger.any_of:
                sub = self._match(branch, fact, treaty, obligor, beneficiary, past, explain)
                if sub.ok:
                    match.contested.extend(sub.contested)
                    match.where = match.where or sub.where
                    return match
                reasons.append(sub.why_not)
            return _Match(False, why_not="; ".join(reasons) if explain else "")
        return match

    def _location(
        self,
        rule: m.LocationRule,
        fact: m.Fact,
        treaty: m.Treaty,
        obligor: str,
        beneficiary: str,
        match: _Match,
        explain: bool = True,
    ) -> None:
        names = self.names
        territory = self.rules.territories.get(fact.location or "")
        if territory is None:
            match.ok, match.why_not = False, "the fact does not say where it happened, and the article covers only certain territory"
            return
        if rule.administered_by is not None:
            admin = territory.administered_by
            if rule.administered_by == "any_party":
                wanted_ok = admin in treaty.parties
            else:
                state = _role(rule.administered_by, fact, obligor, beneficiary)
                wanted_ok = admin is not None and admin == state
            if not wanted_ok:
                match.ok = False
                if explain:
                    wanted = "a party" if rule.administered_by == "any_party" else names.state(state, treaty)
                    held = f"administered by {names.state(admin)}" if admin else "not under any state's administration"
                    match.why_not = f"{territory.name} is {held}, not by {wanted}"
                return
            match.where = f"{territory.name}, administered by {names.state(admin, treaty)}"
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
        fact: m.Fact,
        treaty: m.Treaty,
        obligor: str,
        beneficiary: str,
        past: History,
        match: _Match,
        explain: bool = True,
    ) -> None:
        label = f"under the understanding attached by {self.names.state(obligor)} on ratification"
        if understanding.location is not None:
            sub = _Match(True)
            self._location(understanding.location, fact, treaty, obligor, beneficiary, sub, explain)
            if not sub.ok:
                match.ok, match.why_not = False, f"{label}, {sub.why_not}" if explain else ""
                return
            match.contested.extend(sub.contested)
        if understanding.external and fact.target and fact.by:
            if past.started_by(fact.target, [fact.by]) is not None:
                match.contested.append(f"{label} only an external armed attack obliges it")

    @staticmethod
    def _obligation(
        entry: _Entry,
        fact: m.Fact,
        index: int,
        text: _Text,
        obligor: str,
        beneficiary: str,
        match: _Match,
    ) -> m.Obligation:
        victim = entry.name(fact.target, text.target)
        if fact.kind == "armed_attack":
            event = f"{victim} suffered an armed attack by {entry.name(fact.by, text.by)}"
            if match.where:
                event += f" at {match.where}"
            elif fact.location:
                event += f" at {text.place}"
        elif fact.target in entry.parties:
            event = f"{victim} faces a threat" + (f" from {text.by}" if fact.by else "")
        else:
            event = f"a threat to {victim}" + (f" at {match.where}" if match.where else "") + " endangers the region the article names"
        if match.contested:
            because = f"{entry.opening}{text.when} and {event}, but {'; and '.join(match.contested)}{entry.whether[obligor]}"
            status = "contested"
        else:
            because = f"{entry.opening}{text.when} and {event}{entry.so[obligor]}"
            status = "triggered"
        # by position (see _OBLIGATION_FIELDS): naming eleven arguments costs half as much
        # again as the call itself, and this runs for every obligation
        return m.Obligation(
            entry.tid, entry.aid, entry.kind, obligor, beneficiary, status, entry.duty, because, index, fact.by, fact.location
        )

    def _report(self, fact: m.Fact, index: int, past: History, out: list[Report]) -> None:
        if fact.by is None or fact.target is None:
            return
        responding = past.started_by(fact.target, [fact.by] + ([fact.on_behalf_of] if fact.on_behalf_of else []))
        if fact.on_behalf_of or fact.details.get("self_defence") or responding is not None:
            kind = "collective" if fact.on_behalf_of else "individual"
            who = self.names.state(fact.by)
            out.append(Report(fact.by, index,
                f"{who[0].upper()}{who[1:]} uses force in {kind} self-defence against {self.names.state(fact.target)}, "
                "and UN Charter Art. 51 requires the measures to be reported to the Security Council at once."))

    def _council(self, fact: m.Fact, index: int) -> CouncilOutcome:
        names = self.names
        council = self.council
        drafter = fact.by or "?"
        if fact.kind == "veto":
            if drafter in council.permanent:
                return CouncilOutcome(index, str(fact.details.get("draft_by", "")), "vetoed", (drafter,),
                    f"{names.state(drafter)} is a permanent member, and its negative vote blocks a substantive decision (UN Charter Art. 27(3)).")
            return CouncilOutcome(index, "", "not_a_veto", (),
                f"{names.state(drafter)} is not a permanent member, so its negative vote is not a veto.")
        votes = fact.details.get("votes") or {}
        against = [self.rules.canonical(str(s)) for s in _as_list(votes.get("against"))]
        abstain = [self.rules.canonical(str(s)) for s in _as_list(votes.get("abstain"))]
        chapter = str(fact.details.get("chapter", "VII"))
        disputants = {self.rules.canonical(str(s)) for s in _as_list(fact.details.get("parties"))}
        notes = []
        if chapter in council.compulsory_abstention:
            barred = [s for s in against if s in disputants]
            if barred:
                notes.append(f"{', '.join(names.state(s) for s in barred)} must abstain as a party to the dispute under Chapter {chapter}")
                against = [s for s in against if s not in disputants]
        elif disputants & set(council.permanent):
            notes.append(f"a decision under Chapter {chapter} carries no compulsory abstention, so a party to the dispute may still veto")
        raw_for = votes.get("for")
        affirmative = len(raw_for) if isinstance(raw_for, list) else int(raw_for) if isinstance(raw_for, int) else council.members - len(against) - len(abstain)
        vetoers = tuple(s for s in against if s in council.permanent)
        tail = f" ({'; '.join(notes)})" if notes else ""
        if vetoers:
            return CouncilOutcome(index, drafter, "vetoed", vetoers,
                f"The draft by {names.state(drafter)} fails: {', '.join(names.state(s) for s in vetoers)} voted against as a permanent member, a veto under UN Charter Art. 27(3){tail}.")
        if affirmative >= council.threshold:
            return CouncilOutcome(index, drafter, "adopted", (),
                f"The draft by {names.state(drafter)} is adopted with {affirmative} votes in favour and no permanent member against{tail}.")
        return CouncilOutcome(index, drafter, "failed", (),
            f"The draft by {names.state(drafter)} fails with {affirmative} votes in favour; it needs {council.threshold}{tail}.")


def _role(role: str, fact: m.Fact, obligor: str, beneficiary: str) -> str | None:
    """The state a location rule's role names in this case; a state id names itself."""
    if role == "target":
        return fact.target
    if role == "beneficiary":
        return beneficiary
    if role == "obligor":
        return obligor
    return role


def _kinds(trigger: m.Trigger) -> set[str]:
    kinds = {trigger.fact} if trigger.fact else set()
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
    history: Sequence[m.Fact] = (),
    explain: bool = False,
) -> Resolution:
    return Engine(rules, treaties).resolve(facts, date, history=history, explain=explain)


def force_fact(obligation: m.Obligation, date: dt.date | None = None) -> m.Fact | None:
    """The armed attack that honouring an assistance obligation with force amounts to.

    Collective self-defence against the original attacker, in the theatre of the
    original attack. None where there is nobody to act against or the obligor
    would be acting against itself.
    """
    if obligation.kind != "assist" or obligation.attacker is None:
        return None
    if obligation.attacker in (obligation.obligor, obligation.beneficiary):
        return None
    return m.Fact(
        kind="armed_attack",
        by=obligation.obligor,
        target=obligation.attacker,
        location=obligation.location,
        on_behalf_of=obligation.beneficiary,
        date=date,
        details={"answers": f"{obligation.treaty} Art. {obligation.article}"},
    )


def cascade(
    facts: Sequence[m.Fact],
    date: dt.date,
    rules: m.Rules,
    treaties: Iterable[str] | None = None,
    honours: Callable[[m.Obligation], bool] = lambda ob: ob.status == "triggered",
) -> list[Resolution]:
    """Resolve, let every obliged state that ``honours`` its duty use force, resolve again.

    Ends because each (treaty, article, obligor, beneficiary, attacker) can
    trigger once, and there are finitely many; returns one Resolution a round.
    """
    engine = Engine(rules, treaties)
    known: set[tuple[str, str, str, str, str, str | None]] = set()
    history: list[m.Fact] = []
    rounds: list[Resolution] = []
    pending = list(facts)
    limit = max(1, len(rules.states)) ** 2
    while pending and len(rounds) < limit:
        result = engine.resolve(pending, date, history=history, known=known)
        rounds.append(result)
        history.extend(pending)
        known.update(ob.key for ob in result.obligations)
        pending = [f for f in (force_fact(ob, date) for ob in result.obligations if honours(ob)) if f is not None]
    return rounds


# Fact kinds whose history the engine reads (who struck whom first, who is at war). The state keeps
# these apart, so that resolving a turn's facts reads the exercise's hostilities, not every fact in it.
HISTORY_KINDS = frozenset({"armed_attack", "state_of_war"})


def remembered(fact: m.Fact) -> bool:
    """Does the engine need ``fact`` in the ``history`` of later resolutions?"""
    return fact.kind in HISTORY_KINDS
