"""The classroom server with raw websocket clients: what each client receives, frame by frame.

A real server on 127.0.0.1 (an ephemeral port) and aiohttp websocket clients
that keep every frame as text: the tests search those texts for what must
never reach a client, so a leak anywhere in a frame is found, not only in
the fields a client would read.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat

import aiohttp
import pytest

from tabletop.serve import protocol as p
from tabletop.serve.codes import Codes
from tabletop.serve.view import View
from tabletop.serve.visibility import board
from tests.serving import Raw, ServerThread, log_records, verify

HUMANS = ("us", "rok", "dprk")


def run(coro):
    return asyncio.run(coro)


async def join(http, server: ServerThread, seat: str | None = None, view: bool = False, **hello) -> Raw:
    raw = Raw(http, server.ws)
    if view:
        await raw.open(view=True, **hello)
    else:
        await raw.open(code=server.code(seat), **hello)
    await raw.until(lambda f: f.get("kind") == "welcome")
    return raw


def secrets_in(raw: Raw, markers) -> list[str]:
    return [m for m in markers if any(m in text for text in raw.texts)]


async def caught_up(raw: Raw, server: ServerThread) -> None:
    last = server.run(lambda: len(server.session.events))
    await raw.until(lambda f: f.get("kind") == "event" and f["record"]["seq"] == last)


def test_a_full_turn_with_three_seats_on_three_clients(tmp_path):
    """Each client's raw frames hold only what its role may see: sealed decisions stay sealed until the reveal."""
    log = tmp_path / "class.jsonl"

    async def main() -> None:
        with ServerThread(log, HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                seats = {s: await join(http, server, s) for s in HUMANS}
                projector = await join(http, server, view=True)
                n = 0

                async def give(command):
                    nonlocal n
                    n += 1
                    answer = await boss.command(n, command)
                    assert answer["kind"] == "ack", answer
                    return answer

                await give({"type": "release", "inject": "missile"})
                await give({"type": "release_adhoc", "title": "ADHOC-MARKER for the US", "text": "only yours", "to": ["us"], "tension": 1})
                await give({"type": "note", "text": "NOTE-MARKER: the facilitator's own"})
                await give({"type": "release", "inject": "threat"})
                await give({"type": "advance"})
                await give({"type": "advance"})
                assert server.run(lambda: server.session.state.phase) == "decide"
                for client in [boss, projector, *seats.values()]:
                    await caught_up(client, server)
                # The bots (russia, china, japan) decided on the server as the decide phase opened: others see them sealed.
                bot_decisions = [r for r in projector.records() if r["type"] == "decision"]
                assert {r["seat"] for r in bot_decisions} >= {"russia", "china", "japan"}
                assert all(r.get("sealed") and set(r) <= {"type", "seq", "turn", "seat", "sealed", "answers"} for r in bot_decisions)

                markers: dict[str, list[str]] = {s: [f"SECRET-{s}-why"] for s in HUMANS}
                for i, (seat, client) in enumerate(seats.items()):
                    owed = server.run(lambda s=seat: [o.id for o in server.session.unanswered(s)])
                    for ob in owed:
                        markers[seat].append(f"SECRET-{seat}-answer")
                        answer = await client.command(100 + i * 10 + len(ob), {
                            "type": "answer", "seat": seat, "obligation": ob, "answer": "honour", "rationale": f"SECRET-{seat}-answer",
                        })
                        assert answer["kind"] == "ack", answer
                    answer = await client.command(200 + i, {"type": "decide", "seat": seat, "option": "talk", "rationale": f"SECRET-{seat}-why"})
                    assert answer["kind"] == "ack", answer
                for client in [boss, projector, *seats.values()]:
                    await caught_up(client, server)

                assert any(len(m) > 1 for m in markers.values())  # some seat answered an obligation (sealed as well)
                every = [m for ms in markers.values() for m in ms]
                # Before the reveal: a seat has its own, nobody else's; the projector nothing sealed, no note, no addressed inject.
                for seat, client in seats.items():
                    assert secrets_in(client, every) == markers[seat]
                    assert "NOTE-MARKER" not in "".join(client.texts)
                    assert ("ADHOC-MARKER" in "".join(client.texts)) == (seat == "us")
                    assert all("prev" not in r for r in client.records())
                assert secrets_in(projector, [*every, "NOTE-MARKER", "ADHOC-MARKER"]) == []
                assert secrets_in(boss, every) == every and "NOTE-MARKER" in "".join(boss.texts)
                welcome = next(f for f in projector.frames if f["kind"] == "welcome")
                assert "seed" not in welcome["header"] and "seed" in next(f for f in boss.frames if f["kind"] == "welcome")["header"]

                # Every client's fold shows the server's board, the withheld inject's tension included.
                truth = server.run(lambda: board(server.session.state))
                for client in [projector, *seats.values()]:
                    view = View(server.session.game)
                    for record in client.records():
                        view.add(record)
                    assert board(view.state) == truth
                    assert view.state.decisions[1].keys() == server.session.state.decisions[1].keys()

                await give({"type": "advance"})  # decide -> adjudicate: the reveal
                for own, client in [(None, projector), *seats.items()]:
                    reveal = await client.until(lambda f: f.get("kind") == "reveal")
                    texts = json.dumps(reveal)
                    assert [m for m in every if m in texts] == [m for s in HUMANS if s != own for m in markers[s]]
                    assert {r["seat"] for r in reveal["records"]} >= {"russia", "china", "japan"}
                    assert all("prev" not in r for r in reveal["records"])
                assert server.run(lambda: 1 in server.session.state.adjudicated)  # entering the phase adjudicated (the facilitation policy)
                assert (await boss.command(99, {"type": "adjudicate"}))["kind"] == "refused"
                await give({"type": "advance"})
                assert secrets_in(projector, ["NOTE-MARKER", "ADHOC-MARKER"]) == []
                for client in [boss, projector, *seats.values()]:
                    await caught_up(client, server)
                    assert client.seqs() == list(range(1, len(client.seqs()) + 1))  # every record once, in order
                facilitator_records = boss.records()
        assert facilitator_records == log_records(log)  # the facilitator receives the log itself
        checked = verify(log)
        assert checked.returncode == 0, checked.stdout + checked.stderr

    run(main())


def test_reconnect_receives_what_followed_exactly_once(tmp_path):
    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                rok = await join(http, server, "rok", client="rok-laptop")
                for ref, command in enumerate([{"type": "release", "inject": "missile"}, {"type": "advance"}, {"type": "advance"}], 1):
                    assert (await boss.command(ref, command))["kind"] == "ack"
                await caught_up(rok, server)
                us = await join(http, server, "us")
                assert (await us.command(9, {"type": "decide", "seat": "us", "option": "drill", "rationale": "HIDDEN-us"}))["kind"] == "ack"
                await caught_up(rok, server)
                held = rok.records()
                sealed = [r["seq"] for r in held if r.get("sealed")]
                assert sealed and "HIDDEN-us" not in "".join(rok.texts)
                exercise = next(f for f in rok.frames if f["kind"] == "welcome")["exercise"]
                await rok.close()  # the laptop's lid closes

                for seat in ("dprk",):
                    c = await join(http, server, seat)
                    owed = server.run(lambda: [o.id for o in server.session.unanswered("dprk")])
                    for k, ob in enumerate(owed):
                        await c.command(50 + k, {"type": "answer", "seat": "dprk", "obligation": ob, "answer": "honour", "rationale": "x"})
                    assert (await c.command(60, {"type": "decide", "seat": "dprk", "option": "wait", "rationale": "y"}))["kind"] == "ack"
                owed = server.run(lambda: [o.id for o in server.session.unanswered("us")])
                for k, ob in enumerate(owed):
                    assert (await us.command(70 + k, {"type": "answer", "seat": "us", "obligation": ob, "answer": "honour", "rationale": "z"}))["kind"] == "ack"
                assert (await boss.command(19, {"type": "note", "text": "while rok was away"}))["kind"] == "ack"
                refused = await boss.command(20, {"type": "advance"})
                assert refused["kind"] == "refused" and "rok" in refused["message"]  # rok has not decided
                # rok comes back and decides; then the facilitator moves on, which reveals everything
                again = await join(http, server, "rok", client="rok-laptop", since=held[-1]["seq"], sealed=sealed, exercise=exercise)
                await caught_up(again, server)
                assert again.seqs() == list(range(held[-1]["seq"] + 1, held[-1]["seq"] + 1 + len(again.seqs())))
                assert set(again.seqs()).isdisjoint(r["seq"] for r in held)
                owed = server.run(lambda: [o.id for o in server.session.unanswered("rok")])
                for k, ob in enumerate(owed):
                    assert (await again.command(80 + k, {"type": "answer", "seat": "rok", "obligation": ob, "answer": "honour", "rationale": "w"}))["kind"] == "ack"
                assert (await again.command(90, {"type": "decide", "seat": "rok", "option": "talk", "rationale": "v"}))["kind"] == "ack"
                assert (await boss.command(21, {"type": "advance"}))["kind"] == "ack"
                reveal = await again.until(lambda f: f.get("kind") == "reveal")
                revealed = {r["seq"] for r in reveal["records"]}
                assert set(sealed) <= revealed  # what it held sealed before it dropped is revealed to it too
                assert "HIDDEN-us" in json.dumps(reveal)

    run(main())


def test_reconnect_after_the_reveal_is_sent_the_revealed_records(tmp_path):
    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", ("us", "rok")) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                for ref in (1, 2):
                    await boss.command(ref, {"type": "advance"})
                view = await join(http, server, view=True)
                us = await join(http, server, "us")
                rok = await join(http, server, "rok")
                await us.command(3, {"type": "decide", "seat": "us", "option": "talk", "rationale": "US-REASON"})
                await caught_up(view, server)
                held = view.records()
                sealed = [r["seq"] for r in held if r.get("sealed")]
                exercise = next(f for f in view.frames if f["kind"] == "welcome")["exercise"]
                await view.close()
                await rok.command(4, {"type": "decide", "seat": "rok", "option": "talk", "rationale": "ROK-REASON"})
                assert (await boss.command(5, {"type": "advance"}))["kind"] == "ack"
                back = await join(http, server, view=True, since=held[-1]["seq"], sealed=sealed, exercise=exercise)
                await caught_up(back, server)
                reveal = await back.until(lambda f: f.get("kind") == "reveal")
                assert "US-REASON" in json.dumps(reveal)
                assert {r["seq"] for r in reveal["records"]} == set(sealed)
                later = back.records()
                assert [r["seq"] for r in later] == list(range(held[-1]["seq"] + 1, held[-1]["seq"] + 1 + len(later)))
                assert any("ROK-REASON" in json.dumps(r) for r in later)  # unsealed by now: sent whole

    run(main())


def test_bad_input_is_refused_to_its_sender_and_changes_nothing(tmp_path):
    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                for ref in (1, 2):
                    await boss.command(ref, {"type": "advance"})
                us = await join(http, server, "us")
                view = await join(http, server, view=True)
                size = server.run(lambda: len(server.session.events))
                state = server.run(lambda: server.session.state)
                rok = await join(http, server, "rok")
                await caught_up(rok, server)
                rok_heard = len(rok.frames)
                cases = [
                    (us, "{not json", "malformed"),
                    (us, "[1, 2]", "malformed"),
                    (us, json.dumps({"kind": "dance"}), "malformed"),
                    (us, json.dumps({"kind": "command", "id": 1, "command": {"type": "decide", "seat": "rok", "option": "talk", "rationale": "x"}}), "forbidden"),
                    (us, json.dumps({"kind": "command", "id": 2, "command": {"type": "advance"}}), "forbidden"),
                    (us, json.dumps({"kind": "command", "id": 3, "command": {"type": "decide", "seat": "us", "option": "talk", "rationale": "x", "by": "bot"}}),
                     "forbidden"),
                    (us, json.dumps({"kind": "command", "id": 4, "command": {"type": "decide", "seat": "us", "option": 7, "rationale": "x"}}), "malformed"),
                    (us, json.dumps({"kind": "command", "id": 5, "command": {"type": "launch"}}), "malformed"),
                    (us, json.dumps({"kind": "command", "id": 6, "command": {"type": "decide", "seat": "us", "option": "talk", "rationale": "x", "extra": 1}}),
                     "malformed"),
                    (us, json.dumps({"kind": "control", "id": 7, "seat": "rok", "to": "bot"}), "forbidden"),
                    (us, json.dumps({"kind": "command", "id": 12, "command": {"type": "hand_over", "seat": "us", "to": "bot"}}), "forbidden"),
                    (view, json.dumps({"kind": "control", "id": 13, "seat": "us", "to": "bot"}), "forbidden"),
                    (boss, json.dumps({"kind": "control", "id": 14, "seat": "us", "to": ["bot"]}), "malformed"),
                    (view, json.dumps({"kind": "command", "id": 8, "command": {"type": "note", "text": "hi"}}), "forbidden"),
                    (us, "[" * 70000, "too_big"),
                    (us, json.dumps({"kind": "command", "id": 9, "command": {"type": "note", "text": "x" * (p.MAX_FRAME + 10)}}), "too_big"),
                    (us, "[" * 30000 + "]" * 30000, "malformed"),
                ]
                for client, text, code in cases:
                    mark = len(client.frames)
                    await client.send(text)
                    frame = await client.until(lambda f: f.get("kind") == "error", after=mark)
                    assert frame["code"] == code, (text[:80], frame)
                    assert frame["message"]
                mark = len(us.frames)
                assert us.ws is not None
                await us.ws.send_bytes(b"\x00\x01")
                frame = await us.until(lambda f: f.get("kind") == "error", after=mark)
                assert frame["code"] == "malformed"
                # A refusal by the rules of play is 'refused', with the engine's reason.
                answer = await us.command(10, {"type": "decide", "seat": "us", "option": "no-such", "rationale": "x"})
                assert answer["kind"] == "refused" and "no option 'no-such'" in answer["message"]
                assert server.run(lambda: len(server.session.events)) == size
                assert server.run(lambda: server.session.state) is state
                assert not us.closed.is_set() and not view.closed.is_set()
                assert len(rok.frames) == rok_heard  # the other clients heard nothing of it
                # the connection still works
                assert (await us.command(11, {"type": "decide", "seat": "us", "option": "talk", "rationale": "fine"}))["kind"] == "ack"

    run(main())


def test_a_flood_is_cut_to_the_rate_and_the_client_is_told(tmp_path):
    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS, rate=5.0, burst=10) as server:
            async with aiohttp.ClientSession() as http:
                us = await join(http, server, "us")
                size = server.run(lambda: len(server.session.events))
                for i in range(300):
                    await us.send({"kind": "ping", "id": i})
                await us.send({"kind": "ping", "id": "last"})
                await us.until(lambda f: f.get("kind") == "error" and f.get("code") == "rate")
                await asyncio.sleep(0.5)
                pongs = [f for f in us.frames if f.get("kind") == "pong"]
                assert 10 <= len(pongs) < 40  # the burst and what the rate refilled, not 300
                rate_errors = [f for f in us.frames if f.get("code") == "rate"]
                assert 1 <= len(rate_errors) <= 3
                assert server.run(lambda: len(server.session.events)) == size
                await asyncio.sleep(0.5)
                await us.send({"kind": "ping", "id": "after"})
                await us.until(lambda f: f.get("kind") == "pong" and f.get("id") == "after")

    run(main())


def test_codes_wrong_used_and_taken_back(tmp_path):
    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS) as server:
            assert all(len(code) >= 12 for code in [server.codes.facilitator, *server.codes.seats.values()])
            assert len({server.codes.facilitator, *server.codes.seats.values()}) == 4
            async with aiohttp.ClientSession() as http:
                wrong = await Raw(http, server.ws).open(code=server.code("us")[:-1] + "?")
                frame = await wrong.until(lambda f: f.get("kind") == "error")
                assert frame["code"] == "bad_code"
                await wrong.closed.wait()
                bot_seat = await Raw(http, server.ws).open(code="")
                assert (await bot_seat.until(lambda f: f.get("kind") == "error"))["code"] == "bad_code"
                first = await join(http, server, "us", client="laptop-1")
                second = await Raw(http, server.ws).open(code=server.code("us"), client="laptop-2")
                frame = await second.until(lambda f: f.get("kind") == "error")
                assert frame["code"] == "code_in_use" and "in use" in frame["message"]
                await second.closed.wait()
                assert not first.closed.is_set()
                again = await join(http, server, "us", client="laptop-1")  # the same client, reconnecting: takes its code back
                await first.closed.wait()
                assert not again.closed.is_set()
                old = await Raw(http, server.ws).open(code=server.code("us"))
                old_protocol = Raw(http, server.ws)
                await old_protocol.open()
                await old_protocol.send({"kind": "hello", "protocol": 99, "code": server.code("rok")})
                assert (await old_protocol.until(lambda f: f.get("kind") == "error"))["code"] == "protocol"
                assert (await old.until(lambda f: f.get("kind") == "error"))["code"] == "code_in_use"

    run(main())


def test_codes_file_is_owner_only_json_and_read_back(tmp_path):
    codes = Codes.generate(["us", "rok"])
    path = tmp_path / "codes.json"
    codes.write(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data == {"facilitator": codes.facilitator, "seats": {"us": codes.seats["us"], "rok": codes.seats["rok"]}}
    assert Codes.read(path) == codes
    assert codes.role(codes.seats["rok"]).seat == "rok"
    assert codes.role(codes.facilitator).kind == "facilitator"
    assert codes.role("nope") is None and codes.role(None) is None
    assert [p.name for p in tmp_path.iterdir()] == ["codes.json"]  # no temporary file left behind


def test_codes_file_stays_owner_only_when_rewritten_and_is_never_written_over_a_log(tmp_path):
    codes = Codes.generate(["us"])
    path = tmp_path / "class" / "codes.json"  # the folder is made
    codes.write(path)
    path.chmod(0o644)  # someone opened it up
    more = codes.for_seats(["us", "rok"])
    more.write(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and Codes.read(path) == more
    link = tmp_path / "codes-link.json"
    link.symlink_to(path)
    codes.write(link)
    assert link.is_symlink() and Codes.read(path) == codes and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    log = tmp_path / "class.jsonl"
    log.write_text('{"type": "header", "format": "tabletop-log/1"}\n')
    with pytest.raises(OSError, match=f"refusing to write {log}: it is an exercise log"):
        codes.write(log)
    assert log.read_text() == '{"type": "header", "format": "tabletop-log/1"}\n'


def test_who_is_connected_follows_the_heartbeat(tmp_path):
    """A client that stops answering pings (frozen, unplugged) is shown gone; one that answers stays."""

    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS, heartbeat=0.4) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                await join(http, server, "rok")
                frozen = Raw(http, server.ws)
                await frozen.open(autoping=False, code=server.code("us"))
                here = await boss.until(lambda f: f.get("kind") == "presence" and f["seats"]["us"]["connected"] and f["seats"]["rok"]["connected"])
                after = boss.frames.index(here)
                gone = await boss.until(lambda f: f.get("kind") == "presence" and not f["seats"]["us"]["connected"], timeout=10, after=after)
                assert gone["seats"]["rok"]["connected"] and gone["seats"]["dprk"]["connected"] is False
                assert gone["seats"]["china"]["control"] == "bot"
                await asyncio.sleep(1.5)  # several heartbeats later rok (which answers) is still there
                latest = [f for f in boss.frames if f.get("kind") == "presence"][-1]
                assert latest["seats"]["rok"]["connected"] and not latest["seats"]["us"]["connected"]

    run(main())


def test_the_facilitator_hands_a_seat_to_a_bot_and_it_is_logged(tmp_path):
    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                rok = await join(http, server, "rok")
                projector = await join(http, server, view=True)
                await boss.command(1, {"type": "advance"})
                await boss.command(2, {"type": "advance"})
                await boss.send({"kind": "control", "id": 3, "seat": "rok", "to": "bot"})
                assert (await boss.answer(3))["kind"] == "ack"
                assert (await rok.until(lambda f: f.get("kind") == "error"))["code"] == "handed_over"
                await rok.closed.wait()
                decided = server.run(lambda: server.session.state.decisions[1].get("rok"))
                assert decided is not None and decided.by == "bot"
                handed = [r for r in log_records(tmp_path / "x.jsonl") if r["type"] == "handed_over"]
                assert [(r["turn"], r["seat"], r["to"]) for r in handed] == [(1, "rok", "bot")]
                assert not [r for r in log_records(tmp_path / "x.jsonl") if r["type"] == "note"]  # a typed event, not a note
                record = await projector.record(handed[0]["seq"])  # public: the seat cards show it to every role anyway
                assert (record["type"], record["seat"], record["to"]) == ("handed_over", "rok", "bot")
                assert (await projector.until(lambda f: f.get("kind") == "control"))["control"]["rok"] == "bot"
                again = await boss.command(4, {"type": "hand_over", "seat": "rok", "to": "bot"})  # the command frame, as RemoteSession sends it
                assert again["kind"] == "refused" and again["message"] == "rok is already played by a bot"
                refused = await Raw(http, server.ws).open(code=server.code("rok"))
                assert (await refused.until(lambda f: f.get("kind") == "error"))["code"] == "bad_code"
        assert verify(tmp_path / "x.jsonl").returncode == 0

    run(main())


@pytest.mark.parametrize("hello", [
    {"kind": "hello", "protocol": 1, "code": "x", "since": -1},
    {"kind": "hello", "protocol": 1, "view": True, "since": 10_000},
    {"kind": "hello", "protocol": 1, "view": True, "since": 1, "sealed": [5]},
    {"kind": "command"},
])
def test_a_bad_hello_is_refused_and_closed(tmp_path, hello):
    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                raw = Raw(http, server.ws)
                await raw.open()
                await raw.send(hello)
                frame = await raw.until(lambda f: f.get("kind") == "error")
                assert frame["message"]
                await raw.closed.wait()
                assert server.run(lambda: len(server.server.connections)) == 0

    run(main())


def test_a_scripted_inject_addressed_to_some_seats_reaches_those_seats_alone():
    from tabletop.loading import load_named
    from tabletop.serve.visibility import FACILITATOR, SEAT, VIEW, Ledger, Role, visible
    from tabletop.state import State

    scenario, _ = load_named("nea-2024")
    inject = scenario.inject("hyp-us-dprk-channel")
    assert set(inject.to) == {"us", "dprk"}
    record = {"type": "inject_released", "seq": 40, "turn": inject.turn, "prev": "ab" * 32, "inject": inject.id}
    state = State(turn=inject.turn, phase="brief")
    ledger = Ledger(scenario)
    ledger.add(record, state)
    board_after = {"tension": 3, "credibility": {}, "posture": {}, "date": "2025-01-27"}
    seen = {str(role): visible(record, role, state, ledger, {40: board_after})
            for role in (Role(FACILITATOR), Role(SEAT, "us"), Role(SEAT, "dprk"), Role(SEAT, "rok"), Role(VIEW))}
    assert seen["facilitator"] == record
    assert seen["seat us"] == seen["seat dprk"] == {k: v for k, v in record.items() if k != "prev"}
    assert seen["seat rok"] == seen["view"] == {"type": "withheld", "seq": 40, "turn": inject.turn, "board": board_after}


def test_a_client_keeps_ad_hoc_numbers_when_one_was_withheld(tmp_path):
    """adhoc-1 went to the US alone; ROK's client still knows adhoc-2 as adhoc-2, and its board is the server's."""

    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                rok = await join(http, server, "rok")
                await boss.command(1, {"type": "release_adhoc", "title": "for the US", "to": ["us"], "tension": 2})
                await boss.command(2, {"type": "release_adhoc", "title": "for everyone", "to": ["all"]})
                await caught_up(rok, server)
                view = View(server.session.game)
                for record in rok.records():
                    view.add(record)
                assert view.state.adhoc["adhoc-2"].title == "for everyone"
                assert "for the US" not in "".join(rok.texts)
                assert board(view.state) == server.run(lambda: board(server.session.state))

    run(main())


def test_hand_overs_survive_a_restart_of_the_server(tmp_path):
    """rok to a bot, japan (a bot) to its team, us to the hot seat: a server started again on the log plays them so."""
    from tabletop.serve.main import open_session

    log = tmp_path / "x.jsonl"

    async def first() -> Codes:
        with ServerThread(log, HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                for ref, (seat, to) in enumerate([("rok", "bot"), ("japan", "human"), ("us", "hotseat")], 1):
                    await boss.send({"kind": "control", "id": ref, "seat": seat, "to": to})
                    answer = await boss.answer(ref)
                    assert answer["kind"] == "ack", answer
                    if seat == "japan":
                        code = answer["code"]  # japan began with a bot: its team is given a code now
                assert server.run(lambda: server.server.codes.seats["japan"]) == code
                return server.server.codes

    codes = run(first())
    handed = {"dprk": "human", "rok": "bot", "us": "hotseat", "russia": "bot", "china": "bot", "japan": "human"}

    async def second() -> None:
        with ServerThread(log, codes=codes) as server:  # the same log and codes, as `tabletop serve --log` after a crash
            assert server.run(lambda: server.server.control) == handed
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                assert next(f for f in boss.frames if f["kind"] == "welcome")["control"] == handed
                japan = await join(http, server, "japan")
                assert next(f for f in japan.frames if f["kind"] == "welcome")["role"] == {"kind": "seat", "seat": "japan"}
                rok = await Raw(http, server.ws).open(code=codes.seats["rok"])
                assert (await rok.until(lambda f: f.get("kind") == "error"))["code"] == "bad_code"  # a bot plays it still
                await boss.command(9, {"type": "advance"})
                await boss.command(10, {"type": "advance"})  # decide: the bots decide, rok among them; us waits for the hot seat
                decided = server.run(lambda: dict(server.session.state.decisions[1]))
                assert decided["rok"].by == "bot" and "us" not in decided and "japan" not in decided

    run(second())
    session, control, warnings = open_session(None, str(log), ["rok=human"], None)
    try:
        assert control == handed
        assert any("rok=human ignored" in w for w in warnings)  # the log decides; the console hands seats over
    finally:
        session.close()
    assert verify(log).returncode == 0


def test_a_retracted_hand_over_is_undone_now_and_after_a_restart(tmp_path):
    log = tmp_path / "x.jsonl"

    async def first() -> Codes:
        with ServerThread(log, HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                rok = await join(http, server, "rok")
                assert (await boss.command(1, {"type": "hand_over", "seat": "rok", "to": "bot"}))["kind"] == "ack"
                assert (await rok.until(lambda f: f.get("kind") == "error"))["code"] == "handed_over"
                mark = len(boss.frames)
                answer = await boss.command(2, {"type": "retract", "reason": "wrong seat"})
                assert answer["kind"] == "ack", answer
                control = await boss.until(lambda f: f.get("kind") == "control", after=mark)
                assert control["control"]["rok"] == "human"  # given back to its team at once
                assert server.run(lambda: server.server.control["rok"]) == "human"
                retracted = next(r for r in log_records(log) if r["type"] == "retracted")
                assert (retracted["what"], retracted["revealed"]) == ("handed_over", True)  # every client had been told
                again = await join(http, server, "rok")  # its team's code works again
                assert not again.closed.is_set()
                return server.server.codes

    codes = run(first())

    async def second() -> None:
        with ServerThread(log, codes=codes) as server:
            assert server.run(lambda: server.server.control["rok"]) == "human"

    run(second())
    assert verify(log).returncode == 0


def test_a_note_in_the_old_words_of_a_hand_over_hands_nothing_over(tmp_path):
    """A facilitator's note is text: "us is played by a bot from now on" typed as a note is a note, before and after a restart."""
    log = tmp_path / "x.jsonl"
    old_words = ["us is played by a bot from now on", "rok is played by the facilitator's keyboard (hot seat) from now on"]

    async def first() -> Codes:
        with ServerThread(log, HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                for ref, text in enumerate(old_words, 1):
                    assert (await boss.command(ref, {"type": "note", "text": text}))["kind"] == "ack"
                assert server.run(lambda: server.server.control) == {s: "human" if s in HUMANS else "bot" for s in server.session.scenario.seats}
                return server.server.codes

    codes = run(first())

    async def second() -> None:
        with ServerThread(log, codes=codes) as server:
            assert server.run(lambda: server.server.control)["us"] == "human"
            assert server.run(lambda: server.server.control)["rok"] == "human"
            async with aiohttp.ClientSession() as http:
                us = await join(http, server, "us")
                assert not us.closed.is_set()

    run(second())
    assert [r["text"] for r in log_records(log) if r["type"] == "note"] == old_words


def test_a_command_that_cannot_reach_the_disk_is_not_acknowledged_nor_sent(tmp_path):
    """The ack follows the fsync: a write that fails (a full disk) gets an error, no client hears of the command, the next write works."""

    async def main() -> None:
        with ServerThread(tmp_path / "x.jsonl", HUMANS) as server:
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                view = await join(http, server, view=True)
                await caught_up(view, server)
                writer = server.session.writer
                real = writer.append_all

                def full_disk(data):
                    raise OSError(28, "No space left on device")

                server.run(setattr, writer, "append_all", full_disk)
                size = server.run(lambda: len(server.session.events))
                heard = len(view.frames)
                answer = await boss.command(1, {"type": "advance"})
                assert answer["kind"] == "error" and answer["code"] == "server" and "No space left" in answer["message"]
                assert not [f for f in boss.frames if f.get("kind") == "ack"]
                assert server.run(lambda: len(server.session.events)) == size and len(log_records(tmp_path / "x.jsonl")) == size
                await asyncio.sleep(0.3)
                assert len(view.frames) == heard
                server.run(setattr, writer, "append_all", real)
                assert (await boss.command(2, {"type": "advance"}))["kind"] == "ack"
                record = await view.record(size + 1)
                assert record["type"] in ("turn_started", "phase_changed")  # the advance, written once the disk takes it
        assert verify(tmp_path / "x.jsonl").returncode == 0

    run(main())
