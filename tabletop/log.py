"""The exercise log: append-only JSON Lines with a hash chain.

An event is acknowledged only when its line has been written, flushed and
fsynced, so a crash can lose at most the one event being written, which was
never acknowledged. Each line carries ``prev``, the SHA-256 of the previous
line's bytes (without its newline), so an edit, a dropped, duplicated or
reordered line anywhere breaks the chain at a line we can name.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from tabletop import files

FORMAT = "tabletop-log/1"


class LogError(Exception):
    """A log that cannot be trusted past a given line (1-based)."""

    def __init__(self, path: str, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # json.dumps with these settings, without a new encoder per line


def encode(record: dict[str, Any]) -> bytes:
    """A record as its log line (without the newline): compact, UTF-8, fields in the record's order."""
    return _ENCODER.encode(record).encode("utf-8")


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

    @property
    def signatures(self) -> list[tuple[int, dict[str, Any]]]:
        """The signature lines, each with its line number (1-based; the header is line 1)."""
        return [(index + 2, event) for index, event in enumerate(self.events) if event.get("type") == "signature"]


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

    A line is at most MAX_LINE bytes (1 MiB); a longer one is refused at its
    number having read only that much of it, so a hostile log costs at most
    about a megabyte beyond what its good lines cost.

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
            # Opened without blocking and checked on the open file: a FIFO would block the reader, a device never end.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise LogError(self.name, 1, f"cannot read the log: {exc.strerror or exc}") from None
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise LogError(self.name, 1, f"not a regular file ({_file_kind(mode)}): expected an exercise log (.jsonl)")
        self._handle = open(fd, "rb")  # noqa: SIM115 - closed by close(), after the lines are read
        try:
            first = self._readline(1)
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

    def _readline(self, number: int) -> bytes:
        """The next line (with its newline), read no further than MAX_LINE: a longer one is refused, unread."""
        raw = self._handle.readline(MAX_LINE + 1)
        if _over(raw):
            _too_long(self.name, number)
        return raw

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any], bytes]]:
        name, number = self.name, 1
        readline, sha256 = self._handle.readline, hashlib.sha256  # looked up once: a long log is mostly this loop
        while raw := readline(MAX_LINE + 1):
            number += 1
            if len(raw) > MAX_LINE and _over(raw):
                _too_long(name, number)
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
            self.last = sha256(line).hexdigest()
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


MAX_LINE = 1 << 20  # 1 MiB: the longest line a log may hold; tabletop's own lines are under 10 kB


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The log's first line alone, checked: quick however long the log (to name its scenario before reading on)."""
    with Lines(path) as lines:
        return lines.header


def _over(raw: bytes) -> bool:
    """A line read with a limit of MAX_LINE + 1 is longer than MAX_LINE, its newline aside."""
    return len(raw) > MAX_LINE and not (len(raw) == MAX_LINE + 1 and raw.endswith(b"\n"))


def _too_long(name: str, line: int) -> None:
    raise LogError(name, line, f"a line over {MAX_LINE:,} bytes (1 MiB), the most a log line may hold; tabletop writes none")


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def parse_header(raw: RawLog) -> dict[str, Any]:
    header = _parse(raw.name, 1, raw.lines[0])
    if files.is_log_header(header) and header.get("format") != FORMAT:
        raise LogError(raw.name, 1, f"written in format {header.get('format')!r}, which is newer than this tabletop reads ({FORMAT!r}): "
                                    f"open it with the tabletop that wrote it ({header.get('tabletop', 'version unknown')}) or a later one")
    if header.get("type") != "header" or header.get("format") != FORMAT:
        raise LogError(raw.name, 1, f"expected a header with format {FORMAT!r}")
    _check_header(raw.name, header)
    return header


MAX_DEPTH = 64  # nesting of a line; tabletop writes five levels at most


class _Twice(ValueError):
    """A JSON object with a field twice: readers differ on which one counts, so the line says two things."""

    def __init__(self, keys: list[str]):
        self.msg = "a field appears twice: " + ", ".join(repr(k) for k in keys)
        super().__init__(self.msg)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        counts = Counter(k for k, _ in pairs)
        raise _Twice(sorted(k for k, n in counts.items() if n > 1))
    return record


# json.loads, refusing a field given twice; decoding the line first is also a little faster than json.loads of bytes.
_DECODER = json.JSONDecoder(object_pairs_hook=_object)


def _parse(name: str, number: int, line: bytes) -> dict[str, Any]:
    if line.count(b"[") + line.count(b"{") > MAX_DEPTH and _depth(line) > MAX_DEPTH:
        raise LogError(name, number, f"nested more than {MAX_DEPTH} levels deep; no tabletop event is")
    try:
        record = _DECODER.decode(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LogError(name, number, f"not valid UTF-8 (byte {exc.start}): expected a line of JSON text") from None
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


# ------------------------------------------------------------------ writing
#
# One writer per log. A Writer holds an exclusive flock on the log's open file
# for as long as it is open (the kernel drops it when the process dies, so a
# crash never leaves a log locked), and notes its PID in a small file beside
# the log, ``.NAME.lock``, so a second writer can be told who holds it. Where
# flock is not available (no fcntl, or a file system that refuses it), that
# lock file itself is the lock: created exclusively, removed on close, and
# taken over only when the PID it names is no longer running.

try:
    import fcntl
except ImportError:  # not on this platform: the lock file alone
    fcntl = None  # type: ignore[assignment]  # the module or None: every use checks

_NO_FLOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, getattr(errno, "ENOSYS", -1), getattr(errno, "ENOTSUP", -1)}
_LOCK_TRIES = 10  # a start screen's probe holds a shared lock for microseconds; ride over one


class LogBusy(LogError):
    """Another writer holds the log; ``pid`` is its process where known."""

    def __init__(self, path: str, pid: int | None):
        self.pid = pid
        who = f"another tabletop (pid {pid})" if pid else "another tabletop"
        message = f"open elsewhere: {who} is writing this log; close it there (or wait for it to end), then try again"
        LogError.__init__(self, path, 1, message)
        self.args = (f"{path}: {message}",)

    def __str__(self) -> str:
        return str(self.args[0])


class LogWriteError(files.WriteError):
    """The log could not be written (a full disk, a read-only file, ...). Nothing unacknowledged was kept.

    An OSError (through WriteError), so code that already handles OSError keeps
    working; ``str()`` is the one line to show.
    """


def _io_error(exc: OSError, path: str, doing: str) -> LogWriteError:
    return LogWriteError(files.explain(exc, path, doing), path, exc.errno)


def lock_note_path(path: str | os.PathLike[str]) -> Path:
    """Where a writer notes its PID: ``.NAME.lock`` beside the log."""
    p = Path(path)
    return p.with_name(f".{p.name}.lock")


def _read_note(note: Path) -> int | None:
    try:
        with open(note, "rb") as handle:
            return int(handle.read(64).split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _write_note(note: Path, exclusive: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(note, flags, 0o600)
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@attrs.frozen
class Holder:
    """Who writes a log: a process, by PID where known."""

    pid: int | None

    def describe(self) -> str:
        return f"pid {self.pid}" if self.pid else "another process"


class _Claim:
    """The one writer's hold on a log (see the comment above)."""

    def __init__(self, path: str, fd: int | None, note: Path, flock: bool):
        self.path, self.fd, self.note, self.flock = path, fd, note, flock

    @classmethod
    def take(cls, path: str, fd: int) -> _Claim:
        note = lock_note_path(path)
        if fcntl is not None:
            for attempt in range(_LOCK_TRIES):
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if attempt + 1 < _LOCK_TRIES:
                        time.sleep(0.02)
                    continue
                except OSError as exc:
                    if exc.errno not in _NO_FLOCK:
                        raise
                    break  # no flock here: the lock file below
                else:
                    try:
                        _write_note(note)
                    except OSError:
                        pass  # a read-only folder: the lock holds all the same, only its PID goes untold
                    return cls(path, fd, note, True)
            else:
                raise LogBusy(path, _read_note(note))
        return cls._take_file(path, note)

    @classmethod
    def _take_file(cls, path: str, note: Path) -> _Claim:
        for _ in range(2):
            try:
                _write_note(note, exclusive=True)
                return cls(path, None, note, False)
            except FileExistsError:
                pid = _read_note(note)
                if pid is not None and pid != os.getpid() and not _alive(pid):
                    try:  # left by a writer that died: take it over
                        os.unlink(note)
                    except FileNotFoundError:
                        pass
                    continue
                raise LogBusy(path, pid) from None
        raise LogBusy(path, _read_note(note))

    def release(self) -> None:
        if self.note is None:
            return
        if not self.flock or _read_note(self.note) == os.getpid():
            try:  # removed while the lock is still held, so the next writer's note is never removed
                os.unlink(self.note)
            except OSError:
                pass
        if self.flock and self.fd is not None and fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            except OSError:
                pass
        self.note = None  # type: ignore[assignment]  # released: a second release finds None and does nothing


def open_elsewhere(path: str | os.PathLike[str]) -> Holder | None:
    """Is a writer (in another process, or another Writer here) holding this log? Never opens a FIFO.

    For the start screen, which shows such a log as open elsewhere. Tries a
    shared lock for an instant; a writer that asks at that very moment tries
    again (``_LOCK_TRIES``).
    """
    name = str(path)
    note = lock_note_path(name)
    try:
        if not stat.S_ISREG(os.stat(name).st_mode):
            return None
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return Holder(_read_note(note))
            except OSError as exc:
                if exc.errno not in _NO_FLOCK:
                    return None
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)
                return None
    finally:
        os.close(fd)
    pid = _read_note(note)  # the lock-file way
    if pid is not None and (pid == os.getpid() or _alive(pid)):
        return Holder(pid)
    return None


SIGNED_AFTER = ("turn_started", "exercise_ended")  # what a signature follows: a turn's end, and the exercise's


class Writer:
    """Appends events to a log file, one fsynced line at a time, as the log's only writer.

    Holds the log's lock from create/reopen to close; refuses a second writer
    with :class:`LogBusy`. Appends with ``O_APPEND``. A failed write or fsync
    (a full disk, say) cuts the file back to where it was and raises
    :class:`LogWriteError`: the event was not acknowledged and may be retried.

    With a ``signer`` (:class:`tabletop.signing.Signer`), :meth:`sign` appends
    a signature line over the chain head. The session calls it after each
    command that starts a turn (so the previous turn's end is signed) and after
    the exercise's end; the same events then give the same lines. Without a
    signer (the default) nothing is signed.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fd: int,
        seq: int,
        prev: str,
        fsync: bool = True,
        signer: Any = None,
        claim: _Claim | None = None,
        size: int | None = None,
        last_type: str = "header",
        turn: int = 0,
    ):
        self.path = str(path)
        self._fd = fd
        self.seq = seq
        self.prev = prev
        self.fsync = fsync
        self.signer = signer
        self._claim = claim
        self.size = os.fstat(fd).st_size if size is None else size
        self.last_type = last_type  # the type of the last line written (or found), to sign each point once
        self._turn = turn
        self.last_signature: dict[str, Any] | None = None
        self.signing_problem = ""  # why signing stopped, if it did (the key could not be read)
        self.failed_type = ""  # the type of the first event of the last append that failed ('' once one succeeds)
        self._broken = ""

    @property
    def head(self) -> str:
        """The SHA-256 of the log's last line: the chain head."""
        return self.prev

    @classmethod
    def create(cls, path: str | os.PathLike[str], header: dict[str, Any], fsync: bool = True, signer: Any = None) -> Writer:
        p = Path(path)
        name = str(path)
        if p.is_dir():
            raise LogWriteError(f"cannot create the log {name}: it is a folder: give a file name", name, errno.EISDIR)
        line = encode({"type": "header", "format": FORMAT, **header})
        if len(line) > MAX_LINE:
            raise LogWriteError(f"cannot create the log {name}: its header is {len(line):,} bytes; a line may hold {MAX_LINE:,}", name, errno.EFBIG)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, claim = _create_with(p, line + b"\n", fsync)
        except FileExistsError:
            raise
        except LogBusy:
            raise
        except OSError as exc:
            raise _io_error(exc, name, "create the log") from None
        writer = cls(p, fd, 0, digest(line), fsync, signer=signer, claim=claim, size=len(line) + 1)
        if fsync:
            files.fsync_folder(p.parent)
        return writer

    @classmethod
    def reopen(cls, contents: LogContents, fsync: bool = True, signer: Any = None) -> Writer:
        """Continue an existing log, cutting off a torn last line first.

        Takes the lock, then checks that the file is still what ``contents``
        says (no whole line added, the last line unchanged): a log read while
        another writer was still at work is refused, never cut back.
        """
        name = contents.path
        try:
            fd = os.open(name, os.O_RDWR | os.O_APPEND)
        except OSError as exc:
            raise _io_error(exc, name, "write to the log") from None
        try:
            claim = _Claim.take(name, fd)
        except BaseException:
            os.close(fd)
            raise
        try:
            _still_as_read(fd, contents)
            if os.fstat(fd).st_size != contents.good_bytes:
                os.ftruncate(fd, contents.good_bytes)
                if fsync:
                    os.fsync(fd)
            if os.name == "posix" and os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, 0o600)  # it holds sealed decisions: the owner's only, as a new log is
        except BaseException as exc:
            claim.release()
            os.close(fd)
            if isinstance(exc, OSError) and not isinstance(exc, LogWriteError):
                raise _io_error(exc, name, "write to the log") from None
            raise
        events = contents.events
        last_type = str(events[-1].get("type")) if events else "header"
        turn = events[-1].get("turn", 0) if events else 0
        writer = cls(name, fd, len(events), contents.digests[-1], fsync, signer=signer, claim=claim,
                     size=contents.good_bytes, last_type=last_type, turn=turn if type(turn) is int else 0)
        return writer

    def append(self, event: dict[str, Any]) -> dict[str, Any]:
        """Write one event; when this returns, the event is on disk. Returns its record (as written)."""
        return self.append_all([event])[0]

    def append_all(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write several events (a command's) with one write and one fsync: all of them, or on failure none.

        So a command whose events cannot all be written leaves nothing of
        itself in the log, and can simply be given again.
        """
        seq, prev, last_type, turn = self.seq, self.prev, self.last_type, self._turn
        records: list[dict[str, Any]] = []
        written: list[bytes] = []
        for event in events:
            record = {"type": event["type"], "seq": seq + 1, "turn": event.get("turn", 0), "prev": prev}
            record.update((k, v) for k, v in event.items() if k not in record)
            line = encode(record)
            if len(line) > MAX_LINE:
                raise LogWriteError(
                    f"cannot write to the log {self.path}: a {record['type']} event of {len(line):,} bytes; a log line holds at most "
                    f"{MAX_LINE:,} (1 MiB): shorten the text", self.path, errno.EFBIG)
            written.append(line)
            records.append(record)
            seq, prev, last_type = record["seq"], digest(line), record["type"]
            turn = record["turn"] if type(record["turn"]) is int else turn
        try:
            self._write(b"".join(line + b"\n" for line in written))
        except LogWriteError:
            self.failed_type = str(events[0]["type"]) if events else ""
            raise
        self.failed_type = ""
        self.seq, self.prev, self.last_type, self._turn = seq, prev, last_type, turn
        return records

    def sign(self) -> dict[str, Any] | None:
        """Sign the chain head now: append a signature line, and return its record; None when nothing was signed.

        Nothing is signed without a signer, right after another signature, or
        when the log holds only its header and the first turn's start: the
        first signature then comes at the second turn's start (or the end), so
        that starting an exercise never waits for the key and ``cryptography``.
        If the key cannot be used, signing stops (``signing_problem`` says why)
        and the exercise goes on: ``verify`` says plainly which lines are unsigned.
        """
        if self.signer is None or self.last_type == "signature" or (self.seq <= 1 and self.last_type == "turn_started"):
            return None
        record = self._signature(self.seq + 1, self._turn, self.prev)
        if record is None:
            return None
        line = encode(record)
        self._write(line + b"\n")
        self.seq, self.prev, self.last_type = record["seq"], digest(line), "signature"
        self.last_signature = record
        return record

    def sign_if_owed(self) -> dict[str, Any] | None:
        """After :meth:`reopen`: sign if the log's last line is an event a signature follows (SIGNED_AFTER).

        A crash can fall between such an event and its signature; signing on
        resuming restores it, so a resumed log is byte for byte an
        uninterrupted one. Returns the signature's record (for the session's
        events), or None.
        """
        return self.sign() if self.last_type in SIGNED_AFTER else None

    def _signature(self, seq: int, turn: int, prev: str) -> dict[str, Any] | None:
        """A signature line, or None when the key cannot be used: then signing stops and ``signing_problem`` says why.

        An exercise in a classroom must not stop because a key file went bad;
        ``verify`` says plainly that the lines after the last signature are unsigned.
        """
        from tabletop import signing

        try:
            return signing.signature_record(self.signer, seq, turn, prev)
        except signing.SigningError as exc:
            self.signer = None
            self.signing_problem = f"the log {self.path} is no longer signed: {exc}"
            return None

    def _write(self, data: bytes) -> None:
        """Append ``data`` and fsync; on any failure cut the file back to where it was, and say so in one line."""
        if self._broken:
            raise LogWriteError(self._broken, self.path)
        if self._fd < 0:
            raise LogWriteError(f"cannot write to the log {self.path}: it is closed", self.path)
        try:
            _write_all(self._fd, data)
            if self.fsync:
                os.fsync(self._fd)
        except OSError as exc:
            error = _io_error(exc, self.path, "write to the log")
            try:
                os.ftruncate(self._fd, self.size)
            except OSError:
                # The half-written line stays; a reader drops it as torn and resume cuts it off.
                self._broken = f"{error}; the log is left with a torn last line, which resuming it cuts off"
                raise LogWriteError(self._broken, self.path, exc.errno) from None
            raise error from None
        self.size += len(data)

    def close(self) -> None:
        if self._fd >= 0:
            if self._claim is not None:
                self._claim.release()
                self._claim = None
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _still_as_read(fd: int, contents: LogContents) -> None:
    """Refuse to carry on a log that another writer changed after ``contents`` was read."""
    size = os.fstat(fd).st_size
    good = contents.good_bytes
    changed = LogError(contents.path, len(contents.events) + 1, "the log changed after it was read (another program wrote to it): open it again")
    if size < good:
        raise changed
    if size > good and b"\n" in os.pread(fd, size - good, good):
        raise changed
    start = max(0, good - MAX_LINE - 2)
    before = os.pread(fd, good - start, start)
    last = before[:-1].rsplit(b"\n", 1)[-1] if before.endswith(b"\n") else None
    if last is None or digest(last) != contents.digests[-1]:
        raise changed


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _create_with(path: Path, first: bytes, fsync: bool) -> tuple[int, _Claim]:
    """Create ``path`` holding ``first`` (the header line), all or nothing; return a locked fd open for appending.

    The header goes to a temporary file (owner-only: a log holds sealed
    decisions), locked before it gets the log's name, that is then hard-linked
    to the log's name; the link fails when the name exists, so a log is still
    never overwritten. A crash therefore leaves either no log or a log with a
    whole header, never an empty file that can be neither resumed nor
    replaced; and no other writer can take the log between its creation and
    its lock. Where hard links are not supported, the log is created in place.
    """
    temp = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
    claim: _Claim | None = None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask
        _write_all(fd, first)
        if fsync:
            os.fsync(fd)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody else knows this file yet: cannot fail
            except OSError as exc:
                if exc.errno not in _NO_FLOCK:
                    raise
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
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            claim = _Claim.take(str(path), fd)
            _write_all(fd, first)
            if fsync:
                os.fsync(fd)
        except BaseException:
            if claim is not None:
                claim.release()
            os.close(fd)
            raise
        return fd, claim
    return fd, _Claim.take(str(path), fd)  # the flock is ours already; this notes the PID (or takes the lock file)
