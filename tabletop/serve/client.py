"""The client side: a link to the server that reconnects on its own, and a session-like object over it.

:class:`Link` (asyncio) says hello, folds what arrives into a
:class:`~tabletop.serve.view.View`, sends commands and waits for their
acknowledgement, and when the connection drops (or the server restarts)
connects again with backoff, sending the last seq it holds: it receives what
followed, exactly once.

:class:`RemoteSession` runs a Link on a thread of its own and offers the read
API the screens use on a local :class:`~tabletop.session.Session` (``state``,
``events``, ``scenario``, ``rules``, ``seats``, ``undecided()``, ...) with
command methods that send over the socket and return once the server has the
command's events on disk, or raise :class:`~tabletop.game.CommandError` with
the server's reason. So the TUI's screens work unchanged against a server.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from tabletop import events as ev
from tabletop import model as m
from tabletop.game import CommandError, Game
from tabletop.serve import protocol as p
from tabletop.serve.view import View, ViewError
from tabletop.session import Commands
from tabletop.state import State

FATAL = frozenset({"bad_code", "code_in_use", "protocol", "hello", "handed_over", "since"})
COMMAND_TIMEOUT = 15.0
FIRST_TRIES = 3  # attempts to reach the server before ``join`` gives up with one line


class JoinError(Exception):
    """The server refused this client (wrong or used code, another protocol) or cannot be reached; one line says why."""


def ws_url(url: str) -> str:
    """``http://host:port`` (as ``serve`` prints it), ``host:port`` or a ``ws://`` URL, as the websocket's URL."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise JoinError(f"expected the address the server printed, like http://127.0.0.1:8765; got {url!r}")
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") or p.PATH, "", ""))


def load_scenario_for(header: dict[str, Any]) -> tuple[m.Scenario, m.Rules]:
    """The scenario the server plays, from this machine: by its path, else its id; it must be the same file."""
    from tabletop.replay import OpenError, load_for

    try:
        basis = load_for(header, "the server's exercise")
    except OpenError as exc:
        raise JoinError(f"{exc}; copy the scenario file to this machine, or join through the browser page") from None
    if basis.changed:
        raise JoinError(f"this machine's copy differs from the server's: {basis.changed[0]}")
    return basis.scenario, basis.rules


class Link:
    """One client's connection, kept up: hello, catch-up, frames, commands, reconnects."""

    def __init__(
        self,
        url: str,
        code: str | None = None,
        view: bool = False,
        loader: Callable[[dict[str, Any]], tuple[m.Scenario, m.Rules]] = load_scenario_for,
        on_change: Callable[[str], None] | None = None,
        backoff: tuple[float, float] = (0.2, 5.0),
    ) -> None:
        self.url = ws_url(url)
        self.code, self.as_view = code, view
        self.loader = loader
        self.on_change = on_change or (lambda kind: None)
        self.backoff = backoff
        self.client = secrets.token_hex(8)  # the same across reconnects: the server lets this client take its own code back
        self.lock = threading.Lock()  # the view is read from another thread (the TUI's)
        self.view: View | None = None
        self.header: dict[str, Any] = {}
        self.role: dict[str, Any] = {}
        self.exercise: str | None = None
        self.control: dict[str, str] = {}
        self.presence: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []  # error frames not tied to a command, newest last
        self.connected = False
        self.ready = threading.Event()  # set at the first welcome, or when refused for good
        self.fatal: str | None = None
        self.reconnects = 0
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._next = 0
        self._closing = False
        self._catch_up = 0

    # ------------------------------------------------------------ connecting
    async def run(self) -> None:
        """Stay connected until closed or refused for good (``fatal`` then says why)."""
        delay = self.backoff[0]
        async with aiohttp.ClientSession() as http:
            while not self._closing:
                try:
                    async with http.ws_connect(self.url, heartbeat=p.HEARTBEAT, max_msg_size=0) as ws:
                        self._ws = ws
                        await ws.send_str(p.encode(self._hello()))
                        async for msg in ws:
                            if msg.type == aiohttp.WSMsgType.TEXT:
                                self._frame(p.decode(msg.data))
                                if self.connected:
                                    delay = self.backoff[0]
                            elif msg.type == aiohttp.WSMsgType.ERROR:
                                break
                except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                    if self.view is None and self.reconnects >= FIRST_TRIES - 1:  # never in: say so, do not wait on
                        self.fatal = f"cannot reach {self.url}: {_reason(exc)}; is the server running, and the address right?"
                except JoinError as exc:
                    self.fatal = str(exc)
                except ViewError:
                    with self.lock:  # the records do not fit: start over from the server's log
                        if self.view is not None:
                            self.view.reset()
                finally:
                    self._ws = None
                    was = self.connected
                    self.connected = False
                    self._fail_pending("the connection to the server dropped; the command may or may not have been recorded")
                    if was:
                        self.on_change("connection")
                if self.fatal is not None:
                    self.ready.set()
                    self.on_change("connection")
                    return
                if self._closing:
                    return
                await asyncio.sleep(delay * (0.75 + random.random() / 2))
                delay = min(self.backoff[1], delay * 2)
                self.reconnects += 1

    def _hello(self) -> dict[str, Any]:
        hello: dict[str, Any] = {"kind": "hello", "protocol": p.PROTOCOL, "client": self.client}
        if self.as_view:
            hello["view"] = True
        else:
            hello["code"] = self.code
        with self.lock:
            if self.view is not None and self.exercise is not None:
                hello.update(since=self.view.last, sealed=self.view.sealed[-p.MAX_SEALED:], exercise=self.exercise)
        return hello

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            await self._ws.close()

    # ------------------------------------------------------------ frames
    def _frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("kind")
        if kind == "welcome":
            self._welcome(frame)
        elif kind == "event":
            with self.lock:
                if self.view is None:
                    raise ViewError("a record before the welcome")
                added = self.view.add(frame["record"])
                caught_up = self.view.last >= self._catch_up
            if caught_up:
                self.ready.set()
            if added:
                self.on_change("event")
        elif kind == "reveal":
            with self.lock:
                if self.view is not None:
                    self.view.reveal(frame.get("records") or [])
            self.on_change("reveal")
        elif kind in ("ack", "refused"):
            future = self._pending.pop(frame.get("id"), None)  # type: ignore[arg-type]  # the id this client sent; a frame without one finds nothing
            if future is not None and not future.done():
                future.set_result(frame)
        elif kind == "error":
            future = self._pending.pop(frame.get("id"), None) if "id" in frame else None  # type: ignore[arg-type]  # as above
            if future is not None and not future.done():
                future.set_result(frame)
            elif frame.get("code") in FATAL:
                raise JoinError(str(frame.get("message")))
            else:
                self.errors.append(frame)
                self.on_change("error")
        elif kind == "presence":
            self.presence = frame
            self.control = {s: v.get("control", "") for s, v in (frame.get("seats") or {}).items()}
            self.on_change("presence")
        elif kind == "control":
            self.control = dict(frame.get("control") or {})
            self.on_change("control")

    def _welcome(self, frame: dict[str, Any]) -> None:
        header = frame.get("header") or {}
        with self.lock:
            if self.view is None or header.get("scenario_sha256") != self.header.get("scenario_sha256"):
                scenario, rules = self.loader(header)
                self.view = View(Game(scenario, rules, dict(header.get("seats") or {})))
            elif frame.get("reset"):
                self.view.reset()
            self.header, self.role, self.exercise = header, frame.get("role") or {}, frame.get("exercise")
            self.control = dict(frame.get("control") or {})
        self.connected = True
        last = frame.get("last")
        self._catch_up = last if isinstance(last, int) else 0
        if self.view is not None and self.view.last >= self._catch_up:
            self.ready.set()  # else once the records up to the welcome's "last" are in
        self.on_change("connection")

    # ------------------------------------------------------------ commands
    async def command(self, command: Any, timeout: float = COMMAND_TIMEOUT) -> dict[str, Any]:
        """Send a command; the server's answer: ``ack`` (its events are on disk), ``refused`` or ``error``."""
        return await self.request({"kind": "command", "command": p.command_to_json(command)}, timeout)

    async def request(self, frame: dict[str, Any], timeout: float = COMMAND_TIMEOUT) -> dict[str, Any]:
        ws = self._ws
        if ws is None or not self.connected:
            raise ConnectionError("not connected to the server")
        self._next += 1
        ref = self._next
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[ref] = future
        await ws.send_str(p.encode({**frame, "id": ref}))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(ref, None)

    def _fail_pending(self, message: str) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError(message))
        self._pending.clear()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"it answered {exc.status} {exc.message}, not as a tabletop server"
    if isinstance(exc, aiohttp.ClientConnectorError) and exc.os_error is not None:
        return exc.os_error.strerror or str(exc.os_error)
    return str(exc) or type(exc).__name__


class RemoteSession(Commands):
    """A Session's read API and commands, over a :class:`Link` running on its own thread."""

    writer = None  # the log is the server's

    def __init__(self, url: str, code: str | None = None, view: bool = False, loader: Callable[..., Any] = load_scenario_for) -> None:
        self._listeners: list[Callable[[str], None]] = []
        self.new_codes: dict[str, str] = {}  # seat -> the code the server made for its team at a hand-over (hand_over)
        self.link = Link(url, code, view, loader, on_change=self._changed)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="tabletop-link", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.link.run())
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    def connect(self, timeout: float = 10.0) -> RemoteSession:
        """Start the link and wait until it holds the exercise as the server had it at the welcome; JoinError when refused or unreachable."""
        self._thread.start()
        if not self.link.ready.wait(timeout):
            self.close()
            raise JoinError(f"no answer from {self.link.url} within {timeout:g} seconds: is the server running, and the address right?") from None
        if self.link.fatal is not None:
            self.close()
            raise JoinError(self.link.fatal)
        return self

    def close(self) -> None:
        if self._thread.is_alive():
            try:
                asyncio.run_coroutine_threadsafe(self.link.close(), self._loop)
            except RuntimeError:  # the loop has just finished on its own
                pass
            self._thread.join(5)

    def add_listener(self, listener: Callable[[str], None]) -> None:
        """``listener(kind)`` is called on the link's thread after each change (event, reveal, presence, connection)."""
        self._listeners.append(listener)

    def _changed(self, kind: str) -> None:
        for listener in self._listeners:
            listener(kind)

    # ------------------------------------------------------------ reads, as on a Session
    @property
    def _view(self) -> View:
        view = self.link.view
        if view is None:
            raise JoinError("not connected yet")
        return view

    @property
    def game(self) -> Game:
        return self._view.game

    @property
    def state(self) -> State:
        return self._view.state

    @property
    def events(self) -> list[dict[str, Any]]:
        with self.link.lock:
            return self._view.events()

    @property
    def header(self) -> dict[str, Any]:
        """The log's header as the server gives it to this role (no seed but for the facilitator)."""
        return self.link.header

    @property
    def role(self) -> dict[str, Any]:
        return self.link.role

    @property
    def seat(self) -> str | None:
        return self.link.role.get("seat")

    @property
    def connected(self) -> bool:
        return self.link.connected

    @property
    def seats(self) -> dict[str, str]:
        """Who plays each seat as the screens read it: ``human`` only for the hot seat on this machine."""
        control = self.link.control or dict(self.link.header.get("seats") or {})
        kinds = {"bot": "bot", "hotseat": "human", "human": "remote"}
        return {s: kinds.get(control.get(s, "bot"), "remote") for s in self.scenario.seats}

    def board(self) -> tuple[Game, State]:
        return self.game, self.state

    def unreleased(self, include_standby: bool = True) -> list[m.Inject]:
        """The injects still to come, for the facilitator; a team or the projector is not shown the MSEL ahead."""
        if self.link.role.get("kind") != "facilitator":
            return []
        return self.game.unreleased(self.state, include_standby)

    # ------------------------------------------------------------ commands, sent
    def execute(self, command: ev.Command) -> list[dict[str, Any]]:
        """Send one command and wait until the server has its events on disk; CommandError with the server's reason otherwise."""
        return self._records(self._ask(command))

    def hand_over(self, seat: str, to: str) -> list[dict[str, Any]]:
        """Hand a seat to its team's client (``human``), a bot, or the hot seat here (facilitator only).

        The join code the server made for the seat's team, when it had none
        (the seat began with a bot), is kept in ``new_codes`` for the console
        to show: codes are never in the log.
        """
        answer = self._ask(ev.HandOver(seat, to))
        code = answer.get("code")
        if type(code) is str:
            self.new_codes[seat] = code
        return self._records(answer)

    def _ask(self, command: ev.Command) -> dict[str, Any]:
        """The server's ``ack`` of one command; CommandError with its reason for anything else."""
        if self.link.fatal is not None or not self._thread.is_alive():
            raise CommandError(f"not connected: {self.link.fatal or 'the client was closed'}")
        future = asyncio.run_coroutine_threadsafe(self.link.command(command), self._loop)
        try:
            answer = future.result(COMMAND_TIMEOUT + 1)
        except ConnectionError as exc:
            raise CommandError(str(exc)) from None
        except TimeoutError:
            raise CommandError("the server did not answer in time; the command may or may not have been recorded") from None
        if answer.get("kind") != "ack":
            raise CommandError(str(answer.get("message") or "refused"))
        return answer

    def _records(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        wanted = set(answer.get("seqs") or [])
        with self.link.lock:
            return [r for r in self._view.records if r.get("seq") in wanted]
