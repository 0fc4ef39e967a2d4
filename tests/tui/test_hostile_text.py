"""Text from data never acts: every screen, with hostile text in every field, shows it literally.

The scenario and its rule modules carry, in every free-text field, content
markup that would run an action (``[@click=app.quit]``, ``[@click=screen.release_rest]``),
open a file link, crash the markup parser (a stray ``[/]``) or eat a bracket
(``[KCNA]``), and terminal escapes (window title, clear screen, C1 CSI, NUL,
DEL, CR, BS). The log adds its own: ad-hoc injects, notes, rationales, answers'
reasons, overrides, the end reason, and a log file named with markup and escapes.

Every screen is drawn at 200x60 with notifications on and read back cell by
cell, from every screen on the stack: no cell carries a link or an action, no
cell's text has a control character, and each field's tag and opening markup
show as written (``F07:[@click=app.quit]Q[/]``), with the escape made visible
(``\\x1b]0;PWNED\\x07``) where there is room.
"""

from __future__ import annotations

import json
from typing import Any

from textual import events
from textual.widgets import Input, Select, TextArea

from tabletop import paths
from tabletop.game import answer_key, answers_for
from tabletop.safetext import CONTROL, visible
from tabletop.session import Session
from tabletop.tui.app import make_app
from tabletop.tui.screens.adjudication import AdjudicationScreen
from tabletop.tui.screens.board import BoardScreen
from tabletop.tui.screens.decide import DecisionScreen, HandoverScreen, RevealScreen
from tabletop.tui.screens.dialogs import AdhocScreen, BranchScreen, ChoiceScreen, ExportScreen, InjectPicker, NoteScreen, OverrideScreen
from tabletop.tui.screens.help import HelpScreen
from tabletop.tui.screens.hotwash import HotWashScreen
from tabletop.tui.screens.replay import ReplayScreen
from tabletop.tui.screens.ruling import RulingScreen
from tabletop.tui.screens.start import StartScreen

from ..hostile_text import HOSTILE_FILE_NAME, Tags, full, short, write_scenario
from .conftest import MINI, click_seat, run

SIZE = (200, 60)


def drawn(app) -> str:
    """Every screen on the stack as drawn, one line per row; fails on any cell that links, acts or carries a control."""
    texts = []
    for screen in app.screen_stack:
        rows = []
        for y, strip in enumerate(screen._compositor.render_strips()):
            for segment in strip:
                style = segment.style
                where = f"{type(screen).__name__} row {y}: {segment.text!r}"
                assert not CONTROL.search(segment.text), f"a control character reaches the terminal: {where}"
                if style is not None:
                    assert not style.link, f"a link from data: {where} -> {style.link}"
                    assert "@click" not in (style.meta or {}), f"an action from data: {where} -> {style.meta}"
            rows.append(strip.text)
        texts.append("\n".join(rows))
    return "\n".join(texts)


def file_name(text: str) -> None:
    """The hostile log's name shows as written, where a line may be wrapped at its spaces."""
    assert "N01:[@click=app.quit]Q" in text and visible("\x1b]0;PWNED\x07\x9b31m.jsonl") in text


class Look:
    """Draws the app, checks it, and checks that the named fields show as written."""

    def __init__(self, app, tags: Tags) -> None:
        self.app = app
        self.tags = tags
        self.seen: list[str] = []

    def tag(self, field: str) -> str:
        return next(tag for tag, name in self.tags.fields.items() if name == field)

    async def __call__(self, pilot, where: str, screen: type, narrow: tuple[str, ...] = (), wide: tuple[str, ...] = ()) -> str:
        await pilot.pause()
        assert isinstance(self.app.screen, screen), (where, self.app.screen)
        text = drawn(self.app)
        for field in narrow:
            assert short(self.tag(field)) in text, f"{where}: {field} does not show as written"
        for field in wide:
            assert full(self.tag(field)) in text, f"{where}: {field} does not show as written, escapes visible"
        self.seen.append(where)
        return text

    async def scrolled(self, pilot, where: str, screen: type, selector: str, narrow: tuple[str, ...] = (), wide: tuple[str, ...] = ()) -> str:
        """As ``__call__``, over every page of a scrolling container: the fields may be on any of them."""
        body = self.app.screen.query_one(selector)
        body.scroll_home(animate=False, immediate=True)
        pages = [await self(pilot, f"{where}, page 1", screen)]
        while body.scroll_y < body.max_scroll_y:
            body.scroll_to(y=body.scroll_y + max(1, body.size.height - 1), animate=False, immediate=True)
            pages.append(await self(pilot, f"{where}, page {len(pages) + 1}", screen))
        text = "\n".join(pages)
        for field in narrow:
            assert short(self.tag(field)) in text, f"{where}: {field} does not show as written"
        for field in wide:
            assert full(self.tag(field)) in text, f"{where}: {field} does not show as written, escapes visible"
        return text


def _hostile_home(home) -> tuple[Tags, Any]:
    tags = Tags()
    path = write_scenario(home / "scenarios", tags)  # among the user's own, so the start screen lists it
    return tags, path


async def _paste(pilot, screen, selector: str, value: str) -> None:
    """Text pasted into a field (a paste is how an escape sequence gets into one: typing cannot)."""
    widget = screen.query_one(selector)
    assert isinstance(widget, (Input, TextArea))
    widget.focus()
    await pilot.pause()
    pilot.app.post_message(events.Paste(value))  # as the terminal sends it: the app hands it to the focused widget
    await pilot.pause()
    shown = widget.text if isinstance(widget, TextArea) else widget.value
    assert shown == visible(value), (selector, shown)  # what the log will get is what is shown


async def _open(pilot, select: Select) -> None:
    select.focus()
    await pilot.press("enter")
    await pilot.pause()


def test_every_board_screen_shows_hostile_text_as_written(home):
    tags, path = _hostile_home(home)
    log = paths.logs_dir() / HOSTILE_FILE_NAME
    log.parent.mkdir(parents=True, exist_ok=True)
    app = make_app(str(path), ["us=human", "rok=human"], seed=1, log=log)
    look = Look(app, tags)
    seat_names = tuple(f"scenario.seats.{s}.name" for s in ("dprk", "rok", "us", "russia", "china", "japan"))

    async def scenario():
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            session: Session = app.session
            await look(pilot, "board, brief", BoardScreen,
                       narrow=(*seat_names, "scenario.turns[0].title", "scenario.injects[0].title"), wide=("scenario.title",))
            await pilot.press("n")  # the first inject; the situation's subtitle names the next
            await look(pilot, "board, an inject out", BoardScreen,
                       narrow=("scenario.injects[1].title",), wide=("scenario.injects[0].title", "scenario.injects[0].text"))

            await pilot.press("a")
            dialog = app.screen
            await _paste(pilot, dialog, "#adhoc-title", tags("log.adhoc.title"))
            await _paste(pilot, dialog, "#adhoc-text", tags("log.adhoc.text"))
            text = await look(pilot, "ad-hoc inject dialog", AdhocScreen, narrow=("log.adhoc.title",))
            assert visible("\x1b[2J\x9b31m\x00\x7f\r\x08") in text  # the text scrolled to its end
            await pilot.click("#ok")
            await look(pilot, "board, ad-hoc inject out", BoardScreen, wide=("log.adhoc.title", "log.adhoc.text"))
            assert session.state.adhoc  # released through the dialog, as typed

            await pilot.press("t")
            await _paste(pilot, app.screen, "#note-text", tags("log.note"))
            await look(pilot, "note dialog", NoteScreen, narrow=("log.note",))
            await pilot.click("#ok")
            await look(pilot, "board, a note logged", BoardScreen, wide=("log.note",))

            await pilot.press("s")
            await look(pilot, "standby picker", InjectPicker, wide=("scenario.injects[1].title",))
            await pilot.press("escape")
            await pilot.press("question_mark")
            await look(pilot, "help", HelpScreen)
            await pilot.press("escape")

            await pilot.press("N", "space")
            await look(pilot, "board, deliberate", BoardScreen, wide=("scenario.injects[1].title",))
            await pilot.press("r")  # the ruling step: the case (facts, article, guidance) and its choices
            ruling = app.screen
            await look(pilot, "ruling", RulingScreen, narrow=("treaties/us-rok-1953.yaml.short",))
            if ruling.query("#ruling-obligation"):
                await _open(pilot, ruling.query_one("#ruling-obligation", Select))
                await look(pilot, "ruling, obligations open", RulingScreen, narrow=("treaties/us-rok-1953.yaml.short",))
                await pilot.press("escape")
            ruling.query_one("#ruling-choice", Select).value = "triggered"  # upheld: still answered in the decide phase
            await _paste(pilot, ruling, "#ruling-reason", tags("log.ruling.reason"))
            await look(pilot, "ruling, filled", RulingScreen)
            await pilot.click("#ok")
            assert session.state.overrides, "the ruling went through"
            await look(pilot, "board, ruled", BoardScreen)
            await pilot.press("space")  # decide: the bots decide, the hot seat opens
            for seat in ("rok", "us"):  # in the scenario's order
                await look(pilot, f"hand-off to {seat}", HandoverScreen, narrow=(f"scenario.seats.{seat}.name",))
                await pilot.press("enter")
                decision = app.screen
                await look(pilot, f"private decision of {seat}", DecisionScreen,
                           narrow=(f"scenario.seats.{seat}.name", "scenario.turns[0].title"),
                           wide=(f"scenario.options.{seat}[0].label", f"scenario.options.{seat}[0].text"))
                decision.query_one("Collapsible").collapsed = False
                await look(pilot, f"private decision of {seat}, brief open", DecisionScreen, wide=(f"scenario.seats.{seat}.brief",))
                await pilot.press("down", "enter")  # the first option
                await _paste(pilot, decision, "#rationale", tags(f"log.rationale.{seat}"))
                for open_ob in session.unanswered(seat):
                    select = decision.query_one(f"#answer-{open_ob.id}", Select)
                    await _open(pilot, select)
                    first = next(iter(answers_for(session.rules, open_ob)))  # what the first answer of this obligation's table means
                    await look(pilot, f"answers open for {seat}", DecisionScreen,
                               wide=(f"escalation.yaml.answers.{answer_key(session.rules, open_ob)}.{first}.text",))
                    await pilot.press("down", "enter")
                    await _paste(pilot, decision, f"#why-{open_ob.id}", tags(f"log.why.{seat}.{open_ob.id}"))
                await look(pilot, f"private decision of {seat}, filled", DecisionScreen)  # an Input shows the end of what is pasted
                await pilot.press("ctrl+s")
                await pilot.pause()
            await look(pilot, "reveal", RevealScreen, wide=("log.rationale.us", "log.rationale.rok", "scenario.options.us[0].label"))
            await pilot.press("escape", "space")
            await look(pilot, "adjudication", AdjudicationScreen)
            # (Its questions are at the end of a body longer than the screen, which the dialog cuts off; the hot wash shows them.)
            await pilot.press("escape")
            await look(pilot, "board, adjudicate", BoardScreen)

            await pilot.press("o")
            override = app.screen
            await _paste(pilot, override, "#reason", tags("log.override.reason"))
            await look(pilot, "override, filled", OverrideScreen)
            await pilot.click("#ok")
            assert session.state.overrides, "the override went through"
            await pilot.press("o")
            override = app.screen
            override.query_one("#what", Select).value = "posture"
            await _open(pilot, override.query_one("#seat", Select))
            await look(pilot, "override, seats open", OverrideScreen, narrow=seat_names)
            await pilot.press("escape")
            await _open(pilot, override.query_one("#posture", Select))
            await look(pilot, "override, postures open", OverrideScreen, narrow=("escalation.yaml.postures[0].name",))
            await pilot.press("escape", "escape")

            await pilot.press("space")
            await look(pilot, "board, review", BoardScreen, wide=("log.override.reason",))
            await pilot.press("e")
            await look(pilot, "end?", ChoiceScreen)
            await pilot.press("y")
            await look.scrolled(pilot, "hot wash", HotWashScreen, "#hotwash-body",
                                wide=("scenario.injects[0].title", "log.adhoc.title", "log.rationale.us", "log.note", "log.override.reason",
                                      "scenario.turns[0].questions[0]", "scenario.turns[1].questions[0]"))
            await pilot.press("x", "enter")  # the report, next to the log: the dialog shows its hostile path as written
            await look(pilot, "report written", ExportScreen)
            shown = str(app.screen.query_one("#export-written").render())
            assert visible(str(log.with_suffix(".md"))) in shown
            await pilot.press("escape")
            await look(pilot, "hot wash again", HotWashScreen)
            assert app.is_running

    run(scenario())
    assert len(look.seen) >= 25
    assert log.with_suffix(".md").is_file()


def _played_log(path, tags: Tags) -> Any:
    """A whole exercise of the hostile scenario with hostile text in every field the log carries, in a hostile file name."""
    from tabletop import bots
    from tabletop.loading import load_scenario

    scenario, rules = load_scenario(path)
    log = paths.logs_dir() / HOSTILE_FILE_NAME
    log.parent.mkdir(parents=True, exist_ok=True)
    s = Session.new(scenario, rules, seed=2, seats={"us": "human"}, log_path=log, fsync=False)
    s.release("missile")
    s.release_adhoc(tags("log.adhoc.title"), tags("log.adhoc.text"))
    s.note(tags("log.note"), seat="rok")
    s.release("threat")
    s.advance()
    s.advance()
    s.decide("us", "drill", tags("log.rationale.us"))
    bots.play_turn_decisions(s, [seat for seat in scenario.seats if seat != "us"])
    for open_ob in s.unanswered():
        s.answer(open_ob.obligation.obligor, open_ob.id, "consult", tags(f"log.why.{open_ob.id}"))
    s.advance()
    s.adjudicate()
    s.override("tension", 4, tags("log.override.reason"))
    s.advance()
    s.end(tags("log.end.reason"))
    s.close()
    return log


def test_replay_and_branch_show_hostile_text_as_written(home):
    tags, path = _hostile_home(home)
    log = _played_log(path, tags)
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()[1:]]
    app = make_app(replay=log)
    look = Look(app, tags)

    async def scenario():
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await app.workers.wait_for_complete()
            text = await look(pilot, "replay, first event", ReplayScreen, wide=("scenario.title",))
            assert app.screen.verification.plain == "verified"
            everything = [text]
            for _ in events:
                await pilot.press("right")
                everything.append(await look(pilot, "replay, an event", ReplayScreen))
            text = "\n".join(everything)
            for field in ("log.adhoc.title", "log.adhoc.text", "log.note", "log.rationale.us", "log.override.reason", "log.end.reason",
                          "scenario.injects[0].title", "scenario.injects[0].text", "scenario.options.us[1].label"):
                assert full(look.tag(field)) in text, field
            await pilot.click("#tab-situation")
            await look(pilot, "replay, situation", ReplayScreen, narrow=("log.adhoc.title", "scenario.injects[0].title"))
            await pilot.click("#tab-obligations")
            await look(pilot, "replay, obligations", ReplayScreen)
            await pilot.press("question_mark")
            await look(pilot, "replay help", HelpScreen)
            await pilot.press("escape", "b")
            await look(pilot, "branch dialog", BranchScreen, narrow=tuple(f"scenario.seats.{s}.name" for s in ("dprk", "us", "japan")))
            file_name(drawn(app))
            await pilot.press("escape")
            assert app.is_running

    run(scenario())
    assert len(look.seen) == len(events) + 5


def test_the_start_screen_shows_hostile_scenarios_and_logs_as_written(home):
    tags, path = _hostile_home(home)
    log = _played_log(path, tags)
    odd = log.with_name("N02:[@click=app.quit]T \x1b[2J.jsonl")  # a log whose last line says odd things
    lines = log.read_text(encoding="utf-8").splitlines()
    odd.write_text(lines[0] + "\n" + json.dumps({"type": "[@click=app.quit]T[/]\x1b[2J", "turn": "[/]\x1b]0;PWNED\x07"}) + "\n", encoding="utf-8")
    app = make_app(str(path), start=True, seed=3)
    look = Look(app, tags)

    async def scenario():
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            text = await look(pilot, "start screen", StartScreen, wide=("scenario.title", "scenario.setting"),
                              narrow=tuple(f"scenario.seats.{s}.name" for s in ("dprk", "rok", "us", "russia", "china", "japan")))
            file_name(text)
            assert "N02:[@click=app.quit]T" in text and visible("\x1b[2J.jsonl") in text
            assert visible("turn [/]\x1b]0;PWNED\x07") in text
            await click_seat(pilot, app.screen, "rok")
            await look(pilot, "start screen, a seat toggled", StartScreen)
            assert app.is_running

    run(scenario())


def test_clicking_a_title_that_reads_like_an_action_does_nothing(home, tmp_path):
    """The issue's own cases: a title that would release the rest of the injects, or quit, is only text to click on."""
    scenario = tmp_path / "actions.yaml"
    text = MINI.read_text(encoding="utf-8")
    text = text.replace('title: "DPRK missile test"', 'title: "[@click=app.quit]quit[/]"')
    text = text.replace('title: "Hypothetical: threat against the ROK"', 'title: "[@click=screen.release_rest]all[/] KCNA [Korean Central News Agency]"')
    text = text.replace('name: "ROK"', 'name: "ROK [/][link=file:///x]y"')
    scenario.write_text(text, encoding="utf-8")
    app = make_app(str(scenario), [], seed=1, log=tmp_path / "actions.jsonl")

    async def click_every_cell(pilot, needle: str) -> int:
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        hits = [(x, y) for y, row in enumerate(rows) for x in range(len(row)) if row.startswith(needle, x)]
        for x, y in hits:
            for dx in (0, len(needle) // 2, len(needle) - 1):  # a link would cover every cell of its text
                await pilot.click(offset=(x + dx, y))
        return len(hits)

    async def scenario_():
        async with app.run_test(size=SIZE) as pilot:
            session = app.session
            await pilot.pause()
            assert "n: [@click=app.quit]quit[/]" in drawn(app)  # the situation's subtitle names the next inject
            assert await click_every_cell(pilot, "[@click=app.quit]quit[/]") == 1
            assert app.is_running and not session.state.released
            await pilot.press("n")
            await pilot.pause()
            text = drawn(app)
            assert "n: [@click=screen.release_rest]all[/]" in text and "ROK [/][link=file:///x]y" in text
            assert await click_every_cell(pilot, "[@click=screen.release_rest]all[/]") == 1
            assert app.is_running and len(session.state.released) == 1  # only what n released
            await pilot.press("n")
            await pilot.pause()
            assert "[@click=screen.release_rest]all[/] KCNA [Korean Central News Agency]  [ref-treaties]" in drawn(app)

    run(scenario_())
