"""One writer per log: a second writer is refused and named, nothing acknowledged is lost, a failed write leaves no trace.

Two writers on one log used to overwrite each other's acknowledged events (one
run left 5,232 NUL bytes on line 78). These tests hold two writers against one
log, in one process and in two, with the real command line, and check the log
byte for byte against an uninterrupted run.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest

from tabletop import log as logmod
from tabletop import runner
from tabletop.session import Session

from .conftest import MINI
from .faults import enospc_after, watch_opens

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "tabletop"]
def env() -> dict[str, str]:
    """The environment at call time: this test's TABLETOP_HOME (set by a fixture), never the user's own."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def tabletop(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env())


@pytest.fixture
def reference(mini, rules, tmp_path) -> bytes:
    path = tmp_path / "reference.jsonl"
    runner.play(mini, rules, seed=3, log_path=path, fsync=False)
    return path.read_bytes()


def cut(reference: bytes, lines: int) -> bytes:
    return b"".join(line + b"\n" for line in reference.split(b"\n")[:lines])


# ------------------------------------------------------------- creation


def test_a_new_log_is_owner_only_and_appended_to(mini, rules, tmp_path):
    old = os.umask(0o022)
    try:
        session = Session.new(mini, rules, seed=1, log_path=tmp_path / "ex.jsonl", fsync=False)
    finally:
        os.umask(old)
    try:
        assert stat.S_IMODE(os.stat(tmp_path / "ex.jsonl").st_mode) == 0o600
        assert fcntl.fcntl(session.writer._fd, fcntl.F_GETFL) & os.O_APPEND
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    finally:
        session.close()


def test_resuming_a_world_readable_log_makes_it_owner_only(mini, rules, tmp_path, reference):
    path = tmp_path / "ex.jsonl"
    path.write_bytes(cut(reference, 6))
    path.chmod(0o644)
    session, _ = Session.resume(path, mini, rules)
    session.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ----------------------------------------------------- two writers, one process


def test_a_second_writer_is_refused_naming_the_process_that_holds_the_log(mini, rules, tmp_path):
    path = tmp_path / "ex.jsonl"
    first = Session.new(mini, rules, seed=1, log_path=path, fsync=False)
    before = path.read_bytes()
    with pytest.raises(logmod.LogBusy) as info:
        logmod.Writer.reopen(logmod.read(path))
    assert info.value.pid == os.getpid()
    assert f"open elsewhere: another tabletop (pid {os.getpid()}) is writing this log" in str(info.value)
    assert logmod.open_elsewhere(path) == logmod.Holder(os.getpid())
    first.note("still the one writer")
    assert path.read_bytes().startswith(before) and path.read_bytes() != before
    first.close()
    assert logmod.open_elsewhere(path) is None
    assert not logmod.lock_note_path(path).exists()
    second, _ = Session.resume(path, mini, rules)  # once the first is closed, the log may be carried on
    second.note("now the second")
    second.close()
    Session.replay(logmod.read(path), mini, rules)


def test_a_log_read_before_another_writer_appended_is_not_cut_back(mini, rules, tmp_path, reference):
    path = tmp_path / "ex.jsonl"
    path.write_bytes(cut(reference, 6))
    stale = logmod.read(path)
    session, _ = Session.resume(path, mini, rules)
    session.note("acknowledged while the other was replaying")
    session.close()
    written = path.read_bytes()
    with pytest.raises(logmod.LogError, match="changed after it was read"):
        logmod.Writer.reopen(stale)
    assert path.read_bytes() == written


def test_a_stale_lock_note_from_a_dead_process_does_not_block(mini, rules, tmp_path, reference):
    path = tmp_path / "ex.jsonl"
    path.write_bytes(cut(reference, 6))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    logmod.lock_note_path(path).write_text(f"{dead}\n")
    assert logmod.open_elsewhere(path) is None
    session, _ = Session.resume(path, mini, rules)
    runner.finish(session)
    assert path.read_bytes() == reference


def test_where_flock_is_missing_a_lock_file_is_the_lock(mini, rules, tmp_path, reference, monkeypatch):
    monkeypatch.setattr(logmod, "fcntl", None)
    path = tmp_path / "ex.jsonl"
    path.write_bytes(cut(reference, 6))
    session, _ = Session.resume(path, mini, rules)
    note = logmod.lock_note_path(path)
    assert note.read_text().split()[0] == str(os.getpid())
    with pytest.raises(logmod.LogBusy) as info:
        logmod.Writer.reopen(logmod.read(path))
    assert info.value.pid == os.getpid()
    assert logmod.open_elsewhere(path) == logmod.Holder(os.getpid())
    runner.finish(session)
    assert not note.exists() and path.read_bytes() == reference
    # A lock file left by a writer that died is taken over.
    path.write_bytes(cut(reference, 6))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    note.write_text(f"{dead}\n")
    assert logmod.open_elsewhere(path) is None
    runner.finish(Session.resume(path, mini, rules)[0])
    assert path.read_bytes() == reference


# ---------------------------------------------------- two writers, two processes

HOLDER = textwrap.dedent(
    """
    import sys, time
    from tabletop import runner
    from tabletop.loading import load_scenario
    from tabletop.session import Session

    scenario, rules = load_scenario(sys.argv[2])
    session, _ = Session.resume(sys.argv[1], scenario, rules)
    print("holding", flush=True)
    sys.stdin.readline()  # the test lets go
    while not session.state.ended:  # then plays on slowly, so that a second writer meets it at work
        runner.facilitate_turn(session)
        time.sleep(0.05)
        if session.is_last_turn and not session.closing_owed:
            session.end("all turns played")
            break
        session.advance()
    session.close()
    print("done", flush=True)
    """
)


@pytest.mark.slow  # four processes against one log; the holder is killed if it outlives the test
def test_a_second_process_is_refused_while_the_first_writes_and_nothing_is_lost(tmp_path, reference):
    path = tmp_path / "ex.jsonl"
    path.write_bytes(cut(reference, 6))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(MINI)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env(), cwd=tmp_path)
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        held = path.read_bytes()
        # Two `run --resume` at once, while the first process holds the log: both refused, the log untouched.
        resumes = [subprocess.Popen([*CLI, "run", str(MINI), "--log", str(path), "--resume"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env(), cwd=tmp_path) for _ in range(2)]
        for proc in resumes:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 2, out + err
            assert f"open elsewhere: another tabletop (pid {holder.pid}) is writing this log" in err
            assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert path.read_bytes() == held
        holder.stdin.write("go\n")
        holder.stdin.flush()
        time.sleep(0.02)
        # And once more while it is playing on.
        during = tabletop("run", str(MINI), "--log", str(path), "--resume", cwd=tmp_path)
        out, err = holder.communicate(timeout=60)
        assert holder.returncode == 0 and out.strip().endswith("done"), err
        if during.returncode != 0:  # it met the holder at work (the usual case)
            assert during.returncode == 2 and "open elsewhere" in during.stderr, during.stderr
    finally:
        if holder.poll() is None:
            holder.kill()
    assert path.read_bytes() == reference, "a second writer changed the log"
    assert b"\0" not in path.read_bytes()
    assert tabletop("verify", str(path), cwd=tmp_path).returncode == 0


def test_two_resumes_racing_leave_the_log_an_uninterrupted_run_writes(tmp_path, reference):
    """Started together, they may overlap or not: either way one writes; the other is refused, or finds the exercise ended."""
    outcomes = []
    for attempt in range(3):
        path = tmp_path / f"race{attempt}.jsonl"
        path.write_bytes(cut(reference, 4))
        procs = [subprocess.Popen([*CLI, "run", str(MINI), "--log", str(path), "--resume"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env(), cwd=tmp_path) for _ in range(2)]
        results = [(proc.wait(timeout=60), proc.stderr.read()) for proc in procs]
        for code, err in results:
            assert "Traceback" not in err, err
            # Refused while the other holds the log, or after it let go, having read it before the other wrote.
            assert code == 0 or (code == 2 and ("open elsewhere" in err or "the log changed after it was read" in err)), err
            assert code != 0 or not err.strip(), err
        outcomes.append(sorted("ok" if code == 0 else "busy" if "open elsewhere" in err else "changed" for code, err in results))
        assert path.read_bytes() == reference, f"attempt {attempt}: {results}"
    print(f"two racing resumes, exit codes: {outcomes}")


# ---------------------------------------------------------------- failed writes


def test_a_full_disk_while_writing_a_note_leaves_the_log_as_it_was_and_the_note_can_be_retried(mini, rules, tmp_path, monkeypatch):
    path = tmp_path / "ex.jsonl"
    session = Session.new(mini, rules, seed=1, log_path=path)
    before = path.read_bytes()
    disk = enospc_after(monkeypatch, 10, "ex.jsonl")  # ten bytes fit: the line is torn, then the disk is full
    with pytest.raises(logmod.LogWriteError) as info:
        session.note("The delegation walked out.")
    assert str(info.value) == f"cannot write to the log {path}: the disk is full: free some space and try again"
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == before, "the torn line was not cut back"
    assert len(session.events) == len(logmod.read(path).events)
    disk["budget"] = 10**9
    session.note("The delegation walked out.")
    session.close()
    contents = logmod.read(path)
    assert contents.events[-1]["text"] == "The delegation walked out." and not contents.warnings
    Session.replay(contents, mini, rules)


def test_a_failed_fsync_is_not_acknowledged(mini, rules, tmp_path, monkeypatch):
    path = tmp_path / "ex.jsonl"
    session = Session.new(mini, rules, seed=1, log_path=path)
    before = path.read_bytes()
    real = os.fsync
    calls = {"n": 0}

    def fsync(fd):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(logmod.LogWriteError, match="input/output error"):
        session.note("lost?")
    assert path.read_bytes() == before
    session.note("kept")
    session.close()
    assert logmod.read(path).events[-1]["text"] == "kept"


def test_an_event_over_the_line_cap_is_refused_before_anything_is_written(mini, rules, tmp_path):
    path = tmp_path / "ex.jsonl"
    session = Session.new(mini, rules, seed=1, log_path=path, fsync=False)
    before = path.read_bytes()
    with pytest.raises(logmod.LogWriteError, match="a log line holds at most 1,048,576"):
        session.note("x" * logmod.MAX_LINE)
    assert path.read_bytes() == before
    session.note("short")
    session.close()


# ------------------------------------------------------------------ reading


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, monkeypatch):
    fifo = tmp_path / "ex.jsonl"
    os.mkfifo(fifo)
    opened = watch_opens(monkeypatch, fifo)  # an open that would wait for a writer fails at once
    with pytest.raises(logmod.LogError, match="a FIFO"):
        logmod.read(fifo)
    assert logmod.open_elsewhere(fifo) is None
    # Read opens it without blocking, to check the open file; looking for a holder does not open it.
    assert [flags & (os.O_ACCMODE | os.O_NONBLOCK) for _name, flags in opened] == [os.O_RDONLY | os.O_NONBLOCK]
    with pytest.raises(logmod.LogError, match="a folder"):
        logmod.read(tmp_path)


def test_a_line_over_1_mib_is_named_and_costs_bounded_memory(tmp_path, reference):
    path = tmp_path / "big.jsonl"
    lines = reference.split(b"\n")
    with open(path, "wb") as out:
        out.write(lines[0] + b"\n" + lines[1] + b"\n")
        out.write(b'{"type":"note","seq":2,"turn":1,"prev":"x","text":"' + b"a" * (64 << 20) + b'"}\n')
    tracemalloc.start()
    try:
        with pytest.raises(logmod.LogError) as info:
            logmod.read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.line == 3 and "over 1,048,576 bytes (1 MiB)" in info.value.message
    assert peak < 16 << 20, f"{peak / 2**20:.1f} MiB to refuse a 64 MiB line"
    # At the boundary: a line of exactly MAX_LINE bytes is a line; one byte more is refused, the header too.
    def note_of(size: int) -> bytes:
        start = b'{"type":"note","seq":1,"turn":1,"prev":"x","text":"'
        return start + b"a" * (size - len(start) - 2) + b'"}'

    path.write_bytes(lines[0] + b"\n" + note_of(logmod.MAX_LINE) + b"\n")
    assert len(logmod.read(path, check_chain=False).events[0]["text"]) > 1_000_000
    path.write_bytes(lines[0] + b"\n" + note_of(logmod.MAX_LINE + 1) + b"\n")
    with pytest.raises(logmod.LogError) as info:
        logmod.read(path, check_chain=False)
    assert info.value.line == 2
    path.write_bytes(b'{"type":"header","format":"tabletop-log/1","x":"' + b"h" * logmod.MAX_LINE + b'"}\n')
    with pytest.raises(logmod.LogError) as info:
        logmod.read_header(path)
    assert info.value.line == 1 and "1 MiB" in info.value.message


def test_append_all_writes_a_commands_events_all_or_none(mini, rules, tmp_path, monkeypatch):
    path = tmp_path / "ex.jsonl"
    session = Session.new(mini, rules, seed=1, log_path=path)
    writer = session.writer
    before, seq = path.read_bytes(), writer.seq
    events = [{"type": "note", "turn": 1, "text": f"part {i}"} for i in range(3)]
    space = enospc_after(monkeypatch, 150, "ex.jsonl")  # the first line fits, the rest does not
    with pytest.raises(logmod.LogWriteError):
        writer.append_all(events)
    assert path.read_bytes() == before and writer.seq == seq and writer.failed_type == "note"
    space["budget"] = 10**9
    records = writer.append_all(events)
    assert [r["seq"] for r in records] == [seq + 1, seq + 2, seq + 3] and writer.failed_type == ""
    session.close()
    assert [e["text"] for e in logmod.read(path).events[-3:]] == ["part 0", "part 1", "part 2"]


def test_run_resume_of_a_fifo_says_so_in_one_line_without_waiting(tmp_path, monkeypatch, capsys):
    """The checks before the resume (same scenario, same seed) never open a FIFO to read its header."""
    from tabletop import cli

    fifo = tmp_path / "ex.jsonl"
    os.mkfifo(fifo)
    watch_opens(monkeypatch, fifo)  # an open that would wait for a writer fails the test at once
    assert cli.main(["run", str(MINI), "--log", str(fifo), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot resume" in err and "FIFO" in err
