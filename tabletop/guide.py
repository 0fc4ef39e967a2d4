"""The facilitator guide: one printable HTML file that lets an instructor run the exercise.

Everything in it comes from the scenario and the rule modules: the timings per turn and
phase, how to run each turn and each inject (audience, sender, expected player actions,
objectives, the facilitator note, the source), what the rule engine will return for every
inject that can oblige anyone, the page on ruling contested obligations, what to do when
players leave the record, the seed errors and their corrections, the debrief with what
happened after the scenario's end, and an observer's sheet by objective. The only prose
written here is about the tool (its phases and keys), never about a country or a treaty.

Output depends only on the scenario and the rules: the same inputs give the same bytes.
A pure domain module: it never imports Textual.
"""

from __future__ import annotations

import attrs

from tabletop import model as m
from tabletop import treaties
from tabletop.htmldoc import (
    Safe,
    article_text,
    audience,
    badge,
    citation,
    document,
    esc,
    items,
    join,
    paragraphs,
    table,
    tag,
)

#: What the facilitator does in each phase, with the TUI's keys: the tool's own procedure.
PHASE_STEPS = {
    "brief": "Read the turn brief aloud. Release the scheduled injects in MSEL order (n, or N for the rest of the turn); hand private injects to their seats only. Obligations raised now fall due in this turn's decide phase.",
    "deliberate": "Teams discuss in their roles; control cells ask their questions. Start the timer (p); extend it (+) rather than cut the review. Release a standby inject (s) if the play calls for it.",
    "decide": "Each team chooses one option with a one-sentence rationale and answers every obligation it owes; human seats decide in turn on the private screen, bots at once. Nobody sees another's choice until all are in.",
    "adjudicate": "Read out what changed, which treaty articles fired and why. Rule on every contested obligation (o: uphold or set aside, with a reason) and note observations by objective (t).",
    "review": "Ask the turn's questions. Have teams that used force read their Article 51 reports. Note strengths and areas for improvement against the objectives (t).",
}
DEFAULT_MINUTES = {"brief": 10, "deliberate": 20, "decide": 10, "adjudicate": 5, "review": 10}
TOOL_DIVERGENCE = (
    ("The tool's levers",
     "Standby injects (s) are the prepared branches; an ad-hoc inject (a) says something the script does not; an override (o) "
     "upholds or sets aside an obligation, or moves tension, credibility or a posture, always with a reason that goes in the log; "
     "a note (t) records what you saw for the after-action report. Nothing you do is lost: the log keeps every step, and "
     "'tabletop report LOG' writes the after-action report from it."),
)


@attrs.frozen
class Engine:
    """What the rule engine returns for one inject, released as scripted."""

    obligations: tuple[m.Obligation, ...]
    reports: tuple[treaties.Report, ...]


def minutes_for(scenario: m.Scenario, turn: m.Turn) -> dict[str, int]:
    base = dict(DEFAULT_MINUTES)
    base.update(scenario.facilitation.minutes)
    base.update(turn.minutes)
    return {phase: base.get(phase, 0) for phase in m.PHASES}


def engine_by_inject(scenario: m.Scenario, rules: m.Rules) -> dict[str, Engine]:
    """For each inject with facts: the engine's answer given the scheduled injects before it (no decisions yet)."""
    out: dict[str, Engine] = {}
    history: list[m.Fact] = []
    for inject in scenario.injects:
        date = inject.date or scenario.turn(inject.turn).start
        facts = [f if f.date else attrs.evolve(f, date=date) for f in inject.facts]
        if facts:
            result = treaties.resolve(facts, date, rules, scenario.treaties, history=list(history))
            if result.obligations or result.reports:
                out[inject.id] = Engine(result.obligations, result.reports)
        if not inject.standby:
            history.extend(facts)
    return out


def _is_private(inject: m.Inject) -> bool:
    return "all" not in inject.to


def _obligation_line(rules: m.Rules, ob: m.Obligation) -> Safe:
    treaty = rules.treaties[ob.treaty].label if ob.treaty in rules.treaties else ob.treaty
    head = f"{treaty} Art. {ob.article} ({ob.kind}): {rules.state_name(ob.obligor)} to {rules.state_name(ob.beneficiary)}"
    return tag("li", tag("strong", head) + badge(ob.status, ob.status) + Safe(" ") + esc(ob.because))


def _engine_block(rules: m.Rules, found: Engine | None) -> Safe:
    if found is None:
        return Safe("")
    lines = [_obligation_line(rules, ob) for ob in found.obligations]
    lines += [tag("li", tag("strong", "UN Charter Art. 51: ") + esc(r.because)) for r in found.reports]
    return tag("div", tag("strong", "What the rule engine returns (released as scripted, before any decision):") + tag("ul", join(lines)), "engine")


def _action_line(action: m.Action) -> str:
    """An MSEL row of its own that goes with an inject, as one line: when and who, what, and what is expected of it."""
    head = ", ".join(x for x in (action.when, action.to) if x)
    what = action.text or action.title
    line = f"{head}: {what}" if head and what else head or what
    if action.expected_actions:
        line = f"{line} (expected: {'; '.join(action.expected_actions)})" if line else "; ".join(action.expected_actions)
    return line + (" (before the inject)" if action.before else "")


def _inject_block(scenario: m.Scenario, rules: m.Rules, inject: m.Inject, found: Engine | None, number: int) -> Safe:
    flags = []
    if inject.standby:
        flags.append(badge("standby", "standby"))
    if inject.hypothetical:
        flags.append(badge("hypothetical", "hypothetical"))
    if _is_private(inject):
        flags.append(badge("private", "private"))
    if inject.title.startswith("Brief:"):
        flags.append(badge("brief", "brief"))
    when = inject.date.isoformat() if inject.date else "when you choose"
    cell = scenario.control.get(inject.sender) if inject.sender else None
    sender = cell.name if cell else inject.msel.sender or "the facilitator"
    meta = f"{number}. {when} · {inject.id} · to {audience(scenario, rules, inject.to)} · from {sender}"
    parts = [tag("p", meta, "meta"), tag("h4", Safe(esc(inject.title)) + join(flags)), paragraphs(inject.text)]
    expected = [*inject.expected_actions, *(_action_line(a) for a in inject.actions if a.kind == "expected")]
    if expected:
        parts.append(tag("p", tag("strong", "Expected player actions:"), "small") + items(expected, "small"))
    controller = [_action_line(a) for a in inject.actions if a.kind != "expected"]
    if controller:
        parts.append(tag("p", tag("strong", "Controller actions:"), "small") + items(controller, "small"))
    if inject.objectives:
        parts.append(tag("p", tag("strong", "Objectives: ") + esc(", ".join(inject.objectives)), "small"))
    source = scenario.sources.get(inject.source)
    if source is not None:
        cite = f' "{inject.cite}"' if inject.cite else ""
        parts.append(tag("p", tag("strong", "Source: ") + citation(source) + esc(cite), "small"))
    if inject.note:
        parts.append(tag("p", tag("strong", "Facilitator note: ") + esc(inject.note), "fnote"))
    parts.append(_engine_block(rules, found))
    classes = "inject" + (" hypothetical" if inject.hypothetical else "") + (" standby" if inject.standby else "")
    return tag("div", join(parts), classes)


def _schedule(scenario: m.Scenario) -> tuple[Safe, int]:
    rows = []
    total = 0
    for turn in scenario.turns:
        minutes = minutes_for(scenario, turn)
        injects = scenario.injects_for(turn.id)
        scheduled = sum(1 for i in injects if not i.standby)
        standby = len(injects) - scheduled
        turn_total = sum(minutes.values())
        total += turn_total
        rows.append([
            str(turn.id), turn.title, f"{turn.start} to {turn.end}", f"{scheduled} + {standby} standby",
            *(str(minutes[p]) for p in m.PHASES), tag("strong", str(turn_total)),
        ])
    head = ["Turn", "Title", "Scenario time", "Injects", *(p.capitalize() for p in m.PHASES), "Minutes"]
    return table(head, rows, "schedule", caption="Timings per turn and phase (minutes)"), total


def _class_section(scenario: m.Scenario) -> Safe:
    rows = []
    full = core = 0
    for seat in scenario.seats.values():
        options = {o.id: o.label for o in scenario.options.get(seat.id, ())}
        for role in seat.roles:
            full += 1
            core += role.merge_into is None
            leads = "; ".join(options.get(o, o) for o in role.leads)
            merged = f" (in a small class: taken by the {next((r.title for r in seat.roles if r.id == role.merge_into), role.merge_into)})" if role.merge_into else ""
            rows.append([seat.name, Safe(esc(role.title) + esc(merged)), role.focus, leads])
        if not seat.roles:
            full += 1
            core += 1
            rows.append([seat.name, seat.role or "The whole team", "", ""])
    for cell in scenario.control.values():
        for role in cell.roles or (m.Role(cell.id, cell.name),):
            full += 1
            core += role.merge_into is None
            merged = " (in a small class: merged)" if role.merge_into else ""
            rows.append([Safe(esc(cell.name) + esc(" (control)")), Safe(esc(role.title) + esc(merged)), role.focus, "Injects sent from this cell"])
    intro = tag("p", f"{full} roles with every part filled; {core} when the merged roles are taken by their partners. "
                     "Give each student one role and its handout; control cells sit with the facilitator.", "lead")
    return intro + table(["Team", "Role", "Focus", "Speaks for (options)"], rows, "roles")


def _objectives_section(scenario: m.Scenario) -> Safe:
    rows = []
    for objective in scenario.objectives:
        serving = [i.id for i in scenario.injects if objective.id in i.objectives]
        rows.append([tag("strong", objective.id), objective.text, f"{len(serving)}: {', '.join(serving)}"])
    return table(["Objective", "What it tests", "Injects that serve it"], rows, "objectives")


def _how_to_run(scenario: m.Scenario) -> Safe:
    rows = [[tag("strong", phase), PHASE_STEPS[phase]] for phase in m.PHASES]
    cells = [tag("li", tag("strong", cell.name + ": ") + esc(" ".join(cell.brief.split()))) for cell in scenario.control.values()]
    out = table(["Phase", "What you do"], rows, "phases")
    if cells:
        out += tag("h3", "Control cells") + tag("ul", join(cells))
    return out


def _turn_section(scenario: m.Scenario, rules: m.Rules, turn: m.Turn, found: dict[str, Engine]) -> Safe:
    minutes = minutes_for(scenario, turn)
    timing = " · ".join(f"{p} {minutes[p]}" for p in m.PHASES) + f" · {sum(minutes.values())} minutes"
    parts = [tag("p", f"{turn.start} to {turn.end} · {timing}", "muted")]
    if turn.brief:
        parts.append(tag("div", tag("strong", "Read aloud: ") + esc(" ".join(turn.brief.split())), "readout"))
    injects = scenario.injects_for(turn.id)
    scheduled = [i for i in injects if not i.standby]
    standby = [i for i in injects if i.standby]
    private = [i for i in injects if _is_private(i)]
    summary = f"{len(scheduled)} scheduled injects, released in this order"
    if standby:
        summary += f"; {len(standby)} standby, released only if you choose"
    if private:
        summary += f"; {len(private)} private: hand them only to the seats named"
    parts.append(tag("p", summary + "."))
    number = 0
    for inject in injects:
        number += 1
        parts.append(_inject_block(scenario, rules, inject, found.get(inject.id), number))
    if turn.questions:
        parts.append(tag("h4", "Review questions") + items((" ".join(q.split()) for q in turn.questions), ordered=True))
    return tag("section", tag("h2", f"Turn {turn.id}: {turn.title}") + join(parts), "page", id=f"turn-{turn.id}")


def _rulings_section(scenario: m.Scenario, rules: m.Rules) -> Safe:
    blocks = []
    for ruling in scenario.facilitation.rulings:
        arts = "; ".join(article_text(rules, a.treaty, a.article)[0] for a in ruling.articles)
        refs = tag("span", f" ({arts})", "muted") if arts else Safe("")
        blocks.append(tag("div", tag("h3", ruling.title) + tag("p", Safe(esc(" ".join(ruling.text.split()))) + refs)))
    intro = tag("p", "The engine marks an obligation contested where the texts need a judgement. Give your ruling before the decide "
                     "phase that owes the answer: r on the board shows why it is contested, the facts between the two sides, the article "
                     "and the guidance below, then upholds it, holds it to consultation only, or sets it aside, with the reason in the log. "
                     "The article texts are at the end of this guide.", "small")
    return tag("section", tag("h2", "Ruling contested obligations") + intro + tag("div", join(blocks), "columns"), "onepage", id="rulings")


def _divergence_section(scenario: m.Scenario) -> Safe:
    entries = [(g.title, g.text) for g in scenario.facilitation.divergence] + list(TOOL_DIVERGENCE)
    return join(tag("div", tag("h3", title) + paragraphs(text)) for title, text in entries)


def _corrections_section(scenario: m.Scenario) -> Safe:
    rows = []
    for c in scenario.corrections:
        source = scenario.sources.get(c.source)
        checked = scenario.sources.get(c.checked)
        where = ", ".join(c.injects) or "-"
        rows.append([source.author or source.title if source else c.source, " ".join(c.claim.split()),
                     " ".join(c.correction.split()), checked.title if checked else c.checked, where])
    out = Safe("")
    if rows:
        out += tag("p", "The injects follow the seeds where they err; the facilitator note gives the correction. Say it when the inject is released.", "small")
        out += table(["Source", "It says", "Correction", "Checked against", "Noted at"], rows, "corrections")
    noted = [e for e in scenario.timeline if e.note]
    if noted:
        out += tag("h3", "Notes on the read-ahead timeline") + tag("ul", join(
            tag("li", tag("strong", f"{e.date} {e.title}: ") + esc(" ".join(e.note.split()))) for e in noted))
    return out or tag("p", "No corrections are recorded for this scenario.")


def _debrief_section(scenario: m.Scenario) -> Safe:
    debrief = scenario.debrief
    parts: list[Safe] = []
    if debrief.questions:
        parts.append(tag("h3", "Hot wash questions") + items((" ".join(q.split()) for q in debrief.questions), ordered=True))
    if debrief.after:
        end = scenario.end or scenario.turns[-1].end
        entries = []
        for entry in debrief.after:
            source = scenario.sources.get(entry.source)
            entries.append(tag("div", tag("h4", Safe(esc(f"{entry.date}: {entry.title}")) + badge("after the scenario's end", "after"))
                           + paragraphs(entry.text) + (tag("p", Safe(esc("Source: ")) + citation(source), "small") if source else Safe(""))))
        parts.append(tag("h3", "What actually happened next") + tag("p", f"Read-after material: these events came after the scenario ends on {end}. "
                                                                        "Hand them out only at the debrief.", "small") + join(entries))
    rows = [[tag("strong", o.id), o.text, "", ""] for o in scenario.objectives]
    if rows:
        parts.append(tag("h3", "Observer's sheet: observations by objective")
                     + tag("p", "For the after-action report (HSEEP): note each observation with its objective during play (t); "
                                "the report groups them as strengths and areas for improvement.", "small")
                     + table(["Objective", "", "Strengths", "Areas for improvement"], rows, "writein"))
    return join(parts)


def _articles_section(scenario: m.Scenario, rules: m.Rules) -> Safe:
    ids = scenario.treaties if scenario.treaties is not None else tuple(rules.treaties)
    parts = []
    for treaty_id in ids:
        treaty = rules.treaties[treaty_id]
        dates = f"signed {treaty.signed}; in force {treaty.in_force or 'never'}" + (f"; ended {treaty.ended}" if treaty.ended else "")
        block = [tag("h3", treaty.title), tag("p", dates + (f". {treaty.note}" if treaty.note else ""), "small")]
        for article in treaty.articles:
            label, title, text, wording = article_text(rules, treaty_id, article.id)
            block.append(tag("h4", f"{label}" + (f" ({title})" if title else "")) + tag("blockquote", paragraphs(text))
                         + (tag("p", wording, "muted small") if wording else Safe("")))
            for understanding in article.understandings:
                block.append(tag("p", tag("strong", f"Understanding of {rules.state_name(understanding.by)}: ") + esc(understanding.text)
                                 + esc(f" ({understanding.wording})" if understanding.wording else ""), "small"))
        parts.append(join(block))
    for charter in rules.council.articles:
        label, title, text, wording = article_text(rules, "charter", charter.id)
        parts.append(tag("h4", f"{label}" + (f" ({title})" if title else "")) + tag("blockquote", paragraphs(text)))
    return join(parts)


def _sources_section(scenario: m.Scenario) -> Safe:
    return tag("ol", join(tag("li", tag("strong", key + ": ") + citation(source, with_note=True), id=f"src-{key}")
                          for key, source in scenario.sources.items()), "small")


def render(scenario: m.Scenario, rules: m.Rules) -> str:
    """The facilitator guide of ``scenario`` as one self-contained HTML document."""
    found = engine_by_inject(scenario, rules)
    schedule, total = _schedule(scenario)
    end = scenario.end or (scenario.turns[-1].end if scenario.turns else scenario.start)
    seats = ", ".join(s.name for s in scenario.seats.values())
    overview = paragraphs(scenario.setting) + tag("p", f"Seats: {seats}. Control cells: {', '.join(c.name for c in scenario.control.values()) or 'none'}. "
                                                       f"{len(scenario.turns)} turns, about {total // 60} h {total % 60:02d} min of play, plus the debrief.", "lead")
    overview += schedule
    if scenario.objectives:
        overview += tag("h3", "Exercise objectives") + _objectives_section(scenario)
    sections: list[tuple[str, str, object]] = [
        ("overview", "At a glance", overview),
        ("class", "The class: teams, roles and control cells", _class_section(scenario)),
        ("running", "How to run a turn", _how_to_run(scenario)),
    ]
    built = [tag("section", tag("h2", h) + esc(b), "page" if i else "", id=a) for i, (a, h, b) in enumerate(sections)]
    built += [_turn_section(scenario, rules, turn, found) for turn in scenario.turns]
    if scenario.facilitation.rulings:
        built.append(_rulings_section(scenario, rules))
    tail: list[tuple[str, str, Safe]] = [
        ("divergence", "When players leave the record", _divergence_section(scenario)),
        ("corrections", "Seed errors and their corrections", _corrections_section(scenario)),
        ("debrief", "The debrief", _debrief_section(scenario)),
        ("articles", "Treaty and Charter texts", _articles_section(scenario, rules)),
        ("sources", "Sources", _sources_section(scenario)),
    ]
    built += [tag("section", tag("h2", h) + b, "page", id=a) for a, h, b in tail]
    toc = [("overview", "At a glance"), ("class", "The class"), ("running", "How to run a turn")]
    toc += [(f"turn-{t.id}", f"Turn {t.id}: {t.title}") for t in scenario.turns]
    toc += [("rulings", "Ruling contested obligations")] if scenario.facilitation.rulings else []
    toc += [(a, h) for a, h, _ in tail]
    nav = tag("nav", tag("ol", join(tag("li", tag("a", h, href=f"#{a}")) for a, h in toc)), "toc", aria_label="Contents")
    intro = tag("p", f"{scenario.start} to {end} · for the facilitator and the control cells, not for players.") + nav
    footer = join([f"Scenario {scenario.id}", f" · sha256 {scenario.sha256[:16]}" if scenario.sha256 else "", " · generated by tabletop"])
    return document(f"Facilitator guide: {scenario.title}", f"Facilitator guide · {scenario.id}", intro, built, footer=footer, toc=False)
