"""The after-action report groups an observer's notes by exercise objective, HSEEP-style.

The note command that tags a note with an objective belongs to the session, and the typed
note event does not carry the fields yet. Until it does, these tests give a played session's
report notes the way ``collect`` reads them from the log
(``{"type": "note", "text": ..., "objective": ID, "finding": "strength" | "improvement"}``),
and render that report.
"""

from __future__ import annotations

import attrs
import pytest

from tabletop import report, runner
from tabletop.loading import load_scenario

from .test_report import _parse
from .test_scenarios import ROOT


@pytest.fixture(scope="module")
def observed(tmp_path_factory):
    scenario, rules = load_scenario(ROOT / "scenarios" / "nea-2024.yaml")
    session = runner.play(scenario, rules, seed=4, log_path=tmp_path_factory.mktemp("aar") / "run.jsonl", fsync=False)
    collected = report.collect(session)
    notes = [
        report.NoteItem(turn, "Facilitator", text, "", objective, finding)
        for turn, objective, finding, text in [
            (6, "obj-first-shot", "strength", "The US team asked who fired first before answering Art. III"),
            (6, "obj-geography", "improvement", "Nobody noticed that Guam is outside US-Japan Art. V <b>at first</b>"),
            (7, "obj-first-shot", None, "Russia cited the Federation Council"),
            (7, "obj-elsewhere", "strength", "An objective this scenario does not define"),
            (3, None, None, "Coffee break ran long"),
        ]
    ]
    return scenario, attrs.evolve(collected, notes=(*collected.notes, *notes))


def test_the_markdown_report_groups_observations_by_objective(observed):
    _, collected = observed
    assert [o for o, _ in collected.objectives][:2] == ["obj-texts", "obj-strength"]
    text = report.markdown(collected)
    section = text[text.index("## Observations by objective"):text.index("## Notes")]
    first = section.index("### obj-first-shot")
    geography = section.index("### obj-geography")
    assert geography < first  # the scenario's order of objectives
    assert section.index("### obj-elsewhere: (not an objective of this scenario)") > first
    block = section[first:section.index("### obj-elsewhere")]
    assert block.index("**Strengths**") < block.index("asked who fired first") < block.index("**Other observations**") < block.index("Federation Council")
    assert "**Areas for improvement**" in section[geography:first]
    notes = text[text.index("## Notes"):]
    assert "Coffee break ran long" in notes and "asked who fired first" not in notes


def test_the_html_report_groups_them_too_and_escapes_them(observed):
    _, collected = observed
    page = report.html_page(collected)
    _parse(page)
    body = page[page.index('<section id="observations">'):page.index('<section id="notes">')]
    assert "<h4>Strengths</h4>" in body and "<h4>Areas for improvement</h4>" in body
    assert "&lt;b&gt;at first&lt;/b&gt;" in body and "<b>at first</b>" not in body


def test_without_objectives_on_notes_the_report_is_as_before(tmp_path):
    scenario, rules = load_scenario(ROOT / "scenarios" / "nll-2025.yaml")
    session = runner.play(scenario, rules, seed=1, log_path=tmp_path / "run.jsonl", fsync=False)
    text = report.render(session, "md")
    assert "## Observations by objective" not in text
    assert "## Notes\n\nNone." in text
