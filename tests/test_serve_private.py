"""A whole exercise with injects addressed to some seats: the raw frames of every client, checked against the log.

The facilitator's client receives the log itself, so the test knows every
record and works out from the log alone (not from the server's ledger) what
each record derives from: what a private inject set off (the records of its
command), the armed attacks it added (the engine numbers every fact, and its
sentences cite earlier attacks as "fact N"), and the answers to obligations it
set off. Then it reads every frame each client received, as text, and checks
that nothing private or sealed reached a client not entitled to it, and that
what was sealed came to the entitled exactly once.
"""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp

from tabletop.serve.server import Server
from tabletop.serve.view import View
from tabletop.serve.visibility import board
from tabletop.session import Session
from tests.serving import Raw, ServerThread, log_records, verify
from tests.test_serve import caught_up, join

HUMANS = ("us", "rok", "dprk")
# Armed attacks told to some seats only: each sets off treaty articles (obligations, an Art. 51 report).
PRIVATE = [
    {"title": "PRIV-A: DPRK shells a ROK border post", "text": "PRIV-A-TEXT only for the two Koreas", "to": ["rok", "dprk"],
     "facts": [{"kind": "armed_attack", "by": "dprk", "target": "rok", "location": "rok", "scale": "limited"}], "tension": 1},
    {"title": "PRIV-B: a ROK raid on the DPRK", "text": "PRIV-B-TEXT only for the US", "to": ["us"],
     "facts": [{"kind": "armed_attack", "by": "rok", "target": "dprk", "location": "dprk", "scale": "limited"}]},
]
LEADERS = {"turn_started", "phase_changed", "inject_released", "decision", "assessed", "adjudicated", "override", "note", "exercise_ended"}


def groups(records):
    """Each record's leader: the first record of its command (followers come after it)."""
    leader = {}
    current = None
    for r in records:
        if r["type"] in LEADERS or r["type"] == "signature":
            current = r
        leader[r["seq"]] = current
    return leader


def _narrow(a, b):
    return b if a is None else a if b is None else a & b


def entitlement(records):
    """From the log alone: for each seq, the seats that may see it whole (None: everyone), and the private fact numbers.

    What an inject addressed to some seats sets off is for those seats (and an
    obligation also for the seat that owes it); an answer to an obligation is for
    whom the obligation is; force used in answer to such an obligation is for the
    inject's seats, and so is what that force sets off at the adjudication.
    """
    leader = groups(records)
    to: dict[int, frozenset[str] | None] = {}
    obligations: dict[str, dict] = {}
    cause: dict[str, frozenset[str] | None] = {}  # obligation -> the audience of what set it off
    answered: dict[str, str] = {}  # obligation -> answer, this turn
    private_facts: dict[int, frozenset[str]] = {}  # fact number (1-based, as the engine's sentences cite them) -> its audience
    group_facts: dict[int, frozenset[str]] = {}  # of the adjudication leading the group: index -> audience
    count = 0
    for r in records:
        kind = r["type"]
        lead = leader[r["seq"]]
        if kind == "inject_released":
            adhoc = r.get("adhoc") or {}
            audience = None if "all" in adhoc.get("to", ["all"]) else frozenset(adhoc["to"])
            to[r["seq"]] = audience
            for _ in adhoc.get("facts", []) if adhoc else [None] * FACTS[r["inject"]]:
                count += 1
                if audience is not None:
                    private_facts[count] = audience
        elif kind == "adjudicated":
            to[r["seq"]] = None
            group_facts = {}
            for i, fact in enumerate(r["facts"]):
                count += 1
                for ob_id, ob in obligations.items():
                    if (cause[ob_id] is not None and ob_id in answered and fact.get("by") == ob["obligor"]
                            and fact.get("answers") == f"{ob['treaty']} Art. {ob['article']}"):
                        group_facts[i] = private_facts[count] = cause[ob_id]
            answered = {}
        elif kind in ("note", "signature"):
            to[r["seq"]] = frozenset()
        elif kind in ("obligation_triggered", "report_owed", "council_decided", "obligation_upgraded"):
            base = to[lead["seq"]] if lead["type"] == "inject_released" else None
            if lead["type"] == "adjudicated":
                if kind in ("report_owed", "council_decided"):
                    base = group_facts.get(r["fact"])
                else:
                    for audience in group_facts.values():
                        base = _narrow(base, audience)
            if kind == "obligation_triggered":
                obligations[r["id"]], cause[r["id"]] = r, base
                to[r["seq"]] = None if base is None else base | {r["obligor"]}
            elif kind == "obligation_upgraded":
                base = _narrow(base, cause[r["obligation"]])
                to[r["seq"]] = None if base is None else base | {obligations[r["obligation"]]["obligor"]}
            else:
                to[r["seq"]] = base
        elif kind in ("decision", "obligation_answered"):
            ob = (r.get("answers") or {}).get("obligation") if kind == "decision" else r["obligation"]
            if kind == "obligation_answered":
                answered[ob] = r["answer"]
            c = cause.get(ob) if ob else None
            to[r["seq"]] = None if c is None else c | {obligations[ob]["obligor"]}
        else:
            to[r["seq"]] = None
    return to, private_facts


FACTS: dict[str, int] = {}


def whole_deliveries(raw: Raw) -> dict[int, int]:
    """How many times each seq reached this client whole (as an event or in a reveal)."""
    counts: dict[int, int] = {}
    for frame in raw.frames:
        records = [frame["record"]] if frame.get("kind") == "event" else frame.get("records", []) if frame.get("kind") == "reveal" else []
        for r in records:
            if r["type"] != "withheld" and not r.get("sealed"):
                counts[r["seq"]] = counts.get(r["seq"], 0) + 1
    return counts


def test_nothing_private_or_sealed_reaches_a_client_not_entitled_and_the_reveal_comes_once(tmp_path):
    log = tmp_path / "class.jsonl"

    async def main() -> list:
        with ServerThread(log, HUMANS) as server:
            scenario = server.session.scenario
            FACTS.update({i.id: len(i.facts) for i in scenario.injects})
            async with aiohttp.ClientSession() as http:
                boss = await join(http, server)
                seats = {s: await join(http, server, s) for s in HUMANS}
                projector = await join(http, server, view=True)
                everyone = [boss, projector, *seats.values()]
                n = 0

                async def give(command):
                    nonlocal n
                    n += 1
                    answer = await boss.command(n, command)
                    assert answer["kind"] == "ack", (command, answer)

                async def all_caught_up():
                    for client in everyone:
                        await caught_up(client, server)

                secrets: dict[str, str] = {}  # marker -> the seat whose sealed record holds it

                async def decide_all(turn: int):
                    for seat, client in seats.items():
                        for k, ob in enumerate(server.run(lambda s=seat: [o.id for o in server.session.unanswered(s)])):
                            marker = f"SECRET-{seat}-{turn}-answer-{ob}"
                            secrets[marker] = seat
                            answer = await client.command(1000 + turn * 100 + k, {
                                "type": "answer", "seat": seat, "obligation": ob, "answer": "honour", "rationale": marker})
                            assert answer["kind"] == "ack", answer
                        marker = f"SECRET-{seat}-{turn}-why"
                        secrets[marker] = seat
                        answer = await client.command(2000 + turn, {"type": "decide", "seat": seat, "option": "drill", "rationale": marker})
                        assert answer["kind"] == "ack", answer
                    await all_caught_up()

                def sealed_check(turn: int):
                    """While the decide phase is open: a seat has its own sealed records of the turn, nobody else's."""
                    now = {m: s for m, s in secrets.items() if f"-{turn}-" in m}
                    for seat, client in seats.items():
                        text = "".join(client.texts)
                        assert [m for m in now if m in text] == [m for m, s in now.items() if s == seat]
                    assert not [m for m in now if m in "".join(projector.texts)]

                await give({"type": "release", "inject": "missile"})
                for adhoc in PRIVATE:
                    await give({"type": "release_adhoc", **adhoc})
                await give({"type": "note", "text": "NOTE-MARKER"})
                await give({"type": "release", "inject": "threat"})
                await give({"type": "advance"})
                await give({"type": "advance"})
                await all_caught_up()
                await decide_all(1)
                sealed_check(1)
                await give({"type": "advance"})  # the reveal; entering adjudicate adjudicates
                await give({"type": "advance"})
                await give({"type": "advance"})  # turn 2
                await give({"type": "release", "inject": "clash"})  # a public attack: its sentences may cite the private ones
                await give({"type": "advance"})
                await give({"type": "advance"})
                await all_caught_up()
                await decide_all(2)
                sealed_check(2)
                await give({"type": "advance"})
                await give({"type": "advance"})
                await give({"type": "end", "reason": "done"})
                await all_caught_up()
                records = log_records(log)
                assert boss.records() == records  # the facilitator receives the log itself

                to, private_facts = entitlement(records)
                assert private_facts and any(r["type"] == "obligation_triggered" and to[r["seq"]] is not None for r in records)
                assert any(r["type"] == "report_owed" and to[r["seq"]] is not None for r in records)
                for role, client in [("view", projector), *seats.items()]:
                    seat = None if role == "view" else role
                    text = "".join(client.texts)
                    counts = whole_deliveries(client)
                    for r in records:
                        allowed = to[r["seq"]] is None or seat in to[r["seq"]]
                        if not allowed:
                            # Not as an event, not in a reveal; its sentence nowhere.
                            assert counts.get(r["seq"], 0) == 0 or r["type"] == "obligation_triggered" and seat == r["obligor"], (role, r)
                            if "because" in r:
                                assert r["because"] not in text, (role, r["because"][:80])
                        else:
                            assert counts.get(r["seq"]) == 1, (role, r["seq"], r["type"], counts.get(r["seq"]))  # whole, exactly once
                    for adhoc in PRIVATE:
                        shown = seat in adhoc["to"]
                        assert (adhoc["title"] in text) == shown and (adhoc["text"] in text) == shown, (role, adhoc["title"])
                    # The engine's sentences cite earlier attacks as "fact N": none told only to others is cited to this client.
                    for number, audience in private_facts.items():
                        if seat not in audience:
                            assert not re.search(rf"\bfact {number}\b", text), (role, number)
                    # The adjudications' cause sentences may cite any inject or fact so far: the private ones went to no seat in
                    # common, so no seat (nor the projector) reads a cause sentence, though every number comes.
                    causes = [c["because"] for r in records if r["type"] == "adjudicated" for c in r["changes"].get("causes", [])]
                    assert causes and not [c for c in causes if c in text], role
                    assert "NOTE-MARKER" not in text
                    assert all("prev" not in r for r in client.records())
                    # Answers to obligations it may not see stay unseen after the reveal too.
                    for marker, owner in secrets.items():
                        ob = marker.rsplit("-", 1)[-1] if "-answer-" in marker else None
                        may = owner == seat or ob is None or any(
                            r["type"] == "obligation_triggered" and r["id"] == ob and (to[r["seq"]] is None or seat in to[r["seq"]]) for r in records)
                        assert (marker in text) == may, (role, marker)
                    # Every client's fold shows the server's board.
                    view = View(server.session.game)
                    for record in client.records():
                        view.add(record)
                    for frame in client.frames:
                        if frame.get("kind") == "reveal":
                            view.reveal(frame["records"])
                    assert board(view.state) == server.run(lambda: board(server.session.state)), role
                live_projector = [r for r in projector.records()]
        checked = verify(log)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        return live_projector

    live = asyncio.run(main())

    # A server restarted on the log works out the same audiences from the log alone: a projector joining it gets the same records.
    async def again() -> list:
        from tabletop.loading import load_scenario
        from tests.serving import MINI

        scenario, rules = load_scenario(MINI)
        session, _ = Session.resume(log, scenario, rules, clock=True)
        server = Server(session, __import__("tabletop.serve.codes", fromlist=["Codes"]).Codes.generate(list(HUMANS)), say=lambda line: None)
        url = await server.start("127.0.0.1", 0)
        try:
            async with aiohttp.ClientSession() as http:
                raw = await Raw(http, url.replace("http://", "ws://") + "/ws").open(view=True)
                await raw.until(lambda f: f.get("kind") == "event" and f["record"]["seq"] == len(session.events))
                return raw.records()
        finally:
            await server.close()

    fresh = asyncio.run(again())
    revealed_live = {r["seq"]: r for r in live}
    assert [r["seq"] for r in fresh] == sorted(revealed_live)
    for r in fresh:
        held = revealed_live[r["seq"]]
        assert r == held or (held.get("sealed") and r["type"] == held["type"]), (r, held)
    assert json.dumps(fresh).count("PRIV-") == 0


def test_the_table_of_who_sees_what_names_every_event_type_and_the_protocol_shows_it():
    from pathlib import Path

    from tabletop import events as ev
    from tabletop.sealing import SEALED_KINDS
    from tabletop.serve.visibility import ACCESS, AUDIENCES

    assert set(ACCESS) == set(ev.EVENTS) | set(ev.LOG_RECORDS)
    assert all(access.audience in AUDIENCES for access in ACCESS.values())
    assert {kind for kind, access in ACCESS.items() if access.sealed} == SEALED_KINDS  # the sealing rule's own list
    doc = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
    table = doc[doc.index("| record | who sees it whole"):doc.index("\n\n", doc.index("| record | who sees it whole"))]
    assert all(f"`{kind}`" in table for kind in ACCESS), [k for k in ACCESS if f"`{k}`" not in table]
