"""Verify a log: every line well formed and chained, and a replay that re-issues every command.

A long log (a hundred thousand events) is mostly parsing and replaying, one
line after another. Where ``os.fork`` is safe, the work is split at a turn's
start between two forked processes that start together while this one waits:
the first parses the lines before the split and replays them; the second
parses every line, checks each one and the hash chain, folds the lines before
the split (no command is re-issued, so it is cheap) and replays from the split
to the end. The second's verdict on the rest counts only if its folded session
carries the same internals (:meth:`Session.internals`) as the first's replayed
one at the split, and only once it has found every line well formed; otherwise
this process verifies the whole log alone. So the split never changes a
verdict, only how long it takes: the first bad line named is the one a plain
``Session.replay(log.read(...))`` names (tests/test_verify.py checks both ways
on good, edited, forged and torn logs).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from typing import Any

import attrs

from tabletop import gc_pause
from tabletop import log as logmod
from tabletop import model as m
from tabletop.session import ReplayMismatch, Session

# Below this many lines one process is quicker than two (fork and hand-over cost milliseconds).
SPLIT_FROM = 20_000
# The share of the lines the first process replays. The second also parses them, checks them
# and folds them, at about half the cost of replaying them, so an even split in time puts the
# cut near three quarters (measured with benchmarks/bench_verify.py: 0.66 to 0.78 all within 10%).
PARENT_SHARE = 0.73


@attrs.frozen
class Verdict:
    """What a log that verifies amounts to."""

    events: int
    state_hashes: int
    turn: int
    ended: bool
    warnings: list[str]
    split: int | None  # the event at which the work was split over two processes, if it was


def verify(path: str | os.PathLike[str], scenario: m.Scenario, rules: m.Rules, split: bool | None = None) -> Verdict:
    """Raise LogError or ReplayMismatch at the first bad line; else say what the log holds.

    ``split`` None splits long logs where ``os.fork`` is safe; True or False forces it.
    """
    raw = logmod.lines_of(path)
    return verify_lines(raw, logmod.parse_header(raw), scenario, rules, split)


def verify_lines(raw: logmod.RawLog, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules, split: bool | None = None) -> Verdict:
    """As :func:`verify`, for a log already split into lines whose header was read."""
    lines = len(raw.lines)
    if split is None:
        split = lines >= SPLIT_FROM and _can_fork()
    with gc_pause.paused():
        if split and lines > 2:
            return _split(raw, header, scenario, rules)
        return _whole(raw, header, scenario, rules)


def _can_fork() -> bool:
    # Forking a process with other threads running can deadlock the child (a lock held mid-copy).
    return hasattr(os, "fork") and threading.active_count() == 1 and sys.platform != "emscripten"


def _verdict(session: Session, events: list[dict[str, Any]], warnings: list[str], split: int | None) -> Verdict:
    hashes = sum(1 for e in events if e.get("type") == "adjudicated")
    return Verdict(len(events), hashes, session.state.turn, session.state.ended, warnings, split)


def _split(raw: logmod.RawLog, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules) -> Verdict:
    # Two forked processes start at once, so that both cores work from the start; this one
    # waits. Each parses the lines up to a turn's start past the guess (read_line alone) and so
    # finds the same split. The first replays them; the second checks them and every later line,
    # folds them and replays the rest. Each parses for itself rather than inherit parsed lines:
    # touching a hundred thousand inherited objects costs more in copied pages than parsing
    # them again. And neither frees what it built one object at a time: os._exit drops it whole.
    guess = max(1, int((len(raw.lines) - 1) * PARENT_SHARE))
    started = []
    for work in (_start, _rest):
        child = _fork(lambda kept, work=work: work(raw, header, scenario, rules, guess, kept))
        if child is None:  # no memory or process slots for another process: one does it all
            for pid, reader in started:
                os.close(reader)
                _reap(pid)
            return _whole(raw, header, scenario, rules)
        started.append(child)
    try:
        first, rest = (_receive(reader) for _, reader in started)
    finally:
        for pid, reader in started:
            os.close(reader)
            _reap(pid)
    if "log_error" in rest:
        raise logmod.LogError(raw.name, *rest["log_error"])  # a bad line is named before any replay difference
    if "internals" not in rest or first.get("split") != rest.get("split"):  # nobody vouched for every line
        return _whole(raw, header, scenario, rules)
    if "mismatch" in first:
        raise ReplayMismatch(*first["mismatch"])
    if first.get("internals") == rest["internals"]:
        if "mismatch" in rest:
            raise ReplayMismatch(*rest["mismatch"])
        return Verdict(rest["events"], rest["hashes"], rest["turn"], rest["ended"], raw.warnings, rest["split"])
    return _whole(raw, header, scenario, rules)  # the second's start differs from the replayed one, or the first failed


def _fork(work: Any) -> tuple[int, int] | None:
    """A child that runs ``work(kept)`` and writes its answer, as JSON, to the pipe returned with its pid."""
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # the child: reports through the pipe and never returns, whatever happens
        try:
            os.close(reader)
            kept: list[Any] = []
            try:
                answer = work(kept)
            except BaseException as exc:  # noqa: BLE001 - any failure only means the parent does the work
                answer = {"failed": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(answer).encode()
            while data:
                data = data[os.write(writer, data):]
        finally:
            os._exit(0)
    os.close(writer)
    return pid, reader


def _start(raw: logmod.RawLog, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules, guess: int, kept: list[Any]) -> dict[str, Any]:
    """Replay the lines before the split, unchecked: the other child checks them, their depth included."""
    events, start = _loads_to_turn(raw, guess, logmod.loads_line)
    kept.append(events)
    if start is None:
        return {"failed": "no turn starts after the guess"}
    session = Session.of_log(header, scenario, rules)
    kept.append(session)
    try:
        # The turn's start stays in view, so a command that would run past it is compared
        # with it, as in one process, and not taken for the end of the log.
        session.rerun([*events, start], len(events))
    except ReplayMismatch as exc:
        return {"split": len(events), "mismatch": [exc.line, exc.message]}
    return {"split": len(events), "internals": session.internals()}


def _loads_to_turn(raw: logmod.RawLog, guess: int, loads: Any = logmod.read_line) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Events up to the first turn_started at or after event ``guess``, parsed, unchecked; and that event.

    A turn's start is where every fact has been resolved, so a fold gives
    everything a replay would carry on with. Without one: every event, and None.
    Raises ValueError for a line that is not JSON or (with read_line) is nested too deep.
    """
    lines = raw.lines
    events = list(map(loads, lines[1 : guess + 1]))
    for line in lines[guess + 1 :]:
        event = loads(line)
        if type(event) is dict and event.get("type") == "turn_started":
            return events, event
        events.append(event)
    return events, None


def _whole(raw: logmod.RawLog, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules) -> Verdict:
    """Verify in this process alone: parse and check every line, then replay them all."""
    events, _ = logmod.parse_lines(raw, 2, len(raw.lines) + 1, True, logmod.digest(raw.lines[0]))
    session = Session.of_log(header, scenario, rules)
    session.rerun(events, len(events))
    return _verdict(session, events, raw.warnings, None)


def _reap(pid: int) -> None:
    """Stop the child (it may still be working when this process found an error first) and collect it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _rest(raw: logmod.RawLog, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules, guess: int, kept: list[Any]) -> dict[str, Any]:
    """Parse and check every line, fold the start and replay the rest: the verdict on the rest."""
    try:
        start, turn = _loads_to_turn(raw, guess)
        kept.append(start)
    except ValueError:
        return {"failed": "a line is not JSON"}  # the parent, parsing carefully, names it
    if turn is None:
        return {"failed": "no turn starts after the guess"}
    try:
        last = logmod.check_parsed(raw, start, 2, logmod.digest(raw.lines[0]))
        rest, _ = logmod.parse_lines(raw, len(start) + 2, len(raw.lines) + 1, True, last)
    except logmod.LogError as exc:
        return {"log_error": [exc.line, exc.message]}
    events = start + rest
    session = Session.folded_to(header, events, len(start), scenario, rules)
    kept.append((rest, events, session))
    answer: dict[str, Any] = {"internals": session.internals(), "split": len(start)}
    try:
        session.rerun(events, len(events))
    except ReplayMismatch as exc:
        answer["mismatch"] = [exc.line, exc.message]
        return answer
    answer.update(
        turn=session.state.turn, ended=session.state.ended, events=len(events),
        hashes=sum(1 for e in events if e.get("type") == "adjudicated"),
    )
    return answer


def _receive(reader: int) -> dict[str, Any]:
    chunks = []
    while chunk := os.read(reader, 1 << 16):
        chunks.append(chunk)
    try:
        answer = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def describe(path: str | os.PathLike[str], verdict: Verdict) -> str:
    state = f"turn {verdict.turn}{', ended' if verdict.ended else ''}"
    return f"ok {path}: {verdict.events} events, hash chain intact, {verdict.state_hashes} state hash(es) match, {state}"

