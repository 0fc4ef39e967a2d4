"""The log pane on a team's client: a decision sealed from it stays sealed until the server reveals it."""

from __future__ import annotations

from textual.app import App

from tabletop import bots
from tabletop.loading import load_scenario
from tabletop.serve.view import View
from tabletop.serve.visibility import SEAT, Ledger, Role, visible
from tabletop.session import Session
from tabletop.tui.widgets.log_tail import LogTail

from .conftest import MINI, run


class _Pane(App):
    def compose(self):
        yield LogTail()


def test_a_stand_in_for_a_sealed_decision_reads_sealed_until_the_reveal_even_once_the_phase_is_over(tmp_path):
    scenario, rules = load_scenario(MINI)
    s = Session.new(scenario, rules, seed=1, seats={"us": "human", "rok": "human"}, log_path=tmp_path / "x.jsonl", fsync=False)
    rok, ledger, view = Role(SEAT, "rok"), Ledger(scenario), View(s.game)
    s.listeners.append(lambda record: ledger.add(record, s.state))  # as the server does: each record's audience as it is written

    def sent(before: int = 0) -> None:  # and after each command, its records as rok's client receives them
        for record in s.events[before:]:
            view.add(visible(record, rok, s.state, ledger, {}))

    def command(do, *args) -> None:
        before = len(s.events)
        do(*args)
        sent(before)

    for record in s.events:
        ledger.add(record, s.state)
    sent()
    while s.state.phase != "decide":
        command(s.advance)
    command(s.decide, "us", "talk", "WHY-us: keep Seoul out of it.")
    command(s.decide, "rok", "drill", "WHY-rok")
    command(bots.play_turn_decisions, s, [seat for seat in scenario.seats if seat not in ("us", "rok")])
    for open_ob in s.unanswered():
        command(s.answer, open_ob.obligation.obligor, open_ob.id, "consult", "WHY-answer")
    command(s.advance)  # the decide phase is over; the reveal frame has not come yet
    s.close()
    assert view.state.phase != "decide" and view.sealed

    async def main() -> None:
        app = _Pane()
        async with app.run_test(size=(100, 60)) as pilot:
            tail = app.query_one(LogTail)
            tail.show(view.events(), scenario, rules, view.state)
            await pilot.pause()
            text = "\n".join(tail.lines)
            assert "US decided (sealed)" in text and "ROK decides: " in text  # its own decision it sees whole
            assert "US decides" not in text and "in its own words" not in text  # not a free-text decision of nothing
            records = s.events
            view.reveal([visible(records[seq - 1], rok, s.state, ledger, {}) for seq in view.sealed])
            tail.show(view.events(), scenario, rules, view.state)
            await pilot.pause()
            text = "\n".join(tail.lines)
            assert "(sealed)" not in text and f"US decides: {scenario.option('us', 'talk').label}" in text

    run(main())
