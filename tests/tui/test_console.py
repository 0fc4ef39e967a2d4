"""The facilitator's console, second pass (issue 16): each wrong behaviour as a facilitator meets it."""

from __future__ import annotations

from textual.widgets import OptionList

from tabletop.tui.app import make_app
from tabletop.tui.screens.decide import DecisionScreen, HandoverScreen

from .conftest import MINI, run


def test_enter_pressed_twice_at_the_hand_over_chooses_nothing(tmp_path):
    app = make_app(str(MINI), ["china=human"], seed=1, log=tmp_path / "twice.jsonl")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            session = app.session
            await pilot.press("N", "space", "space")
            await pilot.pause()
            assert isinstance(app.screen, HandoverScreen)
            await pilot.press("enter", "enter", "enter")  # impatient: the hand-over, then twice more
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DecisionScreen)
            assert screen.chosen is None and screen.query_one("#options", OptionList).highlighted is None
            assert "china" in session.undecided()
            await pilot.press("ctrl+s")  # nothing chosen: refused, nothing logged
            await pilot.pause()
            assert "china" in session.undecided() and isinstance(app.screen, DecisionScreen)
            await pilot.press("down", "enter")  # the seat moves to an option itself, then takes it
            assert screen.chosen == session.options("china")[0].id

    run(scenario())
