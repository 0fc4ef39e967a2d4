"""The after-action report groups an observer's notes by exercise objective, HSEEP-style.

An observer notes what a team did against one of the scenario's objectives, and
whether it was a strength or an area for improvement (``Session.note``); the
note goes into the log as a ``note`` event, and the report reads it back from
there into its "Observations by objective".
"""

from __future__ import annotations

import json

import attrs
import pytest

from tabletop import report, runner
from tabletop.game import CommandError
from tabletop.loading import load_scenario
from tabletop.session import Session
from tabletop.verify import verify

from .test_report import _parse
from .test_scenarios import ROOT

NOTES = {  # turn -> (text, objective, finding)
    3: [("Coffee break ran long", None, None)],
    6: [("The US team asked who fired first before answering Art. III", "obj-first-shot", "strength"),
        ("Nobody noticed that Guam is outside US-Japan Art. V <b>at first</b>", "obj-geography", "improvement")],
    7: [("Russia cited the Federation Council", "obj-first-shot", None),
        ("China's team read the 1961 treaty aloud", "obj-sources", "strength")],
}


def play_with_notes(scenario, rules, log_path, notes=NOTES, seed=4) -> Session:
    """Bots play every seat; at each turn's review the observer's notes for that turn are taken, as a facilitator would."""
    session = Session.new(scenario, rules, seed=seed, log_path=log_path, fsync=False)
    try:
        while not session.state.ended:
            runner.facilitate_turn(session)
            for text, objective, finding in notes.get(session.state.turn, ()):
                session.note(text, objective=objective, finding=finding)
            if session.is_last_turn:
                session.end("all turns played")
                break
            session.advance()
    finally:
        session.close()
    return session


@pytest.fixture(scope="module")
def observed(tmp_path_factory):
    scenario, rules = load_scenario(ROOT / "scenarios" / "nea-2024.yaml")
    log = tmp_path_factory.mktemp("aar") / "run.jsonl"
    session = play_with_notes(scenario, rules, log)
    return scenario, rules, log, report.collect(session)


def test_notes_with_objectives_and_findings_are_logged_and_verify(observed):
    scenario, rules, log, _ = observed
    notes = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if '"type":"note"' in line.replace(" ", "")]
    assert [(n["turn"], n.get("objective"), n.get("finding")) for n in notes] == [
        (turn, objective, finding) for turn, items in sorted(NOTES.items()) for _, objective, finding in items]
    plain = notes[0]
    assert "objective" not in plain and "finding" not in plain  # left out when not given: older logs read the same
    assert verify(log, scenario, rules).ended


def test_the_markdown_report_groups_observations_by_objective(observed):
    *_, collected = observed
    assert [o for o, _ in collected.objectives][:2] == ["obj-texts", "obj-strength"]
    text = report.markdown(collected)
    section = text[text.index("## Observations by objective"):text.index("## Notes")]
    first = section.index("### obj-first-shot")
    geography = section.index("### obj-geography")
    sources = section.index("### obj-sources")
    assert geography < first < sources  # the scenario's order of objectives
    block = section[first:sources]
    assert block.index("**Strengths**") < block.index("asked who fired first") < block.index("**Other observations**") < block.index("Federation Council")
    assert "**Areas for improvement**" in section[geography:first]
    notes = text[text.index("## Notes"):]
    assert "Coffee break ran long" in notes and "asked who fired first" not in notes


def test_an_objective_the_report_does_not_know_is_listed_last_and_said_so(observed):
    """A report made against objectives that lack one a note names (a scenario edited since) still shows the note."""
    *_, collected = observed
    shorter = attrs.evolve(collected, objectives=tuple(o for o in collected.objectives if o[0] != "obj-sources"))
    section = report.markdown(shorter)
    section = section[section.index("## Observations by objective"):section.index("## Notes")]
    assert section.index("### obj-sources: (not an objective of this scenario)") > section.index("### obj-first-shot")
    assert "read the 1961 treaty aloud" in section


def test_the_html_report_groups_them_too_and_escapes_them(observed):
    *_, collected = observed
    page = report.html_page(collected)
    _parse(page)
    body = page[page.index('<section id="observations">'):page.index('<section id="notes">')]
    assert "<h4>Strengths</h4>" in body and "<h4>Areas for improvement</h4>" in body
    assert "&lt;b&gt;at first&lt;/b&gt;" in body and "<b>at first</b>" not in body


def test_a_note_names_only_the_scenarios_objectives_and_findings(tmp_path):
    scenario, rules = load_scenario(ROOT / "scenarios" / "nea-2024.yaml")
    session = Session.new(scenario, rules, seed=1, log_path=tmp_path / "run.jsonl", fsync=False)
    try:
        with pytest.raises(CommandError, match="no objective 'obj-elsewhere'; objectives: obj-texts, obj-strength"):
            session.note("An objective this scenario does not define", objective="obj-elsewhere")
        with pytest.raises(CommandError, match="a finding is strength or improvement, not 'weakness'"):
            session.note("Slow to consult", objective="obj-texts", finding="weakness")
        with pytest.raises(CommandError, match="name the objective too"):
            session.note("Good", finding="strength")
        session.note("Slow to consult", objective="obj-texts", finding="improvement")
    finally:
        session.close()
    assert [(n.objective, n.finding) for n in report.collect(session).notes] == [("obj-texts", "improvement")]


def test_without_objectives_on_notes_the_report_is_as_before(tmp_path):
    scenario, rules = load_scenario(ROOT / "scenarios" / "nll-2025.yaml")
    session = runner.play(scenario, rules, seed=1, log_path=tmp_path / "run.jsonl", fsync=False)
    text = report.render(session, "md")
    assert "## Observations by objective" not in text
    assert "## Notes\n\nNone." in text
