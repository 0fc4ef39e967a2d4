"""Helpers for the classroom-server tests: a real server on 127.0.0.1 and raw websocket clients that keep every frame."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp

from tabletop.loading import load_scenario
from tabletop.serve import protocol as p
from tabletop.serve.codes import Codes
from tabletop.serve.server import Server
from tabletop.session import Session

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "data" / "mini.yaml"


class ServerThread:
    """A Server with its own event loop on a thread, so a test can drive clients (raw, RemoteSession, Textual) from its own."""

    def __init__(
        self, log: Path, humans: tuple[str, ...] = ("us", "rok", "dprk"), heartbeat: float = p.HEARTBEAT, seed: int = 7,
        codes: Codes | None = None, **limits: Any,
    ) -> None:
        """A new exercise in ``log``; with ``codes`` (the first server's), the log resumed as ``tabletop serve --log`` resumes it."""
        if codes is None:
            scenario, rules = load_scenario(MINI)
            control = {s: ("human" if s in humans else "bot") for s in scenario.seats}
            self.session = Session.new(scenario, rules, seed=seed, seats=control, log_path=log, clock=True)
            self.codes = Codes.generate(list(humans))
        else:
            from tabletop.serve.main import open_session

            self.session, _, _ = open_session(None, str(log), (), None)
            self.codes = codes
        self.server = Server(self.session, self.codes, heartbeat=heartbeat, say=lambda line: None, **limits)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.url = ""

    def __enter__(self) -> ServerThread:
        self.thread.start()
        self.url = self.call(self.server.start("127.0.0.1", 0))
        return self

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def run(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` on the server's loop (to read or act on the server without racing it)."""

        async def go() -> Any:
            return fn(*args)

        return self.call(go())

    def __exit__(self, *exc: object) -> None:
        self.call(self.server.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://") + p.PATH

    def code(self, seat: str | None) -> str:
        return self.codes.facilitator if seat is None else self.codes.seats[seat]


class Raw:
    """A websocket client with no protocol logic: sends frames, keeps every frame it receives as text and parsed."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url = http, url
        self.texts: list[str] = []
        self.frames: list[dict[str, Any]] = []
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.task: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self.changed = asyncio.Event()

    async def open(self, autoping: bool = True, **hello: Any) -> Raw:
        self.ws = await self.http.ws_connect(self.url, autoping=autoping, max_msg_size=0)
        if hello:
            await self.send({"kind": "hello", "protocol": p.PROTOCOL, **hello})
        self.task = asyncio.get_running_loop().create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.texts.append(msg.data)
                self.frames.append(json.loads(msg.data))
                self.changed.set()
        self.close_code = self.ws.close_code
        self.closed.set()
        self.changed.set()

    async def send(self, frame: Any) -> None:
        assert self.ws is not None
        await self.ws.send_str(frame if isinstance(frame, str) else json.dumps(frame))

    async def command(self, ref: int, command: dict[str, Any]) -> dict[str, Any]:
        await self.send({"kind": "command", "id": ref, "command": command})
        return await self.answer(ref)

    async def answer(self, ref: Any) -> dict[str, Any]:
        return await self.until(lambda f: f.get("id") == ref and f.get("kind") in ("ack", "refused", "error"))

    async def until(self, test: Any, timeout: float = 10.0, after: int = 0) -> dict[str, Any]:
        """The first frame (from frame ``after`` on) for which ``test`` holds; waits for it."""
        deadline = time.monotonic() + timeout
        seen = after
        while True:
            for frame in self.frames[seen:]:
                if test(frame):
                    return frame
            seen = len(self.frames)
            if self.closed.is_set():
                raise AssertionError(f"closed ({self.close_code}) before the frame came; frames: {self.frames[-5:]}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no such frame within {timeout}s; last frames: {self.frames[-5:]}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                pass

    async def record(self, seq: int) -> dict[str, Any]:
        frame = await self.until(lambda f: f.get("kind") == "event" and f["record"].get("seq") == seq)
        return frame["record"]

    def records(self) -> list[dict[str, Any]]:
        return [f["record"] for f in self.frames if f.get("kind") == "event"]

    def seqs(self) -> list[int]:
        return [r["seq"] for r in self.records()]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await self.task


def log_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:]]


def verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tabletop", "verify", str(path)], capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=60)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class ServerProcess:
    """``tabletop serve`` as a real process: started, read for its address and codes, killed."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.output: list[str] = []

    def start(self, timeout: float = 30.0) -> ServerProcess:
        self.errors = tempfile.TemporaryFile("w+")  # read when it fails; a pipe nobody reads could fill and stall the server
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tabletop", "serve", *self.args], stdout=subprocess.PIPE, stderr=self.errors, text=True, env=_env(), cwd=ROOT,
        )
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                self.errors.seek(0)
                raise AssertionError(f"serve exited: {self.proc.wait()} {self.errors.read()}")
            self.output.append(line.rstrip("\n"))
            found = re.search(r"at (http://\S+)$", line.strip())
            if found:
                self.url = found.group(1)
            if line.startswith("projector:"):
                return self
        raise AssertionError(f"serve printed no address within {timeout}s: {self.output}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.communicate(timeout=10)
        self.errors.close()

    def stop(self) -> int:
        """SIGTERM, as a facilitator's ctrl+c: the server closes its clients and the log, and exits 0."""
        assert self.proc is not None
        self.proc.terminate()
        self.proc.communicate(timeout=15)
        self.errors.close()
        return self.proc.returncode
