"""The exercise log: append-only JSON Lines with a hash chain.

An event is acknowledged only when its line has been written, flushed and
fsynced, so a crash can lose at most the one event being written, which was
never acknowledged. Each line carries ``prev``, the SHA-256 of the previous
line's bytes (without its newline), so an edit, a dropped, duplicated or
reordered line anywhere breaks the chain at a line we can name.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

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
    """Read a whole log; drop a torn last line with a warning; raise LogError for anything else."""
    with Lines(path, check_chain) as lines:
        events = []
        digests = [lines.last]
        for _, record, _line in lines:
            events.append(record)
            digests.append(lines.last)
        return LogContents(lines.name, lines.header, events, digests, lines.warnings, lines.good_bytes)


class Lines:
    """A log read line by line: the header at once, then each event as ``(number, record, line)``.

    One pass that parses, checks and chains each line, so the first bad line is
    the one named, in memory that does not grow with the log (``verify`` replays
    as it reads). The fields of each event are checked where they are read
    (``tabletop.events.from_json``, strict), so the schema exists once. A torn
    last line (no newline: a crash mid-write, never acknowledged) is dropped,
    with a warning in ``warnings`` once the lines are read.
    """

    def __init__(self, path: str | os.PathLike[str], check_chain: bool = True) -> None:
        self.name = str(path)
        self.check_chain = check_chain
        self.warnings: list[str] = []
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the reader, a device never end
                raise LogError(self.name, 1, "not a regular file: expected an exercise log (.jsonl)")
            self._handle = open(path, "rb")  # noqa: SIM115 - closed by close(), after the lines are read
        except OSError as exc:
            raise LogError(self.name, 1, f"cannot read the log: {exc.strerror or exc}") from None
        try:
            first = self._handle.readline()
            if not first:
                raise LogError(self.name, 1, "empty log: expected a header line")
            if not first.endswith(b"\n"):
                raise LogError(self.name, 1, "expected a whole header line")
            self.header = parse_header(RawLog(self.name, [first[:-1]], [], len(first)))
        except OSError as exc:
            self.close()
            raise LogError(self.name, 1, f"cannot read the log: {exc.strerror or exc}") from None
        except BaseException:
            self.close()
            raise
        self.last = digest(first[:-1])  # of the last line read
        self.good_bytes = len(first)  # up to the end of the last whole line
        self.count = 0  # events read

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any], bytes]]:
        name, number = self.name, 1
        for raw in self._handle:
            number += 1
            if not raw.endswith(b"\n"):
                self.warnings.append(
                    f"{name}:{number}: dropped a torn last line ({len(raw)} bytes without a newline): "
                    "the program stopped while writing it, before it was acknowledged"
                )
                return
            line = raw[:-1]
            record = _parse(name, number, line)
            if self.check_chain:
                _link(name, number, record, self.last)
            self.last = digest(line)
            self.good_bytes += len(raw)
            self.count += 1
            yield number, record, line

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> Lines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@attrs.frozen
class RawLog:
    """Whole lines of a log (the header, as :func:`parse_header` reads it)."""

    name: str
    lines: list[bytes]
    warnings: list[str]
    good_bytes: int


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The log's first line alone, checked: quick however long the log (to name its scenario before reading on)."""
    with Lines(path) as lines:
        return lines.header


def parse_header(raw: RawLog) -> dict[str, Any]:
    header = _parse(raw.name, 1, raw.lines[0])
    if header.get("type") != "header" or header.get("format") != FORMAT:
        raise LogError(raw.name, 1, f"expected a header with format {FORMAT!r}")
    _check_header(raw.name, header)
    return header


MAX_DEPTH = 64  # nesting of a line; tabletop writes five levels at most


def _parse(name: str, number: int, line: bytes) -> dict[str, Any]:
    if line.count(b"[") + line.count(b"{") > MAX_DEPTH and _depth(line) > MAX_DEPTH:
        raise LogError(name, number, f"nested more than {MAX_DEPTH} levels deep; no tabletop event is")
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise LogError(name, number, f"not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})") from None
    if type(record) is not dict:
        raise LogError(name, number, "expected a JSON object")
    return record


def _depth(line: bytes) -> int:
    """How deeply the line's arrays and objects nest, strings skipped (refused before parsing, so the verdict is the same on any stack)."""
    depth = deepest = 0
    in_text = escaped = False
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
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


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
