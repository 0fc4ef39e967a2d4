"""Text from data never acts outside the TUI either: the helper itself, the reports, and the command line's bytes.

The TUI's side is ``tests/tui/test_hostile_text.py``. Here: :func:`tabletop.safetext.visible`
for every control character; the Markdown and HTML reports of an exercise with
hostile text in every field of its scenario, rule modules, header and events; and
every command that prints text from data, run as a subprocess whose stdout and
stderr bytes are read back.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tabletop import bots, report
from tabletop import log as logmod
from tabletop.loading import load_scenario
from tabletop.safetext import CONTROL, VisibleStream, json_text, visible
from tabletop.session import Session

from .hostile_text import HEAD, HOSTILE_FILE_NAME, PAYLOAD, Tags, write_scenario
from .test_report import _cells, _table_blocks

ROOT = Path(__file__).resolve().parent.parent
CONTROLS = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)]]
RAW_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")  # C0 (not \t, \n), DEL, and C1 in UTF-8


# ------------------------------------------------------------------ the helper


def test_every_control_character_but_newline_and_tab_is_made_visible():
    for ch in CONTROLS:
        shown = visible(f"a{ch}b")
        assert shown == f"a\\x{ord(ch):02x}b"
        assert not CONTROL.search(shown)
    assert visible("line\n\tindented") == "line\n\tindented"
    assert visible("\x1b]0;PWNED\x07") == "\\x1b]0;PWNED\\x07"
    assert visible(12) == "12" and visible(None) == "None"


def test_clean_text_is_returned_as_it_is_and_visible_text_stays_so():
    text = "KCNA [Korean Central News Agency] — 조선중앙통신, ½ ∑ 🙂\n\tindented"
    assert visible(text) is text
    assert visible(visible(PAYLOAD)) == visible(PAYLOAD)  # nothing to do a second time
    assert visible("\u0085\u009b") == "\\x85\\x9b" and visible("\u00a0é") == "\u00a0é"  # C1 goes; Latin-1 letters stay


def test_json_keeps_its_value_and_loses_its_raw_controls():
    value = {"t": "".join(CONTROLS) + PAYLOAD}
    text = json_text(json.dumps(value, ensure_ascii=False))
    assert not CONTROL.search(text.replace("\n", ""))
    assert json.loads(text) == value


def test_a_visible_stream_writes_what_it_is_given_visibly():
    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, text):
            self.parts.append(text)
            return len(text)

    sink = Sink()
    stream = VisibleStream(sink)
    print("a\x1b[2Jb", file=stream)  # type: ignore[arg-type]
    stream.writelines(["\x9b31m"])
    assert "".join(sink.parts) == "a\\x1b[2Jb\n\\x9b31m"


# ----------------------------------------------------------------- the reports


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """An exercise of the hostile scenario with hostile text in every field its log carries.

    Header: the seats' kinds, created, the program's version and a parent; events: ad-hoc
    injects, notes by a seat and by the facilitator, rationales, answers' reasons and a
    decision's ``by``, overrides of all four kinds, the end's reason.
    """
    folder = tmp_path_factory.mktemp("hostile")
    tags = Tags()
    path = write_scenario(folder / "scenario", tags)
    scenario, rules = load_scenario(path)
    log = folder / "hostile.jsonl"
    seats = {"us": "human", "rok": "human", "japan": tags("log.header.seats.japan")}
    s = Session.new(scenario, rules, seed=1, seats=seats, log_path=log, fsync=False)
    s.release("missile")
    s.release_adhoc(tags("log.adhoc.title"), tags("log.adhoc.text"), to=["rok", "dprk"])
    s.note(tags("log.note.rok"), seat="rok")
    s.release("threat")
    s.advance()
    s.advance()
    s.decide("us", "drill", tags("log.rationale.us"), answers="threat")
    s.decide("rok", "talk", tags("log.rationale.rok"), by=tags("log.decision.by"))
    bots.play_turn_decisions(s, ["dprk", "russia", "china", "japan"])
    for open_ob in s.unanswered():
        s.answer(open_ob.obligation.obligor, open_ob.id, "consult", tags(f"log.why.{open_ob.id}"))
    s.advance()
    s.adjudicate()
    s.override("tension", 4, tags("log.override.tension"))
    s.override("credibility", 4, tags("log.override.credibility"), seat="japan")
    s.override("posture", "alert", tags("log.override.posture"), seat="rok")
    s.override("obligation", "void", tags("log.override.obligation"), obligation=next(iter(s.state.obligations)))
    s.note(tags("log.note.facilitator"))
    s.advance()
    s.end(tags("log.end.reason"))
    s.close()
    contents = logmod.read(log)
    contents.header.update(created=tags("log.header.created"), tabletop=tags("log.header.tabletop"),
                           parent={"log": tags("log.header.parent.log"), "at": tags("log.header.parent.at")})
    session = Session.replay(contents, scenario, rules)
    return tags, session, log


# The fields the report shows (the rest of the scenario, a seat's brief say, is for the TUI).
REPORTED = (
    "scenario.title", "scenario.setting", "scenario.seats.us.name", "scenario.seats.dprk.name", "scenario.seats.us.role",
    "scenario.turns[0].title", "scenario.turns[0].brief", "scenario.turns[0].questions[0]",
    "scenario.injects[0].title", "scenario.injects[0].text", "scenario.injects[0].cite", "scenario.injects[0].note",
    "scenario.injects[1].title", "scenario.sources.ref-treaties.title", "scenario.sources.ref-treaties.note",
    "scenario.sources.ref-treaties.author", "scenario.sources.ref-treaties.publisher",
    "scenario.options.us[1].label", "scenario.options.rok[0].label", "escalation.yaml.ladder[4].name", "escalation.yaml.answers.consult.consult.text",
    "treaties/us-rok-1953.yaml.short", "escalation.yaml.postures[1].name",
    "log.header.seats.japan", "log.header.created", "log.header.tabletop", "log.header.parent.log", "log.header.parent.at",
    "log.adhoc.title", "log.adhoc.text", "log.note.rok", "log.note.facilitator", "log.rationale.us", "log.rationale.rok", "log.decision.by",
    "log.override.tension", "log.override.credibility", "log.override.posture", "log.override.obligation", "log.end.reason",
)


class _Text(HTMLParser):
    """The text of a page, and every tag and attribute in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _read_page(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return parser


def _literal(tag: str) -> str:
    """A hostile field as a reader of the report must see it: whole, escapes visible, spaces as one."""
    return " ".join(visible(f"{tag}{PAYLOAD}").split())


def _check_page(page: str, tags: Tags, allowed: set[str]) -> None:
    assert not CONTROL.search(page.replace("\n", "").replace("\t", ""))
    parsed = _read_page(page)
    names = {tag for tag, _ in parsed.tags}
    assert names <= allowed, names - allowed
    for tag, attrs in parsed.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "a" and not (attrs.get("href") or "").startswith("#"):
            href = attrs["href"] or ""
            assert href.startswith("https://example.org/") and not re.search(r"[\s<>\"']", href), href
    text = " ".join("".join(parsed.text).split())
    by_field = {field: tag for tag, field in tags.fields.items()}
    missing = [field for field in REPORTED if _literal(by_field[field]) not in text]
    assert not missing, missing
    assert "<script>alert(1)</script>" in text and visible("\x1b[2J\x9b31m\x00\x7f\r\x08") in text and "KCNA [Korean Central News Agency]" in text


# Tags CommonMark with GFM tables and strikethrough may write for the report's own structure.
MD_TAGS = {"h1", "h2", "h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "strong", "em", "br", "blockquote", "hr", "a"}


def test_the_markdown_report_shows_every_hostile_field_as_written(hostile):
    markdown_it = pytest.importorskip("markdown_it")
    tags, session, _ = hostile
    text = report.render(session, "md")
    assert not CONTROL.search(text.replace("\n", ""))
    page = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    _check_page(page, tags, MD_TAGS)
    # Tables stay tables: no cell of data opened another column or ended its row.
    blocks = _table_blocks(text)
    assert page.count("<table>") == len(blocks) >= 5
    for block in blocks:
        assert len({_cells(row) for row in block}) == 1, block


def test_the_markdown_source_url_with_tabs_and_tags_stays_one_link(hostile):
    _, session, _ = hostile
    text = report.render(session, "md")
    link = re.search(r"<https://example\.org/[^>]*>", text)
    assert link and not re.search(r"\s|<", link.group()[1:-1])
    assert "%09%3Cimg%20src=x%20onerror=alert(1)%3E%0A%3Cscript%3Ealert(2)%3C/script%3E" in link.group()
    assert "<img" not in text and "<script" not in text


HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "p", "h1", "h2", "h3", "h4", "nav", "ol", "ul", "li", "a", "main",
             "section", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tr", "th", "td", "strong", "span", "br", "div", "cite",
             "blockquote", "figure", "figcaption", "svg", "desc", "rect", "line", "text", "tspan", "path", "circle", "footer"}


def test_the_html_report_shows_every_hostile_field_as_written(hostile):
    tags, session, _ = hostile
    page = report.render(session, "html")
    _check_page(page, tags, HTML_TAGS)
    for tag, attrs in _read_page(page).tags:
        for key, value in attrs.items():
            assert "<" not in (value or "") or key == "content", (tag, key, value)  # no attribute carries markup out


# -------------------------------------------------------------- the command line


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), TABLETOP_HOME=str(home), COLUMNS="200")
    return env


def _run(args: list[str], home: Path, *, ok: bool | None = True, check: bool = True) -> tuple[bytes, bytes]:
    """Run ``tabletop ARGS``; with ``check``, fail if a raw control character is in what it printed."""
    result = subprocess.run([sys.executable, "-m", "tabletop", *args], capture_output=True, env=_env(home), timeout=120)
    if ok is not None:
        assert (result.returncode == 0) == ok, (args, result.returncode, result.stderr[-2000:])
    for stream in (result.stdout, result.stderr) if check else ():
        raw = RAW_CONTROL_BYTES.search(stream)
        assert raw is None, (args, stream[max(0, raw.start() - 80): raw.end() + 20])
    return result.stdout, result.stderr


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory):
    """A user folder with the hostile scenario, in a folder whose name holds an escape sequence, and a log of it."""
    home = tmp_path_factory.mktemp("home")
    folder = home / "odd \x1b]0;PWNED\x07 folder"
    tags = Tags()
    path = write_scenario(folder, tags)
    log = home / HOSTILE_FILE_NAME
    _run(["run", str(path), "--log", str(log), "--seed", "3"], home, check=False)  # the tests check what they print
    return home, path, log


ESC_SHOWN = visible("\x1b]0;PWNED\x07").encode()


def test_run_validate_and_verify_print_file_names_and_labels_visibly(cli_home):
    home, path, log = cli_home
    out, err = _run(["run", str(path), "--log", str(log.with_name("second.jsonl")), "--seed", "4"], home)
    assert ESC_SHOWN in out and visible(HEAD).encode() in out  # the treaties' hostile labels, as written
    out, err = _run(["validate", str(path)], home)
    assert b"ok: 1 file(s) valid" in err
    broken = path.with_name("broken \x1b[2J\x9b31m.yaml")
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    out, err = _run(["validate", str(broken)], home, ok=False)
    assert visible("broken \x1b[2J\x9b31m.yaml").encode() in out
    out, err = _run(["verify", str(log)], home)
    assert visible(HOSTILE_FILE_NAME).encode() in out
    out, err = _run(["verify", str(home / "missing \x1b[2J.jsonl")], home, ok=False)
    assert visible("missing \x1b[2J.jsonl").encode() in out + err


def test_report_prints_and_writes_visibly(cli_home):
    home, _, log = cli_home
    out, _ = _run(["report", str(log)], home)
    assert b"\\\\x1b\\]0;PWNED\\\\x07" in out  # Markdown escapes the backslash and the bracket too
    out, _ = _run(["report", str(log), "--format", "html"], home)
    assert ESC_SHOWN in out
    target = home / "aar \x1b[2J.md"
    _, err = _run(["report", str(log), "-o", str(target)], home)
    assert visible(f"wrote {target}").encode() in err
    assert not CONTROL.search(target.read_text(encoding="utf-8").replace("\n", ""))


def test_msel_export_is_exact_into_a_pipe_and_visible_on_a_terminal(cli_home):
    home, path, _ = cli_home
    piped = subprocess.run([sys.executable, "-m", "tabletop", "msel", "export", str(path)], capture_output=True, env=_env(home),
                           timeout=120, check=True).stdout
    assert b"\x1b]0;PWNED\x07" in piped  # data into a pipe stays the data, for the round trip
    leader, follower = pty.openpty()
    shown = b""
    try:
        child = subprocess.Popen([sys.executable, "-m", "tabletop", "msel", "export", str(path)], stdout=follower, stderr=subprocess.PIPE,
                                 env=_env(home))
        os.close(follower)
        while True:  # read as it writes, so a full terminal buffer never blocks it; EIO once it has closed
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        assert child.wait(timeout=120) == 0
        stderr = child.stderr.read()
        child.stderr.close()
    finally:
        os.close(leader)
    shown = shown.replace(b"\r\n", b"\n")  # the terminal's own line endings
    assert RAW_CONTROL_BYTES.search(shown) is None and ESC_SHOWN in shown
    assert stderr == b""
    target = home / "msel \x1b[2J.csv"
    _, err = _run(["msel", "export", str(path), "-o", str(target)], home)
    assert visible(f"wrote {target}").encode() in err


def test_resolve_explains_and_writes_json_visibly(cli_home, tmp_path):
    home, path, _ = cli_home
    facts = tmp_path / "facts \x1b[2J.yaml"
    facts.write_text("date: 2025-01-12\nfacts:\n  - {kind: armed_attack, by: dprk, target: rok, location: yeonpyeong}\n"
                     "  - {kind: threat, by: dprk, target: japan}\n", encoding="utf-8")
    rules = path.parent / "rules"
    out, _ = _run(["resolve", str(facts), "--rules", str(rules), "--explain"], home)
    assert ESC_SHOWN in out
    out, _ = _run(["resolve", str(facts), "--rules", str(rules), "--json", "--explain"], home)
    data = json.loads(out)  # the same values, escaped the JSON way
    assert any("\x1b]0;PWNED\x07" in ob["because"] and "\x9b31m" in ob["because"] for ob in data["obligations"])
    _, err = _run(["resolve", str(tmp_path / "none \x1b[2J.yaml")], home, ok=False)
    assert visible("none \x1b[2J.yaml").encode() in err


def test_usage_errors_quote_arguments_visibly(cli_home):
    home, _, _ = cli_home
    _, err = _run(["validate", "x.yaml", "--\x1b]0;PWNED\x07"], home, ok=False)
    assert ESC_SHOWN in err
    _, err = _run(["\x1b]0;PWNED\x07"], home, ok=False)
    assert b"invalid choice" in err
    _, err = _run(["run", "no such \x1b[2J"], home, ok=False)
    assert b"no scenario" in err
