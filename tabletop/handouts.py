"""Handouts: one printable brief per seat and role, one per control-cell role, and the situation manual.

A student's handout holds what that student may know before play: the team's brief,
interests, objectives and red lines; the student's own role, what it leads on and who
else is on the team; the team's alliances with what each treaty article obliges (its text
and trigger, from the rule modules); the option menu; and the read-ahead (the timeline and
the team's sources, cited in full). It never holds an inject, a facilitator note or
another team's brief. A control cell's handout holds its brief and its own script: the
injects it delivers. The situation manual (HSEEP's SitMan) is the same for everyone: the
setting, the exercise objectives, how a turn runs, who plays whom, the turn calendar, the
treaties in play and the sources.

Files are named by seat and role (``us-head.html``), ``control-press-wire.html`` and
``sitman.html``, with an ``index.html`` listing them; every name is made of scenario ids,
which the loader has already restricted to ``[a-z0-9._-]``. Same inputs, same bytes.
A pure domain module: it never imports Textual.
"""

from __future__ import annotations

import os
from pathlib import Path

from tabletop import model as m
from tabletop.guide import minutes_for
from tabletop.htmldoc import (
    Safe,
    article_text,
    audience,
    citation,
    document,
    esc,
    items,
    join,
    paragraphs,
    table,
    tag,
    trigger_words,
    write_atomic,
)

SITMAN = "sitman.html"
INDEX = "index.html"


def seat_file(seat: m.Seat, role: m.Role | None) -> str:
    return f"{seat.id}-{role.id}.html" if role is not None else f"{seat.id}.html"


def cell_file(cell: m.ControlCell, role: m.Role | None) -> str:
    return f"control-{cell.id}-{role.id}.html" if role is not None else f"control-{cell.id}.html"


def _sources(scenario: m.Scenario, keys: tuple[str, ...]) -> Safe:
    return tag("ol", join(tag("li", citation(scenario.sources[k])) for k in keys if k in scenario.sources), "small")


def _timeline(scenario: m.Scenario) -> Safe:
    rows = []
    for entry in scenario.timeline:
        source = scenario.sources.get(entry.source)
        rows.append([entry.date.isoformat(), tag("strong", entry.title), Safe(esc(" ".join(entry.text.split()))),
                     source.author or source.title if source else entry.source])
    return table(["Date", "Event", "", "Source"], rows, "timeline small") if rows else Safe("")


def _obligations(rules: m.Rules, treaty_id: str) -> Safe:
    """Each article of a treaty that can oblige: its trigger and duty in words, then its text."""
    treaty = rules.treaties.get(treaty_id)
    if treaty is None:
        return Safe("")
    dates = f"Signed {treaty.signed}; in force {treaty.in_force or 'never'}" + (f"; ended {treaty.ended}" if treaty.ended else "")
    out = [tag("p", dates + ".", "small muted")]
    for article in treaty.articles:
        label, title, text, wording = article_text(rules, treaty_id, article.id)
        duties = [tag("li", tag("strong", "Trigger: ") + esc(trigger_words(rules, treaty, clause.trigger) + ". ")
                      + tag("strong", f"Obligation ({clause.obligation.kind}): ") + esc(clause.obligation.duty
                      + (f" ({'; '.join(clause.obligation.qualifiers)})" if clause.obligation.qualifiers else "") + "."))
                  for clause in article.clauses]
        block = tag("h4", label + (f" ({title})" if title else "")) + (tag("ul", join(duties), "small") if duties else Safe(""))
        block += tag("blockquote", paragraphs(text)) + (tag("p", wording, "muted small") if wording else Safe(""))
        for understanding in article.understandings:
            block += tag("p", tag("strong", f"Understanding of {rules.state_name(understanding.by)}: ") + esc(understanding.text)
                         + esc(f" ({understanding.wording})" if understanding.wording else ""), "small")
        out.append(block)
    return join(out)


def _options(scenario: m.Scenario, seat: m.Seat, role: m.Role | None) -> Safe:
    leads = set(role.leads) if role else set()
    rows = []
    for option in scenario.options.get(seat.id, ()):
        turns = ", ".join(map(str, option.turns)) if option.turns else "all"
        label = tag("strong", option.label) if option.id in leads else esc(option.label)
        rows.append([label, option.text, turns, "yes" if option.id in leads else ""])
    return table(["Option", "What it means", "Turns", "You speak for it"], rows, "options small")


def seat_handout(scenario: m.Scenario, rules: m.Rules, seat: m.Seat, role: m.Role | None) -> str:
    who = f"{seat.name}: {role.title}" if role else seat.name
    parts: list[tuple[str, str, object]] = []
    mine = Safe("")
    if role is not None:
        mine += tag("p", role.focus, "lead") if role.focus else Safe("")
        team = [f"{r.title}" + (f" (in a small class, the {next((x.title for x in seat.roles if x.id == r.merge_into), r.merge_into)} takes this part)" if r.merge_into else "")
                for r in seat.roles if r.id != role.id]
        if team:
            mine += tag("p", tag("strong", "Your team: ") + esc("; ".join(team)))
        if role.merge_into:
            mine += tag("p", "In a small class this role is taken by a teammate; the handout is the same.", "small muted")
    mine += tag("p", "Each turn your team chooses one option, with a one-sentence rationale, and answers every treaty obligation "
                     "it owes. Options in bold are the ones your role speaks for.", "small")
    parts.append(("role", "Your role", mine))
    parts.append(("brief", "Your brief", paragraphs(seat.brief)))
    goals = Safe("")
    if seat.interests:
        goals += tag("h3", "Interests") + items(seat.interests)
    if seat.objectives:
        goals += tag("h3", "Objectives") + items(seat.objectives)
    if seat.red_lines:
        goals += tag("h3", "Red lines") + items(seat.red_lines)
    parts.append(("goals", "Interests, objectives and red lines", goals or tag("p", "None given.")))
    alliances = Safe("")
    for alliance in seat.alliances:
        known = rules.treaties.get(alliance.treaty) if alliance.treaty else None
        title = known.title if known else "Commitment"
        alliances += tag("div", tag("h3", title) + paragraphs(alliance.text) + (_obligations(rules, alliance.treaty) if alliance.treaty else Safe("")), "box")
    parts.append(("alliances", "Alliances and what they oblige", alliances or tag("p", "Your state has no alliance treaty in play.")))
    parts.append(("options", "What your team can decide", _options(scenario, seat, role)))
    reading = tag("p", "Read these before the exercise. The timeline is the documented record up to the start; "
                       "the sources are the ones your brief draws on.", "small")
    reading += _timeline(scenario)
    if seat.sources:
        reading += tag("h3", "Sources for your brief") + _sources(scenario, seat.sources)
    parts.append(("readahead", "Read-ahead", reading))
    intro = tag("p", f"{scenario.title} · {scenario.start} to {scenario.end or scenario.turns[-1].end}", "muted")
    return document(f"{who}", f"Player handout · {scenario.id}", intro, parts, footer=_footer(scenario))


def cell_handout(scenario: m.Scenario, rules: m.Rules, cell: m.ControlCell, role: m.Role | None) -> str:
    who = f"{cell.name}: {role.title}" if role else cell.name
    parts: list[tuple[str, str, object]] = []
    mine = paragraphs(cell.brief)
    if role is not None and role.focus:
        mine = tag("p", role.focus, "lead") + mine
    mine += tag("p", "You are part of the exercise staff. Deliver each of your injects when the facilitator releases it, "
                     "to the seats it names only, and nothing beyond what it says.", "small")
    parts.append(("brief", "Your brief", mine))
    script = []
    for inject in (i for i in scenario.injects if i.sender == cell.id):
        to = audience(scenario, rules, inject.to)
        when = inject.date.isoformat() if inject.date else "when the facilitator chooses"
        script.append(tag("div", tag("p", f"Turn {inject.turn} · {when} · to {to}" + (" · standby" if inject.standby else ""), "meta")
                          + tag("h4", inject.title) + paragraphs(inject.text), "inject" + (" hypothetical" if inject.hypothetical else "")))
    parts.append(("script", "Your injects", join(script) or tag("p", "This cell has no scripted injects: follow the facilitator.")))
    intro = tag("p", f"{scenario.title} · control cell", "muted")
    return document(who, f"Control handout · {scenario.id}", intro, parts, footer=_footer(scenario))


def sitman(scenario: m.Scenario, rules: m.Rules) -> str:
    parts: list[tuple[str, str, object]] = [("setting", "The situation", paragraphs(scenario.setting))]
    if scenario.objectives:
        parts.append(("objectives", "Exercise objectives", table(["", "Objective"], [[o.id, o.text] for o in scenario.objectives], "small")))
    calendar = []
    for turn in scenario.turns:
        minutes = minutes_for(scenario, turn)
        calendar.append([str(turn.id), turn.title, f"{turn.start} to {turn.end}", str(sum(minutes.values()))])
    phases = tag("p", "Every turn runs in five phases: brief (the facilitator reads the situation and releases injects), deliberate "
                      "(teams discuss), decide (each team chooses one option with a rationale and answers the obligations it owes), "
                      "adjudicate (the facilitator announces what changed and which treaty articles fired), review (discussion).")
    parts.append(("calendar", "How the exercise runs", phases + table(["Turn", "Title", "Scenario time", "Minutes"], calendar, "small")))
    who = []
    for seat in scenario.seats.values():
        roles = "; ".join(r.title for r in seat.roles) or seat.role
        who.append([tag("strong", seat.name), roles])
    for cell in scenario.control.values():
        who.append([tag("strong", f"{cell.name} (control)"), "; ".join(r.title for r in cell.roles) or cell.name])
    parts.append(("who", "Who plays whom", table(["Team", "Roles"], who, "small")))
    parts.append(("timeline", "The record so far", _timeline(scenario)))
    ids = scenario.treaties if scenario.treaties is not None else tuple(rules.treaties)
    treaties = join(tag("div", tag("h3", rules.treaties[t].title) + _obligations(rules, t), "box") for t in ids if t in rules.treaties)
    charter = join(tag("h4", article_text(rules, "charter", a.id)[0] + (f" ({a.title})" if a.title else "")) + tag("blockquote", paragraphs(a.text))
                   for a in rules.council.articles)
    parts.append(("treaties", "Treaties in play and the Charter", treaties + charter))
    parts.append(("sources", "Sources", _sources(scenario, tuple(scenario.sources))))
    intro = tag("p", "Situation manual: the same for every participant.", "muted")
    return document(f"Situation manual: {scenario.title}", f"Situation manual · {scenario.id}", intro, parts, footer=_footer(scenario))


def _footer(scenario: m.Scenario) -> Safe:
    return join([f"Scenario {scenario.id}", f" · sha256 {scenario.sha256[:16]}" if scenario.sha256 else "", " · generated by tabletop"])


def render(scenario: m.Scenario, rules: m.Rules) -> dict[str, str]:
    """Every handout of ``scenario`` by file name, in print order, with the index first."""
    files: dict[str, str] = {SITMAN: sitman(scenario, rules)}
    listing: list[tuple[str, str]] = [(SITMAN, "Situation manual (for everyone)")]
    for seat in scenario.seats.values():
        for role in seat.roles or (None,):
            name = seat_file(seat, role)
            files[name] = seat_handout(scenario, rules, seat, role)
            listing.append((name, f"{seat.name}: {role.title}" if role else seat.name))
    for cell in scenario.control.values():
        for role in cell.roles or (None,):
            name = cell_file(cell, role)
            files[name] = cell_handout(scenario, rules, cell, role)
            listing.append((name, f"{cell.name}: {role.title} (control)" if role else f"{cell.name} (control)"))
    index = tag("ol", join(tag("li", tag("a", title, href=name)) for name, title in listing))
    intro = tag("p", f"{len(listing)} handouts: print one per student, and the situation manual for everyone.", "muted")
    return {INDEX: document(f"Handouts: {scenario.title}", f"Handouts · {scenario.id}", intro, [("list", "Handouts", index)],
                            footer=_footer(scenario), toc=False), **files}


def write(scenario: m.Scenario, rules: m.Rules, folder: str | os.PathLike[str]) -> list[Path]:
    """Write every handout into ``folder`` (made if missing), each file atomically; return the paths."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(scenario, rules).items():
        path = target / name
        write_atomic(path, text)
        written.append(path)
    return written
