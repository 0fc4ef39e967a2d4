"""A cache of loaded scenarios, as Python caches compiled modules in ``.pyc`` files.

Parsing and structuring a scenario takes tens of milliseconds for the bundled
ones and seconds for a synthetic one of thousands of turns; unpickling the
result takes a tenth of that. So a valid load result is kept as a pickle under
the user's cache folder (``paths.cache_home``), named by a key that changes
whenever anything that shapes the result changes: the loader passes the
scenario's bytes and the rules' identity, and ``key`` adds ``fingerprint()``:
the versions of this package, Python and PyYAML, and the bytes of the modules
that build the model (attrs' class maker included). Scenarios with problems
are never stored, so their problems are always found and reported by the
parser itself.

The cache may only ever make a load faster, never make it fail: a folder that
cannot be created or written (read-only home, full disk), a truncated or
corrupt file, or one that does not unpickle is passed over in silence and the
scenario is parsed as if there were no cache.

Security: unpickling runs code named in the file. A file is read only if it is
a regular file (not a symlink) owned by the current user and not writable by
group or others, checked with ``os.fstat`` on the open file so that it cannot
be swapped between check and read, in a folder with the same property; anyone
able to write such a file can already run code as that user. Where ownership
cannot be checked (no ``os.getuid``, as on Windows) the cache is off.
``TABLETOP_CACHE=off`` turns it off everywhere.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import stat
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import attr._make as attrs_make
import attrs
import yaml

import tabletop
from tabletop import gc_pause, paths

FORMAT = "tabletop-compiled-1"
SUFFIX = ".pickle"
# Each entry is a whole scenario with its rules: 100 kB for nea-2024, 3 MB for 5,556 synthetic turns.
MAX_ENTRIES = 64
MAX_TOTAL_BYTES = 128 * 1024 * 1024
STALE_TEMP_SECONDS = 3600.0
# The modules whose code decides what a load returns; compiled.py decides how entries look.
CODE = ("model.py", "loading.py", "yamlnodes.py", "compiled.py")


@functools.cache
def fingerprint() -> str | None:
    """What, besides the inputs, shapes a load result; computed once a process. None (no cache) if unreadable.

    attrs stands in by the source of the module that makes its classes' __init__ and
    pickling: ``attrs.__version__`` would read package metadata, 30 ms of a start-up.
    """
    digest = hashlib.sha256()
    for part in (FORMAT, tabletop.__version__, sys.version, yaml.__version__, str(yaml.__with_libyaml__)):
        digest.update(part.encode() + b"\0")
    here = Path(__file__).resolve().parent
    sources = [here / name for name in CODE] + [Path(attrs_make.__file__)]
    try:
        for source in sources:
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    except (OSError, TypeError):  # TypeError: no __file__ (a frozen or zipped install)
        return None
    return digest.hexdigest()


def key(*parts: str) -> str | None:
    """The entry's name for these inputs (text that identifies them, such as hashes), or None when off."""
    code = fingerprint() if folder() is not None else None
    if code is None:
        return None
    return hashlib.sha256("\0".join((code, *parts)).encode()).hexdigest()


def folder() -> Path | None:
    """Where entries live, or None when the cache is off or cannot be made safe here."""
    if not hasattr(os, "getuid"):
        return None
    try:
        return paths.cache_home()
    except RuntimeError:  # no home folder to be found
        return None


def _trusted(info: os.stat_result, kind: int) -> bool:
    """Ours alone: owned by this user, not writable by group or others, and of the expected kind."""
    return (
        stat.S_IFMT(info.st_mode) == kind
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _trusted_folder(where: Path) -> bool:
    try:
        return _trusted(os.stat(where), stat.S_IFDIR)
    except OSError:
        return False


def read(name: str | None) -> Any | None:
    """The value stored under ``name``, or None: missing, untrusted, unreadable or not unpickling."""
    where = folder()
    if name is None or where is None or not _trusted_folder(where):
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:  # not a symlink (O_NOFOLLOW), and a FIFO in its place cannot hang the load (O_NONBLOCK; fstat refuses it)
        fd = os.open(where / (name + SUFFIX), flags)
    except OSError:
        return None
    try:
        with open(fd, "rb") as handle:
            if not _trusted(os.fstat(handle.fileno()), stat.S_IFREG):
                return None
            data = handle.read()
        with gc_pause.paused():  # a large graph of live objects and no cycles, as when it was parsed
            return pickle.loads(data)
    except Exception:  # truncated, corrupt, or from another layout: parse instead
        return None


def write(name: str | None, value: Any) -> None:
    """Store ``value`` under ``name`` atomically (a temporary file, then a rename); any failure is ignored."""
    where = folder()
    if name is None or where is None:
        return
    try:
        data = _dumps(value)
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted_folder(where):  # not ours alone: what we wrote could not be read back safely
            return
        _replace(where, name + SUFFIX, data)
        _prune(where)
    except Exception:  # read-only, full, or a value that does not pickle: the load has succeeded anyway
        return


def _dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class _Pickler(pickle.Pickler):
    """Stores an attrs instance as a call of its class with its fields in order, as the loader built it.

    attrs' own pickling builds a dict of field names for every instance and sets
    the fields back one by one through Python code; a plain call is a third
    faster to load and to store, and the file is 40% smaller. The fingerprint
    covers model.py, so an entry is only ever read by the classes it was made from.
    """

    def reducer_override(self, obj: Any) -> Any:
        names = _init_fields(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple([getattr(obj, name) for name in names])


@functools.cache
def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of an attrs class that its __init__ takes positionally, all of them; else None (pickled as usual)."""
    if not attrs.has(cls):
        return None
    fields = attrs.fields(cls)
    if any(not field.init or field.kw_only for field in fields):
        return None
    return tuple(field.name for field in fields)


def _replace(where: Path, filename: str, data: bytes) -> None:
    """Readers see the old entry or the new one whole, never a part (mkstemp makes it 0600)."""
    import tempfile  # only on a miss: 3 ms of imports (random, shutil) a start-up need not pay

    fd, temp = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, where / filename)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


def _prune(where: Path) -> None:
    """Keep the newest entries, at most MAX_ENTRIES and MAX_TOTAL_BYTES (the newest always), and drop abandoned temporary files."""
    entries: list[tuple[float, int, str]] = []
    now = time.time()
    for item in os.scandir(where):
        with suppress(OSError):
            info = item.stat(follow_symlinks=False)
            if item.name.endswith(SUFFIX):
                entries.append((info.st_mtime, info.st_size, item.path))
            elif item.name.startswith(".") and item.name.endswith(".tmp") and now - info.st_mtime > STALE_TEMP_SECONDS:
                os.unlink(item.path)  # left by a process killed while writing
    entries.sort(reverse=True)
    total = 0
    for kept, (_, size, path) in enumerate(entries):
        total += size
        if kept and (kept >= MAX_ENTRIES or total > MAX_TOTAL_BYTES):
            with suppress(OSError):
                os.unlink(path)
