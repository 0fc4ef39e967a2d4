"""``tabletop join`` in the TUI: the facilitator's console, three teams on their own clients and the projector, against a real server."""

from __future__ import annotations

import time

from textual.widgets import Select

from tabletop.serve.client import RemoteSession
from tabletop.tui.remote import FacilitatorConsole, ProjectorBoard, RemoteApp, SeatBoard
from tabletop.tui.screens.adjudication import AdjudicationScreen
from tabletop.tui.screens.decide import DecisionScreen, RevealScreen
from tabletop.tui.widgets.log_tail import LogTail
from tabletop.tui.widgets.status import StatusLine
from tests.serving import ServerThread, log_records, verify

from .conftest import choose, notifications, run, type_text

HUMANS = ("us", "rok", "dprk")


def settle(test, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


async def until(pilot, test, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def screen_text(app) -> str:
    """Everything the screen stack draws now, as plain text."""
    return "\n".join(str(widget.render()) for screen in app.screen_stack for widget in screen.query("*") if hasattr(widget, "render"))


def test_a_turn_played_from_the_console_three_team_clients_and_the_projector(tmp_path):
    log = tmp_path / "class.jsonl"
    with ServerThread(log, HUMANS) as server:

        def joined(seat: str | None = None, view: bool = False) -> RemoteSession:
            return RemoteSession(server.url, view=True).connect() if view else RemoteSession(server.url, code=server.code(seat)).connect()

        async def console_opens_the_turn() -> None:
            app = RemoteApp(joined())
            async with app.run_test(size=(110, 34)) as pilot:
                await pilot.pause()
                assert isinstance(app.screen, FacilitatorConsole)
                session = app.remote
                await pilot.press("N")  # every scheduled inject of the turn
                await until(pilot, lambda: session.unreleased(include_standby=False) == [])
                await pilot.press("space", "space")
                await until(pilot, lambda: session.state.phase == "decide")
                assert sorted(session.undecided()) == sorted(HUMANS)  # the bots decided on the server
                status = app.screen.query_one(StatusLine).render().plain
                assert "FACILITATOR" in status and "us:OFF" in status and "china:bot" in status

        run(console_opens_the_turn())

        async def a_team_decides(seat: str, option_steps: int, why: str) -> None:
            app = RemoteApp(joined(seat))
            async with app.run_test(size=(110, 34)) as pilot:
                await until(pilot, lambda: isinstance(app.screen, DecisionScreen))  # opens by itself in the decide phase
                board = app.screen_stack[-2]
                assert isinstance(board, SeatBoard)
                tail = " ".join(board.query_one(LogTail).lines)
                assert "sealed" in tail
                assert not any(f"WHY-{other}" in screen_text(app) for other in HUMANS if other != seat)
                assert board.query_one(StatusLine).render().plain.startswith(app.remote.scenario.seats[seat].name)
                await pilot.press(*["down"] * (option_steps + 1), "enter")  # nothing is highlighted when it opens
                await type_text(pilot, why)
                for open_ob in app.remote.unanswered(seat):
                    await choose(pilot, app.screen.query_one(f"#answer-{open_ob.id}", Select))
                await pilot.press("ctrl+s")
                await until(pilot, lambda: seat not in app.remote.undecided() and not app.remote.unanswered(seat))
                await until(pilot, lambda: app.screen is board)
                await pilot.press("space")  # a team cannot move the exercise on
                await pilot.pause()
                assert app.remote.state.phase == "decide"

        run(a_team_decides("us", 1, "WHY-us drill"))
        run(a_team_decides("rok", 0, "WHY-rok talk"))

        async def projector_watches() -> None:
            app = RemoteApp(joined(view=True))
            async with app.run_test(size=(110, 34)) as pilot:
                await pilot.pause()
                assert isinstance(app.screen, ProjectorBoard)
                await until(pilot, lambda: "WHY-dprk" in " ".join(app.screen.query_one(LogTail).lines) or app.remote.state.phase == "decide")
                text = screen_text(app)
                assert "WHY-us" not in text and "WHY-rok" not in text
                seen = app.remote.state.decisions[1]
                assert set(seen) >= {"us", "rok"} and all(d.rationale == "" for d in seen.values())  # in, and sealed
                # dprk decides from its own client while the projector is up: the projector sees it is in, not what.
                dprk = joined("dprk")
                try:
                    for open_ob in dprk.unanswered("dprk"):
                        dprk.answer("dprk", open_ob.id, "consult", "WHY-dprk answer")
                    dprk.decide("dprk", "wait", "WHY-dprk wait")
                finally:
                    dprk.close()
                await until(pilot, lambda: not app.remote.undecided())
                assert "WHY-dprk" not in screen_text(app)

        run(projector_watches())

        async def console_adjudicates() -> None:
            app = RemoteApp(joined())
            async with app.run_test(size=(110, 34)) as pilot:
                session = app.remote
                # Every seat is in: the console opens on the reveal, every team's choice and why.
                await until(pilot, lambda: isinstance(app.screen, RevealScreen))
                await until(pilot, lambda: "Decisions revealed" in screen_text(app) and "Offer talks" in screen_text(app))  # mounted
                text = screen_text(app)
                assert all(f"WHY-{seat}" in text for seat in HUMANS), text
                await pilot.press("escape")
                await pilot.press("space")  # decide -> adjudicate, which adjudicates and shows what changed
                await until(pilot, lambda: isinstance(app.screen, AdjudicationScreen))
                assert 1 in session.state.adjudicated
                await pilot.press("escape")
                await pilot.press("space")
                await until(pilot, lambda: session.state.phase == "review")

        run(console_adjudicates())
        settle(lambda: server.run(lambda: server.session.state.phase) == "review")
    checked = verify(log)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_join_screen_asks_for_the_code_refuses_a_wrong_one_and_opens_the_board(tmp_path):
    """``tabletop join URL`` without a code, as the browser page runs it."""
    from tabletop.tui.remote import JoinScreen

    with ServerThread(tmp_path / "x.jsonl", HUMANS) as server:

        async def main() -> None:
            app = RemoteApp(None, server.url)
            async with app.run_test(size=(110, 34)) as pilot:
                await pilot.pause()
                assert isinstance(app.screen, JoinScreen)
                await type_text(pilot, "wrong-code")
                await pilot.press("enter")
                await until(pilot, lambda: "not one of this exercise's" in str(app.screen.query_one("#join-error").render()))
                app.screen.query_one("#code").value = ""
                await type_text(pilot, server.code("rok"))
                await pilot.press("enter")
                await until(pilot, lambda: isinstance(app.screen, SeatBoard))
                assert app.remote.seat == "rok"
                assert app.screen.query_one(StatusLine).render().plain.startswith("ROK team")

        run(main())


def test_the_console_hands_a_seat_to_the_hot_seat_and_a_bot(tmp_path):
    """``h``: a seat whose team has no client is played on the facilitator's keyboard, another by a bot; both logged."""
    from tabletop.tui.remote import HandOver
    from tabletop.tui.screens.decide import HandoverScreen
    from tabletop.tui.screens.dialogs import ChoiceScreen

    log = tmp_path / "x.jsonl"
    with ServerThread(log, ("us", "rok")) as server:

        async def main() -> None:
            app = RemoteApp(RemoteSession(server.url, code=server.code(None)).connect())
            seen: list = []
            async with app.run_test(size=(110, 34), message_hook=seen.append) as pilot:
                session = app.remote
                await until(pilot, lambda: bool(session.link.presence))
                for wanted in ("ROK → the hot seat on this machine", "US → a bot on the server", "Japan → its team's own client"):
                    await pilot.press("h")
                    await until(pilot, lambda: isinstance(app.screen, HandOver))
                    options = app.screen.query_one("#hand-over")
                    index = next(i for i in range(options.option_count) if str(options.get_option_at_index(i).prompt) == wanted)
                    options.highlighted = index
                    await pilot.press("enter")
                    await until(pilot, lambda: not isinstance(app.screen, HandOver))
                await until(pilot, lambda: session.seats["rok"] == "human" and session.seats["us"] == "bot")
                code = server.run(lambda: server.server.codes.seats["japan"])  # japan began with a bot: its team is made a code
                assert notifications(seen)[-1].message == f"Japan is played by its team's own client from now on. Its team joins with the code {code}."
                assert session.new_codes == {}  # shown once
                await pilot.press("space")  # the scheduled injects are not out: asked first
                await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
                await pilot.press("d")  # dropped, logged on the server; on to deliberate
                await until(pilot, lambda: session.state.phase == "deliberate")
                await pilot.press("space")  # -> decide: the bot decides, rok gets the keyboard here
                await until(pilot, lambda: isinstance(app.screen, HandoverScreen))
                assert app.screen.seat == "rok"
                assert "us" not in session.undecided()

        run(main())
    handed = [(r["seat"], r["to"]) for r in log_records(log) if r["type"] == "handed_over"]
    assert handed == [("rok", "hotseat"), ("us", "bot"), ("japan", "human")]
    assert not [r for r in log_records(log) if r["type"] == "note"]
    assert verify(log).returncode == 0


def test_the_console_rules_on_a_contested_obligation_over_the_network(tmp_path):
    """r on the facilitator's console: the ruling screen from the client's state, the ruling applied on the server and logged."""
    from tabletop.model import Fact
    from tabletop.tui.screens.ruling import RulingScreen

    log = tmp_path / "ruling.jsonl"
    with ServerThread(log, HUMANS) as server:

        async def console() -> None:
            app = RemoteApp(RemoteSession(server.url, code=server.code(None)).connect())
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                assert isinstance(app.screen, FacilitatorConsole)
                session = app.remote
                session.release_adhoc("Hypothetical: a limited strike", "The ROK shells a DPRK position.",
                                      facts=[Fact(kind="armed_attack", by="rok", target="dprk", location="dprk", details={"scale": "limited"})])
                await until(pilot, lambda: any(o.status == "contested" for o in session.state.open.values()))
                await pilot.press("r")
                await until(pilot, lambda: isinstance(app.screen, RulingScreen))
                ruling = app.screen
                ruled = ruling.current
                assert "The facts between them" in str(ruling.query_one("#ruling-case").render())
                ruling.query_one("#ruling-choice", Select).value = "consult"
                ruling.query_one("#ruling-reason").focus()
                await type_text(pilot, "a skirmish")
                await pilot.press("enter")
                await until(pilot, lambda: session.state.obligations[ruled].ruling == "consult")
                assert isinstance(app.screen, FacilitatorConsole)

        run(console())
        on_server = server.run(lambda: server.session.state.obligations)
        assert any(o.ruling == "consult" for o in on_server.values())
    records = [r for r in log_records(log) if r.get("type") == "override"]
    assert records and records[-1]["value"] == "consult" and records[-1]["reason"] == "a skirmish"
    done = verify(log)
    assert done.returncode == 0, done.stdout + done.stderr
