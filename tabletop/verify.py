"""Verify a log: its hash chain, and a replay that re-issues every command.

Both halves cost about the same per line, and a long log (a hundred thousand
events) is mostly parsing and replaying, one line after another. On a machine
with ``os.fork`` the work is split at a turn's start between two processes:
this one parses, chains and replays the lines before the split; a forked child
parses the whole log, folds the lines before the split (cheap: no command is
re-issued), checks the chain and replays from the split to the end. The
child's verdict on the rest counts only if its folded session carries the
same internals (:meth:`Session.internals`) as this process's replayed one at
the split; otherwise this process replays the rest itself. So the split never
changes a verdict, only how long it takes: the first bad line named is the
same as a plain ``Session.replay(log.read(...))`` would name.
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
# The share of the lines the parent replays: the child also folds the parent's share, at about
# a third of the cost of replaying it, so an even split in time puts the cut past the middle.
PARENT_SHARE = 0.68


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
        return _finish(raw, header, scenario, rules, [], [logmod.digest(raw.lines[0])], None)


def _can_fork() -> bool:
    # Forking a process with other threads running can deadlock the child (a lock held mid-copy).
    return hasattr(os, "fork") and threading.active_count() == 1 and sys.platform != "emscripten"


def _verdict(session: Session, events: list[dict[str, Any]], warnings: list[str], split: int | None) -> Verdict:
    hashes = sum(1 for e in events if e.get("type") == "adjudicated")
    return Verdict(len(events), hashes, session.state.turn, session.state.ended, warnings, split)


def _split(raw: logmod.RawLog, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules) -> Verdict:
    # Parse and chain the lines up to a turn's start past the guess, then fork: the child
    # inherits them parsed, folds them and goes on alone with the rest.
    events, digests = _parse_to_turn(raw, max(1, int((len(raw.lines) - 1) * PARENT_SHARE)))
    at = len(events)
    if at + 1 >= len(raw.lines):  # no turn starts after the guess: nothing to share
        return _finish(raw, header, scenario, rules, events, digests, None)
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or process slots for a second process: one does it all
        os.close(reader)
        os.close(writer)
        return _finish(raw, header, scenario, rules, events, digests, None)
    if pid == 0:  # the child: reports through the pipe and never returns, whatever happens
        try:
            os.close(reader)
            try:
                answer = _child(raw, header, scenario, rules, events, digests[-1])
            except BaseException as exc:  # noqa: BLE001 - any failure only means the parent does the work
                answer = {"failed": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(answer).encode()
            while data:
                data = data[os.write(writer, data):]
        finally:
            os._exit(0)
    os.close(writer)
    try:
        session = Session(scenario, rules, int(header.get("seed", 0)), dict(header.get("seats") or {}), header=header)
        replay_error: ReplayMismatch | None = None
        try:
            session.rerun(events, at)
        except ReplayMismatch as exc:
            replay_error = exc
        answer = _receive(reader)
    finally:
        os.close(reader)
        _reap(pid)
    if "log_error" in answer:
        raise logmod.LogError(raw.name, *answer["log_error"])  # a broken chain is named before any replay difference
    if replay_error is not None:
        if "internals" not in answer:  # the child did not get through the rest's chain: check it here first
            logmod.parse_lines(raw, at + 2, len(raw.lines) + 1, True, digests[-1])
        raise replay_error
    if "internals" in answer and answer["internals"] == session.internals():
        if "mismatch" in answer:
            raise ReplayMismatch(*answer["mismatch"])
        return Verdict(answer["events"], answer["hashes"], answer["turn"], answer["ended"], raw.warnings, at)
    return _finish(raw, header, scenario, rules, events, digests, session)  # no usable answer: the rest here


def _parse_to_turn(raw: logmod.RawLog, guess: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Events up to (not including) the first turn_started at or after event ``guess``, and their digests.

    Where every fact has been resolved, so a fold gives everything a replay would
    carry on with. Without such an event: every event.
    """
    events, digests = logmod.parse_lines(raw, 2, guess + 2, True, logmod.digest(raw.lines[0]))
    digests.insert(0, logmod.digest(raw.lines[0]))
    for number in range(guess + 2, len(raw.lines) + 1):
        [event], [line_digest] = logmod.parse_lines(raw, number, number + 1, True, digests[-1])
        if event.get("type") == "turn_started":
            break
        events.append(event)
        digests.append(line_digest)
    return events, digests


def _finish(
    raw: logmod.RawLog, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules,
    events: list[dict[str, Any]], digests: list[str], session: Session | None,
) -> Verdict:
    """Parse and chain the lines after ``events``, then replay whatever ``session`` has not."""
    rest, _ = logmod.parse_lines(raw, len(events) + 2, len(raw.lines) + 1, True, digests[-1])
    events = events + rest
    if session is None:
        session = Session(scenario, rules, int(header.get("seed", 0)), dict(header.get("seats") or {}), header=header)
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


def _child(
    raw: logmod.RawLog, header: dict[str, Any], scenario: m.Scenario, rules: m.Rules, start: list[dict[str, Any]], before: str
) -> dict[str, Any]:
    """Parse and chain the rest, fold the start, replay the rest: the verdict on the lines after the start."""
    try:
        rest, _ = logmod.parse_lines(raw, len(start) + 2, len(raw.lines) + 1, True, before)
    except logmod.LogError as exc:
        return {"log_error": [exc.line, exc.message]}
    events = start + rest
    session = Session.folded_to(header, events, len(start), scenario, rules)
    answer: dict[str, Any] = {"internals": session.internals()}
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

