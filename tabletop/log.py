"""The exercise log: append-only JSON Lines with a hash chain.

An event is acknowledged only when its line has been written, flushed and
fsynced, so a crash can lose at most the one event being written, which was
never acknowledged. Each line carries ``prev``, the SHA-256 of the previous
line's bytes (without its newline), so an edit, a dropped, duplicated or
reordered line anywhere breaks the chain at a line we can name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from tabletop import gc_pause

FORMAT = "tabletop-log/1"


class LogError(Exception):
    """A log that cannot be trusted past a given line (1-based)."""

    def __init__(self, path: str, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


@attrs.define
class LogContents:
    path: str
    header: dict[str, Any]
    events: list[dict[str, Any]]
    digests: list[str]  # digests[i] is the SHA-256 of line i+1 (0: the header)
    warnings: list[str]
    good_bytes: int  # length of the file up to the end of the last whole line


def read(path: str | os.PathLike[str], check_chain: bool = True) -> LogContents:
    """Read a log; drop a torn last line with a warning; raise LogError for anything else."""
    with gc_pause.paused():  # a hundred thousand dicts that live on: collecting would only re-walk them
        return _read(path, check_chain)


def _read(path: str | os.PathLike[str], check_chain: bool) -> LogContents:
    raw = lines_of(path)
    header = parse_header(raw)
    events, digests = parse_lines(raw, 2, len(raw.lines) + 1, check_chain, digest(raw.lines[0]))
    return LogContents(raw.name, header, events, [digest(raw.lines[0]), *digests], raw.warnings, raw.good_bytes)


@attrs.frozen
class RawLog:
    """A log's bytes split into whole lines; a torn last line already dropped (and warned of)."""

    name: str
    lines: list[bytes]
    warnings: list[str]
    good_bytes: int


def lines_of(path: str | os.PathLike[str]) -> RawLog:
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LogError(name, 1, f"cannot read the log: {exc.strerror or exc}") from None
    warnings: list[str] = []
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    if tail:
        warnings.append(
            f"{name}:{len(lines) + 1}: dropped a torn last line ({len(tail)} bytes without a newline): "
            "the program stopped while writing it, before it was acknowledged"
        )
    if not lines:
        raise LogError(name, 1, "empty log: expected a header line")
    return RawLog(name, lines, warnings, len(data) - len(tail))


def parse_header(raw: RawLog) -> dict[str, Any]:
    header = _parse(raw.name, 1, raw.lines[0], read_line)
    if header.get("type") != "header" or header.get("format") != FORMAT:
        raise LogError(raw.name, 1, f"expected a header with format {FORMAT!r}")
    _check_header(raw.name, header)
    return header


def parse_lines(raw: RawLog, first: int, stop: int, check_chain: bool, before: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Events of lines ``first`` to ``stop - 1`` (1-based; line 1 is the header), and each line's digest.

    ``before`` is the digest of the line before ``first``. One pass that parses,
    checks and chains each line, so the first bad line is the one named and a
    long log is walked once (verify's cost is this loop and the replay).
    """
    name, lines = raw.name, raw.lines
    loads = read_line
    sha = hashlib.sha256
    last = before
    digests = []
    events = []
    for number in range(first, stop):
        line = lines[number - 1]
        record = _parse(name, number, line, loads)
        _check(name, number, record, last if check_chain else None)
        events.append(record)
        last = sha(line).hexdigest()
        digests.append(last)
    return events, digests


def check_parsed(raw: RawLog, events: list[dict[str, Any]], first: int, before: str) -> str:
    """Check events parsed without checks (read_line alone) as :func:`parse_lines` would; the last line's digest.

    ``events[0]`` is line ``first``. For a verifier that parses on one core and checks on another.
    """
    name, lines = raw.name, raw.lines
    sha = hashlib.sha256
    last = before
    for number, record in enumerate(events, start=first):
        if type(record) is not dict:
            raise LogError(name, number, "expected a JSON object")
        _check(name, number, record, last)
        last = sha(lines[number - 1]).hexdigest()
    return last


def _check(name: str, number: int, record: dict[str, Any], previous: str | None) -> None:
    """The fields a replay reads have their types, and (unless ``previous`` is None) the line chains on."""
    kind = record.get("type")
    if kind == "decision":
        # The commonest line, checked inline; anything odd gets the full check and its message.
        answers = record.get("answers")
        if (type(record.get("seat")) is not str or type(record.get("option")) is not str or type(record.get("rationale")) is not str
                or type(record.get("by", "")) is not str or (answers is not None and (type(answers) is not dict or len(answers) != 1
                or type(answers.get("inject", answers.get("obligation"))) is not str))):
            _check_fields(name, number, record)
    elif type(kind) is str and kind in _FIELDS:
        _check_fields(name, number, record)
    if previous is not None and (record.get("seq") != number - 1 or record.get("prev") != previous or type(kind) is not str or type(record.get("turn")) is not int):
        _link(name, number, record, previous)


_SCAN = json.JSONDecoder().scan_once  # the C scanner under json.loads


def loads_line(line: bytes) -> Any:
    """``json.loads(line)``, about twice as fast on a log's lines, and the same on anything else.

    json.loads spends almost half its time on a short line in Python: finding
    the bytes' encoding, skipping whitespace, checking for trailing data. A log
    line is UTF-8 with neither, so it is decoded and scanned directly; anything
    that does not scan whole (other encodings, spaces, errors) goes through
    json.loads, which parses it or raises exactly as it always has.
    """
    try:
        text = line.decode()
        value, end = _SCAN(text, 0)
        if end == len(text):
            return value
    except (UnicodeDecodeError, StopIteration, ValueError):
        pass
    return json.loads(line)


MAX_DEPTH = 64  # nesting of a line; tabletop writes five levels at most


def too_deep(line: bytes) -> bool:
    """Is the line nested deeper than MAX_DEPTH? Refused before parsing, at the same depth on every stack.

    Python's JSON parser recurses, and how deep it may go depends on how deep
    the caller already is; a fixed limit checked first makes the verdict on a
    line the same wherever it is read. Counting brackets (in C) settles almost
    every line; only one with many is walked, strings skipped.
    """
    if line.count(b"[") + line.count(b"{") <= MAX_DEPTH:
        return False
    depth, in_text, escaped = 0, False, False
    for byte in line:
        if in_text:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_text = False
        elif byte == 0x22:
            in_text = True
        elif byte == 0x5B or byte == 0x7B:
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif byte == 0x5D or byte == 0x7D:
            depth -= 1
    return False


class TooDeep(ValueError):
    """A line nested deeper than MAX_DEPTH."""


def read_line(line: bytes) -> Any:
    """One log line's value (loads_line), refusing one nested deeper than MAX_DEPTH with TooDeep."""
    if line.count(b"[") + line.count(b"{") > MAX_DEPTH and too_deep(line):  # the counts settle nearly every line
        raise TooDeep(f"nested more than {MAX_DEPTH} levels deep; no tabletop event is")
    return loads_line(line)


def _parse(name: str, number: int, line: bytes, loads: Any) -> dict[str, Any]:
    try:
        record = loads(line)
    except TooDeep as exc:
        raise LogError(name, number, str(exc)) from None
    except ValueError as exc:
        raise LogError(name, number, f"not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})") from None
    if type(record) is not dict:
        raise LogError(name, number, "expected a JSON object")
    return record


def chain(name: str, events: list[dict[str, Any]], digests: list[str], start: int = 0) -> None:
    """Check seq numbers and the hash chain from event ``start`` on; name the first line that breaks them.

    ``digests`` as in LogContents: ``digests[i]`` is the digest of line i+1 (0: the header).
    """
    for index in range(start, len(events)):
        _link(name, index + 2, events[index], digests[index])


def _link(name: str, number: int, event: dict[str, Any], previous: str) -> None:
    """Check that line ``number`` follows the line whose digest is ``previous``."""
    if event.get("seq") != number - 1:
        raise LogError(name, number, f"expected seq {number - 1}, got {event.get('seq')!r}: a line was dropped, duplicated or moved")
    if event.get("prev") != previous:
        raise LogError(name, number, "hash chain broken: the line before this one was edited, or this line was moved")
    if "type" not in event or "turn" not in event:
        raise LogError(name, number, "expected 'type' and 'turn' in every event")
    if type(event["type"]) is not str or type(event["turn"]) is not int:
        raise LogError(name, number, "expected 'type' as text and 'turn' as a whole number")


# What the header's fields must be when present; replay and verify read them.
_HEADER_FIELDS: dict[str, tuple[type, ...]] = {
    "scenario": (str,),
    "scenario_path": (str, type(None)),
    "scenario_sha256": (str, type(None)),
    "rules_sha256": (str, type(None)),
    "seed": (int,),
    "seats": (dict,),
    "parent": (dict, type(None)),
}


# The fields replay reads back from an event to re-issue its command, and their JSON types;
# a line whose fields have other types is malformed (replay would otherwise trip over it).
_TEXT: tuple[type, ...] = (str,)
_MAYBE_TEXT: tuple[type, ...] = (str, type(None))
_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "inject_released": {"inject": _TEXT, "adhoc": (dict,)},
    "decision": {"seat": _TEXT, "option": _TEXT, "rationale": _TEXT, "by": _MAYBE_TEXT, "answers": (dict, type(None))},
    "override": {"what": _TEXT, "value": (str, int, float, bool, type(None)), "reason": _TEXT, "seat": _MAYBE_TEXT, "obligation": _MAYBE_TEXT},
    "note": {"text": _TEXT, "seat": _MAYBE_TEXT},
    "exercise_ended": {"reason": _TEXT},
}
_ANSWERS = {"inject": _TEXT, "obligation": _TEXT}
_ADHOC = {"title": _TEXT, "text": _TEXT, "to": (list,), "facts": (list,), "tension": (int,)}
_FACT = {"kind": _TEXT, "by": _MAYBE_TEXT, "target": _MAYBE_TEXT, "location": _MAYBE_TEXT, "on_behalf_of": _MAYBE_TEXT, "date": _MAYBE_TEXT}


def _check_fields(name: str, number: int, record: dict[str, Any]) -> None:
    _check_types(name, number, record, record, _FIELDS[record["type"]], "")
    answers = record.get("answers")
    if answers is not None:
        if type(answers) is not dict:
            raise LogError(name, number, f"{record['type']} event: 'answers' must be an object")
        _check_types(name, number, record, answers, _ANSWERS, "answers.")
    adhoc = record.get("adhoc")
    if adhoc is not None:
        if type(adhoc) is not dict:
            raise LogError(name, number, f"{record['type']} event: 'adhoc' must be an object")
        _check_types(name, number, record, adhoc, _ADHOC, "adhoc.")
        if not all(type(to) is str for to in adhoc.get("to", ())):
            raise LogError(name, number, "inject_released event: adhoc.to must list seats")
        for fact in adhoc.get("facts", ()):
            if type(fact) is not dict:
                raise LogError(name, number, "inject_released event: adhoc.facts must list facts (objects)")
            _check_types(name, number, record, fact, _FACT, "adhoc.facts: ")
            try:
                if fact.get("date") is not None:
                    dt.date.fromisoformat(fact["date"])
            except ValueError:
                raise LogError(name, number, f"inject_released event: adhoc fact date {fact['date']!r} is not a date") from None


def _check_types(name: str, number: int, record: dict[str, Any], what: dict[str, Any], fields: dict[str, tuple[type, ...]], where: str) -> None:
    for key, kinds in fields.items():
        if key in what and type(what[key]) not in kinds:
            raise LogError(name, number, f"{record['type']} event: {where}{key!r} has the wrong type ({type(what[key]).__name__})")


def _check_header(name: str, header: dict[str, Any]) -> None:
    for key, kinds in _HEADER_FIELDS.items():
        if key in header and (type(header[key]) not in kinds):
            raise LogError(name, 1, f"header field {key!r} has the wrong type ({type(header[key]).__name__})")
    seats = header.get("seats") or {}
    if not all(type(v) is str for v in seats.values()):
        raise LogError(name, 1, "header field 'seats' must map each seat to 'human' or 'bot'")


class Writer:
    """Appends events to a log file, one fsynced line at a time."""

    def __init__(self, path: str | os.PathLike[str], fd: int, seq: int, prev: str, fsync: bool = True):
        self.path = str(path)
        self._fd = fd
        self.seq = seq
        self.prev = prev
        self.fsync = fsync

    @classmethod
    def create(cls, path: str | os.PathLike[str], header: dict[str, Any], fsync: bool = True) -> Writer:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        line = encode({"type": "header", "format": FORMAT, **header})
        fd = _create_with(p, line + b"\n", fsync)
        writer = cls(p, fd, 0, digest(line), fsync)
        if fsync:
            _fsync_dir(p.parent)
        return writer

    @classmethod
    def reopen(cls, contents: LogContents, fsync: bool = True) -> Writer:
        """Continue an existing log, cutting off a torn last line first."""
        fd = os.open(contents.path, os.O_WRONLY)
        os.ftruncate(fd, contents.good_bytes)
        os.lseek(fd, 0, os.SEEK_END)
        return cls(contents.path, fd, len(contents.events), contents.digests[-1], fsync)

    def append(self, event: dict[str, Any]) -> dict[str, Any]:
        """Write one event; when this returns, the event is on disk."""
        record = {"type": event["type"], "seq": self.seq + 1, "turn": event.get("turn", 0), "prev": self.prev}
        record.update((k, v) for k, v in event.items() if k not in record)
        line = encode(record)
        self._write(line)
        self.seq += 1
        self.prev = digest(line)
        return record

    def _write(self, line: bytes) -> None:
        _write_all(self._fd, line + b"\n")
        if self.fsync:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _create_with(path: Path, first: bytes, fsync: bool) -> int:
    """Create ``path`` holding ``first`` (the header line), all or nothing; return a fd open for appending.

    The header goes to a temporary file that is then hard-linked to the log's
    name; the link fails when the name exists, so a log is still never
    overwritten. A crash therefore leaves either no log or a log with a whole
    header, never an empty file that can be neither resumed nor replaced.
    Where hard links are not supported, the log is created in place.
    """
    temp = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        _write_all(fd, first)
        if fsync:
            os.fsync(fd)
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system
            os.close(fd)
            fd = -1
    except BaseException:
        if fd >= 0:
            os.close(fd)
        os.unlink(temp)
        raise
    os.unlink(temp)
    if fd < 0:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        _write_all(fd, first)
        if fsync:
            os.fsync(fd)
    return fd


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def iter_lines(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Records of a log without checks, for tools that only look (the log tail)."""
    with open(path, "rb") as handle:
        for line in handle:
            if line.endswith(b"\n"):
                try:
                    yield json.loads(line)
                except ValueError:
                    return
