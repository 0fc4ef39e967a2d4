"""``serve --web``: headless Chromium opens the page, joins with the facilitator's code and is shown the board.

Driven over the DevTools protocol (aiohttp's websocket client): every request
the page makes is recorded, so the test proves the page loads nothing from
outside the machine, and the terminal output the page receives is read for
the board's text (xterm.js draws on a canvas, so the DOM has none). Skipped
where Chromium is not installed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
import subprocess
import time

import aiohttp
import pytest

from tests.serving import MINI, ServerProcess

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (.ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevTools:
    """A page in headless Chromium, over the DevTools protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next = 0
        self.requests: list[str] = []
        self.screen = b""  # everything the page's terminal was sent
        self.answers: dict[int, asyncio.Future] = {}
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self.answers:
                self.answers.pop(data["id"]).set_result(data)
            method, params = data.get("method"), data.get("params") or {}
            if method == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif method == "Network.webSocketCreated":
                self.requests.append(params["url"])
            elif method == "Network.webSocketFrameReceived":
                response = params["response"]
                payload = response["payloadData"]
                self.screen += base64.b64decode(payload) if response.get("opcode") == 2 else payload.encode()

    async def call(self, method: str, **params) -> dict:
        self.next += 1
        future = asyncio.get_running_loop().create_future()
        self.answers[self.next] = future
        await self.ws.send_str(json.dumps({"id": self.next, "method": method, "params": params}))
        return await asyncio.wait_for(future, 20)

    async def shows(self, text: str, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.screen:
            if time.monotonic() > deadline:
                tail = self.screen[-4000:].decode("utf-8", "replace")
                raise AssertionError(f"the page never showed {text!r}; it was sent {len(self.screen)} bytes, ending {tail!r}")
            await asyncio.sleep(0.2)

    async def type(self, text: str) -> None:
        await self.call("Input.insertText", text=text)

    async def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")


@pytest.mark.slow  # a server process and headless Chromium, both killed at the end
def test_the_browser_page_joins_and_shows_the_board_loading_nothing_from_outside(tmp_path):
    port, web, debug = free_port(), free_port(), free_port()
    server = ServerProcess(str(MINI), "--port", str(port), "--web", str(web), "--log", str(tmp_path / "web.jsonl"),
                           "--codes", str(tmp_path / "codes.json")).start()
    browser = subprocess.Popen(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--remote-debugging-port={debug}",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1000", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    code = json.loads((tmp_path / "codes.json").read_text())["facilitator"]

    async def main() -> None:
        async with aiohttp.ClientSession() as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    async with http.get(f"http://127.0.0.1:{debug}/json/list") as response:
                        targets = [t for t in await response.json() if t.get("type") == "page"]
                    if targets:
                        break
                except aiohttp.ClientError:
                    pass
                assert time.monotonic() < deadline, "Chromium's DevTools never came up"
                await asyncio.sleep(0.3)
            async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                page = DevTools(ws)
                await page.call("Network.enable")
                await page.call("Page.enable")
                await page.call("Page.navigate", url=f"http://127.0.0.1:{web}/")
                await page.shows("Join the exercise")
                # Keys go to xterm's hidden text area, as when a student clicks into the page.
                await page.call("Runtime.evaluate", expression="document.querySelector('.xterm-helper-textarea').focus()")
                await page.type(code)
                await page.press_enter()
                await page.shows("FACILITATOR")
                await page.shows("Mini: a two-turn test exercise")
                outside = [url for url in page.requests if not url.startswith((f"http://127.0.0.1:{web}/", f"ws://127.0.0.1:{web}/", "data:", "about:"))]
                assert page.requests and outside == []

    try:
        asyncio.run(main())
    finally:
        browser.kill()
        browser.wait(10)
        assert server.stop() == 0
