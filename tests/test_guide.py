"""The facilitator guide and the handouts, as an instructor prints them.

Both build for every bundled scenario, hold every seat, are well-formed self-contained HTML,
escape whatever the scenario says, never show a player what only the facilitator may see,
and are written atomically by the command line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tabletop import guide, handouts
from tabletop.cli import main
from tabletop.htmldoc import Safe, esc, tag
from tabletop.loading import load_scenario

from .conftest import MINI
from .test_report import _parse

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def loaded(request):
    return load_scenario(request.param)


def text_of(page: str) -> str:
    return " ".join(" ".join(_parse(page).text).split())


def self_contained(page: str) -> None:
    checker = _parse(page)
    tags = {t for t, _ in checker.tags}
    assert "script" not in tags and "iframe" not in tags and "img" not in tags
    assert not [a for t, a in checker.tags if t == "link"]
    assert any(t == "meta" and a.get("http-equiv") == "Content-Security-Policy" for t, a in checker.tags)
    for t, attrs in checker.tags:
        assert not any(k.startswith("on") for k in attrs), (t, attrs)
        if t == "a":
            assert attrs["href"].startswith(("#", "https://", "http://")) or attrs["href"].endswith(".html"), attrs


# --- the guide -----------------------------------------------------------------------


def test_the_guide_holds_what_an_instructor_needs(loaded):
    scenario, rules = loaded
    page = guide.render(scenario, rules)
    self_contained(page)
    text = text_of(page)
    for seat in scenario.seats.values():
        assert seat.name in text
        for role in seat.roles:
            assert role.title in text, role.title
    for cell in scenario.control.values():
        assert cell.name in text
    for turn in scenario.turns:
        assert f"Turn {turn.id}: {turn.title}" in text
        minutes = guide.minutes_for(scenario, turn)
        assert f"{sum(minutes.values())} minutes" in text
    for inject in scenario.injects:
        assert " ".join(inject.title.split()) in text, inject.id
        for action in inject.expected_actions:
            assert action in text
    assert "Timings per turn and phase" in text and "How to run a turn" in text
    for ruling in scenario.facilitation.rulings:
        assert ruling.title in text
    for correction in scenario.corrections:
        assert " ".join(correction.correction.split()) in text
    for question in scenario.debrief.questions:
        assert " ".join(question.split()) in text
    for entry in scenario.debrief.after:
        assert entry.title in text
    if scenario.debrief.after:
        assert "after the scenario's end" in text
    assert "Observer's sheet: observations by objective" in text


def test_the_guide_says_what_the_engine_returns_for_each_inject(loaded):
    scenario, rules = loaded
    text = text_of(guide.render(scenario, rules))
    found = guide.engine_by_inject(scenario, rules)
    shelling = found["hyp-yeonpyeong-shelling"]
    [art3] = [o for o in shelling.obligations if (o.treaty, o.article, o.obligor) == ("us-rok-1953", "III", "us")]
    assert art3.status == "triggered"
    assert art3.because in text


def test_the_rulings_page_stands_alone_for_printing(loaded):
    scenario, rules = loaded
    page = guide.render(scenario, rules)
    checker = _parse(page)
    [section] = [a for t, a in checker.tags if t == "section" and a.get("id") == "rulings"]
    assert "onepage" in section["class"]
    assert "section.onepage { break-before: page; break-after: page;" in page


def test_same_scenario_same_guide(loaded):
    scenario, rules = loaded
    assert guide.render(scenario, rules) == guide.render(scenario, rules)


# --- the handouts --------------------------------------------------------------------


def test_one_handout_per_seat_and_role_and_the_situation_manual(loaded):
    scenario, rules = loaded
    files = handouts.render(scenario, rules)
    expected = {handouts.INDEX, handouts.SITMAN}
    expected |= {handouts.seat_file(s, r) for s in scenario.seats.values() for r in s.roles or (None,)}
    expected |= {handouts.cell_file(c, r) for c in scenario.control.values() for r in c.roles or (None,)}
    assert set(files) == expected
    index = text_of(files[handouts.INDEX])
    for name, page in files.items():
        self_contained(page)
        assert name == handouts.INDEX or name in files[handouts.INDEX]
    sitman = text_of(files[handouts.SITMAN])
    for seat in scenario.seats.values():
        assert seat.name in sitman and seat.name in index
    for objective in scenario.objectives:
        assert objective.text.split()[0] in sitman


def test_a_seat_handout_has_the_brief_red_lines_alliances_and_read_ahead(loaded):
    scenario, rules = loaded
    files = handouts.render(scenario, rules)
    for seat in scenario.seats.values():
        for role in seat.roles:
            text = text_of(files[handouts.seat_file(seat, role)])
            assert role.title in text and " ".join(seat.brief.split()[:12]) in text
            for line in seat.red_lines:
                assert line in text
            for alliance in seat.alliances:
                assert rules.treaties[alliance.treaty].title in text
            assert "Trigger:" in text or not seat.alliances
            for key in seat.sources:
                assert scenario.sources[key].title in text
            for option in scenario.options[seat.id]:
                assert option.label in text


def test_a_player_never_sees_injects_or_facilitator_notes(loaded):
    scenario, rules = loaded
    files = handouts.render(scenario, rules)
    secret = [i.text for i in scenario.injects] + [i.note for i in scenario.injects if i.note] + [e.note for e in scenario.timeline if e.note]
    for name, page in files.items():
        if name.startswith("control-"):
            continue
        text = text_of(page)
        for words in secret:
            assert " ".join(words.split()) not in text, (name, words[:60])


def test_a_control_cell_gets_its_own_script(loaded):
    scenario, rules = loaded
    files = handouts.render(scenario, rules)
    for cell in scenario.control.values():
        for role in cell.roles or (None,):
            text = text_of(files[handouts.cell_file(cell, role)])
            for inject in (i for i in scenario.injects if i.sender == cell.id):
                assert inject.title in text
            others = [i for i in scenario.injects if i.sender not in (cell.id,) and i.sender is not None]
            for inject in others:
                assert inject.title not in text


def test_an_inject_to_a_state_the_scenario_does_not_seat_names_it_in_the_guide_and_the_cells_script(loaded):
    """Every seat an inject goes to is named, by the one naming rule (model.seat_name): never dropped, never its bare id."""
    import attrs

    from tabletop import model as m

    scenario, rules = loaded
    cell = next(c for c in scenario.control.values() if any(i.sender == c.id for i in scenario.injects))
    inject = next(i for i in scenario.injects if i.sender == cell.id)
    seat = next(iter(scenario.seats))
    unseated = next(state for state in rules.states if state not in scenario.seats)
    aimed = attrs.evolve(inject, to=(seat, unseated))
    edited = attrs.evolve(scenario, injects=tuple(aimed if i is inject else i for i in scenario.injects))
    names = f"to {m.seat_name(edited, rules, seat)}, {rules.state_name(unseated)}"
    assert rules.state_name(unseated) != unseated  # the rules name it: a bare id would show
    assert names in text_of(guide.render(edited, rules))
    script = text_of(handouts.render(edited, rules)[handouts.cell_file(cell, cell.roles[0] if cell.roles else None)])
    assert names in script


# --- data is never markup ------------------------------------------------------------


def test_scenario_text_is_escaped_everywhere(tmp_path, rules):
    hostile = r'brief: "<script>alert(1)</script> & <b onclick=\"x\">bold</b> \e[31m red \u202e"'
    text = MINI.read_text().replace('brief: "Test brief for DPRK."', hostile)
    text = text.replace('title: "DPRK missile test"', 'title: "<img src=x onerror=alert(2)>"')
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    scenario, rules = load_scenario(path, rules)
    pages = [guide.render(scenario, rules), *handouts.render(scenario, rules).values()]
    for page in pages:
        self_contained(page)
        assert "<script>alert" not in page and "<img src=x" not in page and "\x1b" not in page and "\u202e" not in page
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in p for p in pages)
    assert any("&lt;img src=x onerror=alert(2)&gt;" in p for p in pages)


def test_safe_markup_stays_safe_when_text_is_added():
    joined = tag("p", "a < b") + "<i>c</i>"
    assert isinstance(joined, Safe)
    assert joined == "<p>a &lt; b</p>&lt;i&gt;c&lt;/i&gt;"
    assert "x" + tag("b", "y") == "x<b>y</b>"
    assert esc("\u202eevil\x07") == "evil"


def test_the_documents_do_not_import_textual():
    code = "import sys, tabletop.guide, tabletop.handouts\nassert not [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the command line ----------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", [p.stem for p in SCENARIOS])
def test_cli_writes_the_guide_and_the_handouts(tmp_path, capsys, scenario_id):
    out = tmp_path / "guide.html"
    out.write_text("an old guide")
    assert main(["guide", scenario_id, "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "an old guide" not in page
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file is left behind"
    folder = tmp_path / "handouts" / "class"
    assert main(["handouts", scenario_id, "-o", str(folder)]) == 0
    assert (folder / "index.html").is_file() and (folder / "sitman.html").is_file()
    assert "index.html lists them" in capsys.readouterr().err


def test_cli_errors_are_messages_not_tracebacks(tmp_path, capsys):
    assert main(["guide", "no-such-scenario", "-o", str(tmp_path / "g.html")]) == 2
    assert "no scenario 'no-such-scenario'" in capsys.readouterr().err
    assert main(["guide", "nll-2025", "-o", str(tmp_path / "missing" / "g.html")]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    assert main(["handouts", "nll-2025", "-o", str(blocker)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_the_guide_goes_to_standard_output_without_o(capsys):
    assert main(["guide", "nll-2025"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


def test_an_imported_msel_gets_a_guide_with_its_expected_and_controller_actions(tmp_path, capsys):
    """A planner's MSEL (organizations, no option menus) gets a guide and handouts like any scenario: the
    expected player actions of the inject's own row and of rows of their own, the controller actions, and
    the senders the sheet names."""
    from . import msel_files

    out, page = tmp_path / "flood.yaml", tmp_path / "guide.html"
    assert main(["msel", "import", str(msel_files.flood_workbook(tmp_path / "flood.xlsx")), "-o", str(out)]) == 0
    assert main(["guide", str(out), "-o", str(page)]) == 0
    assert main(["handouts", str(out), "-o", str(tmp_path / "handouts")]) == 0
    html = page.read_text(encoding="utf-8")
    self_contained(html)
    text = text_of(html)
    assert "inject-1 · to County EOC · from NWS" in text and "inject-2 · to County EOC, Public Works · from Mayor" in text
    watch = text[text.index("inject-4"):text.index("inject-7")]
    assert watch.index("Expected player actions:") < watch.index("PIO issues statement") < watch.index("13:00, County EOC: EOC requests state assistance")
    assert watch.index("Controller actions:") < watch.index("2025-05-14 12:00: Controller hands out map 2")
    assert "09:45, Public Works: Public Works deploys sandbag teams" in text
