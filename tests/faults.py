"""Real file-system faults for the tests: a full disk, a read-only folder; and a patched one where those cannot be had.

A full disk is a small tmpfs, mounted where the process may mount (root with
CAP_SYS_ADMIN, as in the development container); a read-only folder is a
tmpfs remounted read-only, or, for a user who is not root, a folder without
write permission (root ignores permissions). Where neither works the tests
that need them are skipped, and the patched variants (``enospc_after``) still
run everywhere. ``watch_opens`` records every open of a FIFO or a huge file,
which proves what a clock could only suggest: that it is never read, or never
waited on.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(where: Path, options: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


class Disk:
    """A small tmpfs: ``fill()`` takes every free byte, ``free()`` gives them back, ``grow()`` makes it larger."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.filler = folder / "filler.bin"

    def fill(self) -> None:
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 16, 4096, 1):  # big pieces, then what is left of the last page
                try:
                    while True:
                        os.write(fd, b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def grow(self, size: str = "8m") -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.folder)], check=True, capture_output=True)


@contextmanager
def small_disk(tmp_path: Path, size: str = "1m") -> Iterator[Disk]:
    where = tmp_path / "disk"
    if not _mount(where, f"size={size},mode=0777"):
        pytest.skip("cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN); the patched variant covers this")
    try:
        yield Disk(where)
    finally:
        _umount(where)


@contextmanager
def read_only(tmp_path: Path, files: dict[str, bytes]) -> Iterator[Path]:
    """A folder holding ``files`` that cannot be written (EROFS as root, EACCES otherwise)."""
    where = tmp_path / "ro"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        where.mkdir()
        for name, data in files.items():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            (where / name).write_bytes(data)
            (where / name).chmod(0o444)
        folders = sorted({(where / name).parent for name in files} | {where}, reverse=True)
        for folder in folders:
            folder.chmod(0o555)
        try:
            yield where
        finally:
            for folder in folders:
                folder.chmod(0o755)
        return
    if not _mount(where, "size=8m,mode=0777"):
        pytest.skip("root ignores permissions, and a read-only tmpfs cannot be mounted here")
    try:
        for name, data in files.items():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            (where / name).write_bytes(data)
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True, capture_output=True)
        yield where
    finally:
        _umount(where)


def enospc_after(monkeypatch, budget: int, match: str) -> dict[str, int]:
    """Make ``os.write`` to files whose path contains ``match`` fail with ENOSPC once ``budget`` bytes are used.

    The write that crosses the budget writes what still fits first, as a full
    disk does, and the next one raises. Returns a dict whose "budget" may be
    raised to free space again.
    """
    state = {"budget": budget}
    real = os.write

    def write(fd: int, data) -> int:
        try:
            where = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            where = ""
        if match not in where:
            return real(fd, data)
        if state["budget"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        part = bytes(data[: state["budget"]])
        state["budget"] -= len(part)
        return real(fd, part)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc/self/fd to tell which file a write goes to")
    monkeypatch.setattr(os, "write", write)
    return state


def watch_opens(monkeypatch, *paths: str | os.PathLike[str]) -> list[tuple[str, int]]:
    """Every open of one of ``paths`` from now on, as (real path, os.open flags); an open that could block fails at once.

    Opening a FIFO without ``O_NONBLOCK`` waits for its other end, for ever in
    a test; so ``os.open`` of a watched path without that flag, and ``open()``
    or ``Path.open`` of one at all (they cannot pass it; recorded with flags
    -1), raise AssertionError before anything is opened: a regression fails
    the test instead of hanging it. The list is appended to before the raise,
    so code that swallows the error is still caught by what the test asserts.
    """
    watched = {os.path.realpath(path) for path in paths}
    opened: list[tuple[str, int]] = []
    real_os_open, real_io_open = os.open, io.open

    def watched_name(file) -> str | None:
        if isinstance(file, int):
            return None  # an fd: opened already
        try:
            name = os.path.realpath(os.fspath(file))
        except TypeError:
            return None
        return name if name in watched else None

    def os_open(file, flags, *args, **kwargs):
        name = watched_name(file)
        if name is not None:
            opened.append((name, flags))
            if not flags & os.O_NONBLOCK:
                raise AssertionError(f"{name} opened without O_NONBLOCK (flags {flags:#o}): a FIFO there would block")
        return real_os_open(file, flags, *args, **kwargs)

    def io_open(file, *args, **kwargs):
        name = watched_name(file)
        if name is not None:
            opened.append((name, -1))
            raise AssertionError(f"{name} opened with open(), which blocks on a FIFO")
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", io_open)
    monkeypatch.setattr(builtins, "open", io_open)
    return opened
