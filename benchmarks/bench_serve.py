"""The classroom server under a class: 30 seat and viewer clients plus the facilitator on loopback.

Prints figures; asserts nothing. For each command the facilitator sends (a note:
every client receives a record for it, a withheld stand-in but for the
facilitator), the time from sending it to the last of the 31 clients having
received its record: median and 95th percentile, against a bare aiohttp
websocket server that broadcasts each message to the same 31 clients, measured
in the same run. Then 1,000 commands sent back to back with the 31 clients
connected: every client must hold every seq exactly once, in order. And the
server process's resident memory per connected client.

Each server runs in a process of its own (this script with --server or --echo),
so its memory is its own and the clients do not share its event loop. The
server is tabletop's Server as `tabletop serve` runs it, with the per-connection
rate limit lifted (20 frames a second would make 1,000 commands take 50 s), and
every event fsynced as always: the latency includes a disk flush per command.
Goal (issue 14): p95 under 100 ms on the 2-core machine.
Run: python benchmarks/bench_serve.py [COMMANDS]   (default 200 timed, then 1,000)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

MINI = ROOT / "tests" / "data" / "mini.yaml"
SEATS = ["dprk", "rok", "us", "russia", "china", "japan"]
VIEWERS = 24  # with the six seats: 30 clients, and the facilitator


# ------------------------------------------------------------ the servers (child processes)


def run_server(log: str) -> None:
    from tabletop.loading import load_scenario
    from tabletop.serve.codes import Codes
    from tabletop.serve.server import Server
    from tabletop.session import Session

    scenario, rules = load_scenario(MINI)
    session = Session.new(scenario, rules, seed=1, seats={s: "human" for s in SEATS}, log_path=log, clock=True)
    codes = Codes.generate(SEATS)

    async def main() -> None:
        server = Server(session, codes, rate=1e9, burst=10**9, say=lambda line: None)
        url = await server.start("127.0.0.1", 0)
        print(json.dumps({"url": url, "codes": codes.to_json()}), flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def run_echo() -> None:
    """The baseline: a bare websocket server that sends every message it receives to every client."""
    from aiohttp import web

    clients: list[web.WebSocketResponse] = []

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        clients.append(ws)
        async for msg in ws:
            for client in list(clients):
                await client.send_str(msg.data)
        clients.remove(ws)
        return ws

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/ws", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        print(json.dumps({"url": f"http://127.0.0.1:{port}"}), flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def spawn(*args: str) -> tuple[subprocess.Popen[str], dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


# ------------------------------------------------------------ the clients


class Client:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seqs: list[int] = []
        self.arrived: dict[int, float] = {}  # seq (or message number) -> when it came
        self.task = asyncio.get_running_loop().create_task(self.read())

    async def read(self) -> None:
        async for msg in self.ws:
            now = time.perf_counter()
            frame = json.loads(msg.data)
            if frame.get("kind") == "event":
                seq = frame["record"]["seq"]
                self.seqs.append(seq)
                self.arrived[seq] = now
            elif "n" in frame:
                self.arrived[frame["n"]] = now


async def tabletop_clients(http: aiohttp.ClientSession, info: dict) -> tuple[Client, list[Client]]:
    url = info["url"].replace("http://", "ws://") + "/ws"

    async def one(hello: dict) -> Client:
        ws = await http.ws_connect(url, max_msg_size=0)
        await ws.send_str(json.dumps({"kind": "hello", "protocol": 1, **hello}))
        return Client(ws)

    boss = await one({"code": info["codes"]["facilitator"]})
    others = [await one({"code": info["codes"]["seats"][s]}) for s in SEATS]
    others += [await one({"view": True}) for _ in range(VIEWERS)]
    await asyncio.sleep(0.5)
    return boss, others


async def until(test, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not test():
        if time.perf_counter() > deadline:
            raise TimeoutError("clients did not receive everything")
        await asyncio.sleep(0.0005)


async def tabletop_latency(boss: Client, everyone: list[Client], commands: int) -> list[float]:
    times = []
    for i in range(commands):
        last = max(boss.seqs)
        sent = time.perf_counter()
        await boss.ws.send_str(json.dumps({"kind": "command", "id": i, "command": {"type": "note", "text": f"timed {i}"}}))
        await until(lambda last=last: all(last + 1 in c.arrived for c in everyone))
        times.append(max(c.arrived[last + 1] for c in everyone) - sent)
    return times


async def echo_latency(http: aiohttp.ClientSession, url: str, commands: int) -> list[float]:
    clients = [Client(await http.ws_connect(url.replace("http://", "ws://") + "/ws")) for _ in range(1 + len(SEATS) + VIEWERS)]
    await asyncio.sleep(0.3)
    times = []
    for n in range(commands):
        sent = time.perf_counter()
        await clients[0].ws.send_str(json.dumps({"n": n, "command": {"type": "note", "text": f"timed {n}"}}))
        await until(lambda n=n: all(n in c.arrived for c in clients))
        times.append(max(c.arrived[n] for c in clients) - sent)
    for c in clients:
        await c.ws.close()
    return times


def figures(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return f"median {statistics.median(ms):6.2f} ms   p95 {p95:6.2f} ms   max {ms[-1]:6.2f} ms"


async def main(timed: int, bulk: int) -> None:
    folder = Path(tempfile.mkdtemp())
    echo, echo_info = spawn("--echo")
    server, info = spawn("--server", str(folder / "bench.jsonl"))
    try:
        idle = rss_kib(server.pid)
        async with aiohttp.ClientSession() as http:
            baseline = await echo_latency(http, echo_info["url"], timed)
            boss, others = await tabletop_clients(http, info)
            everyone = [boss, *others]
            joined = rss_kib(server.pid)
            await until(lambda: all(c.seqs for c in everyone))
            times = await tabletop_latency(boss, everyone, timed)
            print(f"{len(everyone)} clients on loopback ({len(SEATS)} seats, {VIEWERS} viewers, the facilitator); {timed} commands, one at a time")
            print(f"  bare websocket broadcast : {figures(baseline)}")
            print(f"  tabletop serve (fsynced) : {figures(times)}")

            start_seq = max(boss.seqs)
            started = time.perf_counter()
            for i in range(bulk):
                await boss.ws.send_str(json.dumps({"kind": "command", "id": f"b{i}", "command": {"type": "note", "text": f"bulk {i}"}}))
            final = start_seq + bulk
            await until(lambda: all(c.seqs and c.seqs[-1] >= final for c in everyone), timeout=120)
            took = time.perf_counter() - started
            whole = all(c.seqs == list(range(1, final + 1)) for c in everyone)
            log_lines = sum(1 for _ in open(folder / "bench.jsonl", encoding="utf-8")) - 1
            print(f"{bulk} commands back to back: {took:.2f} s ({bulk / took:.0f} commands/s, every one fsynced);"
                  f" {len(everyone)} clients each hold seqs 1..{final} exactly once, in order: {'yes' if whole else 'NO'};"
                  f" the log has {log_lines} events")
            loaded = rss_kib(server.pid)
            per = (joined - idle) / len(everyone)
            print(f"server memory: {idle / 1024:.1f} MiB with no client, {joined / 1024:.1f} MiB with {len(everyone)}"
                  f" ({per:.0f} KiB a client), {loaded / 1024:.1f} MiB after {final} events")
            for c in everyone:
                await c.ws.close()
    finally:
        for proc in (server, echo):
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--server"]:
        run_server(sys.argv[2])
    elif sys.argv[1:2] == ["--echo"]:
        run_echo()
    else:
        timed = int(sys.argv[1]) if len(sys.argv) > 1 else 200
        asyncio.run(main(timed, 1000))
