"""Verify a log: every line well formed and chained, and a replay that re-decides every command.

``verify`` is :func:`tabletop.log.read` (each line parsed, its seq and its
link in the hash chain checked) followed by :func:`tabletop.replay.replay`
(each command re-decided against the scenario and rules and compared with
what was logged, state hashes included; with ``bots``, each bot decision's
policy re-run under the log's seed too). One pass each, in
one process: a real exercise log is a few thousand lines at most, and the
cost grows linearly beyond that (benchmarks/bench_verify.py, to 1,000,000
events): each event costs what its own command costs (a note a few tens of
microseconds, a bot decision or an adjudication hundreds), never a pass over
the exercise so far.
"""

from __future__ import annotations

import os

import attrs

from tabletop import log as logmod
from tabletop import model as m
from tabletop.replay import game_of, replay_lines


@attrs.frozen
class Verdict:
    """What a log that verifies amounts to."""

    events: int
    state_hashes: int
    turn: int
    ended: bool
    warnings: list[str]


def verify(path: str | os.PathLike[str], scenario: m.Scenario, rules: m.Rules, bots: bool = False) -> Verdict:
    """Raise LogError or ReplayMismatch at the first bad line; else say what the log holds.

    Reads and replays in one pass, line by line: the lines are not kept, only the
    state, which holds what the exercise remembers (its facts, decisions, notes,
    obligations: a few hundred bytes an event). A line that breaks the chain is
    named even where the replay would also differ, since each line is checked
    before it is replayed.
    """
    with logmod.Lines(path) as lines:
        return verify_lines(lines, scenario, rules, bots)


def verify_lines(lines: logmod.Lines, scenario: m.Scenario, rules: m.Rules, bots: bool = False) -> Verdict:
    """As :func:`verify`, for a log whose header was read (to find its scenario) and whose lines are not yet."""
    stream = iter(lines)  # one reading of the lines, numbered and chained, for the replay and what it leaves
    done = replay_lines(game_of(lines.header, scenario, rules), stream, bots=bots)
    for _ in stream:  # whatever follows the group's end the replay stopped at (nothing, in a log that replays)
        pass
    return Verdict(lines.count, done.hashes, done.state.turn, done.state.ended, lines.warnings)


def describe(path: str | os.PathLike[str], verdict: Verdict) -> str:
    state = f"turn {verdict.turn}{', ended' if verdict.ended else ''}"
    return f"ok {path}: {verdict.events} events, hash chain intact, {verdict.state_hashes} state hash(es) match, {state}"
