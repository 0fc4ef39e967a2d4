"""The board's keys at 80 columns, and ruling a contested obligation as its own step."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Input, OptionList, Select, Static
from textual.widgets._footer import FooterKey

from tabletop.model import Fact
from tabletop.tui.app import make_app
from tabletop.tui.screens.board import BoardScreen
from tabletop.tui.screens.dialogs import OverrideScreen
from tabletop.tui.screens.ruling import RulingScreen

from .conftest import MINI, notifications, run

STRIKE = Fact(kind="armed_attack", by="rok", target="dprk", location="dprk", details={"scale": "limited"})
BOTS = ["dprk=bot", "rok=bot", "us=bot", "russia=bot", "china=bot", "japan=bot"]


def footer_keys(app) -> list[tuple[str, str, int]]:
    """(key, description, right edge) of each key the footer shows."""
    footer = app.screen.query_one(Footer)
    return [(k.key_display, k.description, k.region.right) for k in footer.query(FooterKey)]


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()


async def strike(app, pilot) -> None:
    """The ROK's limited strike on the DPRK, released through the session (the ad-hoc dialog takes no facts): contested duties follow."""
    app.session.release_adhoc("Hypothetical: a limited strike", "The ROK shells a DPRK position.", facts=[STRIKE])
    app.screen.refresh_board()
    await settle(pilot)


def test_every_key_the_footer_shows_fits_80_columns_in_every_phase(tmp_path):
    app = make_app(str(MINI), BOTS, seed=1, log=tmp_path / "keys.jsonl")

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            seen = {}
            for _ in range(5):  # brief, deliberate, decide, adjudicate, review
                while not isinstance(app.screen, BoardScreen):
                    await pilot.press("escape")
                    await settle(pilot)
                state = app.session.state
                await settle(pilot)
                keys = footer_keys(app)
                seen[state.phase] = [d for _, d, _ in keys]
                assert keys and all(right <= 80 for _, _, right in keys), (state.phase, keys)
                assert ("spc", "Advance") in [(k, d) for k, d, _ in keys] and ("?", "Help") in [(k, d) for k, d, _ in keys]
                await pilot.press("N") if state.phase in ("brief", "deliberate") else None
                await settle(pilot)
                await pilot.press("space")
                await settle(pilot)
            assert "Inject" in seen["brief"] and "Decide" in seen["decide"] and "Adjud." in seen["review"]
            assert "Report" in seen["review"] and "End" in seen["review"]

    run(scenario())


def test_a_key_of_another_phase_says_where_it_works(tmp_path):
    app = make_app(str(MINI), BOTS, seed=1, log=tmp_path / "where.jsonl")
    seen: list = []

    async def scenario():
        async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
            await settle(pilot)
            assert app.session.state.phase == "brief"
            before = len(app.session.events)
            await pilot.press("d")
            await pilot.press("w")
            await settle(pilot)
            said = [n.message for n in notifications(seen)]
            assert any("d (Decide) works in the decide phase; this is the brief phase." in m for m in said), said
            assert any("w (Hot wash) works once the exercise has ended" in m for m in said), said
            assert len(app.session.events) == before
            await pilot.press("x")  # not in the brief's footer, but it works in every phase: the export dialog
            await settle(pilot)
            assert type(app.screen).__name__ == "ExportScreen"

    run(scenario())


def test_ruling_a_contested_obligation_shows_its_case_and_logs_consultation_only(tmp_path):
    app = make_app(str(MINI), BOTS, seed=5, log=tmp_path / "rule.jsonl")

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            session = app.session
            assert ("r", "Rule") not in [(k, d) for k, d, _ in footer_keys(app)]  # nothing to rule on yet
            await strike(app, pilot)
            contested = [o for o in session.state.open.values() if o.status == "contested"]
            assert contested
            keys = footer_keys(app)
            assert ("r", "Rule") in [(k, d) for k, d, _ in keys] and all(right <= 80 for *_, right in keys)
            await pilot.press("r")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RulingScreen)
            ruling_on = screen.current
            assert ruling_on in {o.id for o in contested}
            case = str(screen.query_one("#ruling-case", Static).render())
            assert "The facts between them" in case and "armed attack" in case and "Why:" in case
            assert "Art." in case
            choice = screen.query_one("#ruling-choice", Select)
            assert [v for _, v in choice._options if v != Select.NULL] == ["triggered", "consult", "void"]
            assert choice.value == "triggered"
            choice.value = "consult"
            await settle(pilot)
            assert "consultations, not assistance" in str(screen.query_one("#ruling-meaning", Static).render())
            screen.query_one("#ruling-reason", Input).focus()
            await pilot.press("enter")  # no reason: refused, and the screen stays with what was chosen
            await settle(pilot)
            assert isinstance(app.screen, RulingScreen) and not session.state.overrides
            for ch in "skirmish":
                await pilot.press(ch)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen)
            ruled = session.state.overrides[-1]
            assert (ruled.what, ruled.value, ruled.obligation, ruled.reason) == ("obligation", "consult", ruling_on, "skirmish")
            line = str(app.screen.query_one("#obligation-list", OptionList).get_option(ruling_on).prompt)
            assert "consultation only by the facilitator" in line
            still = [o for o in session.state.open.values() if o.status == "contested" and not o.ruling]
            assert (("r", "Rule") in [(k, d) for k, d, _ in footer_keys(app)]) == bool(still)  # shown while one waits

    run(scenario())


def test_r_rules_on_the_obligation_highlighted_and_override_no_longer_rules(tmp_path):
    app = make_app(str(MINI), BOTS, seed=5, log=tmp_path / "row.jsonl")

    async def scenario():
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            session = app.session
            await strike(app, pilot)
            rows = app.screen.query_one("#obligation-list", OptionList)
            rows.focus()
            rows.highlighted = rows.option_count - 1  # the oldest; r rules on the one highlighted
            wanted = rows.get_option_at_index(rows.option_count - 1).id
            assert session.state.obligations[wanted].status == "contested"
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, RulingScreen) and app.screen.current == wanted
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("o")
            await settle(pilot)
            assert isinstance(app.screen, OverrideScreen)
            what = app.screen.query_one("#what", Select)
            assert "obligation" not in [v for _, v in what._options]

    run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_an_answer_list_opens_clear_of_the_footer(tmp_path, size):
    """The answer to an obligation is the private screen's last field: its list opens inside the screen, above the footer."""
    from textual.widgets._select import SelectOverlay

    from tabletop.tui.screens.decide import DecisionScreen

    app = make_app(str(MINI), ["russia=human"], seed=5, log=tmp_path / "answer.jsonl")

    async def scenario():
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await strike(app, pilot)
            await pilot.press("N", "space", "space")
            await settle(pilot)
            await pilot.press("enter")  # the hand-over
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DecisionScreen)
            answer = next(s for s in screen.query(Select) if (s.id or "").startswith("answer-"))
            answer.focus()
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert answer.expanded
            overlay = screen.query_one(SelectOverlay).region
            footer = screen.query_one(Footer).region
            assert overlay.height >= 2 and overlay.bottom <= footer.y, (size, overlay, footer)

    run(scenario())


def test_a_choice_dialog_shows_its_keys_in_the_footer_and_each_key_chooses(tmp_path):
    """Advancing past the brief with injects unreleased asks: the footer names each choice's key."""
    app = make_app(str(MINI), BOTS, seed=1, log=tmp_path / "choice.jsonl")

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("space")
            await settle(pilot)
            assert type(app.screen).__name__ == "ChoiceScreen"
            shown = [(k, d) for k, d, _ in footer_keys(app)]
            assert [("r", "Release"), ("s", "Standby"), ("d", "Drop"), ("n", "Cancel")] == [x for x in shown if x[0] != "esc"]
            await pilot.press("s")
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen) and app.session.state.withheld and app.session.state.phase == "deliberate"

    run(scenario())


def test_the_board_and_the_console_footers_fit_80_columns_with_every_key_a_phase_may_show():
    """Every phase with all its keys at once (assess and rule included), each as the compact footer draws it: key, space, name, space."""
    from textual.binding import Binding

    from tabletop.tui.remote import FacilitatorConsole
    from tabletop.tui.screens.board import BY_ACTION, FOOTER_KEYS

    for screen in (BoardScreen, FacilitatorConsole):
        own = [b for b in screen.BINDINGS if isinstance(b, Binding) and b.show and b.action not in BY_ACTION]
        for phase, keys in FOOTER_KEYS.items():
            shown = [BY_ACTION[a] for a in keys if a not in screen.FOOTER_HIDDEN] + own
            width = sum(len(b.key_display or b.key) + len(b.description) + 2 for b in shown)
            assert width <= 80, (screen.__name__, phase, width)
