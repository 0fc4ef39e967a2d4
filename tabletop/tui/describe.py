"""Words for what the engine logged: one line per event for the log tail and the
replay timeline, and a fuller account for the replay's detail pane.

These functions only read events, the scenario and the rules; they decide
nothing. A sealed decision (the decide phase is still open) is shown without
its option or rationale, so a seat cannot read another's choice on the board.
"""

from __future__ import annotations

from typing import Any

from tabletop import model as m
from tabletop import rulings
from tabletop.game import played_by
from tabletop.model import seat_name
from tabletop.sealing import SEALED


def inject_title(scenario: m.Scenario, event: dict[str, Any]) -> str:
    adhoc = event.get("adhoc")
    if adhoc:
        return str(adhoc.get("title", event.get("inject", "")))
    try:
        return scenario.inject(event["inject"]).title
    except KeyError:
        return str(event.get("inject"))


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


def event_line(event: dict[str, Any], scenario: m.Scenario, rules: m.Rules, sealed: bool = False) -> str:
    """One line saying what an event was."""
    kind = event.get("type")
    name = seat_name(scenario, rules, event.get("seat"))
    if kind == "turn_started":
        try:
            title = scenario.turn(event["turn"]).title
        except KeyError:
            title = ""
        return f"Turn {event.get('turn')} starts: {title} ({event.get('date')})"
    if kind == "phase_changed":
        return f"Phase: {event.get('phase')}"
    if kind == "inject_released":
        prefix = "Ad-hoc inject" if event.get("adhoc") else "Inject"
        return f"{prefix}: {inject_title(scenario, event)}"
    if kind == "decision":
        answers = event.get("answers") or {}
        if sealed:
            what = "answered an obligation" if "obligation" in answers else "decided"
            return f"{name} {what} (sealed)"
        if "obligation" in answers:
            return f"{name} answers obligation {answers['obligation']}: {event.get('option')}"
        return f"{name} decides: {option_label(scenario, event.get('seat', ''), event.get('option'), event.get('text'))}"
    if kind == "obligation_answered":
        if sealed:
            return f"{name} answered {event.get('obligation')} (sealed)"
        return f"{event.get('obligation')} answered by {name}: {event.get('answer')}"
    if kind == "assessed":
        if sealed:
            return f"{name}'s course of action assessed (sealed)"
        return f"{name}'s course of action assessed: {event.get('reason')}"
    if kind == "obligation_triggered":
        return f"Obligation {obligation_line(event, scenario, rules)}"
    if kind == "adjudicated":
        before, after = (event.get("changes") or {}).get("tension", [None, None])
        why = [c.get("because", "") for c in (event.get("changes") or {}).get("causes", ()) if isinstance(c, dict) and c.get("what") == "tension"]
        return f"Adjudicated: tension {before} → {after}" + (f". {why[0]}" if why else "")
    if kind == "council_decided":
        vetoed = [seat_name(scenario, rules, s) for s in event.get("vetoed_by") or []]
        by = f" by {', '.join(vetoed)}" if vetoed else ""
        return f"Security Council: the draft by {seat_name(scenario, rules, event.get('draft_by'))} is {event.get('outcome')}{by}."
    if kind == "report_owed":
        return f"Art. 51 report owed by {seat_name(scenario, rules, event.get('by'))}"
    if kind == "override":
        return override_text(event.get("what"), event.get("value"), seat_name(scenario, rules, event.get("seat")), event.get("obligation"), event.get("reason"))
    if kind == "note":
        who = f" ({name})" if event.get("seat") else ""
        return f"Note{who}: {event.get('text')}"
    if kind == "exercise_ended":
        reason = event.get("reason")
        return "Exercise ended" + (f": {reason}" if reason else "")
    if kind == "signature":
        return f"Log signed to here by {event.get('key')}"
    if kind == "injects_withheld":
        titles = ", ".join(inject_title(scenario, {"inject": i}) for i in event.get("injects") or [])
        return f"{'Kept as standby' if event.get('how') == 'standby' else 'Dropped'}: {titles}"
    if kind == "timer":
        left = int(event.get("remaining") or 0)
        sign, left = ("-" if left < 0 else ""), abs(left)
        return f"Timer {event.get('action')}: {sign}{left // 60:02d}:{left % 60:02d} left of {event.get('minutes')} min ({event.get('phase')})"
    if kind == "handed_over":
        return played_by(name, str(event.get("to")))
    if kind == "retracted":
        seen = " (the players had seen it)" if event.get("revealed") else ""
        return f"Retracted the last {RETRACTED.get(str(event.get('what')), event.get('what'))}{seen}: {event.get('reason')}"
    return str(kind)


# The kind of command a retraction took back, in a facilitator's words.
RETRACTED = {
    "turn_started": "turn start", "phase_changed": "advance", "inject_released": "inject release", "decision": "decision or answer",
    "assessed": "assessment", "adjudicated": "adjudication", "override": "override", "note": "note", "exercise_ended": "end of the exercise",
    "injects_withheld": "withheld injects", "handed_over": "hand-over",
}


def obligation_line(event: dict[str, Any], scenario: m.Scenario, rules: m.Rules) -> str:
    """An obligation in one line, by seat names: two contested ones of the same treaty tell apart by attacker and fact."""
    obligor, beneficiary = seat_name(scenario, rules, event.get("obligor")), seat_name(scenario, rules, event.get("beneficiary"))
    line = (f"{event.get('id')}: {treaty_label(rules, event.get('treaty', ''))} Art. {event.get('article')} "
            f"{event.get('kind')}, {obligor} to {beneficiary} ({event.get('status')})")
    attacker = event.get("attacker")
    if attacker:
        where = f" on {seat_name(scenario, rules, event.get('location'))}" if event.get("location") else ""
        line += f": attack by {seat_name(scenario, rules, attacker)}{where}"
    return line


def event_details(event: dict[str, Any], scenario: m.Scenario, rules: m.Rules, sealed: bool = False) -> list[tuple[str, str]]:
    """(label, text) pairs: everything in an event a facilitator would want to read; of a sealed one, only whose it is."""
    kind = event.get("type")
    rows: list[tuple[str, str]] = [("event", f"#{event.get('seq')} {kind} (turn {event.get('turn')})")]
    if event.get("ts"):
        rows.append(("time", str(event["ts"])))
    if sealed:
        return [*rows, ("seat", seat_name(scenario, rules, event.get("seat"))), ("sealed", SEALED)]
    if kind == "inject_released":
        adhoc = event.get("adhoc")
        if adhoc:
            rows += [("title", adhoc.get("title", "")), ("text", adhoc.get("text", "")), ("source", "facilitator (ad hoc)")]
        else:
            try:
                inject = scenario.inject(event["inject"])
            except KeyError:
                rows.append(("inject", str(event.get("inject"))))
            else:
                rows += [("title", inject.title), ("date", str(inject.date or "standby")), ("source", inject.source), ("text", inject.text)]
    elif kind == "decision":
        seat = event.get("seat", "")
        rows.append(("seat", f"{seat_name(scenario, rules, seat)} ({event.get('by', 'human')})"))
        answers = event.get("answers") or {}
        if "obligation" in answers:
            rows.append(("answers", f"obligation {answers['obligation']}: {event.get('option')}"))
        else:
            option = event.get("option")
            rows.append(("option", option_label(scenario, seat, option, event.get("text"))))
            try:
                text = scenario.option(seat, option).text if option is not None else ""
            except KeyError:
                text = ""
            if text:
                rows.append(("means", text))
            if "inject" in answers:
                rows.append(("answers", f"inject {answers['inject']}"))
        rows.append(("rationale", str(event.get("rationale", ""))))
    elif kind == "obligation_triggered":
        rows += [
            ("obligation", f"{event.get('id')}: {treaty_label(rules, event.get('treaty', ''))} Art. {event.get('article')} ({event.get('kind')})"),
            ("parties", f"{seat_name(scenario, rules, event.get('obligor'))} → {seat_name(scenario, rules, event.get('beneficiary'))}"),
            ("status", str(event.get("status"))),
            ("duty", str(event.get("duty"))),
            ("because", str(event.get("because"))),
        ]
        text = article_text(rules, event.get("treaty", ""), event.get("article", ""))
        if text:
            rows.append(("article", text))
    elif kind == "adjudicated":
        changes = event.get("changes") or {}
        esc = rules.escalation
        before, after = changes.get("tension", [None, None])
        if before is not None:
            rows.append(("tension", f"{before} ({esc.rung_name(before)}) → {after} ({esc.rung_name(after)})"))
        for seat, (old, new) in (changes.get("credibility") or {}).items():
            rows.append(("credibility", f"{seat_name(scenario, rules, seat)} {old} → {new}"))
        for seat, (old, new) in (changes.get("posture") or {}).items():
            rows.append(("posture", f"{seat_name(scenario, rules, seat)} {old} → {new}"))
        for cause in changes.get("causes") or ():
            if isinstance(cause, dict):
                rows.append(("why", str(cause.get("because", ""))))
        for fact in event.get("facts") or []:
            rows.append(("fact", ", ".join(f"{k}={v}" for k, v in fact.items())))
    else:
        skip = {"type", "seq", "turn", "prev", "ts"}
        rows += [(key, _plain(value)) for key, value in event.items() if key not in skip]
    return rows


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    return str(value)
