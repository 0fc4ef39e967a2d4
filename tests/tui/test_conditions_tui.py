"""The decision screen lists only the options the seat can take now: an option whose condition is unmet is not there."""

from __future__ import annotations

from textual.widgets import OptionList

from tabletop.tui.app import make_app
from tabletop.tui.screens.decide import DecisionScreen, HandoverScreen

from .conftest import MINI, run


def test_the_option_list_leaves_out_an_option_whose_condition_is_unmet(tmp_path):
    anchor = "  us:\n    - {id: talk,"
    text = MINI.read_text()
    assert anchor in text
    path = tmp_path / "conditions.yaml"
    path.write_text(text.replace(anchor, (
        "  us:\n"
        "    - {id: veto, label: \"Veto the ROK draft\", requires: {council_draft: {by: rok}}}\n"  # nobody tables one in mini
        "    - {id: lapsed, label: \"Call on the lapsed treaty\", requires: {treaty_in_force: ussr-dprk-1961}}\n"
        "    - {id: bound, label: \"Call on the alliance\", requires: {treaty_in_force: us-rok-1953}}\n"
        "    - {id: talk,"
    )))
    app = make_app(str(path), seat_specs=["us=human"], seed=3, log=tmp_path / "c.jsonl")

    async def scenario():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("N", "space", "space")  # release, deliberate, decide: the bots decide, the US is handed the keyboard
            await pilot.pause()
            assert isinstance(app.screen, HandoverScreen)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DecisionScreen)
            listed = [option.id for option in app.screen.query_one("#options", OptionList).options]
            assert "bound" in listed and "talk" in listed
            assert "veto" not in listed and "lapsed" not in listed

    run(scenario())
