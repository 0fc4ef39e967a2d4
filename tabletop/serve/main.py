"""``tabletop serve``: start or resume an exercise, print how to join it, serve until stopped.

A log that exists is resumed (``Session.resume``: a command a crash cut short
is finished first); otherwise a new exercise starts in it. The codes are kept
in a file (``--codes FILE``, else beside the log as ``LOG.codes.json``) and read
back on a restart, so the codes handed out stay good and clients reconnect on
their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tabletop import files, paths
from tabletop.serve.codes import Codes, CodesError
from tabletop.serve.server import Server
from tabletop.session import Session

DEFAULT_PORT = 8765


class ServeError(Exception):
    """A reason the server cannot start, for one line on the terminal."""


def parse_seats(specs: Sequence[str], seats: Sequence[str]) -> dict[str, str]:
    """``SEAT=human|bot``; in a served exercise a seat not named is played by its team (human)."""
    kinds = {s: "human" for s in seats}
    for spec in specs:
        seat, _, kind = spec.partition("=")
        if seat not in kinds or kind not in ("human", "bot"):
            raise ServeError(f"--seat expects SEAT=human or SEAT=bot with SEAT one of {', '.join(seats)}; got {spec!r}")
        kinds[seat] = kind
    return kinds


def new_log_path(scenario_id: str) -> Path:
    folder = paths.logs_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{scenario_id}-{stamp}.jsonl"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{scenario_id}-{stamp}-{n}.jsonl"
    return path


def open_session(scenario_name: str | None, log: str | None, seat_specs: Sequence[str], seed: int | None) -> tuple[Session, dict[str, str], list[str]]:
    """The exercise to serve: resumed from ``log`` when it exists, else new; who plays each seat; warnings."""
    from tabletop.loading import ScenarioNotFound, load_named
    from tabletop.session import ResumeError, resume_log
    from tabletop.yamlnodes import InputError

    if log is not None and Path(log).exists():
        try:
            session, warnings = resume_log(log, clock=True)
        except ResumeError as exc:
            raise ServeError(str(exc)) from None
        if scenario_name is not None and Path(scenario_name).stem != session.scenario.id and scenario_name != session.scenario.id:
            session.close()
            raise ServeError(f"{log} is an exercise of {session.scenario.id}, not {scenario_name}")
        control = session.control  # the log's header, then the hand-overs since (handed_over events; retracted ones undone)
        asked: dict[str, str] = {}
        for spec in seat_specs:
            try:
                parse_seats([spec], list(session.scenario.seats))  # a bad one is refused as on a new exercise
            except ServeError:
                session.close()
                raise
            seat, _, kind = spec.partition("=")
            asked[seat] = kind
        ignored = [f"{s}={k}" for s, k in asked.items() if control.get(s) != k]
        if ignored:
            warnings = [*warnings, f"--seat {' '.join(ignored)} ignored: on a resume the log says who plays each seat "
                        "(its header and the hand-overs since); hand seats over from the facilitator's console"]
        return session, control, warnings
    try:
        scenario, rules = load_named(scenario_name or str(paths.default_scenario()))
    except ScenarioNotFound as exc:
        raise ServeError(str(exc)) from None
    except InputError as exc:
        raise ServeError(f"{exc.problems[0] if exc.problems else scenario_name}; run 'tabletop validate {scenario_name}'") from None
    control = parse_seats(seat_specs, list(scenario.seats))
    path = Path(log) if log else new_log_path(scenario.id)
    import random

    try:
        session = Session.new(scenario, rules, seed=seed if seed is not None else random.randrange(10_000), seats=control, log_path=path, clock=True)
    except FileExistsError:
        raise ServeError(f"{path} exists already; a log is never overwritten") from None
    except OSError as exc:
        raise ServeError(f"cannot write the log {path}: {exc.strerror or exc}") from None
    return session, control, []


def codes_for(path: Path, humans: list[str]) -> Codes:
    """The codes in ``path`` when it exists (a restart), kept, with new ones for seats now human; else new ones; written back.

    A seat handed to a bot keeps its code in the file (its team can be given the seat back).
    """
    if path.exists():
        try:
            kept = Codes.read(path)
            codes = kept.for_seats([*kept.seats, *(s for s in humans if s not in kept.seats)])
        except CodesError as exc:
            raise ServeError(str(exc)) from None
    else:
        codes = Codes.generate(humans)
    try:
        codes.write(path)
    except OSError as exc:
        raise ServeError(files.explain(exc, path, "write the codes to")) from None
    return codes


def serve(
    scenario: str | None = None,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    log: str | None = None,
    codes_file: str | None = None,
    seat_specs: Sequence[str] = (),
    seed: int | None = None,
    web: int | None = None,
) -> int:
    session, control, warnings = open_session(scenario, log, seat_specs, seed)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    log_path = Path(session.writer.path) if session.writer is not None else Path("exercise.jsonl")
    codes_path = Path(codes_file) if codes_file else log_path.with_name(log_path.name + ".codes.json")
    humans = [s for s, c in control.items() if c == "human"]
    try:
        codes = codes_for(codes_path, humans)
    except ServeError:
        session.close()
        raise
    server = Server(session, codes, codes_path=codes_path)
    try:
        return asyncio.run(_serve(server, host, port, log_path, codes_path, web))
    except KeyboardInterrupt:
        return 0


async def _serve(server: Server, host: str, port: int, log_path: Path, codes_path: Path, web: int | None) -> int:
    try:
        url = await server.start(host, port)
    except OSError as exc:
        server.session.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    shown = shown_url(url, host)
    page = None
    if web is not None:
        from tabletop.serve.web import start_web

        try:
            page = await start_web(url, host, web, f"{shown.rsplit(':', 1)[0]}:{web}")
        except OSError as exc:
            await server.close()
            raise ServeError(f"cannot serve the browser page on {host}:{web}: {exc.strerror or exc}") from None
    _announce(server, shown, log_path, codes_path, web, host)
    await stop.wait()
    if page is not None:
        await page.cleanup()
    await server.close()
    print("server stopped; the log is complete", file=sys.stderr)
    return 0


def lan_address() -> str | None:
    """This machine's address on its network, as the class's devices reach it; None without a network.

    A UDP socket "connected" to a documentation address (TEST-NET-1) sends
    nothing; it only makes the system choose the interface it would use.
    """
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def shown_url(url: str, host: str) -> str:
    """The address to hand out: on every interface, the one the class's devices can reach."""
    if host in ("0.0.0.0", "::", ""):
        address = lan_address()
        if address is not None:
            return url.replace(f"//{host}:", f"//{address}:").replace("//[::]:", f"//{address}:")
    return url


def _announce(server: Server, url: str, log_path: Path, codes_path: Path, web: int | None, host: str) -> None:
    scenario = server.session.scenario
    lines = [
        f"tabletop: serving {scenario.id} ({scenario.title}) at {url}",
        f"log: {log_path}",
        f"codes: {codes_path}",
        f"facilitator: tabletop join {url} --code {server.codes.facilitator}",
    ]
    for seat, code in server.codes.seats.items():
        if server.control.get(seat) == "human":
            lines.append(f"{seat}: tabletop join {url} --code {code}")
    lines.append(f"projector: tabletop join {url} --view")
    bots = [s for s, c in server.control.items() if c == "bot"]
    if bots:
        lines.append(f"played by bots: {', '.join(bots)}")
    here = [s for s, c in server.control.items() if c == "hotseat"]
    if here:
        lines.append(f"hot seat on the facilitator's console: {', '.join(here)}")
    if web is not None:
        lines.append(f"browser: {url.rsplit(':', 1)[0]}:{web}/ (the page asks for the same codes, or opens the projector view)")
    if host in ("127.0.0.1", "localhost", "::1"):
        lines.append("only this machine can join; to let the class's devices in, pass --host 0.0.0.0 (or this machine's address)")
    print("\n".join(lines), flush=True)
