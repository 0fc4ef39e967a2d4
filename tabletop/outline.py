"""A scenario's title and seat names, read from the YAML parser's events without loading the scenario.

The start screen shows the seats of the default scenario in its first frame.
Loading the scenario for them (the model's attrs classes, the rules, the whole
file's YAML: a quarter of a second, ``benchmarks/bench_tui.py``) held that frame
back; this reads the file only as far as the end of its ``seats`` mapping, with
PyYAML's C parser (its event stream: nothing is constructed from the text) and
nothing of tabletop's model, so only yaml is imported.

It is not a check of the file: anything it does not expect (a YAML error, an
anchor or a tag, a seat without a plain ``name``) gives None, and the full load
(:func:`tabletop.loading.load_scenario`), which runs after the first frame, says
what is wrong with file:line:col. The start screen shows the seats it gives
until that load is done, then the loaded scenario's own, or its problems.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import Any, NamedTuple

import yaml

try:  # the C parser, as tabletop.yamlnodes reads with; the pure-Python one where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the build of PyYAML
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]  # the pure-Python twin: the same events

MAX_EVENTS = 200_000  # a file not outlined within these is not outlined (the bundled scenario's seats end 3,000 events in)
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class Outline(NamedTuple):
    """What the start screen draws before the scenario is loaded.

    A NamedTuple, not an attrs class as elsewhere: this module is read before
    the first frame, and not importing attrs is part of what it saves.
    """

    title: str
    seats: tuple[tuple[str, str], ...]  # (seat id, seat name), in the file's order


class _Stop(Exception):
    """The file is not plain data the outline can read; the full load will say why."""


def outline(path: str | os.PathLike[str]) -> Outline | None:
    """The title and the seats of the scenario file at ``path``, or None if they cannot be read this way."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO is never opened: opening one waits for a writer
            return None
        with open(path, "rb") as handle:  # read by the parser as it goes, so only as far as the seats
            loader = _Loader(handle)
            try:
                return _read(loader.get_event)
            finally:
                loader.dispose()
    except (OSError, ValueError, yaml.YAMLError, _Stop):
        return None


def _read(get: Callable[[], Any]) -> Outline | None:
    count = 0

    def event() -> Any:
        nonlocal count
        count += 1
        got = get()
        if count > MAX_EVENTS or got is None or getattr(got, "anchor", None) is not None or getattr(got, "tag", None) not in (None, "!"):
            raise _Stop
        return got

    def skip(first: Any) -> None:
        """Pass over one value: a scalar, or a whole mapping or list."""
        depth = 1 if isinstance(first, _OPEN) else 0
        while depth:
            got = event()
            depth += 1 if isinstance(got, _OPEN) else -1 if isinstance(got, _CLOSE) else 0

    while not isinstance(event(), yaml.DocumentStartEvent):
        pass
    if not isinstance(event(), yaml.MappingStartEvent):
        return None
    title = ""
    while not isinstance(key := event(), yaml.MappingEndEvent):
        value = event()
        if _scalar(key) == "title" and _scalar(value) is not None:
            title = _scalar(value) or ""
        elif _scalar(key) == "seats":
            seats = _seats(event, skip, value)
            return Outline(title, seats) if seats else None
        else:
            skip(value)
    return None  # no seats


def _seats(event: Callable[[], Any], skip: Callable[[Any], None], first: Any) -> tuple[tuple[str, str], ...]:
    """The (id, name) of each seat in the ``seats`` mapping that ``first`` opens; () if any seat has no plain name."""
    if not isinstance(first, yaml.MappingStartEvent):
        return ()
    seats: list[tuple[str, str]] = []
    while not isinstance(key := event(), yaml.MappingEndEvent):
        seat_id, body = _scalar(key), event()
        if seat_id is None or not isinstance(body, yaml.MappingStartEvent):
            return ()
        name = None
        while not isinstance(field := event(), yaml.MappingEndEvent):
            value = event()
            if _scalar(field) == "name" and _scalar(value):
                name = _scalar(value)
            else:
                skip(value)
        if name is None:
            return ()
        seats.append((seat_id, name))
    return tuple(seats)


def _scalar(event: Any) -> str | None:
    return event.value if isinstance(event, yaml.ScalarEvent) else None
