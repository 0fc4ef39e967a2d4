"""Words for what the engine logged: one line per event for the log tail and the
replay timeline, and a fuller account for the replay's detail pane.

These functions only read events, the scenario and the rules; they decide
nothing. A sealed decision (the decide phase is still open) is shown without
its option or rationale, so a seat cannot read another's choice on the board.

The callers hold the log's records (a session's ``events``, a log read for
replay, a client's view); :func:`event_line` and :func:`event_details` take
one and structure it once (``ev.from_json``), and everything below reads the
typed event, so a field renamed in tabletop/events.py fails mypy here. Records
that are not events are handled before that: the log's signature lines, the
server's stand-in for a record sealed from this role (``"sealed": true``,
tabletop/serve/visibility.py), described as the sealed record it stands for,
and anything else that does not structure (a withheld stand-in, a line no
replay has checked yet): its line names its type, its details list its fields
as they are.
"""

from __future__ import annotations

from typing import Any

from tabletop import events as ev
from tabletop import model as m
from tabletop import rulings
from tabletop.game import played_by
from tabletop.model import seat_name
from tabletop.sealing import SEALED
from tabletop.serve.view import placeholder


def _event_of(record: dict[str, Any]) -> ev.Event | None:
    """The typed event of a record, structured here once; None for a record that is not a well-formed event."""
    try:
        event: ev.Event = ev.from_json(record)
    except ev.EventError:
        return None
    return event


def inject_title(scenario: m.Scenario, event: ev.InjectReleased) -> str:
    if event.adhoc is not None:
        return event.adhoc.title
    return _inject_named(scenario, event.inject)


def _inject_named(scenario: m.Scenario, inject_id: str) -> str:
    try:
        return scenario.inject(inject_id).title
    except KeyError:
        return inject_id


def treaty_label(rules: m.Rules, treaty: str) -> str:
    known = rules.treaties.get(treaty)
    return known.label if known else treaty


def option_label(scenario: m.Scenario, seat: str, option: str | None, text: str | None = None) -> str:
    """An option's label; for a decision in the seat's own words (no option), its text in quotation marks."""
    if option is None:
        return f"in its own words: \u201c{text or ''}\u201d"
    try:
        return scenario.option(seat, option).label
    except KeyError:
        return option


def article_text(rules: m.Rules, treaty: str, article: str) -> str:
    try:
        return rules.treaties[treaty].article(article).text.strip()
    except KeyError:
        return ""


def override_text(what: Any, value: Any, seat: str, obligation: Any, reason: Any) -> str:
    """An override in one line; a ruling on an obligation says the ruling in words (tabletop/rulings.py)."""
    if what == "obligation":
        return f"Ruling on {obligation}: {rulings.said(str(value))}: {reason}"
    target = f" {seat or obligation}" if seat or obligation else ""
    return f"Override {what}{target} = {value}: {reason}"


def event_line(record: dict[str, Any], scenario: m.Scenario, rules: m.Rules, sealed: bool = False) -> str:
    """One line saying what a logged record was (see the module's docstring for the records that are not events)."""
    kind = record.get("type")
    if kind == "signature":
        return f"Log signed to here by {record.get('key')}"
    if record.get("sealed") is True:  # the server's stand-in for a sealed record: who is in, nothing more, until the reveal
        return line_of(placeholder(record), scenario, rules, sealed=True)
    event = _event_of(record)
    return str(kind) if event is None else line_of(event, scenario, rules, sealed)


def line_of(event: ev.Event, scenario: m.Scenario, rules: m.Rules, sealed: bool = False) -> str:
    """One line saying what an event was."""
    if isinstance(event, ev.TurnStarted):
        try:
            title = scenario.turn(event.turn).title
        except KeyError:
            title = ""
        return f"Turn {event.turn} starts: {title} ({event.date})"
    if isinstance(event, ev.PhaseChanged):
        return f"Phase: {event.phase}"
    if isinstance(event, ev.InjectReleased):
        prefix = "Ad-hoc inject" if event.adhoc is not None else "Inject"
        return f"{prefix}: {inject_title(scenario, event)}"
    if isinstance(event, ev.Decision):
        name = seat_name(scenario, rules, event.seat)
        if sealed:
            what = "answered an obligation" if event.obligation is not None else "decided"
            return f"{name} {what} (sealed)"
        if event.obligation is not None:
            return f"{name} answers obligation {event.obligation}: {event.option}"
        return f"{name} decides: {option_label(scenario, event.seat, event.option, event.text)}"
    if isinstance(event, ev.ObligationAnswered):
        name = seat_name(scenario, rules, event.seat)
        if sealed:
            return f"{name} answered {event.obligation} (sealed)"
        return f"{event.obligation} answered by {name}: {event.answer}"
    if isinstance(event, ev.Assessed):
        name = seat_name(scenario, rules, event.seat)
        if sealed:
            return f"{name}'s course of action assessed (sealed)"
        return f"{name}'s course of action assessed: {event.reason}"
    if isinstance(event, ev.ObligationTriggered):
        return f"Obligation {obligation_line(event, scenario, rules)}"
    if isinstance(event, ev.Adjudicated):
        before, after = event.changes.tension
        why = [c.because for c in event.changes.causes if c.what == "tension"]
        return f"Adjudicated: tension {before} → {after}" + (f". {why[0]}" if why else "")
    if isinstance(event, ev.CouncilDecided):
        vetoed = [seat_name(scenario, rules, s) for s in event.vetoed_by]
        by = f" by {', '.join(vetoed)}" if vetoed else ""
        return f"Security Council: the draft by {seat_name(scenario, rules, event.draft_by)} is {event.outcome}{by}."
    if isinstance(event, ev.ReportOwed):
        return f"Art. 51 report owed by {seat_name(scenario, rules, event.by)}"
    if isinstance(event, ev.Overridden):
        return override_text(event.what, event.value, seat_name(scenario, rules, event.seat), event.obligation, event.reason)
    if isinstance(event, ev.Noted):
        who = f" ({seat_name(scenario, rules, event.seat)})" if event.seat else ""
        return f"Note{who}: {event.text}"
    if isinstance(event, ev.ExerciseEnded):
        return "Exercise ended" + (f": {event.reason}" if event.reason else "")
    if isinstance(event, ev.InjectsWithheld):
        titles = ", ".join(_inject_named(scenario, i) for i in event.injects)
        return f"{'Kept as standby' if event.how == 'standby' else 'Dropped'}: {titles}"
    if isinstance(event, ev.TimerSet):
        sign, left = ("-" if event.remaining < 0 else ""), abs(event.remaining)
        return f"Timer {event.action}: {sign}{left // 60:02d}:{left % 60:02d} left of {event.minutes} min ({event.phase})"
    if isinstance(event, ev.HandedOver):
        return played_by(seat_name(scenario, rules, event.seat), event.to)
    if isinstance(event, ev.Retracted):
        seen = " (the players had seen it)" if event.revealed else ""
        return f"Retracted the last {RETRACTED.get(event.what, event.what)}{seen}: {event.reason}"
    return event.TYPE


# The kind of command a retraction took back, in a facilitator's words.
RETRACTED = {
    "turn_started": "turn start", "phase_changed": "advance", "inject_released": "inject release", "decision": "decision or answer",
    "assessed": "assessment", "adjudicated": "adjudication", "override": "override", "note": "note", "exercise_ended": "end of the exercise",
    "injects_withheld": "withheld injects", "handed_over": "hand-over",
}


def obligation_line(event: ev.ObligationTriggered, scenario: m.Scenario, rules: m.Rules) -> str:
    """An obligation in one line, by seat names: two contested ones of the same treaty tell apart by attacker and fact."""
    obligor, beneficiary = seat_name(scenario, rules, event.obligor), seat_name(scenario, rules, event.beneficiary)
    line = (f"{event.id}: {treaty_label(rules, event.treaty)} Art. {event.article} "
            f"{event.kind}, {obligor} to {beneficiary} ({event.status})")
    if event.attacker:
        where = f" on {seat_name(scenario, rules, event.location)}" if event.location else ""
        line += f": attack by {seat_name(scenario, rules, event.attacker)}{where}"
    return line


def event_details(record: dict[str, Any], scenario: m.Scenario, rules: m.Rules, sealed: bool = False) -> list[tuple[str, str]]:
    """(label, text) pairs: everything in a logged record a facilitator would want to read, the log's bookkeeping first; of a sealed one, only whose it is."""
    event = _event_of(record)
    kind, turn = (event.TYPE, event.turn) if event is not None else (record.get("type"), record.get("turn"))
    rows: list[tuple[str, str]] = [("event", f"#{record.get('seq')} {kind} (turn {turn})")]
    if record.get("ts"):
        rows.append(("time", str(record["ts"])))
    if sealed:
        return [*rows, ("seat", seat_name(scenario, rules, record.get("seat"))), ("sealed", SEALED)]
    if event is None:
        return rows + [(key, _plain(value)) for key, value in record.items() if key not in _BOOKKEEPING]
    return rows + rows_of(event, scenario, rules)


_BOOKKEEPING = {"type", "seq", "turn", "prev", "ts"}  # said in the first rows, or not for people (the hash chain)


def rows_of(event: ev.Event, scenario: m.Scenario, rules: m.Rules) -> list[tuple[str, str]]:
    """(label, text) pairs for what an event says: by field for the events a facilitator reads closely, else each field as logged."""
    rows: list[tuple[str, str]] = []
    if isinstance(event, ev.InjectReleased):
        adhoc = event.adhoc
        if adhoc is not None:
            rows += [("title", adhoc.title), ("text", adhoc.text), ("source", "facilitator (ad hoc)")]
        else:
            try:
                inject = scenario.inject(event.inject)
            except KeyError:
                rows.append(("inject", event.inject))
            else:
                rows += [("title", inject.title), ("date", str(inject.date or "standby")), ("source", inject.source), ("text", inject.text)]
    elif isinstance(event, ev.Decision):
        seat = event.seat
        rows.append(("seat", f"{seat_name(scenario, rules, seat)} ({event.by})"))
        if event.obligation is not None:
            rows.append(("answers", f"obligation {event.obligation}: {event.option}"))
        else:
            option = event.option
            rows.append(("option", option_label(scenario, seat, option, event.text)))
            try:
                text = scenario.option(seat, option).text if option is not None else ""
            except KeyError:
                text = ""
            if text:
                rows.append(("means", text))
            if event.inject is not None:
                rows.append(("answers", f"inject {event.inject}"))
        rows.append(("rationale", event.rationale))
    elif isinstance(event, ev.ObligationTriggered):
        rows += [
            ("obligation", f"{event.id}: {treaty_label(rules, event.treaty)} Art. {event.article} ({event.kind})"),
            ("parties", f"{seat_name(scenario, rules, event.obligor)} → {seat_name(scenario, rules, event.beneficiary)}"),
            ("status", event.status),
            ("duty", event.duty),
            ("because", event.because),
        ]
        text = article_text(rules, event.treaty, event.article)
        if text:
            rows.append(("article", text))
    elif isinstance(event, ev.Adjudicated):
        changes = event.changes
        esc = rules.escalation
        before, after = changes.tension
        rows.append(("tension", f"{before} ({esc.rung_name(before)}) → {after} ({esc.rung_name(after)})"))
        for seat, (old, new) in changes.credibility.items():
            rows.append(("credibility", f"{seat_name(scenario, rules, seat)} {old} → {new}"))
        for seat, (was, now) in changes.posture.items():
            rows.append(("posture", f"{seat_name(scenario, rules, seat)} {was} → {now}"))
        for cause in changes.causes:
            rows.append(("why", cause.because))
        for fact in event.facts:
            rows.append(("fact", ", ".join(f"{k}={v}" for k, v in fact.to_json().items())))
    else:
        rows += [(key, _plain(value)) for key, value in ev.to_json(event).items() if key not in _BOOKKEEPING]
    return rows


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    return str(value)
