"""The server: one asyncio process owns the Session; websocket clients send commands and get records.

Everything that touches the exercise runs on the one event loop, between two
awaits: a command is decided, its events appended to the log (each fsynced,
:meth:`tabletop.session.Session.execute`), the bots owed a move make it, and
every connection's frames are queued, all in one step. So no client sees a
record before it is on disk, the acknowledgement follows the command's records
on its connection, and a client that joins is caught up and registered in the
same step, with no gap and no record twice.

Each connection has its own queue and a task that sends it: a slow client
delays nobody, and one that falls too far behind is dropped (it reconnects and
catches up from the last seq it saw).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from tabletop import events as ev
from tabletop import facilitation, files
from tabletop.game import CONTROLS, CommandError, played_by
from tabletop.serve import protocol as p
from tabletop.serve.codes import Codes
from tabletop.serve.visibility import FACILITATOR, SEAT, VIEW, Ledger, Role, board, full, visible
from tabletop.session import Session

MAX_QUEUE = 20_000  # frames waiting for one client before it is dropped as too slow
HEADER_FIELDS = ("format", "scenario", "scenario_path", "scenario_sha256", "rules_sha256", "seats", "tabletop", "created")
class Connection:
    """One client: its role, its outgoing queue, its rate budget and the records it holds sealed."""

    def __init__(self, ws: web.WebSocketResponse, role: Role, client: str, peer: str, rate: float, burst: int) -> None:
        self.ws, self.role, self.client, self.peer = ws, role, client, peer
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.redacted: set[int] = set()
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = asyncio.get_running_loop().time()
        self.warned = 0.0
        self.sender: asyncio.Task[None] | None = None
        self.closed = False

    def send(self, frame: dict[str, Any]) -> None:
        if self.closed:
            return
        self.queue.put_nowait(p.encode(frame))
        if self.queue.qsize() > MAX_QUEUE:
            self.drop()

    def drop(self) -> None:
        """Stop sending; the receiving side sees the socket close."""
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)

    def allow(self) -> bool:
        """Take one frame from the budget (a token bucket); False when the client sends too fast."""
        now = asyncio.get_running_loop().time()
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def pump(self) -> None:
        try:
            while True:
                text = await self.queue.get()
                if text is None:
                    break
                await self.ws.send_str(text)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            self.closed = True
            if not self.ws.closed:
                await self.ws.close()


class Server:
    """The classroom server of one exercise."""

    def __init__(
        self,
        session: Session,
        codes: Codes,
        heartbeat: float = p.HEARTBEAT,
        rate: float = p.RATE,
        burst: int = p.BURST,
        say: Callable[[str], None] | None = None,
        codes_path: Path | None = None,
    ) -> None:
        self.session = session
        self.codes, self.codes_path = codes, codes_path
        self.heartbeat, self.rate, self.burst = heartbeat, rate, burst
        self.say = say or (lambda line: print(line, file=sys.stderr, flush=True))
        self.connections: list[Connection] = []
        self.exercise = _exercise_id(session)
        self.ledger = Ledger(session.scenario)
        self.boards: dict[int, dict[str, Any]] = {}
        self._board = self._prime()
        session.listeners.append(self._on_record)
        self.runner: web.AppRunner | None = None
        self.url = ""

    @property
    def control(self) -> dict[str, str]:
        """Who plays each seat now, from the folded state: the log's header and the hand-overs since (retracted ones undone)."""
        return self.session.control

    # ------------------------------------------------------------ who may see each record; the board after each
    def _prime(self) -> dict[str, Any]:
        """The ledger and the boards of the records already in the log (a resumed exercise)."""
        game = self.session.game
        state = game.initial()
        last = board(state)
        for record in self.session.events:
            if record.get("type") in ev.LOG_RECORDS:
                continue
            state = game.evolve(state, ev.from_json(record))
            self.ledger.add(record, state)
            last = self._moved(record, state, last)
        return last

    def _moved(self, record: dict[str, Any], state: Any, last: dict[str, Any]) -> dict[str, Any]:
        now = board(state)
        if now != last:
            self.boards[record["seq"]] = now
        return now

    def _on_record(self, record: dict[str, Any]) -> None:
        # Called by the session after each record is on disk, with the state folded to it.
        self.ledger.add(record, self.session.state)
        self._board = self._moved(record, self.session.state, self._board)

    # ------------------------------------------------------------ running
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(p.PATH, self._websocket)
        app.router.add_get("/", self._index)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: any free port); the address as ``http://host:port``."""
        self.runner = web.AppRunner(self.app(), handle_signals=False, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()[1] if sockets else port
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{bound}"
        self.facilitate()
        return self.url

    async def close(self) -> None:
        for conn in list(self.connections):
            conn.drop()
            await conn.ws.close(code=1001, message=b"server shutting down")
        if self.runner is not None:
            await self.runner.cleanup()
        self.session.close()

    async def _index(self, request: web.Request) -> web.Response:
        scenario = self.session.scenario
        return web.Response(text=f"tabletop exercise {scenario.id}: {scenario.title}\njoin with: tabletop join {self.url} --code CODE\n")

    # ------------------------------------------------------------ the policy on the server
    def facilitate(self) -> None:
        """What nobody needs to ask for, by the one facilitation policy (``tabletop/facilitation.py``) the local board follows.

        Entering the decide phase, the seats a bot plays (as handed over now)
        decide and answer; entering the adjudicate phase, the turn is
        adjudicated. Called after every command and at start-up, it does only
        what is still owed.
        """
        seats = [s for s, c in self.control.items() if c == "bot"]
        try:
            facilitation.enter_phase(self.session, seats)
        except (CommandError, ValueError) as exc:
            self.say(f"the server could not do what entering the {self.session.state.phase} phase asks: {exc}")

    # ------------------------------------------------------------ one connection
    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=self.heartbeat, max_msg_size=p.HARD_FRAME)
        await ws.prepare(request)
        peer = request.remote or "?"
        try:
            msg = await asyncio.wait_for(ws.receive(), p.HELLO_TIMEOUT)
        except TimeoutError:
            await _refuse(ws, "hello", f"expected a hello frame within {p.HELLO_TIMEOUT:g} seconds")
            return ws
        if msg.type != WSMsgType.TEXT:
            if msg.type not in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                await _refuse(ws, "malformed", "expected a hello frame (JSON text)")
            return ws
        conn = await self._hello(ws, msg.data, peer)
        if conn is None:
            return ws
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._receive(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._receive(conn, None)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self._leave(conn)
        return ws

    async def _hello(self, ws: web.WebSocketResponse, text: str, peer: str) -> Connection | None:
        """Check the hello; catch the client up and register it in one step. None: refused (and closed)."""
        try:
            if len(text) > p.MAX_FRAME:
                raise p.FrameError("too_big", f"a frame is at most {p.MAX_FRAME} bytes")
            hello = p.decode(text)
            if hello.get("kind") != "hello":
                raise p.FrameError("hello", "expected a hello frame first")
            if hello.get("protocol") != p.PROTOCOL:
                raise p.FrameError("protocol", f"this server speaks protocol {p.PROTOCOL}, the client {hello.get('protocol')!r}: use the same tabletop version")
            role = self._role(hello)
            since, sealed = _since(hello, len(self.session.events))
            client = hello.get("client")
            client = client if type(client) is str and 0 < len(client) <= 64 else secrets.token_hex(8)
        except p.FrameError as exc:
            await _refuse(ws, exc.code, str(exc))
            return None
        reset = hello.get("exercise") not in (None, self.exercise)
        if reset:
            since, sealed = 0, []
        for other in list(self.connections):
            if other.role == role and role.kind != VIEW:
                if other.client != client:
                    await _refuse(ws, "code_in_use", f"the code for {role} is in use by another connected client; "
                                  "if that client is gone, try again in a few seconds, or ask the facilitator")
                    return None
                other.drop()  # the same client reconnecting before its old connection was seen to drop
                self._leave(other)
        conn = Connection(ws, role, client, peer, self.rate, self.burst)
        state, records = self.session.state, self.session.events
        conn.send({
            "kind": "welcome", "protocol": p.PROTOCOL, "role": role.to_json(), "exercise": self.exercise, "reset": reset,
            "last": len(records), "header": self._header(role), "control": dict(self.control), "heartbeat": self.heartbeat,
        })
        opened = [records[s - 1] for s in sealed if full(records[s - 1], role, state, self.ledger)]
        conn.redacted.update(s for s in sealed if not full(records[s - 1], role, state, self.ledger))
        if opened:
            conn.send({"kind": "reveal", "records": [visible(r, role, state, self.ledger, self.boards) for r in opened]})
        for record in records[since:]:
            self._send_record(conn, record)
        self.connections.append(conn)
        conn.sender = asyncio.get_running_loop().create_task(conn.pump())
        self.say(f"{role} joined from {peer}")
        self._presence()
        return conn

    def _role(self, hello: dict[str, Any]) -> Role:
        if hello.get("view") is True:
            return Role(VIEW)
        role = self.codes.role(hello.get("code"))
        if role is None:
            raise p.FrameError("bad_code", "that code is not one of this exercise's: check it with the facilitator")
        if role.kind == SEAT and self.control.get(role.seat or "") == "bot":
            raise p.FrameError("bad_code", f"{role.seat} is played by a bot in this exercise; ask the facilitator to hand it to your team")
        return role

    def _header(self, role: Role) -> dict[str, Any]:
        header = self.session.header
        if role.kind == FACILITATOR:
            return dict(header)
        return {k: header[k] for k in HEADER_FIELDS if k in header}  # no seed: it would tell what the bots will do

    def _leave(self, conn: Connection) -> None:
        conn.drop()
        if conn in self.connections:
            self.connections.remove(conn)
            self.say(f"{conn.role} left")
            self._presence()

    # ------------------------------------------------------------ frames from a client
    def _receive(self, conn: Connection, text: str | None) -> None:
        if not conn.allow():
            now = asyncio.get_running_loop().time()
            if now - conn.warned >= 1.0:  # one error a second, not one per dropped frame
                conn.warned = now
                conn.send(p.error("rate", f"too many frames: at most {p.RATE:g} a second; frames were dropped"))
            return
        ref = None
        try:
            if text is None:
                raise p.FrameError("malformed", "expected text frames (JSON), got a binary frame")
            if len(text) > p.MAX_FRAME or len(text.encode("utf-8", "replace")) > p.MAX_FRAME:
                raise p.FrameError("too_big", f"a frame is at most {p.MAX_FRAME} bytes")
            frame = p.decode(text)
            ref = frame.get("id")
            if ref is not None and (type(ref) not in (int, str) or (type(ref) is str and len(ref) > 64)):
                ref = None
                raise p.FrameError("malformed", "'id' is a number or a short text")
            kind = frame["kind"]
            if kind == "command":
                self._command(conn, frame, ref)
            elif kind == "control":
                self._control(conn, frame, ref)
            elif kind == "ping":
                conn.send({"kind": "pong", "id": ref} if ref is not None else {"kind": "pong"})
            else:
                raise p.FrameError("malformed", f"unknown frame kind {kind!r}; expected command, control or ping")
        except p.FrameError as exc:
            conn.send(p.error(exc.code, str(exc), ref))
        except Exception as exc:  # noqa: BLE001 - a bug must not take the classroom down; say it, keep serving
            self.say(f"error handling a frame from {conn.role}: {type(exc).__name__}: {exc}")
            conn.send(p.error("server", f"the server could not handle that frame ({type(exc).__name__}); its terminal says more", ref))

    def _command(self, conn: Connection, frame: dict[str, Any], ref: Any) -> None:
        command = p.command_from_json(frame.get("command"))
        _allowed(conn.role, command)
        self._execute(conn, command, ref)

    def _execute(self, conn: Connection | None, command: Any, ref: Any) -> None:
        session = self.session
        before, played = len(session.events), self.control
        try:
            session.execute(command)
        except CommandError as exc:
            if conn is not None:
                conn.send({"kind": "refused", "id": ref, "message": str(exc)})
            return
        except OSError as exc:
            self.say(f"cannot write the log: {exc}")
            if conn is not None:
                conn.send(p.error("server", f"the server cannot write the log ({exc.strerror or exc}); its terminal says more", ref))
            self._broadcast(before)
            return
        seqs = [r["seq"] for r in session.events[before:]]
        extra = self._handed_over(played)
        self.facilitate()
        self._broadcast(before)
        if conn is not None:
            conn.send({"kind": "ack", "id": ref, "seqs": seqs, **extra})

    def _control(self, conn: Connection, frame: dict[str, Any], ref: Any) -> None:
        """The facilitator's hand-over frame: the ``hand_over`` command (``Session.hand_over``) by another name."""
        if conn.role.kind != FACILITATOR:
            raise p.FrameError("forbidden", "only the facilitator hands seats over")
        self._execute(conn, p.command_from_json({"type": "hand_over", "seat": frame.get("seat"), "to": frame.get("to")}), ref)

    def _handed_over(self, played: dict[str, str]) -> dict[str, Any]:
        """What a change of who plays a seat asks of the server, whatever made it (a hand-over, or the retraction of one).

        A seat's team taken off it is told (``handed_over``) and its connection
        closed; a seat given to its team that has no code yet (it began with a
        bot) is made one, written to the codes file and returned for the ack;
        every client is sent who plays each seat now.
        """
        now = self.control
        changed = [(seat, to) for seat, to in now.items() if played.get(seat) != to]
        if not changed:
            return {}
        extra: dict[str, Any] = {}
        for seat, to in changed:
            self.say(played_by(seat, to))
            if to != "human":
                for other in self.connections:
                    if other.role == Role(SEAT, seat):
                        other.send(p.error("handed_over", f"the facilitator gave {seat} to {CONTROLS[to]}"))
                        other.drop()
            elif seat not in self.codes.seats:
                self.codes = self.codes.for_seats([*self.codes.seats, seat])  # a seat that began with a bot: its team needs a code
                if self.codes_path is not None:
                    try:
                        self.codes.write(self.codes_path)
                    except OSError as exc:
                        self.say(files.explain(exc, self.codes_path, "write the codes to"))
                self.say(f"{seat}: tabletop join {self.url} --code {self.codes.seats[seat]}")
                extra["code"] = self.codes.seats[seat]
        for other in self.connections:
            other.send({"kind": "control", "control": now})
        self._presence()
        return extra

    # ------------------------------------------------------------ frames to clients
    def _send_record(self, conn: Connection, record: dict[str, Any]) -> None:
        out = visible(record, conn.role, self.session.state, self.ledger, self.boards)
        if out.get("sealed"):
            conn.redacted.add(record["seq"])
        conn.send({"kind": "event", "record": out})

    def _broadcast(self, before: int) -> None:
        session = self.session
        new = session.events[before:]
        state, records = session.state, session.events
        for conn in list(self.connections):
            for record in new:
                self._send_record(conn, record)
            opened = sorted(s for s in conn.redacted if full(records[s - 1], conn.role, state, self.ledger))
            if opened:
                conn.redacted.difference_update(opened)
                conn.send({"kind": "reveal", "records": [visible(records[s - 1], conn.role, state, self.ledger, self.boards) for s in opened]})

    def _presence(self) -> None:
        """Who is connected, for the facilitator: a seat is connected while its socket answers the heartbeat."""
        connected = {c.role.seat for c in self.connections if c.role.kind == SEAT}
        frame = {
            "kind": "presence",
            "seats": {s: {"control": c, "connected": s in connected} for s, c in self.control.items()},
            "facilitators": sum(c.role.kind == FACILITATOR for c in self.connections),
            "views": sum(c.role.kind == VIEW for c in self.connections),
        }
        for conn in self.connections:
            if conn.role.kind == FACILITATOR:
                conn.send(frame)


def _allowed(role: Role, command: Any) -> None:
    """A seat gives its own decisions and answers; the projector nothing; bots play on the server alone."""
    if role.kind == VIEW:
        raise p.FrameError("forbidden", "the projector view is read-only")
    if getattr(command, "by", None) not in (None, "human"):
        raise p.FrameError("forbidden", "commands from a client are a person's ('by' is human or left out); bots play on the server")
    if role.kind == SEAT:
        if not isinstance(command, (ev.Decide, ev.Answer)):
            raise p.FrameError("forbidden", f"a seat's team decides and answers; {p.NAMES[type(command)]} is the facilitator's")
        if command.seat != role.seat:
            raise p.FrameError("forbidden", f"this client speaks for {role.seat}, not {command.seat!r}")


def _since(hello: dict[str, Any], last: int) -> tuple[int, list[int]]:
    since = hello.get("since", 0)
    if type(since) is not int or since < 0:
        raise p.FrameError("malformed", "'since' is the last seq the client holds (a whole number, 0 for none)")
    if since > last:
        raise p.FrameError("since", f"the client holds records up to {since}, the exercise has {last}: start the client afresh")
    sealed = hello.get("sealed", [])
    if type(sealed) is not list or len(sealed) > p.MAX_SEALED or not all(type(s) is int and 0 < s <= since for s in sealed):
        raise p.FrameError("malformed", "'sealed' lists the seqs (at most 'since') the client holds sealed")
    return since, sorted(set(sealed))


async def _refuse(ws: web.WebSocketResponse, code: str, message: str) -> None:
    try:
        await ws.send_str(p.encode(p.error(code, message)))
        await ws.close(code=4000 if code not in ("protocol",) else 4001, message=code.encode())
    except (ConnectionError, RuntimeError):
        pass


def _exercise_id(session: Session) -> str:
    """The SHA-256 of the log's header line: names this exercise for a reconnecting client."""
    writer = session.writer
    if writer is not None:
        with open(writer.path, "rb") as handle:
            return hashlib.sha256(handle.readline().rstrip(b"\n")).hexdigest()
    from tabletop import log as logmod

    return logmod.digest(logmod.encode(session.header))
