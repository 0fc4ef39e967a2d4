"""After-action report: the written hot wash of one exercise, in Markdown or HTML.

:func:`render` reads a session (live or replayed from its log) and writes a
report a facilitator can hand out: the overview, who played each seat, the
injects released turn by turn with their sources, every decision and its
rationale, the treaty obligations and how each was answered, Security Council
outcomes and Article 51 reports, the facilitator's overrides and notes, the
discussion questions, and the tension over the turns.

The report is built in two steps: :func:`collect` turns the session into plain
values (:class:`Report`), and one renderer per format writes them out, so both
formats say the same things. Output depends only on the log, the scenario and
the rules: no clock is read, so the same log gives the same bytes. The HTML is
one self-contained file: inline CSS, the chart as inline SVG, no scripts and
no resource loaded from anywhere (a Content-Security-Policy says so too); links
to sources are plain ``<a href>``.

A pure domain module: it never imports Textual.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from tabletop import events as ev
from tabletop import model as m
from tabletop import rulings
from tabletop.game import answers_for, played_by
from tabletop.palette import OKABE_ITO, css_variables
from tabletop.safetext import visible
from tabletop.sealing import SEALED, answer_sealed, sealed
from tabletop.session import Session

if TYPE_CHECKING:  # annotations only
    from tabletop.state import State

FORMATS = ("md", "html")
GENERATOR = "tabletop"

# --------------------------------------------------------------------- values


@attrs.frozen
class InjectItem:
    id: str
    turn: int
    title: str
    text: str
    date: str | None
    to: tuple[str, ...]
    hypothetical: bool
    standby: bool
    adhoc: bool
    source: m.Source | None
    cite: str = ""
    note: str = ""


@attrs.frozen
class DecisionItem:
    turn: int
    seat: str
    seat_name: str
    option: str | None  # None: a decision in the seat's own words
    label: str
    rationale: str
    by: str
    answers_inject: str | None = None  # title of the inject it answers
    answers_obligation: str | None = None  # obligation id
    obligation_label: str | None = None  # "US-Japan 1960 Art. IV to Japan"


@attrs.frozen
class ObligationItem:
    id: str
    turn: int
    treaty: str
    treaty_label: str
    article: str
    article_title: str
    kind: str
    obligor: str
    beneficiary: str
    status: str  # at trigger: triggered | contested
    duty: str
    because: str
    final_status: str  # triggered | contested | answered | void
    answer: str | None
    answered_turn: int | None
    answer_rationale: str | None
    answer_by: str | None
    ruling: str | None  # the facilitator's ruling's value (tabletop/rulings.py): triggered | void | consult
    answer_meaning: str = ""  # what the answer means under this article (rules/escalation.yaml)
    ruling_reason: str = ""  # the facilitator's reason for the ruling, as logged

    @property
    def ruling_said(self) -> str:
        """``upheld: the attack came first`` — the ruling in words, with its reason."""
        said = rulings.said(self.ruling)
        return f"{said}: {self.ruling_reason}" if self.ruling_reason else said

    @property
    def reference(self) -> str:
        return f"{self.treaty_label} Art. {self.article}"

    @property
    def outcome(self) -> str:
        """What became of it, in words."""
        if self.answer:
            return f"{self.answer} (turn {self.answered_turn})"
        if self.final_status == "void":
            return "set aside by the facilitator"
        return "unanswered"


@attrs.frozen
class CouncilItem:
    turn: int
    outcome: str
    draft_by: str
    vetoed_by: tuple[str, ...]
    because: str


@attrs.frozen
class ArticleReport:
    turn: int
    by: str
    article: str
    because: str


@attrs.frozen
class OverrideItem:
    turn: int
    what: str
    subject: str  # the seat or obligation overruled, or ""
    value: str
    reason: str
    ts: str = ""


@attrs.frozen
class NoteItem:
    turn: int
    author: str
    text: str
    ts: str = ""
    objective: str | None = None  # an exercise objective's id, when the note is an observation against it
    finding: str | None = None  # "strength" | "improvement", when the observer says which


FINDINGS = (("strength", "Strengths"), ("improvement", "Areas for improvement"), (None, "Other observations"))


def observations_by_objective(r: Report) -> list[tuple[str, str, list[tuple[str, list[NoteItem]]]]]:
    """HSEEP's AAR grouping: (objective id, its text, [(heading, notes)]) for every objective a note names.

    Objectives in the scenario's order, then any a note names that the scenario does not define;
    within each, strengths, areas for improvement, then notes that say neither.
    """
    texts = dict(r.objectives)
    named = [n for n in r.notes if n.objective]
    order = [o for o, _ in r.objectives] + sorted({o for n in named if (o := n.objective) and o not in texts})
    out = []
    for objective in order:
        mine = [n for n in named if n.objective == objective]
        if not mine:
            continue
        groups = []
        for finding, heading in FINDINGS:
            found = [n for n in mine if (n.finding if n.finding in m.FINDINGS else None) == finding]
            if found:
                groups.append((heading, found))
        out.append((objective, texts.get(objective, "(not an objective of this scenario)"), groups))
    return out


@attrs.frozen
class Adjudication:
    tension: tuple[int, int]
    credibility: tuple[tuple[str, int | None, int], ...]  # seat name, before, after
    posture: tuple[tuple[str, str, str], ...]  # seat name, before, after (names)
    facts: int
    causes: tuple[str, ...] = ()  # why each number moved, one sentence each (logs before causes were logged have none)


@attrs.frozen
class TurnItem:
    id: int
    title: str
    start: str
    end: str
    brief: str
    questions: tuple[str, ...]
    injects: tuple[InjectItem, ...]
    decisions: tuple[DecisionItem, ...]
    adjudications: tuple[Adjudication, ...]
    obligations: tuple[str, ...]  # ids triggered in this turn
    tension_start: int
    tension_end: int
    handovers: tuple[str, ...] = ()  # who plays a seat from then on, one sentence each, in log order


@attrs.frozen
class TensionPoint:
    """A change of tension: which turn, the rung after it, and what caused it."""

    turn: int
    tension: int
    kind: str  # inject | adjudication | council | override | other
    label: str


@attrs.frozen
class SeatItem:
    id: str
    name: str
    role: str
    played_by: str
    decisions: int
    credibility: tuple[int | None, int | None]
    posture: str
    handed: tuple[tuple[int, str], ...] = ()  # (turn, who) for each hand-over of the seat, after the header's played_by


@attrs.frozen
class ArticleText:
    reference: str
    title: str
    text: str
    source: str


@attrs.frozen
class Retraction:
    turn: int
    what: str
    revealed: bool
    reason: str


@attrs.frozen
class Report:
    title: str
    scenario_id: str
    setting: str
    period: tuple[str, str]
    seed: Any
    created: str
    played: tuple[str, str]
    status: str
    ended: bool
    turns_total: int
    parent: str
    seats: tuple[SeatItem, ...]
    turns: tuple[TurnItem, ...]
    obligations: tuple[ObligationItem, ...]
    council: tuple[CouncilItem, ...]
    reports: tuple[ArticleReport, ...]
    overrides: tuple[OverrideItem, ...]
    notes: tuple[NoteItem, ...]
    objectives: tuple[tuple[str, str], ...]  # the scenario's (id, text), for grouping the observations
    sources: tuple[tuple[m.Source, tuple[str, ...]], ...]  # cited sources, with the injects citing each
    articles: tuple[ArticleText, ...]
    charter: tuple[ArticleText, ...]
    answer_text: tuple[tuple[str, str], ...]
    ladder: tuple[tuple[int, str], ...]
    tension_initial: int
    tension_final: int
    tension_points: tuple[TensionPoint, ...]
    provenance: tuple[tuple[str, str], ...]
    events: int
    integrity: tuple[tuple[str, str], ...] = ()  # the log's head hash and who signed it (integrity_rows)
    retractions: tuple[Retraction, ...] = ()  # commands the facilitator took back; what they did is left out above

    def rung(self, tension: int) -> str:
        for rung, name in self.ladder:
            if rung == tension:
                return f"{tension} {name}"
        return str(tension)


# ------------------------------------------------------------------- collect


@attrs.frozen
class Line:
    """One line of the log as the report reads it: its typed event, structured once, and the log's bookkeeping beside it.

    ``event`` is None for the log's own records (``ev.LOG_RECORDS``: signatures),
    which the report counts and places in their turn but does not describe.
    """

    event: ev.Event | None
    type: str
    turn: int
    seq: Any
    ts: Any  # when it was written, if the session kept a clock


def lines_of(records: Iterable[dict[str, Any]]) -> list[Line]:
    """The log's records as :class:`Line` values; EventError names a record that is not a well-formed event."""
    out = []
    for record in records:
        kind = record.get("type")
        if kind in ev.LOG_RECORDS:
            out.append(Line(None, str(kind), int(record.get("turn", 0)), record.get("seq"), record.get("ts")))
        else:
            event: ev.Event = ev.from_json(record)
            out.append(Line(event, event.TYPE, event.turn, record.get("seq"), record.get("ts")))
    return out


def render(session: Session, fmt: str, integrity: Sequence[tuple[str, str]] = ()) -> str:
    """The after-action report of ``session`` as Markdown (``md``) or one HTML file (``html``).

    ``integrity`` (from :func:`integrity_rows`) goes into the overview: the log's
    head hash and its signer, for a class to note and compare with ``verify``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    report = attrs.evolve(collect(session), integrity=tuple(integrity))
    return markdown(report) if fmt == "md" else html_page(report)


def integrity_rows(verdict: Any) -> tuple[tuple[str, str], ...]:
    """Overview rows for a :class:`tabletop.signing.Verdict`: the head hash, and who signed how much of the log."""
    if verdict.status == "unsigned":
        signed = "unsigned: nothing shows who wrote this log"
    elif verdict.status == "bad":
        signed = f"BAD SIGNATURE at line {verdict.bad_line}: run 'tabletop verify'"
    else:
        trust = "" if not verdict.untrusted else " (not a trusted key: " + ", ".join(verdict.untrusted) + ")"
        extent = "every line" if verdict.status == "signed" else f"lines 1 to {verdict.signed_to} of {verdict.lines}"
        signed = f"{verdict.signer}, {extent}{trust}"
    return (("Log head (SHA-256 of its last line)", verdict.head), ("Signed by", signed))


def collect(session: Session) -> Report:
    """Everything the report says, read from the session's scenario, rules, header and events."""
    scenario: m.Scenario = session.scenario
    rules: m.Rules = session.rules
    header: dict[str, Any] = dict(session.header or {})
    records: list[dict[str, Any]] = list(session.events)
    every = lines_of(records)  # each record structured once, here; below, only typed events are read
    gone = ev.retracted_groups(records)  # a retracted command's records: left out, its retraction listed instead
    lines = [line for line in every if line.seq not in gone] if gone else every
    events = [line.event for line in lines if line.event is not None]
    state: State = session.state
    esc = rules.escalation

    def seat_name(seat: str | None) -> str:
        return m.seat_name(scenario, rules, seat)

    def posture_name(posture: str | None) -> str:
        if posture is None:
            return "-"
        return next((p.name for p in esc.postures if p.id == posture), posture)

    def find_inject(inject_id: str) -> m.Inject | None:
        try:
            return session.inject(inject_id)
        except KeyError:
            return None

    def treaty_label(treaty_id: str) -> str:
        treaty = rules.treaties.get(treaty_id)
        return treaty.label if treaty else treaty_id

    def article_of(treaty_id: str, article_id: str) -> m.Article | None:
        treaty = rules.treaties.get(treaty_id)
        if treaty is None:
            return None
        try:
            return treaty.article(article_id)
        except KeyError:
            return None

    # --- obligations, from their triggering events and the folded state
    triggered = [e for e in events if isinstance(e, ev.ObligationTriggered)]
    ruled = {o.obligation: o.reason for o in state.overrides if o.what == "obligation" and o.obligation}  # the last ruling's reason
    answer_decisions = {e.obligation: e for e in events if isinstance(e, ev.Decision) and e.obligation is not None}
    obligations = []
    for event in triggered:
        ob_id = event.id
        open_ob = state.obligations.get(ob_id)
        decision = answer_decisions.get(ob_id)
        hidden = open_ob is not None and answer_sealed(open_ob, state)
        article = article_of(event.treaty, event.article)
        obligations.append(
            ObligationItem(
                id=ob_id,
                turn=event.turn,
                treaty=event.treaty,
                treaty_label=treaty_label(event.treaty),
                article=event.article,
                article_title=article.title if article else "",
                kind=event.kind,
                obligor=seat_name(event.obligor),
                beneficiary=seat_name(event.beneficiary),
                status=event.status,
                duty=event.duty,
                because=event.because,
                final_status=("answered (sealed)" if hidden else open_ob.status) if open_ob else event.status,
                answer=SEALED if hidden else open_ob.answer if open_ob else None,
                answered_turn=open_ob.answered_turn if open_ob else None,
                answer_rationale=SEALED if hidden else decision.rationale if decision else None,
                answer_by=decision.by if decision else None,
                ruling=open_ob.ruling if open_ob else None,
                ruling_reason=ruled.get(ob_id, ""),
                answer_meaning="" if hidden or open_ob is None or not open_ob.answer else
                getattr(answers_for(rules, open_ob).get(open_ob.answer), "text", ""),
            )
        )
    by_id = {o.id: o for o in obligations}

    # --- decisions
    decisions = []
    for decided in events:
        if not isinstance(decided, ev.Decision):
            continue
        seat, option = decided.seat, decided.option
        if sealed(decided, state):  # a decide phase still open: shown as sealed, as on the board
            decisions.append(DecisionItem(
                turn=decided.turn, seat=seat, seat_name=seat_name(seat), option=None, label=SEALED, rationale=SEALED, by=decided.by,
            ))
            continue
        answered = decided.obligation
        if answered:
            ob = by_id.get(answered)
            decisions.append(
                DecisionItem(
                    turn=decided.turn, seat=seat, seat_name=seat_name(seat), option=option,
                    label=option or "", rationale=decided.rationale, by=decided.by,
                    answers_obligation=answered,
                    obligation_label=f"{ob.reference} to {ob.beneficiary}" if ob else answered,
                )
            )
            continue
        if option is None:  # in the seat's own words
            label = f"In its own words: \u201c{decided.text or ''}\u201d"
        else:
            try:
                label = scenario.option(seat, option).label
            except KeyError:
                label = option
        inject_title = None
        if decided.inject:
            inject = find_inject(decided.inject)
            inject_title = inject.title if inject else decided.inject
        decisions.append(
            DecisionItem(
                turn=decided.turn, seat=seat, seat_name=seat_name(seat), option=option, label=label,
                rationale=decided.rationale, by=decided.by, answers_inject=inject_title,
            )
        )

    # --- injects, with their citations
    injects = []
    cited: dict[str, list[str]] = {}
    citations: dict[str, m.Source] = {}
    for released in events:
        if not isinstance(released, ev.InjectReleased):
            continue
        inject = find_inject(released.inject)
        adhoc = released.adhoc is not None
        if inject is None:
            inject = m.Inject(id=released.inject, turn=released.turn, title=released.adhoc.title if released.adhoc else released.inject,
                              text=released.adhoc.text if released.adhoc else "", source="facilitator")
        citation = None
        if not adhoc:
            source = scenario.sources.get(inject.source)
            if source is not None:
                citation = source
            else:
                citation = m.Source(key=inject.source, title=inject.source)
            citations.setdefault(citation.key, citation)
            cited.setdefault(citation.key, []).append(inject.title)
        to = tuple("all seats" if s == "all" else seat_name(s) for s in inject.to)
        injects.append(
            InjectItem(
                id=inject.id, turn=released.turn, title=inject.title, text=inject.text,
                date=inject.date.isoformat() if inject.date else None, to=to, hypothetical=inject.hypothetical,
                standby=inject.standby, adhoc=adhoc, source=citation, cite=inject.cite, note=inject.note,
            )
        )

    # --- adjudications
    adjudications: dict[int, list[Adjudication]] = {}
    for adjudicated in events:
        if not isinstance(adjudicated, ev.Adjudicated):
            continue
        changes = adjudicated.changes
        cred = tuple((seat_name(s), ba[0], ba[1]) for s, ba in changes.credibility.items())
        post = tuple((seat_name(s), posture_name(ba[0]), posture_name(ba[1])) for s, ba in changes.posture.items())
        causes = tuple(_cause_text(c) for c in changes.causes)
        adjudications.setdefault(adjudicated.turn, []).append(Adjudication(changes.tension, cred, post, len(adjudicated.facts), causes))

    # --- council, Art. 51, overrides, notes
    council = tuple(
        CouncilItem(e.turn, e.outcome, seat_name(e.draft_by), tuple(seat_name(s) for s in e.vetoed_by), e.because)
        for e in events if isinstance(e, ev.CouncilDecided)
    )
    article_reports = tuple(
        ArticleReport(e.turn, seat_name(e.by), e.article, e.because) for e in events if isinstance(e, ev.ReportOwed)
    )
    overrides = []
    for line in lines:
        e = line.event
        if not isinstance(e, ev.Overridden):
            continue
        what, value = e.what, e.value
        subject = ""
        if what == "tension":
            shown = _rung(esc, value)
        elif what == "posture":
            subject, shown = seat_name(e.seat), posture_name(value)
        elif what == "credibility":
            subject, shown = seat_name(e.seat), str(value)
        elif what == "obligation":
            ob = by_id.get(e.obligation or "")
            subject = f"{e.obligation} ({ob.reference}, {ob.obligor} to {ob.beneficiary})" if ob else e.obligation or ""
            shown = f"{rulings.said(str(value))} ({value})"
        else:
            shown = str(value)
        overrides.append(OverrideItem(e.turn, what, subject, shown, e.reason, _ts(line)))
    notes = tuple(
        NoteItem(e.turn, seat_name(e.seat) if e.seat else "Facilitator", e.text, _ts(line), e.objective or None, e.finding or None)
        for line in lines if isinstance(e := line.event, ev.Noted)
    )

    handed_over = [e for e in events if isinstance(e, ev.HandedOver)]
    handovers_of: dict[int, list[str]] = {}
    for e in handed_over:
        handovers_of.setdefault(e.turn, []).append(played_by(seat_name(e.seat), e.to) + ".")

    # --- tension: the exact value after every event, from the same fold replay uses
    initial, after = _tension_trace(session, every)
    if gone:
        after = [t for line, t in zip(every, after, strict=True) if line.seq not in gone]
    points = []
    previous = initial
    for line, tension in zip(lines, after, strict=False):
        if tension != previous or isinstance(line.event, ev.Adjudicated):
            points.append(TensionPoint(line.turn, tension, *_cause(line, find_inject)))
        previous = tension

    # --- turns: everything grouped by turn in one pass each, so the report is linear in the log's length
    seat_order = {seat: index for index, seat in enumerate(scenario.seats)}
    played = [e.turn for e in events if isinstance(e, ev.TurnStarted)]
    span: dict[int, tuple[int, int]] = {}  # turn -> (first line, last line), the log's own records too: `after` has one entry each
    for index, line in enumerate(lines):
        turn_of = line.turn
        span[turn_of] = (span[turn_of][0], index) if turn_of in span else (index, index)
    injects_of = _by_turn(injects)
    decisions_of = _by_turn(decisions)
    obligations_of = _by_turn(obligations)
    turns = []
    for turn_id in played:
        try:
            turn = scenario.turn(turn_id)
        except KeyError:
            turn = m.Turn(turn_id, f"Turn {turn_id}", scenario.start, scenario.start)
        first, last = span.get(turn_id, (None, None))
        start_t = after[first] if first is not None and first < len(after) else initial
        end_t = after[last] if last is not None and last < len(after) else start_t
        turns.append(
            TurnItem(
                id=turn.id, title=turn.title, start=turn.start.isoformat(), end=turn.end.isoformat(), brief=turn.brief,
                questions=tuple(turn.questions), injects=tuple(injects_of.get(turn_id, ())),
                decisions=tuple(sorted(decisions_of.get(turn_id, ()), key=lambda d: seat_order.get(d.seat, len(seat_order)))),
                adjudications=tuple(adjudications.get(turn_id, ())),
                obligations=tuple(o.id for o in obligations_of.get(turn_id, ())),
                tension_start=start_t, tension_end=end_t, handovers=tuple(handovers_of.get(turn_id, ())),
            )
        )

    # --- seats
    first_cred = _initial_credibility(session)
    seat_kinds = header.get("seats") or getattr(session, "seats", {}) or {}
    seats = tuple(
        SeatItem(
            id=seat_id, name=seat.name, role=seat.role, played_by=str(seat_kinds.get(seat_id, "bot")),
            decisions=sum(1 for d in decisions if d.seat == seat_id),
            credibility=(first_cred.get(seat_id), state.credibility.get(seat_id)),
            posture=posture_name(state.posture.get(seat_id)),
            handed=tuple((e.turn, e.to) for e in handed_over if e.seat == seat_id),
        )
        for seat_id, seat in scenario.seats.items()
    )

    # --- treaty and Charter articles cited
    articles = []
    seen: set[tuple[str, str]] = set()
    for ob in obligations:
        if (ob.treaty, ob.article) in seen:
            continue
        seen.add((ob.treaty, ob.article))
        article = article_of(ob.treaty, ob.article)
        if article is not None:
            articles.append(ArticleText(ob.reference, article.title, article.text, article.source))
    charter = []
    if article_reports or council:
        wanted = ["51"] if article_reports else []
        if council:
            wanted.append("27")
        for article_id in wanted:
            charter_article = rules.council.article(article_id)
            if charter_article is not None:
                charter.append(ArticleText(f"UN Charter Art. {article_id}", charter_article.title, charter_article.text, charter_article.source))

    # --- overview
    stamps = [line.ts for line in lines if isinstance(line.ts, str)]
    ended_event = next((e for e in events if isinstance(e, ev.ExerciseEnded)), None)
    closing = [t for t in played if scenario.is_closing(t)]
    last_turn = next((t for t in reversed(played) if not scenario.is_closing(t)), 0)
    if state.ended:
        reason = ended_event.reason if ended_event else ""
        status = f"Ended after turn {last_turn}" + (" and a closing response round" if closing else "") + (f" ({reason})" if reason else "")
    elif played:
        status = f"In progress: turn {state.turn}, {state.phase} phase"
    else:
        status = "Not started"
    period_end = scenario.end or (scenario.turns[-1].end if scenario.turns else scenario.start)
    # What each answer given meant under its article: "honour" is force under one treaty, any act to meet the danger under another.
    answers_used = list(dict.fromkeys((o.answer, o.answer_meaning) for o in obligations if o.answer and o.answer_meaning))
    provenance = [
        ("Scenario", f"{scenario.id} (sha256 {str(header.get('scenario_sha256', scenario.sha256))[:16]})"),
        ("Rules", f"sha256 {str(header.get('rules_sha256', rules.sha256))[:16]}"),
        ("Log written by", f"tabletop {header.get('tabletop', '?')}"),
        ("Events", str(len(lines))),
    ]
    hashes = [e.state_hash for e in events if isinstance(e, ev.Adjudicated) and e.state_hash]
    if hashes:
        provenance.append(("Last state hash", hashes[-1][:16]))
    parent = header.get("parent")
    parent_text = ""
    if isinstance(parent, dict):
        parent_text = ", ".join(f"{k}: {parent[k]}" for k in sorted(parent))
    elif parent:
        parent_text = str(parent)

    return Report(
        title=scenario.title,
        scenario_id=scenario.id,
        setting=scenario.setting,
        period=(scenario.start.isoformat(), period_end.isoformat()),
        seed=header.get("seed", getattr(session, "seed", "")),
        created=str(header.get("created", "")),
        played=(stamps[0], stamps[-1]) if stamps else ("", ""),
        status=status,
        ended=bool(state.ended),
        turns_total=len(scenario.turns),
        parent=parent_text,
        seats=seats,
        turns=tuple(turns),
        obligations=tuple(obligations),
        council=council,
        reports=article_reports,
        overrides=tuple(overrides),
        notes=notes,
        objectives=tuple((o.id, o.text) for o in scenario.objectives),
        sources=tuple((citations[k], tuple(v)) for k, v in cited.items()),
        articles=tuple(articles),
        charter=tuple(charter),
        answer_text=tuple(answers_used),
        ladder=tuple((r.rung, r.name) for r in esc.ladder),
        tension_initial=initial,
        tension_final=after[-1] if after else initial,
        tension_points=tuple(points),
        provenance=tuple(provenance),
        events=len(lines),
        retractions=tuple(Retraction(e.turn, e.what, e.revealed, e.reason) for e in events if isinstance(e, ev.Retracted)),
    )


_T = TypeVar("_T", InjectItem, DecisionItem, ObligationItem)


def _by_turn(items: Iterable[_T]) -> dict[int, list[_T]]:
    """Items grouped by their turn, each group in the order given."""
    grouped: dict[int, list[_T]] = {}
    for item in items:
        grouped.setdefault(item.turn, []).append(item)
    return grouped


def _rung(esc: m.Escalation, value: Any) -> str:
    return f"{value} ({esc.rung_name(value)})" if isinstance(value, int) else str(value)


def _ts(line: Line) -> str:
    return "" if line.ts is None else str(line.ts)


def _cause(line: Line, find_inject: Callable[[str], m.Inject | None]) -> tuple[str, str]:
    """What moved the tension at ``line``: the kind of mark the chart draws, and its label."""
    event = line.event
    if isinstance(event, ev.InjectReleased):
        inject = find_inject(event.inject)
        return "inject", f"inject: {inject.title if inject else event.inject}"
    if isinstance(event, ev.Adjudicated):
        said = [c.because for c in event.changes.causes if c.what == "tension"]
        return "adjudication", " ".join(said) if said else "adjudication: no change of tension"
    if isinstance(event, ev.CouncilDecided):
        return "council", f"Security Council: {event.because or event.outcome}"
    if isinstance(event, ev.Overridden):
        return "override", f"facilitator override: {event.reason}"
    if isinstance(event, ev.Retracted):
        return "retraction", f"retracted ({RETRACTED_WHAT.get(event.what, event.what)}): {event.reason}"
    return "other", line.type


def _cause_text(cause: ev.Cause) -> str:
    """A logged cause as a line of the report: the sentence, with the step it made."""
    what, delta = cause.what, cause.delta
    step = f" ({what} {delta:+d})" if delta and what in ("tension", "credibility") else ""
    return f"{cause.because}{step}"


# What a retraction took back, in the report's words.
RETRACTED_WHAT = {
    "turn_started": "the start of a turn", "phase_changed": "an advance to the next phase", "inject_released": "an inject's release",
    "decision": "a decision or an answer", "assessed": "an assessment", "adjudicated": "an adjudication", "override": "an override",
    "note": "a note", "exercise_ended": "the end of the exercise", "injects_withheld": "withheld injects", "handed_over": "a hand-over",
}


def _handed(s: SeatItem) -> str:
    """The seat's hand-overs after who played it first: ``, then bot from turn 2``."""
    return "".join(f", then {to} from turn {turn}" for turn, to in s.handed)


def _retraction_rows(r: Report) -> list[list[str]]:
    return [[str(x.turn), RETRACTED_WHAT.get(x.what, x.what), "yes" if x.revealed else "no", x.reason] for x in r.retractions]


def _initial_credibility(session: Session) -> dict[str, int]:
    return dict(session.game.initial().credibility)


def _tension_trace(session: Session, lines: Sequence[Line]) -> tuple[int, list[int]]:
    """Tension before the first event, and after each event.

    Folds the events with the game's own fold, so the chart shows exactly what
    the board showed, including changes inside a turn (injects, Council votes,
    overrides). The session was replayed, so every event folds. ``lines`` are
    the session's records, structured (:func:`lines_of`).
    """
    game = session.game
    state = game.initial()
    initial = state.tension
    after: list[int] = []
    for line in lines:
        if line.event is not None:
            state = game.evolve(state, line.event)
        after.append(state.tension)
    return initial, after


# ------------------------------------------------------------------ Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def md_escape(text: Any) -> str:
    """Inline Markdown: one line, no emphasis, strikethrough, links, code or raw HTML from the data; control characters visible."""
    value = " ".join(visible(text).split())
    value = _MD_SPECIAL.sub(r"\\\1", value)
    value = re.sub(r"&(?=#?\w+;)", "&amp;", value)
    value = value.replace("<", "&lt;").replace(">", "&gt;")
    return _MD_LINE_START.sub(lambda mt: mt.group(1) + "\\" + mt.group(2), value)


def _md_paragraphs(text: str) -> list[str]:
    text = visible(text)  # before splitting at whitespace, which in Python includes CR and some other controls
    return [md_escape(p) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _md_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GFM table; cells are already escaped."""
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    lines.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return lines


def _md_item(lines: Sequence[str]) -> str:
    """One list item of several lines, kept apart by hard line breaks."""
    return "- " + "\\\n  ".join(lines)


def _citation(c: m.Source, escape: Callable[[str], str], title: str) -> str:
    """Author, title, publisher, date: escaped for the format, the title set as ``title`` says."""
    parts = [escape(c.author)] if c.author else []
    parts.append(title.format(escape(c.title)))
    parts += [escape(x) for x in (c.publisher, c.date.isoformat() if c.date else None) if x]
    return ", ".join(parts) + "."


def _md_citation(c: m.Source) -> str:
    text = _citation(c, md_escape, "*{}*")
    if c.url and _safe_url(c.url):
        text += f" <{_quoted_url(c.url)}>"
    return text


def markdown(r: Report) -> str:
    out: list[str] = [f"# After-action report: {md_escape(r.title)}", ""]

    out += ["## Overview", ""]
    for paragraph in _md_paragraphs(r.setting):
        out += [paragraph, ""]
    out += _md_table(["", ""], [[f"**{md_escape(k)}**", md_escape(v)] for k, v in _overview_rows(r)]) + [""]

    out += ["## Seats", ""]
    roles = any(s.role for s in r.seats)
    out += _md_table(
        ["Seat", *(["Role"] if roles else []), "Played by", "Decisions", "Credibility", "Final posture"],
        [[md_escape(s.name), *([md_escape(s.role)] if roles else []), md_escape(s.played_by + _handed(s)), str(s.decisions), _cred(s.credibility), md_escape(s.posture)]
         for s in r.seats],
    ) + [""]

    out += ["## Tension over the exercise", ""]
    out += [f"Tension started at rung {md_escape(r.rung(r.tension_initial))} and ended at rung {md_escape(r.rung(r.tension_final))}.", ""]
    out += _md_table(
        ["Turn", "Title", "Dates", "Tension at start", "Tension at end"],
        [[str(t.id), md_escape(t.title), f"{t.start} to {t.end}", md_escape(r.rung(t.tension_start)), md_escape(r.rung(t.tension_end))] for t in r.turns],
    ) + [""]
    if r.tension_points:
        out += ["Every change of tension, and each adjudication:", ""]
        out += _md_table(
            ["Turn", "Cause", "Tension after"],
            [[str(p.turn), md_escape(p.label), md_escape(r.rung(p.tension))] for p in r.tension_points],
        ) + [""]

    out += ["## Turn by turn", ""]
    if not r.turns:
        out += ["No turn was played.", ""]
    obligations = {o.id: o for o in r.obligations}
    for t in r.turns:
        out += [f"### Turn {t.id}: {md_escape(t.title)}", "", f"*{t.start} to {t.end}* · tension {md_escape(r.rung(t.tension_start))} → {md_escape(r.rung(t.tension_end))}", ""]
        for paragraph in _md_paragraphs(t.brief):
            out += [paragraph, ""]
        out += ["#### Injects released", ""]
        if not t.injects:
            out += ["None.", ""]
        for i in t.injects:
            marks = []
            if i.hypothetical:
                marks.append("**hypothetical**")
            if i.standby:
                marks.append("standby")
            if i.adhoc:
                marks.append("ad hoc, written by the facilitator")
            mark = f" ({', '.join(marks)})" if marks else ""
            item = [f"**{i.date or 'undated'}: {md_escape(i.title)}**{mark}, to {md_escape(', '.join(i.to))}"]
            if i.text.strip():
                item.append(md_escape(i.text))
            if i.source is not None:
                item.append(f"Source: {_md_citation(i.source)}" + (f" Cited: “{md_escape(i.cite)}”" if i.cite else ""))
            if i.note:
                item.append(f"Facilitator note: {md_escape(i.note)}")
            out.append(_md_item(item))
        out.append("")
        if t.obligations:
            out += ["#### Obligations triggered", ""]
            for ob_id in t.obligations:
                o = obligations[ob_id]
                out.append(f"- {md_escape(o.id)}: {md_escape(o.reference)}, {md_escape(o.obligor)} → {md_escape(o.beneficiary)} ({md_escape(o.kind)}, {md_escape(o.status)}): {md_escape(o.outcome)}")
            out.append("")
        if t.handovers:
            out += ["#### Hand-overs", ""] + [f"- {md_escape(h)}" for h in t.handovers] + [""]
        out += ["#### Decisions", ""]
        if t.decisions:
            out += _md_table(["Seat", "Decision", "Rationale", "By"], [[md_escape(d.seat_name), _md_decision(d), md_escape(d.rationale), md_escape(d.by)] for d in t.decisions])
        else:
            out.append("None.")
        out.append("")
        for a in t.adjudications:
            out += ["#### Adjudication", ""]
            out.append(f"Tension {md_escape(r.rung(a.tension[0]))} → {md_escape(r.rung(a.tension[1]))}; {a.facts} new fact(s) from the decisions.")
            out.append("")
            if a.causes:
                out += ["Why:", ""] + [f"- {md_escape(c)}" for c in a.causes] + [""]
            rows = _changes_rows(a)
            if rows:
                out += _md_table(["Seat", "Credibility", "Posture"], [[md_escape(c) for c in row] for row in rows]) + [""]
        if t.questions:
            out += ["#### Discussion questions", ""]
            out += [f"{n}. {md_escape(q)}" for n, q in enumerate(t.questions, 1)] + [""]

    out += ["## Treaty obligations", ""]
    if not r.obligations:
        out += ["No treaty obligation was triggered.", ""]
    else:
        out += _md_table(
            ["ID", "Turn", "Article", "Kind", "Obligor → beneficiary", "Status", "Answer"],
            [[md_escape(o.id), str(o.turn), md_escape(o.reference), md_escape(o.kind), f"{md_escape(o.obligor)} → {md_escape(o.beneficiary)}",
              md_escape(_status(o)), md_escape(o.outcome)] for o in r.obligations],
        ) + [""]
        for o in r.obligations:
            item = [f"**{md_escape(o.id)}** ({md_escape(o.reference)}{': ' + md_escape(o.article_title) if o.article_title else ''}): {md_escape(o.because)}",
                    f"Duty: {md_escape(o.duty)}."]
            if o.answer:
                meaning = f" ({md_escape(o.answer_meaning)})" if o.answer_meaning else ""
                item.append(f"Answer: **{md_escape(o.answer)}**{meaning} in turn {md_escape(o.answered_turn)} ({md_escape(o.answer_by or '')}): {md_escape(o.answer_rationale or '')}")
            if o.ruling:
                item.append(f"Facilitator ruling: {md_escape(o.ruling_said)}.")
            out.append(_md_item(item))
        out.append("")
        if r.answer_text:
            out += ["What the answers mean:", ""] + [f"- *{md_escape(a)}*: {md_escape(text)}" for a, text in r.answer_text] + [""]

    out += ["## Security Council and Article 51", ""]
    if not r.council and not r.reports:
        out += ["No draft went to the Security Council and no use of force owed an Article 51 report.", ""]
    if r.council:
        out += _md_table(["Turn", "Draft by", "Outcome", "Vetoed by", "Why"],
                         [[str(c.turn), md_escape(c.draft_by), md_escape(c.outcome), md_escape(", ".join(c.vetoed_by)) or "-", md_escape(c.because)] for c in r.council]) + [""]
    if r.reports:
        out += _md_table(["Turn", "Report owed by", "Article", "Why"],
                         [[str(a.turn), md_escape(a.by), f"UN Charter Art. {md_escape(a.article)}", md_escape(a.because)] for a in r.reports]) + [""]

    out += ["## Facilitator overrides", ""]
    if r.overrides:
        out += _md_table(["Turn", "Overrode", "Set to", "Reason"],
                         [[str(o.turn), md_escape(_override_subject(o)), md_escape(o.value), md_escape(o.reason)] for o in r.overrides]) + [""]
    else:
        out += ["None: the adjudication stood as computed.", ""]

    if r.retractions:
        out += ["## Retractions", "", "Commands the facilitator took back; what they did is left out of this report.", ""]
        out += _md_table(["Turn", "Took back", "Players had seen it", "Reason"], [[md_escape(c) for c in row] for row in _retraction_rows(r)]) + [""]

    grouped = observations_by_objective(r)
    if grouped:
        out += ["## Observations by objective", ""]
        for objective, text, groups in grouped:
            out += [f"### {md_escape(objective)}: {md_escape(text)}", ""]
            for heading, found in groups:
                out += [f"**{heading}**", ""] + [f"- Turn {n.turn}, {md_escape(n.author)}: {md_escape(n.text)}" for n in found] + [""]
    out += ["## Notes", ""]
    loose = [n for n in r.notes if not n.objective]
    if loose:
        out += _md_table(["Turn", "By", "Note"], [[str(n.turn), md_escape(n.author), md_escape(n.text)] for n in loose]) + [""]
    else:
        out += ["None." if not grouped else "None beyond the observations above.", ""]

    out += ["## Sources", ""]
    if not r.sources:
        out += ["No scripted inject was released.", ""]
    for c, titles in r.sources:
        out.append(_md_item([_md_citation(c) + (f" {md_escape(c.note)}" if c.note else ""), f"Cited by: {md_escape('; '.join(dict.fromkeys(titles)))}"]))
    out.append("")

    if r.articles or r.charter:
        out += ["## Articles cited", ""]
        for art in (*r.articles, *r.charter):
            out += [f"**{md_escape(art.reference)}**{' (' + md_escape(art.title) + ')' if art.title else ''}", ""]
            out += ["> " + p for p in _md_paragraphs(art.text)] + [""]
            if art.source:
                out += [f"Source: {md_escape(art.source)}", ""]

    out += ["---", "", " · ".join(f"{md_escape(k)}: {md_escape(v)}" for k, v in r.provenance), ""]
    return "\n".join(out)


def _md_decision(d: DecisionItem) -> str:
    if d.answers_obligation:
        return f"Answers {md_escape(d.answers_obligation)} ({md_escape(d.obligation_label or '')}): **{md_escape(d.label)}**"
    text = f"**{md_escape(d.label)}**"
    if d.answers_inject:
        text += f" (in answer to: {md_escape(d.answers_inject)})"
    return text


# ---------------------------------------------------------- shared wording


def _overview_rows(r: Report) -> list[tuple[str, str]]:
    rows = [
        ("Scenario", f"{r.scenario_id}: {r.title}"),
        ("Scenario time", f"{r.period[0]} to {r.period[1]}"),
        ("Status", r.status),
        ("Turns played", f"{len(r.turns)} of {r.turns_total}"),
        ("Seed", str(r.seed)),
    ]
    if r.created:
        rows.append(("Log created", r.created))
    if r.played[0]:
        rows.append(("Played", r.played[0] if r.played[0] == r.played[1] else f"{r.played[0]} to {r.played[1]}"))
    if r.parent:
        rows.append(("Branched from", r.parent))
    rows.append(("Final tension", r.rung(r.tension_final)))
    rows.append(("Obligations triggered", f"{len(r.obligations)} ({sum(1 for o in r.obligations if o.answer)} answered)"))
    rows.extend(r.integrity)
    return rows


def _cred(pair: tuple[int | None, int | None]) -> str:
    before, after = pair
    if before is None and after is None:
        return "-"
    if before == after:
        return str(after)
    return f"{before} → {after}"


def _changes_rows(a: Adjudication) -> list[tuple[str, str, str]]:
    seats: dict[str, list[str]] = {}
    for name, before, after in a.credibility:
        seats.setdefault(name, ["", ""])[0] = f"{'-' if before is None else before} → {after}"
    for name, was, now in a.posture:
        seats.setdefault(name, ["", ""])[1] = f"{was} → {now}"
    return [(name, cred or "unchanged", post or "unchanged") for name, (cred, post) in seats.items()]


def _status(o: ObligationItem) -> str:
    text = o.status
    if o.ruling:
        text += f", ruled {rulings.said(o.ruling)}"
    return text


def _override_subject(o: OverrideItem) -> str:
    return f"{o.what}: {o.subject}" if o.subject else o.what


def _safe_url(url: str) -> bool:
    return url.lower().startswith(("https://", "http://"))


def _quoted_url(url: str) -> str:
    """The URL with every character a link may not hold raw percent-encoded: whitespace, controls, <, >, quotes, non-ASCII.

    Inside ``<...>`` a Markdown autolink ends at the first space, tab, newline
    or ``<``; a URL holding one would spill the rest into the page as raw HTML.
    Encoded, it stays one link to the same address.
    """
    return urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


# ---------------------------------------------------------------------- HTML


def _e(value: Any) -> str:
    """HTML text or attribute value: markup escaped, control characters visible."""
    return html.escape(visible(value), quote=True)


def _html_paragraphs(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    text = visible(text)  # before splitting at whitespace, which in Python includes CR and some other controls
    return "".join(f"<p{attr}>{_e(' '.join(p.split()))}</p>" for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


def _html_table(head: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "", caption: str = "") -> str:
    """A table; cells are HTML already escaped."""
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    thead = "".join(f'<th scope="col">{h}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}">{cap}<thead><tr>{thead}</tr></thead><tbody>{body}</tbody></table>'


def _badge(word: str, kind: str) -> str:
    return f'<span class="badge {_e(kind)}">{_e(word)}</span>'


def _html_citation(c: m.Source) -> str:
    text = _citation(c, _e, "<cite>{}</cite>")
    if c.url and _safe_url(c.url):
        url = _quoted_url(c.url)
        text += f' <a href="{_e(url)}">{_e(url)}</a>'
    return text


# Okabe-Ito (tabletop.palette): colour-blind safe, and every colour below is paired with a shape or a word.
CSS = (
    """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8; --band: #f3f3f3;
  """
    + css_variables()
    + """ }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main, header.report, footer { max-width: 64rem; margin: 0 auto; padding: 0 1.5rem; }
header.report { padding-top: 2rem; border-bottom: 3px solid var(--blue); padding-bottom: 1rem; }
header.report .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .8rem; color: var(--muted); margin: 0; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: .2rem 0 .6rem; }
h2 { font-size: 1.4rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.2rem; margin: 1.8rem 0 .2rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; color: #333; }
p { margin: .4rem 0 .7rem; }
a { color: var(--blue); }
nav.toc { font-size: .9rem; margin: 1rem 0 0; }
nav.toc ol { margin: 0; padding-left: 1.2rem; columns: 2; }
dl.overview { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.2rem; margin: 1rem 0; }
dl.overview dt { font-weight: 600; }
dl.overview dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th { white-space: nowrap; }
table.decisions td:nth-child(1) { width: 7rem; } table.decisions td:nth-child(2) { width: 30%; } table.decisions td:nth-child(4) { width: 4.5rem; }
th, td { border: 1px solid var(--rule); padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--band); }
tbody tr:nth-child(even) td { background: #fafafa; }
td.num, th.num { text-align: right; white-space: nowrap; }
.turn-meta { color: var(--muted); margin: 0 0 .6rem; }
ol.injects { list-style: none; padding: 0; margin: 0; }
ol.injects > li { border-left: 4px solid var(--blue); padding: .4rem .8rem; margin: 0 0 .7rem; background: #f7fafc; }
ol.injects > li.hypothetical { border-left: 4px dashed var(--vermillion); background: #fdf6f2; }
ol.injects > li.adhoc { border-left-color: var(--purple); }
.inject-head { font-weight: 600; }
.inject-date { font-variant-numeric: tabular-nums; color: var(--muted); font-weight: 400; margin-right: .4rem; }
.inject-to, .source, .fnote { font-size: .88rem; color: #333; margin: .2rem 0; }
blockquote { margin: .4rem 0; padding: .1rem .8rem; border-left: 3px solid var(--rule); color: #333; }
.badge { display: inline-block; font-size: .72rem; font-weight: 700; letter-spacing: .03em; text-transform: uppercase;
  padding: .05rem .4rem; border-radius: .25rem; border: 1px solid; vertical-align: .1em; margin-left: .3rem; white-space: nowrap; }
.badge.hypothetical { color: #8a3c00; border-color: var(--vermillion); background: #fbe9dd; }
.badge.standby, .badge.adhoc { color: #6b2d52; border-color: var(--purple); background: #f8eaf2; }
.badge.human { color: #004f7c; border-color: var(--blue); background: #e3f0f8; }
.badge.bot { color: #444; border-color: #888; background: #eee; }
.badge.triggered { color: #6b4a00; border-color: var(--orange); background: #fdf1d6; }
.badge.contested, .badge.void, .badge.vetoed, .badge.failed { color: #8a3c00; border-color: var(--vermillion); background: #fbe9dd; }
.badge.answered, .badge.adopted { color: #005c45; border-color: var(--green); background: #ddf3ec; }
.badge.unanswered { color: #444; border-color: #888; background: #eee; }
.ob { border: 1px solid var(--rule); border-radius: .3rem; padding: .5rem .8rem; margin: 0 0 .8rem; }
.ob h4 { margin: 0 0 .3rem; }
.ob p { margin: .2rem 0; font-size: .92rem; }
.answer-word { font-weight: 700; }
figure.chart { margin: 1rem 0; }
figure.chart svg { width: 100%; height: auto; max-width: 56rem; display: block; }
figcaption { font-size: .88rem; color: var(--muted); }
ol.questions li { margin: .2rem 0; }
footer { margin-top: 3rem; padding-top: .6rem; padding-bottom: 2rem; border-top: 1px solid var(--rule); font-size: .8rem; color: var(--muted); }
footer dl { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin: 0; }
footer dt { font-weight: 600; } footer dd { margin: 0 .4rem 0 0; }
footer dt::after { content: ":"; }
.muted { color: var(--muted); }
dl.answers { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; font-size: .88rem; margin: .4rem 0 1rem; }
dl.answers dt { font-style: italic; font-weight: 600; } dl.answers dd { margin: 0; }
@media print {
  html { font-size: 10.5pt; }
  @page { margin: 16mm 14mm; }
  nav.toc { display: none; }
  main, header.report, footer { max-width: none; padding: 0; }
  h2, h3, h4 { break-after: avoid; }
  tr, .ob, ol.injects > li, figure.chart { break-inside: avoid; }
  a { color: inherit; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
)


def html_page(r: Report) -> str:
    sections: list[tuple[str, str, str]] = []  # id, heading, body

    overview = _html_paragraphs(r.setting)
    overview += '<dl class="overview">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _overview_rows(r)) + "</dl>"
    sections.append(("overview", "Overview", overview))

    roles = any(s.role for s in r.seats)
    seats = _html_table(
        ["Seat", *(["Role"] if roles else []), "Played by", "Decisions", "Credibility", "Final posture"],
        [[f"<strong>{_e(s.name)}</strong>", *([_e(s.role)] if roles else []), _badge(s.played_by, "human" if s.played_by == "human" else "bot") + _e(_handed(s)),
          str(s.decisions), _e(_cred(s.credibility)), _e(s.posture)] for s in r.seats],
        cls="seats",
    )
    sections.append(("seats", "Seats", seats))

    tension = f'<figure class="chart">{tension_svg(r)}<figcaption>Tension on the escalation ladder, turn by turn. ' \
              "Filled circles: adjudication; open circles: injects; squares: Security Council; diamonds: facilitator overrides.</figcaption></figure>"
    tension += _html_table(
        ["Turn", "Title", "Dates", "Tension at start", "Tension at end"],
        [[str(t.id), _e(t.title), f"{_e(t.start)} to {_e(t.end)}", _e(r.rung(t.tension_start)), _e(r.rung(t.tension_end))] for t in r.turns],
        cls="tension",
    )
    sections.append(("tension", "Tension over the exercise", tension))

    obligations = {o.id: o for o in r.obligations}
    turn_sections = [] if r.turns else ["<p>No turn was played.</p>"]
    for t in r.turns:
        body = [f'<h3 id="turn-{t.id}">Turn {t.id}: {_e(t.title)}</h3>',
                f'<p class="turn-meta">{_e(t.start)} to {_e(t.end)} · tension {_e(r.rung(t.tension_start))} → {_e(r.rung(t.tension_end))}</p>']
        body.append(_html_paragraphs(t.brief))
        body.append("<h4>Injects released</h4>")
        if t.injects:
            items = []
            for i in t.injects:
                cls = " ".join(c for c, on in (("hypothetical", i.hypothetical), ("adhoc", i.adhoc)) if on)
                badges = (_badge("hypothetical", "hypothetical") if i.hypothetical else "") + (_badge("standby", "standby") if i.standby else "") \
                    + (_badge("ad hoc", "adhoc") if i.adhoc else "")
                parts = [f'<div class="inject-head"><span class="inject-date">{_e(i.date or "undated")}</span>{_e(i.title)}{badges}</div>']
                if i.text.strip():
                    parts.append(_html_paragraphs(i.text))
                parts.append(f'<p class="inject-to">To: {_e(", ".join(i.to))}</p>')
                if i.source is not None:
                    parts.append(f'<p class="source">Source: {_html_citation(i.source)}</p>')
                elif i.adhoc:
                    parts.append('<p class="source">Source: written by the facilitator during play.</p>')
                if i.cite:
                    parts.append(f"<blockquote>{_e(i.cite)}</blockquote>")
                if i.note:
                    parts.append(f'<p class="fnote">Facilitator note: {_e(i.note)}</p>')
                items.append(f'<li class="{cls}">' + "".join(parts) + "</li>")
            body.append('<ol class="injects">' + "".join(items) + "</ol>")
        else:
            body.append('<p class="muted">None.</p>')
        if t.obligations:
            body.append("<h4>Obligations triggered</h4><ul>")
            for ob_id in t.obligations:
                o = obligations[ob_id]
                body.append(f'<li><a href="#ob-{_e(o.id)}">{_e(o.id)}</a>: {_e(o.reference)}, {_e(o.obligor)} → {_e(o.beneficiary)} '
                            f"({_e(o.kind)}){_badge(o.status, o.status)}: {_e(o.outcome)}</li>")
            body.append("</ul>")
        if t.handovers:
            body.append("<h4>Hand-overs</h4><ul>" + "".join(f"<li>{_e(h)}</li>" for h in t.handovers) + "</ul>")
        body.append("<h4>Decisions</h4>")
        if t.decisions:
            body.append(_html_table(
                ["Seat", "Decision", "Rationale", "By"],
                [[f"<strong>{_e(d.seat_name)}</strong>", _html_decision(d), _e(d.rationale), _badge(d.by, "human" if d.by == "human" else "bot")]
                 for d in t.decisions],
                cls="decisions",
            ))
        else:
            body.append('<p class="muted">None.</p>')
        for a in t.adjudications:
            body.append("<h4>Adjudication</h4>")
            body.append(f"<p>Tension {_e(r.rung(a.tension[0]))} → {_e(r.rung(a.tension[1]))}; {_e(a.facts)} new fact(s) from the decisions.</p>")
            if a.causes:
                body.append('<ul class="causes">' + "".join(f"<li>{_e(c)}</li>" for c in a.causes) + "</ul>")
            rows = _changes_rows(a)
            if rows:
                body.append(_html_table(["Seat", "Credibility", "Posture"], [[_e(c) for c in row] for row in rows], cls="changes"))
        if t.questions:
            body.append('<h4>Discussion questions</h4><ol class="questions">' + "".join(f"<li>{_e(q)}</li>" for q in t.questions) + "</ol>")
        turn_sections.append(f'<section class="turn">{"".join(body)}</section>')
    sections.append(("turns", "Turn by turn", "".join(turn_sections)))

    if r.obligations:
        obs = []
        for o in r.obligations:
            title = f"{_e(o.id)} · {_e(o.reference)}" + (f" ({_e(o.article_title)})" if o.article_title else "")
            state_badge = _badge(o.status, o.status)
            if o.ruling:
                state_badge += _badge(f"ruled {rulings.said(o.ruling)}", o.ruling)
            if o.answer:
                outcome = _badge("answered", "answered")
            elif o.final_status == "void":
                outcome = "" if o.ruling == "void" else _badge("void", "void")
            else:
                outcome = _badge("unanswered", "unanswered")
            lines = [f'<h4 id="ob-{_e(o.id)}">{title}{state_badge}{outcome}</h4>',
                     f"<p><strong>{_e(o.obligor)} → {_e(o.beneficiary)}</strong>, {_e(o.kind)}, triggered in turn {o.turn}. Duty: {_e(o.duty)}.</p>",
                     f"<p>Because: {_e(o.because)}</p>"]
            if o.answer:
                lines.append(f'<p>Answer in turn {_e(o.answered_turn)}: <span class="answer-word">{_e(o.answer)}</span>'
                             f"{' (' + _e(o.answer_by) + ')' if o.answer_by else ''}. {_e(o.answer_rationale or '')}</p>")
            elif o.final_status == "void":
                lines.append("<p>Set aside by the facilitator; no answer was owed.</p>")
            else:
                lines.append("<p>Not answered before the exercise stopped.</p>")
            obs.append('<div class="ob">' + "".join(lines) + "</div>")
        summary = _html_table(
            ["ID", "Turn", "Article", "Kind", "Obligor → beneficiary", "Status", "Answer"],
            [[f'<a href="#ob-{_e(o.id)}">{_e(o.id)}</a>', str(o.turn), _e(o.reference), _e(o.kind), f"{_e(o.obligor)} → {_e(o.beneficiary)}",
              _e(_status(o)), _e(o.outcome)] for o in r.obligations],
            cls="obligations",
        )
        legend = ""
        if r.answer_text:
            legend = '<dl class="answers">' + "".join(f"<dt>{_e(a)}</dt><dd>{_e(text)}</dd>" for a, text in r.answer_text) + "</dl>"
        sections.append(("obligations", "Treaty obligations", summary + legend + "".join(obs)))
    else:
        sections.append(("obligations", "Treaty obligations", "<p>No treaty obligation was triggered.</p>"))

    council = ""
    if r.council:
        council += _html_table(
            ["Turn", "Draft by", "Outcome", "Vetoed by", "Why"],
            [[str(c.turn), _e(c.draft_by), _badge(c.outcome, c.outcome), _e(", ".join(c.vetoed_by) or "-"), _e(c.because)] for c in r.council],
            caption="Security Council outcomes",
        )
    if r.reports:
        council += _html_table(
            ["Turn", "Report owed by", "Article", "Why"],
            [[str(a.turn), _e(a.by), f"UN Charter Art. {_e(a.article)}", _e(a.because)] for a in r.reports],
            caption="Reports owed under UN Charter Art. 51",
        )
    if not council:
        council = "<p>No draft went to the Security Council and no use of force owed an Article 51 report.</p>"
    sections.append(("council", "Security Council and Article 51", council))

    if r.overrides:
        overrides = _html_table(
            ["Turn", "Overrode", "Set to", "Reason"],
            [[str(o.turn), _e(_override_subject(o)), _e(o.value), _e(o.reason)] for o in r.overrides],
        )
    else:
        overrides = "<p>None: the adjudication stood as computed.</p>"
    sections.append(("overrides", "Facilitator overrides", overrides))
    if r.retractions:
        sections.append(("retractions", "Retractions", "<p>Commands the facilitator took back; what they did is left out of this report.</p>"
                         + _html_table(["Turn", "Took back", "Players had seen it", "Reason"], [[_e(c) for c in row] for row in _retraction_rows(r)])))

    grouped = observations_by_objective(r)
    if grouped:
        observed = ""
        for objective, text, groups in grouped:
            observed += f"<h3>{_e(objective)}: {_e(text)}</h3>"
            for heading, found in groups:
                observed += f"<h4>{_e(heading)}</h4><ul>" + "".join(f"<li>Turn {n.turn}, {_e(n.author)}: {_e(n.text)}</li>" for n in found) + "</ul>"
        sections.append(("observations", "Observations by objective", observed))
    loose = [n for n in r.notes if not n.objective]
    notes = _html_table(["Turn", "By", "Note"], [[str(n.turn), _e(n.author), _e(n.text)] for n in loose]) if loose else \
        ("<p>None beyond the observations above.</p>" if grouped else "<p>None.</p>")
    sections.append(("notes", "Notes", notes))

    if r.sources:
        items = []
        for c, titles in r.sources:
            note = f'<br><span class="muted">{_e(c.note)}</span>' if c.note else ""
            cited_by = "; ".join(_e(t) for t in dict.fromkeys(titles))
            items.append(f'<li id="src-{_e(c.key)}">{_html_citation(c)}{note}<br><span class="fnote">Cited by: {cited_by}</span></li>')
        sources = "<ol>" + "".join(items) + "</ol>"
    else:
        sources = "<p>No scripted inject was released.</p>"
    sections.append(("sources", "Sources", sources))

    if r.articles or r.charter:
        arts = []
        for art in (*r.articles, *r.charter):
            arts.append(f"<h4>{_e(art.reference)}{' (' + _e(art.title) + ')' if art.title else ''}</h4>"
                        f"<blockquote>{_html_paragraphs(art.text)}</blockquote>"
                        + (f'<p class="fnote">Source: {_e(art.source)}</p>' if art.source else ""))
        sections.append(("articles", "Articles cited", "".join(arts)))

    toc = '<nav class="toc" aria-label="Contents"><ol>' + "".join(f'<li><a href="#{sid}">{_e(h)}</a></li>' for sid, h, _ in sections) + "</ol></nav>"
    main = "".join(f'<section id="{sid}"><h2>{_e(h)}</h2>{content}</section>' for sid, h, content in sections)
    footer = "<footer><dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in r.provenance) + "</dl></footer>"
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{GENERATOR}">\n'
        f"<title>After-action report: {_e(r.title)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header class="report"><p class="kicker">After-action report · {_e(r.scenario_id)} · seed {_e(r.seed)}</p>'
        f"<h1>{_e(r.title)}</h1><p>{_e(r.status)}. Final tension: {_e(r.rung(r.tension_final))}.</p>{toc}</header>\n"
        f"<main>\n{main}\n</main>\n{footer}\n</body>\n</html>\n"
    )


def _html_decision(d: DecisionItem) -> str:
    if d.answers_obligation:
        return (f'Answers <a href="#ob-{_e(d.answers_obligation)}">{_e(d.answers_obligation)}</a> '
                f'({_e(d.obligation_label or "")}): <span class="answer-word">{_e(d.label)}</span>')
    text = f"<strong>{_e(d.label)}</strong>"
    if d.answers_inject:
        text += f'<br><span class="muted">in answer to: {_e(d.answers_inject)}</span>'
    return text


# ----------------------------------------------------------------- the chart


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def tension_svg(r: Report) -> str:
    """A step chart of tension over the turns; the y axis is the escalation ladder."""
    ladder = list(r.ladder) or [(0, "0")]
    bottom, top = min(x for x, _ in ladder), max(x for x, _ in ladder)
    width, left, right, top_pad, row = 880, 170, 24, 20, 34
    plot_h = row * max(1, top - bottom)
    bottom_pad = 86
    height = top_pad + plot_h + bottom_pad
    plot_w = width - left - right
    turns = list(r.turns) or []
    bands = max(1, len(turns))
    band_w = plot_w / bands

    def y(t: int) -> float:
        return top_pad + (top - t) * row

    out = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" font-size="12">',
        '<title id="chart-title">Tension over the exercise</title>',
        f'<desc id="chart-desc">{_e(_chart_description(r))}</desc>',
    ]
    # rung bands and labels
    for rung, _name in ladder:
        yy = y(rung)
        if rung > bottom and rung % 2 == 1:
            out.append(f'<rect x="{left}" y="{_fmt(yy)}" width="{_fmt(plot_w)}" height="{row}" fill="#f5f5f5"/>')
    for rung, name in ladder:
        yy = y(rung)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_fmt(yy)}" y2="{_fmt(yy)}" stroke="#d0d0d0" stroke-width="1"/>')
        out.append(f'<text x="{left - 10}" y="{_fmt(yy + 4)}" text-anchor="end" fill="#333">'
                   f'<tspan font-weight="700">{rung}</tspan> {_e(name)}</text>')
    # turn bands
    for index, t in enumerate(turns):
        x0 = left + index * band_w
        if index:
            out.append(f'<line x1="{_fmt(x0)}" x2="{_fmt(x0)}" y1="{top_pad}" y2="{_fmt(top_pad + plot_h)}" stroke="#999" stroke-dasharray="4 4"/>')
        cx = x0 + band_w / 2
        out.append(f'<text x="{_fmt(cx)}" y="{_fmt(top_pad + plot_h + 18)}" text-anchor="middle" font-weight="700" fill="#1a1a1a">Turn {t.id}</text>')
        limit = max(6, int(band_w / 6.6))
        title = t.title if len(t.title) <= limit else t.title[: limit - 1].rstrip() + "…"
        out.append(f'<text x="{_fmt(cx)}" y="{_fmt(top_pad + plot_h + 33)}" text-anchor="middle" fill="#444"><title>{_e(t.title)}</title>{_e(title)}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top_pad}" y2="{_fmt(top_pad + plot_h)}" stroke="#333"/>')
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_fmt(top_pad + plot_h)}" y2="{_fmt(top_pad + plot_h)}" stroke="#333"/>')

    # the step line: changes spread evenly inside their turn's band
    order = {t.id: i for i, t in enumerate(turns)}
    per_turn: dict[int, list[TensionPoint]] = {}
    for p in r.tension_points:
        per_turn.setdefault(p.turn, []).append(p)
    placed: list[tuple[float, TensionPoint]] = []
    for turn_id, points in per_turn.items():
        index = order.get(turn_id, 0)
        for k, p in enumerate(points):
            placed.append((left + index * band_w + band_w * (k + 1) / (len(points) + 1), p))
    placed.sort(key=lambda item: item[0])
    current = r.tension_initial
    path = [f"M{left} {_fmt(y(current))}"]
    for x, p in placed:
        path.append(f"H{_fmt(x)} V{_fmt(y(p.tension))}")
        current = p.tension
    path.append(f"H{_fmt(left + plot_w)}")
    blue, vermillion, purple = OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"]
    out.append(f'<path d="{" ".join(path)}" fill="none" stroke="{blue}" stroke-width="3" stroke-linejoin="round"/>')
    out.append(f'<circle cx="{left}" cy="{_fmt(y(r.tension_initial))}" r="4" fill="{blue}"><title>Start: {_e(r.rung(r.tension_initial))}</title></circle>')
    for x, p in placed:
        yy = y(p.tension)
        tip = f"<title>Turn {p.turn}, {_e(p.label)}: {_e(r.rung(p.tension))}</title>"
        if p.kind == "adjudication":
            out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(yy)}" r="6" fill="{blue}" stroke="#fff" stroke-width="1.5">{tip}</circle>')
        elif p.kind == "override":
            out.append(f'<path d="M{_fmt(x)} {_fmt(yy - 8)} L{_fmt(x + 8)} {_fmt(yy)} L{_fmt(x)} {_fmt(yy + 8)} L{_fmt(x - 8)} {_fmt(yy)} Z" '
                       f'fill="{vermillion}" stroke="#fff" stroke-width="1.5">{tip}</path>')
        elif p.kind == "council":
            out.append(f'<rect x="{_fmt(x - 6)}" y="{_fmt(yy - 6)}" width="12" height="12" fill="{purple}" stroke="#000" stroke-width="1">{tip}</rect>')
        else:
            out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(yy)}" r="5" fill="#fff" stroke="{blue}" stroke-width="2.5">{tip}</circle>')
    # legend
    ly = top_pad + plot_h + 62
    lx = left
    legend = [
        (f'<circle cx="{lx + 6}" cy="{ly - 4}" r="5" fill="#fff" stroke="{blue}" stroke-width="2.5"/>', "inject"),
        (f'<circle cx="{lx + 106}" cy="{ly - 4}" r="6" fill="{blue}"/>', "adjudication"),
        (f'<rect x="{lx + 230}" y="{ly - 10}" width="12" height="12" fill="{purple}" stroke="#000"/>', "Security Council"),
        (f'<path d="M{lx + 386} {ly - 12} L{lx + 394} {ly - 4} L{lx + 386} {ly + 4} L{lx + 378} {ly - 4} Z" fill="{vermillion}"/>', "facilitator override"),
    ]
    offsets = [16, 118, 248, 400]
    for (shape, label), dx in zip(legend, offsets, strict=True):
        out.append(shape)
        out.append(f'<text x="{lx + dx}" y="{ly}" fill="#333">{_e(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _chart_description(r: Report) -> str:
    parts = [f"Tension started at rung {r.rung(r.tension_initial)}"]
    for t in r.turns:
        parts.append(f"turn {t.id} ({t.title}) went from {r.rung(t.tension_start)} to {r.rung(t.tension_end)}")
    parts.append(f"it ended at rung {r.rung(r.tension_final)}")
    return "; ".join(parts) + "."
