"""The after-action report: what it says, that it escapes what it quotes, and that the HTML stands alone."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from tabletop import bots, report, runner
from tabletop import log as logmod
from tabletop import model as m
from tabletop.cli import main
from tabletop.loading import load_scenario
from tabletop.session import Session

from .conftest import MINI, SECRET_ANSWER, SECRET_REASON, mid_decision

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SVG_LEAVES = {"circle", "rect", "line", "path"}  # written as self-closing tags


class _Checker(HTMLParser):
    """Collects tags and attributes, and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, checker.stack
    return checker


def _table_blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """The mini scenario played headless by bots, and the same exercise replayed from its log."""
    scenario, rules = load_scenario(MINI)
    path = tmp_path_factory.mktemp("aar") / "mini.jsonl"
    live = runner.play(scenario, rules, seed=1, log_path=path)
    replayed = Session.replay(logmod.read(path), scenario, rules)
    return path, live, replayed


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    """A facilitated exercise with everything a report shows: humans, ad-hoc injects, notes,
    overrides, a Security Council veto, Art. 51 reports and an obligation set aside."""
    scenario, rules = load_scenario(MINI)
    path = tmp_path_factory.mktemp("aar") / "rich.jsonl"
    s = Session.new(scenario, rules, seed=1, seats={"us": "human", "rok": "human"}, log_path=path, fsync=False)
    s.release("missile")
    s.release_adhoc("Boat <b>seized</b> & held", "A patrol seizes a fishing boat | crew of 7.", to=["rok", "dprk"],
                    facts=[m.Fact(kind="incident", by="dprk")])
    s.note("ROK asks if this is an 'armed attack' <script>alert(1)</script>", seat="rok")
    s.release("threat")
    s.advance()
    s.advance()
    s.decide("us", "drill", "Reassure Seoul & Tokyo; show *resolve* | no live fire.", answers="threat")
    s.decide("rok", "talk", "Keep the door open through Panmunjom.")
    bots.play_turn_decisions(s, ["dprk", "russia", "china", "japan"])
    for open_ob in s.unanswered():
        s.answer(open_ob.obligation.obligor, open_ob.id, "consult", "Consult the ally before committing.")
    s.advance()
    s.adjudicate()
    s.override("tension", max(0, s.state.tension - 1), "Six drills at once are routine; the board overstates the crisis.")
    s.override("credibility", 4, "Japan hesitated in public.", seat="japan")
    s.advance()
    s.advance()
    s.release("clash")
    s.release("standby-strike")
    s.release_adhoc("Hypothetical: a draft is vetoed", "The US tables a draft; Russia vetoes it.",
                    facts=[m.Fact(kind="council_vote", by="us", details={"votes": {"against": ["russia"]}})])
    s.advance()
    s.advance()
    russian = next(o for o in s.unanswered() if o.obligation.obligor == "russia")
    s.override("obligation", "void", "The strike was pre-emptive: no assistance is owed.", obligation=russian.id)
    s.decide("us", "talk", "Seek a ceasefire through the Council.")
    s.decide("rok", "drill", "Counter-battery posture on Yeonpyeong.")
    for open_ob in s.unanswered():
        s.answer(open_ob.obligation.obligor, open_ob.id, "honour", "A treaty duty, honoured in full.")
    bots.play_turn_decisions(s, ["dprk", "russia", "china", "japan"])
    s.advance()
    s.adjudicate()
    s.advance()
    s.note("Hot wash: teams disagreed on whether Art. III covers Yeonpyeong.")
    s.end("hot wash done")
    s.close()
    return path, Session.replay(logmod.read(path), scenario, rules)


def _released(session):
    return [session.inject(e["inject"]) for e in session.events if e["type"] == "inject_released"]


# ------------------------------------------------------------------ Markdown


def test_markdown_reports_the_whole_exercise(played):
    _, _, session = played
    text = report.render(session, "md")
    scenario = session.scenario
    assert text.startswith(f"# After-action report: {scenario.title}")
    assert scenario.setting in text
    assert "| **Seed** | 1 |" in text
    assert "Ended after turn 2" in text
    for seat in scenario.seats.values():
        assert f"| {seat.name} | bot |" in text
    decisions = [e for e in session.events if e["type"] == "decision"]
    assert decisions
    for event in decisions:
        assert event["rationale"] in text
    for inject in _released(session):
        assert inject.title in text
        assert scenario.sources[inject.source].title in text
    assert "Hypothetical: artillery on Yeonpyeong** (**hypothetical**)" in text
    assert "**2025-01-02: DPRK missile test**, to all seats" in text
    for event in decisions:
        if event.get("option") and not event.get("answers", {}).get("obligation"):
            assert f"**{scenario.option(event['seat'], event['option']).label}**" in text
    for turn in scenario.turns:
        assert f"### Turn {turn.id}: {turn.title}" in text
        for question in turn.questions:
            assert question in text
    assert session.state.obligations
    for open_ob in session.state.obligations.values():
        ob = open_ob.obligation
        label = session.rules.treaties[ob.treaty].label
        row = [line for line in text.splitlines() if line.startswith(f"| {open_ob.id} |")]
        assert len(row) == 1, open_ob.id
        assert f"{label} Art. {ob.article}" in row[0]
        assert f"{open_ob.answer} (turn {open_ob.answered_turn})" in row[0]
        assert ob.because in text
    assert "| 1 | Signals | 2025-01-01 to 2025-01-10 |" in text
    final = session.state.tension
    assert f"ended at rung {final} {session.rules.escalation.rung_name(final)}" in text


def test_markdown_tables_are_well_formed(played, rich):
    for session in (played[2], rich[1]):
        text = report.render(session, "md")
        blocks = _table_blocks(text)
        assert len(blocks) >= 5
        for block in blocks:
            assert re.fullmatch(r"\|( --- \|)+", block[1]), block[:2]
            widths = {_cells(row) for row in block}
            assert len(widths) == 1, block


def test_markdown_escapes_what_it_quotes(rich):
    _, session = rich
    text = report.render(session, "md")
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert r"show \*resolve\* \| no live fire" in text
    assert "Boat &lt;b&gt;seized&lt;/b&gt; & held** (ad hoc, written by the facilitator), to ROK, DPRK" in text


def test_markdown_renders_as_intended(rich):
    """Through a CommonMark renderer with GFM tables: tables stay tables, quoted text stays text."""
    markdown_it = pytest.importorskip("markdown_it")
    text = report.render(rich[1], "md")
    rendered = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert rendered.count("<table>") == len(_table_blocks(text))
    assert "<script>" not in rendered and "<b>" not in rendered
    assert "<td>Reassure Seoul &amp; Tokyo; show *resolve* | no live fire.</td>" in rendered
    assert "<li><strong>2025-01-02: DPRK missile test</strong>, to all seats<br />" in rendered
    assert "<h3>Turn 2: Hypothetical clash</h3>" in rendered


def test_markdown_shows_overrides_council_reports_and_notes(rich):
    _, session = rich
    text = report.render(session, "md")
    [override] = [e for e in session.events if e["type"] == "override" and e["what"] == "tension"]
    rung = f"{override['value']} ({session.rules.escalation.rung_name(override['value'])})"
    assert f"| 1 | tension | {rung} | Six drills at once are routine; the board overstates the crisis. |" in text
    assert "| 1 | credibility: Japan | 4 | Japan hesitated in public. |" in text
    assert "set aside (void) | The strike was pre-emptive: no assistance is owed. |" in text
    assert "| 2 | US | vetoed | Russia |" in text
    assert text.count("| UN Charter Art. 51 |") == len(session.state.reports) >= 1
    assert "Hot wash: teams disagreed on whether Art. III covers Yeonpyeong." in text
    assert "| human |" in text and "| ROK | human |" in text
    assert "Answers o1 (US-Japan 1960 Art. IV to Japan): **consult**" in text
    assert "in answer to: Hypothetical: threat against the ROK" in text
    assert "set aside by the facilitator" in text
    assert "> Nothing in the present Charter shall impair" in text  # Art. 51 quoted


# ---------------------------------------------------------------------- HTML


def test_html_is_one_self_contained_valid_file(played):
    _, _, session = played
    page = report.render(session, "html")
    assert page.startswith("<!DOCTYPE html>\n")
    checker = _parse(page)
    names = [tag for tag, _ in checker.tags]
    assert names.count("html") == names.count("head") == names.count("body") == 1
    assert "script" not in names and "link" not in names and "iframe" not in names and "img" not in names
    for tag, attrs in checker.tags:
        assert "src" not in attrs, tag
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        for value in attrs.values():
            if value and "http" in value:
                assert tag == "a" and set(attrs) >= {"href"}, (tag, attrs)
    style = page[page.index("<style>"): page.index("</style>")]
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert "default-src 'none'" in page


def test_html_reports_the_whole_exercise(played):
    _, _, session = played
    page = report.render(session, "html")
    scenario = session.scenario
    text = " ".join(" ".join(_parse(page).text).split())
    assert f"After-action report · {scenario.id} · seed 1" in text
    for event in session.events:
        if event["type"] == "decision":
            assert html.escape(event["rationale"]) in page
    for inject in _released(session):
        assert html.escape(inject.title) in page
        assert html.escape(scenario.sources[inject.source].title) in page
    assert page.count('class="badge hypothetical"') == sum(1 for i in _released(session) if i.hypothetical) == 2
    for open_ob in session.state.obligations.values():
        assert f'id="ob-{open_ob.id}"' in page
        assert f"Answer in turn {open_ob.answered_turn}: {open_ob.answer}" in text
    for turn in scenario.turns:
        assert f'id="turn-{turn.id}"' in page
        for question in turn.questions:
            assert f"<li>{html.escape(question)}</li>" in page


def test_html_tension_chart_is_an_accessible_svg(played):
    _, _, session = played
    page = report.render(session, "html")
    assert page.count("<svg") == 1
    svg = page[page.index("<svg"): page.index("</svg>") + 6]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Tension over the exercise</title>' in svg
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', svg).group(1)
    assert "turn 1 (Signals)" in desc and "turn 2 (Hypothetical clash)" in desc
    for rung in session.rules.escalation.ladder:
        assert f"<tspan font-weight=\"700\">{rung.rung}</tspan> {html.escape(rung.name)}</text>" in svg
    assert "Turn 1</text>" in svg and "Turn 2</text>" in svg
    assert "#0072B2" in svg  # Okabe-Ito blue
    adjudications = [e for e in session.events if e["type"] == "adjudicated"]
    points = [p for p in report.collect(session).tension_points if p.kind == "adjudication"]
    assert len(points) == len(adjudications)
    for event in adjudications:  # each point says why tension moved, in the words the adjudication logged
        for cause in event["changes"].get("causes", ()):
            if cause["what"] == "tension":
                assert html.escape(cause["because"]) in svg


def test_html_escapes_what_it_quotes(rich):
    _, session = rich
    page = report.render(session, "html")
    checker = _parse(page)
    assert "script" not in [tag for tag, _ in checker.tags]
    assert "b" not in [tag for tag, _ in checker.tags]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Boat &lt;b&gt;seized&lt;/b&gt; &amp; held" in page
    assert "Reassure Seoul &amp; Tokyo; show *resolve* | no live fire." in page
    text = " ".join(checker.text)
    assert "Six drills at once are routine; the board overstates the crisis." in text
    assert "The strike was pre-emptive: no assistance is owed." in text
    assert "Reports owed under UN Charter Art. 51" in text
    assert 'class="badge vetoed"' in page
    assert page.count('class="badge adhoc"') == 2
    assert "<title>Turn 1, facilitator override: " in page  # the override is marked on the chart


# ---------------------------------------------------------- determinism, API


def test_same_log_gives_the_same_report(played):
    path, live, replayed = played
    scenario, rules = replayed.scenario, replayed.rules
    again = Session.replay(logmod.read(path), scenario, rules)
    for fmt in report.FORMATS:
        first = report.render(replayed, fmt)
        assert report.render(again, fmt) == first
        assert report.render(live, fmt) == first


def test_an_exercise_in_progress_can_be_reported(played):
    path, _, _ = played
    contents = logmod.read(path)
    session = Session.replay(contents, *load_scenario(MINI), upto=12)
    text = report.render(session, "md")
    assert "In progress: turn 1, decide phase" in text
    assert "Turns played** | 1 of 2" in text
    _parse(report.render(session, "html"))


def test_unknown_format_is_refused(played):
    with pytest.raises(ValueError, match="pdf"):
        report.render(played[2], "pdf")


def test_report_does_not_import_textual():
    code = "import sys, tabletop.report\nassert not [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------- CLI


def test_cli_writes_the_html_report(played, tmp_path):
    path, _, session = played
    out = tmp_path / "aar.html"
    assert main(["report", str(path), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page == report.render(session, "html", integrity=_integrity(path))
    _parse(page)


def _integrity(path):
    """What the command adds to the overview: the log's head hash and its signer."""
    from tabletop import signing

    return report.integrity_rows(signing.check(logmod.read(path)))


def test_cli_prints_markdown_by_default(played, capsys):
    path, _, session = played
    assert main(["report", str(path)]) == 0
    assert capsys.readouterr().out == report.render(session, "md", integrity=_integrity(path))


def test_a_report_in_mid_decision_shows_the_decisions_made_so_far_as_sealed(mini, rules, tmp_path):
    """The sealing rule is the board's: until every seat is in, nobody reads another's choice, in the report neither."""
    path = mid_decision(mini, rules, tmp_path / "mid.jsonl")
    session = Session.replay(logmod.read(path), mini, rules)
    for fmt in ("md", "html"):
        text = report.render(session, fmt)
        assert SECRET_REASON not in text and SECRET_ANSWER not in text, fmt
        assert "sealed until every seat has decided" in text, fmt
