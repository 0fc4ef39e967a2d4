"""The vocabulary of an exercise as immutable values.

Everything a scenario or rule module says is loaded once into these frozen attrs
classes; the session and the rule engine read them and never change them, so one
loaded scenario can back any number of exercises (``run --runs K``) safely.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # the state of play lives in tabletop.state; these names stay for readers of the model
    from tabletop.state import OpenObligation as OpenObligation

_FACT_FIELDS = frozenset({"kind", "by", "target", "location", "on_behalf_of", "date"})


@attrs.frozen
class Fact:
    """A typed statement about the world that rules read.

    ``by``/``target``/``location`` are the fields treaty triggers look at; anything
    else a source reports (system, range, personnel...) rides along in ``details``.
    """

    kind: str
    by: str | None = None
    target: str | None = None
    location: str | None = None
    details: Mapping[str, Any] = attrs.field(factory=dict, hash=False)  # in equality (the rules read it), not in the hash (a dict)
    on_behalf_of: str | None = None
    date: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        # Field by field, not a loop over names: adjudication writes tens of thousands in a long log.
        out: dict[str, Any] = {"kind": self.kind}
        if self.by is not None:
            out["by"] = self.by
        if self.target is not None:
            out["target"] = self.target
        if self.location is not None:
            out["location"] = self.location
        if self.on_behalf_of is not None:
            out["on_behalf_of"] = self.on_behalf_of
        if self.date is not None:
            out["date"] = self.date.isoformat()
        if self.details:
            out.update(self.details)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fact:
        date = data.get("date")
        get = data.get
        named = 1 + ("by" in data) + ("target" in data) + ("location" in data) + ("on_behalf_of" in data) + ("date" in data)
        return cls(
            data["kind"],
            get("by"),
            get("target"),
            get("location"),
            {k: v for k, v in data.items() if k not in _FACT_FIELDS} if len(data) > named else {},
            get("on_behalf_of"),
            dt.date.fromisoformat(date) if isinstance(date, str) else date,
        )


@attrs.frozen
class Effect:
    """What an inject, decision or answer does to the board.

    ``credibility`` and ``posture`` map seat -> change; an option's bare number or
    word is expanded to its own seat at load time, so the fold never guesses.
    """

    tension: int = 0
    credibility: Mapping[str, int] = attrs.field(factory=dict)
    posture: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Source:
    key: str
    title: str
    author: str | None = None
    publisher: str | None = None
    date: dt.date | None = None
    url: str | None = None
    note: str | None = None


@attrs.frozen
class TimelineEntry:
    """A dated entry of the read-ahead (or of the debrief's "what happened next").

    ``note`` is for the facilitator only (a correction to the source, say): the
    guide prints it, the handouts never do.
    """

    date: dt.date
    title: str
    source: str
    text: str = ""
    note: str = ""


@attrs.frozen
class Alliance:
    text: str
    treaty: str | None = None


@attrs.frozen
class Doctrine:
    """How a seat's bot weighs its options and answers obligations."""

    style: str = ""
    prefers: Mapping[str, float] = attrs.field(factory=dict)
    avoids: tuple[str, ...] = ()
    escalation_ceiling: int = 5
    answers: Mapping[str, str] = attrs.field(factory=dict)
    # situation (attacked | ally_attacked | threatened | a fact kind) -> what it calls for: tag or in_kind/defence -> weight (bots.py)
    situations: Mapping[str, Mapping[str, float]] = attrs.field(factory=dict)
    talks_with_attacker: bool = False  # offers talks to a state that has just attacked it or its allies


#: What an observation against an exercise objective finds (HSEEP's after-action report): a strength, or an area for improvement.
FINDINGS = ("strength", "improvement")

#: The phases of a turn, in order: the vocabulary of DESIGN.md, shared by the loader (phase timings) and the guide.
PHASES = ("brief", "deliberate", "decide", "adjudicate", "review")


@attrs.frozen
class Objective:
    """An exercise objective (HSEEP): what the exercise is meant to teach or test, by id."""

    id: str
    text: str


@attrs.frozen
class Role:
    """One student's part within a team or a control cell, for a class of 20-30.

    ``leads`` names the seat's options this role speaks for; ``merge_into`` the
    role that takes this one over when the class is too small to fill it.
    """

    id: str
    title: str
    focus: str = ""
    leads: tuple[str, ...] = ()
    merge_into: str | None = None


SEAT_KINDS = ("state", "organization")


@attrs.frozen
class Seat:
    """A player: a state of the rule modules, or an organization (an agency, a team) that no treaty binds.

    ``kind`` is ``organization`` for the recipient groups of an imported MSEL
    ("County EOC", "IT Security"): the rule engine never obliges such a seat,
    so it needs no entry in ``rules/geography.yaml``.
    """

    id: str
    name: str
    brief: str
    role: str = ""
    interests: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    red_lines: tuple[str, ...] = ()
    watch: tuple[RedLine, ...] = ()  # the red lines stated as a test on facts: crossing one and doing nothing firm costs credibility
    alliances: tuple[Alliance, ...] = ()
    doctrine: Doctrine = Doctrine()
    kind: str = "state"
    roles: tuple[Role, ...] = ()
    sources: tuple[str, ...] = ()  # the keys the brief draws on: the seat's read-ahead


@attrs.frozen
class RedLine:
    """A red line as the rules can see it: its words, and the fact that crosses it."""

    text: str
    when: FactMatch


@attrs.frozen
class ControlCell:
    """A part of the exercise staff that plays a character, not a state: the Council's president, the press.

    It decides nothing in the engine; it delivers the injects whose ``from`` names it.
    """

    id: str
    name: str
    brief: str = ""
    roles: tuple[Role, ...] = ()


@attrs.frozen
class Turn:
    id: int
    title: str
    start: dt.date
    end: dt.date
    brief: str = ""
    questions: tuple[str, ...] = ()
    minutes: Mapping[str, int] = attrs.field(factory=dict)  # phase -> minutes, over the scenario's default
    closing: bool = False  # the closing response round after the last turn: obligations still owed are answered


CLOSING_TITLE = "Closing round: obligations still owed"
CLOSING_BRIEF = ("The scenario's turns are over, but treaty obligations raised at the end are still owed. "
                 "Each seat that owes one answers it; then a last adjudication.")


@attrs.frozen
class SheetRow:
    """What an MSEL spreadsheet row said that the engine does not act on, kept so export writes it back.

    Planners' MSELs carry HSEEP columns a scenario has no use for in play (how an
    inject is delivered, who sends it, which controller releases it) and columns
    of their own ("Questions/Comments"). Import keeps every one, and the cells
    it converted (a time of ``0900``, an event type of ``Actor Action``, an
    objective written in words) as they were written, so that nothing in a row
    is lost on the way to a scenario. What the scenario does act on has a field
    of its own on the inject (``expected_actions``, ``objectives``, ``sender``);
    this row only keeps how the sheet spelt it.
    """

    number: str = ""  # Event #, when it is not the row's place in the MSEL
    type: str = ""  # Event Type as written, when tabletop names it otherwise
    time: str = ""  # the time cell as written, when tabletop writes it otherwise
    mode: str = ""  # Inject Mode: email, phone call, briefing...
    sender: str = ""  # From, when it names none of the scenario's control cells (an inject's ``sender`` holds one that does)
    objective: str = ""  # Objective/Core Capability as written, when it says the inject's ``objectives`` otherwise than by their ids
    controller: str = ""  # Responsible Controller
    actual: str = ""  # Actual Time
    kept: Mapping[str, str] = attrs.field(factory=dict)  # the sheet's other columns, by their header


ACTION_KINDS = ("expected", "controller")


@attrs.frozen
class Action:
    """An MSEL row of its own that is not released to the players but belongs with an inject.

    ``expected``: an expected player action, what the evaluator looks for after
    the inject, written as a row with its own time and actor. ``controller``:
    something the facilitator does (hand out a map, call the EOC as the mayor),
    a note in the facilitator's guide. ``before`` marks a row that came before
    its inject in the sheet, kept there. Expected player actions written in the
    Expected Player Action column, of the inject's row or of this one, are
    ``expected_actions``, one a line, as on an inject.
    """

    kind: str
    text: str
    title: str = ""
    expected_actions: tuple[str, ...] = ()  # the row's Expected Player Action cell, one action a line
    when: str = ""  # the row's time as tabletop writes it (09:00, 2024-10-31 09:00, T+00:30)
    to: str = ""  # who acts or is addressed, as the sheet names them
    note: str = ""
    before: bool = False
    msel: SheetRow = SheetRow()


@attrs.frozen
class Inject:
    """A scripted event of the MSEL.

    ``time`` is the clock time on ``date``; ``offset`` the time since the start
    of the exercise (T+00:30), for MSELs that count from STARTEX, and then
    ``date`` is the start plus its whole days.

    ``expected_actions`` are what the players are expected to do, the HSEEP
    column Expected Player Action of the inject's own row, one action a line:
    what the evaluator looks for, the guide lists and the MSEL writes back.
    ``actions`` are the MSEL's rows of their own that go with the inject
    (expected player actions with a time and an actor, controller actions).
    ``objectives`` are ids of the scenario's ``objectives`` (the MSEL's
    Objective column); ``sender`` the control cell that delivers the inject
    (``from:``, the MSEL's From column). ``msel`` keeps what the sheet said
    that the engine does not act on, and how it spelt what it does.
    """

    id: str
    turn: int
    title: str
    text: str
    source: str
    date: dt.date | None = None
    to: tuple[str, ...] = ("all",)
    standby: bool = False
    hypothetical: bool = False
    cite: str = ""
    note: str = ""
    facts: tuple[Fact, ...] = ()
    effects: Effect = Effect()
    time: dt.time | None = None
    offset: dt.timedelta | None = None
    sender: str | None = None  # the control cell that delivers it (``from:``); None: the facilitator
    objectives: tuple[str, ...] = ()  # ids of the exercise objectives it serves
    expected_actions: tuple[str, ...] = ()  # what the players are expected to do, one action a line
    actions: tuple[Action, ...] = ()
    msel: SheetRow = SheetRow()


@attrs.frozen
class Correction:
    """Where a source errs and what the checked reference says instead: the guide's list of seed errors."""

    id: str
    source: str  # the key of the source that errs
    claim: str  # what it says
    correction: str
    checked: str  # the key of the source of the correction
    injects: tuple[str, ...] = ()  # injects whose facilitator note carries it


@attrs.frozen
class ArticleRef:
    """A treaty article by treaty and article id; treaty ``charter`` names an article of the UN Charter (rules/unsc.yaml)."""

    treaty: str
    article: str


@attrs.frozen
class Ruling:
    """A recurring contested question and how the facilitator rules on it, with the articles it turns on."""

    id: str
    title: str
    text: str
    sources: tuple[str, ...] = ()
    articles: tuple[ArticleRef, ...] = ()


@attrs.frozen
class Guidance:
    title: str
    text: str


@attrs.frozen
class Facilitation:
    """What the facilitator guide adds to the scenario: timings, rulings, what to do when play leaves the record."""

    minutes: Mapping[str, int] = attrs.field(factory=dict)  # phase -> minutes in every turn
    rulings: tuple[Ruling, ...] = ()
    divergence: tuple[Guidance, ...] = ()


@attrs.frozen
class Debrief:
    """The hot wash: its questions, and what happened after the scenario's end (read-after)."""

    questions: tuple[str, ...] = ()
    after: tuple[TimelineEntry, ...] = ()


#: The keys an option's ``requires:`` may use (tabletop/conditions.py reads them; the loader names them in its errors).
CONDITION_KEYS = ("council_draft", "attacked", "treaty_in_force", "any_of")


@attrs.frozen
class Attacked:
    """``attacked:`` an armed attack on the deciding seat this turn, or within ``within`` turns before it.

    ``by`` narrows it to one attacker (a state id); ``other`` or None: anyone.
    ``on`` names whom: ``self`` (the deciding seat, the default), ``ally`` (a
    seat bound to it by a treaty in force) or a state id.
    """

    within: int = 0
    by: str | None = None
    on: str = "self"


@attrs.frozen
class Condition:
    """What must hold in the situation for an option to be offered (``requires:``); every part given must hold.

    ``council_draft``: a Security Council draft tabled this turn, by a decision
    of another seat already taken this turn or in an inject released this
    turn; its value is the seat that tabled it, or ``any``; ``council_draft_name``,
    if given, narrows it to the draft of that name (a ``council_vote``'s
    ``draft``), for a veto of one of two drafts. ``treaty_in_force``:
    a treaty id of the rules, in force on the state's date. ``any_of``: at
    least one of these conditions holds. Read by tabletop/conditions.py, never
    evaluated as code.
    """

    council_draft: str | None = None
    attacked: Attacked | None = None
    treaty_in_force: str | None = None
    any_of: tuple[Condition, ...] = ()
    council_draft_name: str | None = None


@attrs.frozen
class Option:
    id: str
    seat: str
    label: str
    text: str = ""
    turns: tuple[int, ...] = ()  # empty: open in every turn
    tags: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    effects: Effect = Effect()
    requires: Condition | None = None  # None: open whatever the situation (tabletop/conditions.py)

    def open_in(self, turn: int) -> bool:
        return not self.turns or turn in self.turns


@attrs.frozen
class Initial:
    tension: int | None = None
    credibility: Mapping[str, int] = attrs.field(factory=dict)
    posture: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Scenario:
    id: str
    title: str
    start: dt.date
    seats: Mapping[str, Seat]
    turns: tuple[Turn, ...]
    injects: tuple[Inject, ...]
    options: Mapping[str, tuple[Option, ...]]
    sources: Mapping[str, Source] = attrs.field(factory=dict)
    timeline: tuple[TimelineEntry, ...] = ()
    end: dt.date | None = None
    setting: str = ""
    treaties: tuple[str, ...] | None = None
    initial: Initial = Initial()
    path: str = ""
    sha256: str = ""
    objectives: tuple[Objective, ...] = ()
    control: Mapping[str, ControlCell] = attrs.field(factory=dict)
    corrections: tuple[Correction, ...] = ()
    facilitation: Facilitation = Facilitation()
    debrief: Debrief = Debrief()

    def turn(self, turn_id: int) -> Turn:
        found = self._turns_by_id.get(turn_id)
        if found is not None:
            return found
        last = self.turns[-1] if self.turns else None
        if last is not None and turn_id > last.id:
            # A closing response round: after the last turn, while obligations are still owed.
            return Turn(turn_id, CLOSING_TITLE, last.end, last.end, CLOSING_BRIEF, closing=True)
        raise KeyError(turn_id)

    def inject(self, inject_id: str) -> Inject:
        return self._injects_by_id[inject_id]

    def option(self, seat: str, option_id: str) -> Option:
        return self._options_by_id[(seat, option_id)]

    def is_closing(self, turn: int) -> bool:
        """True for a closing response round: no options, no injects, only the answers still owed."""
        return bool(self.turns) and turn > self.turns[-1].id

    def options_for(self, seat: str, turn: int) -> tuple[Option, ...]:
        if self.is_closing(turn):
            return ()
        cache = self._options_by_turn
        key = (seat, turn)
        if key not in cache:
            cache[key] = tuple(o for o in self.options.get(seat, ()) if o.open_in(turn))
        return cache[key]

    def has_option(self, seat: str, turn: int, option_id: str) -> bool:
        # By id, not by turn: a long exercise asks once per seat and turn, so an index by turn never hits.
        if self.is_closing(turn):
            return False
        return any(o.open_in(turn) for o in self._options_named.get((seat, option_id), ()))

    @functools.cached_property
    def _options_named(self) -> dict[tuple[str, str], tuple[Option, ...]]:
        named: dict[tuple[str, str], list[Option]] = {}
        for seat, options in self.options.items():
            for option in options:
                named.setdefault((seat, option.id), []).append(option)
        return {k: tuple(v) for k, v in named.items()}

    def free_text(self, seat: str) -> bool:
        """True when the seat decides in its own words: it has no option menu (an open-response exercise)."""
        return not self.options.get(seat)

    def injects_for(self, turn: int) -> tuple[Inject, ...]:
        return self._injects_by_turn.get(turn, ())

    # Indexes, built on first use: long synthetic exercises have thousands of turns.
    @functools.cached_property
    def _injects_by_id(self) -> dict[str, Inject]:
        return {i.id: i for i in self.injects}

    @functools.cached_property
    def _options_by_id(self) -> dict[tuple[str, str], Option]:
        return {(seat, o.id): o for seat, options in self.options.items() for o in reversed(options)}

    @functools.cached_property
    def _turns_by_id(self) -> dict[int, Turn]:
        return {t.id: t for t in self.turns}

    @functools.cached_property
    def _injects_by_turn(self) -> dict[int, tuple[Inject, ...]]:
        grouped: dict[int, list[Inject]] = {}
        for inject in self.injects:
            grouped.setdefault(inject.turn, []).append(inject)
        return {t: tuple(i) for t, i in grouped.items()}

    @functools.cached_property
    def _options_by_turn(self) -> dict[tuple[str, int], tuple[Option, ...]]:
        return {}


# --- Rule modules -----------------------------------------------------------


@attrs.frozen
class LocationRule:
    """Where an armed attack must happen for an article to apply.

    ``administered_by`` names a state, or a role: ``any_party``, ``target``,
    ``beneficiary``. ``recognized_by`` is a role or a state whose recognition of
    that administration as lawful is required.
    """

    administered_by: str | None = None
    region: str | None = None
    recognized_by: str | None = None


@attrs.frozen
class Trigger:
    """The structured condition under which an article obliges a party.

    Interpreted by ``treaties.py``; never evaluated as code.
    """

    fact: tuple[str, ...] = ()  # the fact kinds it answers (a threat, or a threat or a declaration of war); () in a branch: its parent's
    target: str | None = None  # "party" or a state id
    by: str | None = None  # "non_party", "party" (the acting state is one of the treaty's), or None
    by_state: bool = False
    state_of_war: bool = False
    location: LocationRule | None = None
    any_of: tuple[Trigger, ...] = ()
    # The article answers only an attack the attacked party's side did not bring on itself:
    # if that side began the war the attack belongs to (or who began it is disputed), contested.
    unprovoked: bool = False
    # where the act was launched from (the fact's ``launched_from`` territory) must be administered so: the use of
    # bases in Japan for combat operations (US-Japan Art. VI, Kishi-Herter notes)
    launched_from: LocationRule | None = None
    # an act in defence of a party of the treaty (on behalf of it, or honouring one of the treaty's own articles)
    # is not this article's: "other than those conducted under Article V"
    not_in_defence_of_party: bool = False


@attrs.frozen
class Duty:
    kind: str  # assist | consult
    duty: str
    who: str = "other_parties"  # other_parties (each party not attacked, to the one attacked) | acting_party (the party that acts, to the others)
    strength: str = ""
    qualifiers: tuple[str, ...] = ()


@attrs.frozen
class Understanding:
    """A reservation or understanding attached on ratification by one party."""

    by: str
    text: str
    source: str = ""
    wording: str = ""
    external: bool = False
    location: LocationRule | None = None


@attrs.frozen
class Clause:
    trigger: Trigger
    obligation: Duty


@attrs.frozen
class Article:
    id: str
    text: str
    source: str
    title: str = ""
    wording: str = ""
    clauses: tuple[Clause, ...] = ()
    understandings: tuple[Understanding, ...] = ()


@attrs.frozen
class Treaty:
    id: str
    title: str
    parties: tuple[str, ...]
    signed: dt.date
    in_force: dt.date | None
    articles: tuple[Article, ...]
    short: str = ""
    ended: dt.date | None = None
    ended_disputed_from: dt.date | None = None
    source: str = ""
    note: str = ""
    party_names: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def label(self) -> str:
        return self.short or self.title

    def article(self, article_id: str) -> Article:
        for article in self.articles:
            if article.id == article_id:
                return article
        raise KeyError(article_id)


@attrs.frozen
class Administration:
    """Who administers a territory over one span of dates (both ends inclusive; None: open-ended).

    ``state`` is None where no state administers it (international waters).
    """

    state: str | None
    start: dt.date | None = None
    end: dt.date | None = None

    def covers(self, date: dt.date) -> bool:
        return (self.start is None or self.start <= date) and (self.end is None or date <= self.end)


@attrs.frozen
class Territory:
    """A place facts can name, and who administered it when.

    Administration changes (Okinawa and the islands administered with it were under
    US administration until the reversion of 15 May 1972), so it is a sequence of
    dated spans, and every question about it is asked on the date of the fact.
    """

    id: str
    name: str
    administration: tuple[Administration, ...]
    regions: tuple[str, ...] = ()
    regions_disputed: tuple[str, ...] = ()
    recognized_by: tuple[str, ...] = ()  # ("all",) when nobody disputes it
    claimed_by: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    # Divided between states with no line a fact can name (the DMZ: south of the Military Demarcation Line the
    # UN Command's charge, north of it the other side's): whether one of them administers the place is arguable.
    shared_by: tuple[str, ...] = ()
    shared_note: str = ""
    # The act by which states refused to recognise its administration (UNGA res. 68/262 for Crimea): a claimant's
    # use of force there is not plainly an armed attack on the state that administers it.
    not_recognised: str = ""

    def administration_on(self, date: dt.date) -> Administration | None:
        """The span that covers ``date``; None if no span does (before the first, or in a gap)."""
        for span in self.administration:
            if span.covers(date):
                return span
        return None

    def administrator(self, date: dt.date) -> str | None:
        """The state that administered the territory on ``date`` (None: no state did)."""
        span = self.administration_on(date)
        return span.state if span is not None else None

    def recognised_by(self, state: str) -> bool:
        return "all" in self.recognized_by or state in self.recognized_by


@attrs.frozen
class State:
    id: str
    name: str
    type: str = "state"
    aliases: tuple[str, ...] = ()
    short: str = ""  # the name a sentence uses ("the DPRK"); the full name when empty
    # who would command its forces in war, over dated spans (Administration.state: the commanding state): a
    # ceasefire or armistice that state signs covers them (the ROK's under the UN Command in 1953)
    wartime_command: tuple[Administration, ...] = ()

    def commander(self, date: dt.date) -> str | None:
        """The state that commands this one's forces in war on ``date``, if another does."""
        return next((span.state for span in self.wartime_command if span.covers(date)), None)


@attrs.frozen
class FactMatch:
    """A structured test on one fact: its kind, and values its fields must hold.

    ``fields`` maps a field (``by``, ``target``, ``location``, ``on_behalf_of``
    or a detail such as ``scale``, ``class``, ``weapon``, ``casualties``) to the
    values allowed; the word ``self`` stands for the seat that asks (a red
    line). ``states`` asks that the matching facts together involve at least
    that many states (attackers and attacked): "attacks between several states".
    ``home`` asks that the act took place on the target's own territory.
    """

    kinds: tuple[str, ...]
    fields: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict)
    states: int = 0
    home: bool | None = None
    at_least: Mapping[str, float] = attrs.field(factory=dict)  # a number field's lowest value: {personnel: {at_least: 1000}}


@attrs.frozen
class Rung:
    """A rung of the escalation ladder; ``needs`` (any of) must hold on the facts of this turn or the ``within`` turns before it to stand on it."""

    rung: int
    name: str
    text: str = ""
    needs: tuple[FactMatch, ...] = ()
    within: int = 0
    needs_text: str = ""  # the condition in words, for the help and the report


@attrs.frozen
class Signal:
    """How high one kind of fact puts tension: the rung it shows, raised or lowered by its details.

    ``rules`` are (match, rung, relief) triples, read in order: the first that
    matches sets the rung (and the relief); none, the kind's own. ``relief`` is
    how many rungs a de-escalating fact (talks, a conciliatory statement) eases
    tension when nothing this turn holds it up.
    """

    kind: str
    rung: int = 0
    rules: tuple[tuple[FactMatch, int, int], ...] = ()
    relief: int = 0

    def read(self, fact: Fact, matches: Callable[[FactMatch, Fact], bool]) -> tuple[int, int]:
        """The rung one fact shows and the relief it brings."""
        for test, rung, relief in self.rules:
            if matches(test, fact):
                return rung, relief
        return self.rung, self.relief


@attrs.frozen
class Posture:
    id: str
    name: str
    text: str = ""


@attrs.frozen
class AnswerEffect:
    """What one answer to an obligation means and does: ``force`` adds an armed attack on the beneficiary's attacker, ``aid`` an assistance fact."""

    tension: int = 0
    credibility: int = 0
    posture: str | None = None
    force: bool = False
    aid: bool = False
    text: str = ""
    honours: bool = False  # whether this answer meets the duty (the report counts it as honoured)


@attrs.frozen
class Escalation:
    ladder: tuple[Rung, ...]
    postures: tuple[Posture, ...]
    initial_tension: int = 2
    credibility_initial: int = 5
    credibility_min: int = 0
    credibility_max: int = 10
    answers: Mapping[str, Mapping[str, AnswerEffect]] = attrs.field(factory=dict)
    answer_text: Mapping[str, str] = attrs.field(factory=dict)
    signals: Mapping[str, Signal] = attrs.field(factory=dict)
    decay: int = 1  # rungs a turn falls when nothing that turn holds tension up
    max_fall: int = 2  # the most rungs tension falls in one turn, whatever the relief
    spiral: int = 2  # states acting at the current rung in one turn that push it one higher (action and reaction)
    red_line_unanswered: int = -2  # credibility when a seat's red line is crossed and it does nothing firm
    firm_tags: tuple[str, ...] = ()  # option tags that answer a crossed red line
    unanswered: int = -2  # credibility of an obligation left unanswered at its due turn's end

    @property
    def top(self) -> int:
        return self.ladder[-1].rung

    @property
    def bottom(self) -> int:
        return self.ladder[0].rung

    def answer_table(self, key: str) -> Mapping[str, AnswerEffect]:
        """The answers offered for an obligation of this key (``game.answer_key``), falling back from ``assist/automatic`` to ``assist``."""
        table = self.answers.get(key)
        if table is None and "/" in key:
            table = self.answers.get(key.split("/")[0])
        return table or {}

    def rung(self, tension: int) -> Rung | None:
        return next((r for r in self.ladder if r.rung == tension), None)

    def rung_name(self, tension: int) -> str:
        for rung in self.ladder:
            if rung.rung == tension:
                return rung.name
        return str(tension)


@attrs.frozen
class AfterVeto:
    """A procedure a veto sets off, in force from ``since`` (the General Assembly's debate on every veto since 2022)."""

    since: dt.date
    text: str


@attrs.frozen
class CharterArticle:
    id: str
    text: str
    source: str = ""
    title: str = ""
    wording: str = ""


@attrs.frozen
class Council:
    permanent: tuple[str, ...]
    members: int = 15
    threshold: int = 9
    compulsory_abstention: tuple[str, ...] = ()
    articles: tuple[CharterArticle, ...] = ()
    effects: Mapping[str, Effect] = attrs.field(factory=dict)
    after_veto: tuple[AfterVeto, ...] = ()  # what follows a veto, from a date (rules/unsc.yaml)

    def follows_veto(self, date: dt.date) -> tuple[str, ...]:
        """The texts of what follows a veto cast on ``date``."""
        return tuple(a.text for a in self.after_veto if date >= a.since)

    def article(self, article_id: str) -> CharterArticle | None:
        return next((a for a in self.articles if a.id == article_id), None)


ENDS = ("hostilities", "war")  # what a fact kind with ``ends`` brings to an end between its states (rules/facts.yaml)


@attrs.frozen
class FactKind:
    """A kind of fact (rules/facts.yaml). ``ends``: a ceasefire ends the ``hostilities`` of a war, a peace the ``war`` itself."""

    id: str
    requires: tuple[str, ...] = ()
    text: str = ""
    hostile: bool = False
    ends: str | None = None


@attrs.frozen
class FactField:
    """A field of a fact whose values are checked on loading (rules/facts.yaml, ``fields:``).

    ``type`` is ``values`` (one of ``values``), ``boolean``, ``state``, ``states``
    (a state or a list of them), ``votes``, ``name`` (a short name, loading.NAME) or ``territory``; ``kinds`` limits the fact kinds that
    may carry it (empty: every kind).
    """

    id: str
    type: str
    values: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    text: str = ""
    default: str | None = None  # what a fact of these kinds means when it leaves the field out


@attrs.frozen
class Rules:
    """Everything in a rules folder, loaded and cross-checked."""

    treaties: Mapping[str, Treaty]
    states: Mapping[str, State]
    territories: Mapping[str, Territory]
    regions: Mapping[str, str]
    fact_kinds: Mapping[str, FactKind]
    escalation: Escalation
    council: Council
    path: str = ""
    sha256: str = ""
    fact_fields: Mapping[str, FactField] = attrs.field(factory=dict)
    # rules/facts.yaml ``lapse_days``: a war of limited attacks alone is over when its sides have not fought for longer
    lapse_days: int | None = None
    # rules/facts.yaml ``immediacy_days``: an answer in self-defence this long after the last attack it answers is
    # said to be late (necessity and immediacy are for the facilitator); None: no answer is said to be late
    immediacy_days: int | None = None

    def state_name(self, state: str) -> str:
        known = self.states.get(state)
        return known.name if known else state

    def canonical(self, name: str) -> str:
        """The state id for an alias (``ussr``, ``North Korea`` -> ``russia``, ``dprk``); unknown names pass through."""
        return self._aliases.get(name) or self._aliases.get(_normal(name), name)

    def territory_id(self, name: str) -> str:
        """The territory id for an id, alias or state alias; unknown names pass through."""
        if name in self.territories:
            return name
        key = _normal(name)
        return self._territory_aliases.get(key) or self._aliases.get(key, name)

    @functools.cached_property
    def _territory_aliases(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for territory in self.territories.values():
            index[_normal(territory.id)] = territory.id
            for alias in territory.aliases:
                index[_normal(alias)] = territory.id
        return index

    @functools.cached_property
    def _aliases(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for state in self.states.values():
            index[state.id] = state.id
            index[_normal(state.id)] = state.id
            for alias in state.aliases:
                index[alias] = state.id
                index[_normal(alias)] = state.id
        return index


@attrs.frozen
class Obligation:
    """What a triggered article asks of one state, and why."""

    treaty: str
    article: str
    kind: str  # assist | consult
    obligor: str
    beneficiary: str
    status: str  # triggered | contested
    duty: str
    because: str
    fact: int = 0  # index of the fact that triggered it
    attacker: str | None = None
    location: str | None = None
    scale: str | None = None  # the scale of the armed attack that set it off (facts.yaml: war | limited)

    def to_json(self) -> dict[str, Any]:
        return {
            "treaty": self.treaty,
            "article": self.article,
            "kind": self.kind,
            "obligor": self.obligor,
            "beneficiary": self.beneficiary,
            "status": self.status,
            "duty": self.duty,
            "because": self.because,
        }

    @property
    def key(self) -> tuple[str, str, str, str, str, str | None]:
        return obligation_key(self.treaty, self.article, self.kind, self.obligor, self.beneficiary, self.attacker)


def obligation_key(treaty: str, article: str, kind: str, obligor: str, beneficiary: str, attacker: str | None) -> tuple[str, str, str, str, str, str | None]:
    """What makes two obligations the same one: while it is open, a fact that would raise it again raises nothing.

    An assistance duty answers an attacker (help against the DPRK is not help
    against Russia), so the attacker is part of it. A consultation is on the
    situation ("whenever ... peace and security in the Far East is
    threatened"): one consultation a pair of parties answers every threat and
    attack of a crisis while it is open, not one each attacker, so every strike
    of an exchange does not raise two more. Once answered, a later fact raises
    it again.
    """
    return (treaty, article, kind, obligor, beneficiary, None if kind == "consult" else attacker)


def seat_name(scenario: Scenario, rules: Rules, seat: str | None) -> str:
    """How a seat or another state is named to people: the scenario's seat name, else the rules' state name, else its id.

    The one naming rule for the board, the bots' rationales and the report;
    no seat (None or empty) is the empty string.
    """
    if not seat:
        return ""
    known = scenario.seats.get(seat)
    return known.name if known else rules.state_name(seat)


def _normal(name: str) -> str:
    """``North Korea``, ``north-korea`` and ``NORTH_KOREA`` all read as ``north_korea``."""
    return "_".join(name.strip().lower().replace("-", " ").replace(".", " ").split())
