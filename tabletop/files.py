"""Writing files: whole or not at all, never over an exercise log, and a failure said in one line.

Every command that replaces a file (``report -o``, the hot wash's export,
``guide -o``, ``handouts -o``, ``msel export -o``, ``msel import -o`` and
``--write-map``, ``key --export`` and ``--trust``, and ``serve``'s codes file)
goes through :func:`write_atomic`: the new bytes go to a temporary file in the
target's own folder, are fsynced, and replace the target with one
``os.replace``, so a reader (or a crash, or a full disk) sees the old file or
the new one, never half of either. A symlink is followed: the file it names is
replaced and the link stays. A file whose first line is a tabletop log header
is never replaced: an exercise log holds what a class decided and only its
:class:`~tabletop.log.Writer` appends to it. (The log itself, and a new
facilitator key, are created, never replaced: they have writers of their own.)

:func:`explain` turns an ``OSError`` into the one line the user is shown:
what failed, on which path, and what to do about it.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

LOG_FORMAT_PREFIX = "tabletop-log/"
PRIVATE = 0o600  # what a class decided, or a secret: the owner's alone
_HEAD_BYTES = 65536  # a header line is a few hundred bytes; this is plenty to recognise one


class WriteError(OSError):
    """A file could not be written, or tabletop refuses to write it; ``str()`` is the one line to show."""

    def __init__(self, message: str, path: str | os.PathLike[str], code: int | None = None):
        super().__init__(message)
        self.message = message
        self.filename = str(path)
        self.errno = code

    def __str__(self) -> str:
        return self.message


_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space and try again",
    errno.EROFS: "the file system is read-only: choose a path on a writable disk",
    errno.EACCES: "permission denied: choose a folder you may write to, or change its permissions",
    errno.EPERM: "not permitted: choose a folder you may write to, or change its permissions",
    errno.EISDIR: "it is a folder: give a file name",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EIO: "input/output error (a failing disk, or not an ordinary file): try another path",
    errno.ENAMETOOLONG: "the name is too long: choose a shorter path",
    errno.EMFILE: "too many open files: close some programs and try again",
    errno.EFBIG: "the file is too large for this file system",
}
if hasattr(errno, "EDQUOT"):
    _ADVICE[errno.EDQUOT] = "the disk quota is used up: free some space and try again"


def explain(exc: OSError, path: str | os.PathLike[str] | None = None, doing: str = "write") -> str:
    """``cannot write PATH: WHY: WHAT TO DO``, one line, for any OSError (a WriteError says itself)."""
    if isinstance(exc, WriteError):
        return exc.message
    where = str(path if path is not None else (exc.filename or "?"))
    code = exc.errno
    if code == errno.ENOENT:
        parent = Path(where).parent
        if doing == "read" or parent.is_dir():
            advice = "no such file: check the path"
        else:
            advice = f"no such folder {parent}: create it first, or choose another path"
    elif code in _ADVICE:
        advice = _ADVICE[code]
    else:
        advice = (exc.strerror or str(exc) or type(exc).__name__).lower()
    return f"cannot {doing} {where}: {advice}"


def is_exercise_log(path: str | os.PathLike[str]) -> bool:
    """Is ``path`` a regular file whose first line is a tabletop log header? Never opens anything else.

    The type is checked before anything is opened, so a FIFO or a device is
    never read (opening a FIFO for reading waits for a writer).
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else since the stat
            return False
        head = os.read(fd, _HEAD_BYTES)
    except OSError:
        return False
    finally:
        os.close(fd)
    first = head.split(b"\n", 1)[0]
    try:
        record = json.loads(first)
    except ValueError:
        # A header cut by the read limit, or edited out of shape: still recognisably a log's.
        return first.lstrip().startswith(b"{") and b'"header"' in first and f'"{LOG_FORMAT_PREFIX}'.encode() in first
    return is_log_header(record)


def is_log_header(record: object) -> bool:
    """Is this parsed first line a tabletop log's header (of any version of the format)? The one test of it."""
    return type(record) is dict and record.get("type") == "header" and str(record.get("format", "")).startswith(LOG_FORMAT_PREFIX)


def refusing_a_log(path: str | os.PathLike[str]) -> str:
    """The one line that says ``path`` is an exercise log and is not written: the same before the work and at the write."""
    return f"refusing to write {path}: it is an exercise log, which tabletop never replaces: choose another file"


def shared_mode() -> int:
    """The mode the umask gives a new file: for what is written to be handed round (a guide, a sheet, a scenario)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str | os.PathLike[str], data: bytes | str, mode: int = PRIVATE, *, keep_mode: bool = True) -> None:
    """Replace ``path`` with ``data`` (str is written as UTF-8), all at once; raise WriteError with one line.

    A new file gets ``mode`` whatever the umask (owner-only by default: what
    tabletop writes holds what teams decided; :func:`shared_mode` for what is
    meant to be shared). An existing one keeps its permissions (the user chose
    them), unless ``keep_mode`` is False: a secret gets ``mode`` even if
    someone opened the old file up. A symlink is followed and its target
    replaced. Refused: a folder, anything but a regular file (a FIFO, a
    device), and an exercise log. The only race left is a log created at
    ``path`` between the check and the replace.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(os.path.realpath(path))
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise WriteError(explain(exc, path), path, exc.errno) from None
    if existing is not None:
        if stat.S_ISDIR(existing.st_mode):
            raise WriteError(f"cannot write {path}: it is a folder: give a file name", path, errno.EISDIR)
        if not stat.S_ISREG(existing.st_mode):
            raise WriteError(f"cannot write {path}: not an ordinary file (a pipe or a device): give a file name", path, errno.EINVAL)
        if is_exercise_log(target):
            raise WriteError(refusing_a_log(path), path, errno.EEXIST)
        if keep_mode:
            mode = stat.S_IMODE(existing.st_mode)
    temp = target.with_name(f".{target.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise WriteError(explain(exc, path), path, exc.errno) from None
    try:
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view):]
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except OSError as exc:
        _unlink(temp)
        raise WriteError(explain(exc, path), path, exc.errno) from None
    except BaseException:
        _unlink(temp)
        raise
    fsync_folder(target.parent)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable, where the system allows it."""
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
