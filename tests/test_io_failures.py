"""I/O failures: a full disk, a read-only folder, a missing folder, a folder given as a file; and files that write safely.

Each command that writes (``run``, ``run --resume``, ``report -o``, ``msel
export -o``, ``msel import -o``) must say in one line what failed, on which
path and what to do; exit non-zero; and keep everything acknowledged: the log
holds whole lines only, a prefix of the uninterrupted run's, and ``--resume``
finishes it once the cause is gone. Real faults (a small tmpfs, a read-only
mount) where they can be had (tests/faults.py), patched ones everywhere.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tabletop import cli, files, runner
from tabletop import log as logmod
from tabletop.cli import EXIT_IO

from .conftest import MINI
from .faults import enospc_after, read_only, small_disk, watch_opens

ROOT = Path(__file__).resolve().parent.parent
def env() -> dict[str, str]:
    """The environment at call time: this test's TABLETOP_HOME (set by a fixture), never the user's own."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def reference(mini, rules, tmp_path) -> bytes:
    path = tmp_path / "reference.jsonl"
    runner.play(mini, rules, seed=3, log_path=path, fsync=False)
    return path.read_bytes()


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line(err: str) -> str:
    """The one error line: the last, and the only one from tabletop (msel import may first say how it read the sheet)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("tabletop: ")]
    assert len(errors) == 1 and errors[0] == lines[-1], err
    assert all(line.startswith(("tabletop: ", " ")) or ": read as " in line for line in lines), err
    return errors[0]


def whole_lines_of(reference: bytes, data: bytes) -> None:
    """What a failed run left: whole lines (no torn one), each as the uninterrupted run wrote it."""
    assert data.endswith(b"\n") and reference.startswith(data)


# --------------------------------------------------------------- full disk


def test_run_on_a_full_disk_stops_with_one_line_and_resumes_to_the_same_log(tmp_path, reference, capsys):
    with small_disk(tmp_path, "8k") as disk:  # two pages: the lock note, and a third of the log
        log = disk.folder / "ex.jsonl"
        code, out, err = run_cli(capsys, "run", str(MINI), "--seed", "3", "--log", str(log))
        line = one_line(err)
        assert code == EXIT_IO
        assert line.startswith(f"tabletop: cannot write to the log {log}: the disk is full: free some space and try again")
        assert f"carry on with 'tabletop run {MINI} --log {log} --resume'" in line
        whole_lines_of(reference, log.read_bytes())
        assert log.read_bytes().count(b"\n") > 2
        disk.grow()
        code, out, err = run_cli(capsys, "run", str(MINI), "--log", str(log), "--resume")
        assert code == 0, err
        assert log.read_bytes() == reference


def test_run_on_a_patched_full_disk_keeps_every_acknowledged_line(tmp_path, reference, capsys, monkeypatch):
    log = tmp_path / "ex.jsonl"
    space = enospc_after(monkeypatch, 4000, "ex.jsonl")
    code, out, err = run_cli(capsys, "run", str(MINI), "--seed", "3", "--log", str(log))
    assert code == EXIT_IO and "the disk is full" in one_line(err)
    whole_lines_of(reference, log.read_bytes())
    space["budget"] = 10**9
    assert run_cli(capsys, "run", str(MINI), "--log", str(log), "--resume")[0] == 0
    assert log.read_bytes() == reference


def test_a_full_disk_before_the_header_leaves_no_log(tmp_path, capsys, monkeypatch):
    log = tmp_path / "ex.jsonl"
    enospc_after(monkeypatch, 0, "ex.jsonl")
    code, out, err = run_cli(capsys, "run", str(MINI), "--log", str(log))
    assert code == EXIT_IO and one_line(err) == f"tabletop: cannot create the log {log}: the disk is full: free some space and try again"
    assert not log.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_report_and_msel_on_a_full_disk_leave_the_old_file_whole(tmp_path, reference, capsys):
    log = tmp_path / "ex.jsonl"
    log.write_bytes(reference)
    with small_disk(tmp_path, "64k") as disk:
        for args, target in (
            (["report", str(log), "-o"], disk.folder / "aar.md"),
            (["msel", "export", str(MINI), "-o"], disk.folder / "msel.csv"),
        ):
            target.write_text("the old one\n")
            disk.fill()
            code, out, err = run_cli(capsys, *args, str(target))
            assert code == EXIT_IO and one_line(err) == f"tabletop: cannot write {target}: the disk is full: free some space and try again"
            assert target.read_text() == "the old one\n"
            assert [p.name for p in disk.folder.iterdir() if p.name.endswith(".tmp")] == []
            disk.free()
            assert run_cli(capsys, *args, str(target))[0] == 0
            assert target.read_text() != "the old one\n"


def test_report_on_a_patched_full_disk(tmp_path, reference, capsys, monkeypatch):
    log = tmp_path / "ex.jsonl"
    log.write_bytes(reference)
    enospc_after(monkeypatch, 100, "aar.md")
    code, out, err = run_cli(capsys, "report", str(log), "-o", str(tmp_path / "aar.md"))
    assert code == EXIT_IO and "the disk is full" in one_line(err)
    assert not (tmp_path / "aar.md").exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ------------------------------------------------------------ read-only folder


def test_every_writing_command_in_a_read_only_folder_says_so_in_one_line(tmp_path, reference, capsys):
    csv = tmp_path / "msel.csv"
    assert cli.main(["msel", "export", str(MINI), "-o", str(csv)]) == 0
    capsys.readouterr()
    with read_only(tmp_path, {"ex.jsonl": reference[: reference.rstrip(b"\n").rindex(b"\n") + 1]}) as folder:  # all but its end
        log = folder / "ex.jsonl"
        before = log.read_bytes()
        why = "the file system is read-only" if os.geteuid() == 0 else "permission denied"
        for args, expected, code in (
            (["run", str(MINI), "--log", str(folder / "new.jsonl")], f"cannot create the log {folder / 'new.jsonl'}: {why}", EXIT_IO),
            (["run", str(MINI), "--log", str(log), "--resume"], f"cannot resume {log}: cannot write to the log {log}: {why}", EXIT_IO),
            (["report", str(log), "-o", str(folder / "aar.md")], f"cannot write {folder / 'aar.md'}: {why}", EXIT_IO),
            (["msel", "export", str(MINI), "-o", str(folder / "msel.csv")], f"cannot write {folder / 'msel.csv'}: {why}", EXIT_IO),
            (["msel", "import", str(csv), "--scenario", str(MINI), "-o", str(folder / "s.yaml")], f"cannot write {folder / 's.yaml'}: {why}", EXIT_IO),
        ):
            got, out, err = run_cli(capsys, *args)
            assert got == code and one_line(err).startswith(f"tabletop: {expected}"), (args, err)
        assert log.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["ex.jsonl"]


# ------------------------------------------- missing folders, folders as files


def test_missing_folders_and_folders_given_as_files(tmp_path, reference, capsys):
    log = tmp_path / "ex.jsonl"
    log.write_bytes(reference)
    missing = tmp_path / "no" / "such"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for args, expected, code in (
        (["report", str(log), "-o", str(missing / "aar.md")], f"cannot write {missing / 'aar.md'}: no such folder {missing}: create it first", EXIT_IO),
        (["msel", "export", str(MINI), "-o", str(missing / "m.csv")], f"cannot write {missing / 'm.csv'}: no such folder {missing}: create it first", EXIT_IO),
        (["report", str(log), "-o", str(folder)], f"cannot write {folder}: it is a folder: give a file name", EXIT_IO),
        (["msel", "export", str(MINI), "-o", str(folder)], f"cannot write {folder}: it is a folder: give a file name", 2),
        (["run", str(MINI), "--log", str(folder)], f"cannot create the log {folder}: it is a folder: give a file name", EXIT_IO),
        (["run", str(MINI), "--log", str(folder), "--resume"], f"cannot resume {folder}: {folder}:1: not a regular file (a folder)", 2),
        (["report", str(folder)], f"{folder}:1: not a regular file (a folder)", 2),
        (["verify", str(tmp_path / "missing.jsonl")], None, 1),
    ):
        got, out, err = run_cli(capsys, *args)
        assert got == code, (args, out, err)
        if expected:
            assert one_line(err).startswith(f"tabletop: {expected}"), (args, err)
        else:
            assert "FAIL" in out and "cannot read the log" in out and "Traceback" not in err
    # `run --log` into a folder that does not exist yet creates it.
    assert run_cli(capsys, "run", str(MINI), "--seed", "3", "--log", str(missing / "ex.jsonl"))[0] == 0
    assert (missing / "ex.jsonl").read_bytes() == reference


# ---------------------------------------------------------- never over a log


def test_no_command_writes_over_an_exercise_log(tmp_path, reference, capsys):
    log = tmp_path / "ex.jsonl"
    log.write_bytes(reference)
    other = tmp_path / "renamed.md"  # a log by any name
    other.write_bytes(reference)
    link = tmp_path / "link.md"
    link.symlink_to(log)
    for args in (
        ["report", str(log), "-o", str(log)],
        ["report", str(log), "-o", str(other)],
        ["report", str(log), "-o", str(link)],
        ["msel", "export", str(MINI), "-o", str(log)],
        ["msel", "import", str(tmp_path / "x.csv"), "-o", str(log)],
        ["key", "--export", str(log)],
        ["guide", str(MINI), "-o", str(log)],
    ):
        code, out, err = run_cli(capsys, *args)
        assert code != 0 and "it is an exercise log, which tabletop never replaces" in one_line(err), (args, err)
    assert log.read_bytes() == reference and other.read_bytes() == reference and link.is_symlink()


def test_msel_writes_through_a_symlink_to_its_target(tmp_path, capsys):
    target = tmp_path / "sheets" / "msel.csv"
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "msel.csv"
    link.symlink_to(target)
    assert run_cli(capsys, "msel", "export", str(MINI), "-o", str(link))[0] == 0
    assert link.is_symlink() and target.read_bytes().startswith(b"\xef\xbb\xbfEvent #,")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the permissions the user gave it
    fresh = tmp_path / "fresh.csv"
    assert run_cli(capsys, "msel", "export", str(MINI), "-o", str(fresh))[0] == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == files.shared_mode()  # a sheet is meant to be handed round
    scenario = tmp_path / "sheets" / "mini.yaml"
    scenario.write_text("old")
    (tmp_path / "mini.yaml").symlink_to(scenario)
    assert run_cli(capsys, "msel", "import", str(link), "--scenario", str(MINI), "-o", str(tmp_path / "mini.yaml"))[0] == 0
    assert (tmp_path / "mini.yaml").is_symlink() and "id: mini" in scenario.read_text()
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_msel_export_refuses_a_log_that_appeared_after_the_check(tmp_path, reference, capsys, monkeypatch):
    """The command checks its output first; the write checks again, so a log made meanwhile is still never replaced."""
    from tabletop import msel

    out = tmp_path / "msel.csv"
    export_csv = msel.export_csv

    def export_while_a_class_starts(scenario):
        out.write_bytes(reference)  # a log created at the output's name while the sheet was being made
        return export_csv(scenario)

    monkeypatch.setattr(msel, "export_csv", export_while_a_class_starts)
    code, _out, err = run_cli(capsys, "msel", "export", str(MINI), "-o", str(out))
    assert code == EXIT_IO
    assert one_line(err) == f"tabletop: refusing to write {out}: it is an exercise log, which tabletop never replaces: choose another file"
    assert out.read_bytes() == reference
    with pytest.raises(files.WriteError, match="it is an exercise log"):
        msel.write_xlsx(b"PK", out)
    assert out.read_bytes() == reference


@pytest.mark.parametrize("command", [["report", "LOG", "--help"], ["msel", "export", "--help"], ["msel", "import", "--help"]])
def test_help_says_a_log_is_never_replaced(command, tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main([c if c != "LOG" else "x" for c in command])
    assert "Never replaces an exercise log" in " ".join(capsys.readouterr().out.split())


def test_write_atomic_keeps_permissions_follows_symlinks_and_refuses_special_files(tmp_path, monkeypatch):
    old = tmp_path / "old.txt"
    old.write_text("old")
    old.chmod(0o640)
    files.write_atomic(old, "new")
    assert old.read_text() == "new" and stat.S_IMODE(old.stat().st_mode) == 0o640
    new = tmp_path / "new.txt"
    files.write_atomic(new, b"bytes")
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    link = tmp_path / "link.txt"
    link.symlink_to(old)
    files.write_atomic(link, "through the link")
    assert link.is_symlink() and old.read_text() == "through the link"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    opened = watch_opens(monkeypatch, fifo)
    with pytest.raises(files.WriteError, match="not an ordinary file"):
        files.write_atomic(fifo, "x")
    assert not files.is_exercise_log(fifo)
    assert opened == []  # refused from its stat: never opened, so never waited on
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_write_that_fails_at_the_rename_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "aar.md"
    target.write_text("old")

    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(files.WriteError, match="the disk is full"):
        files.write_atomic(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["aar.md"]


# -------------------------------------------------- hostile scenario paths


def header_naming(reference: bytes, target: str) -> bytes:
    import json

    lines = reference.split(b"\n")[:-1]
    header = json.loads(lines[0])
    header["scenario_path"] = target
    lines[0] = logmod.encode(header)
    for index in range(1, len(lines)):
        lines[index] = logmod.encode({**json.loads(lines[index]), "prev": logmod.digest(lines[index - 1])})
    return b"".join(line + b"\n" for line in lines)


@pytest.mark.parametrize("kind", ["sparse", "fifo", "folder", "proc"])
def test_a_header_naming_a_huge_or_special_file_is_refused_unopened(tmp_path, reference, capsys, monkeypatch, kind):
    target = tmp_path / "target"
    if kind == "sparse":
        with open(target, "wb") as out:
            out.truncate(60 * 10**9)  # 60 GB, no blocks
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target = Path("/proc/self/mem")
        if not target.exists():
            pytest.skip("no /proc")
    log = tmp_path / "ex.jsonl"
    log.write_bytes(header_naming(reference, str(target)))
    opened = watch_opens(monkeypatch, target) if kind != "proc" else []
    for command in (["verify", str(log)], ["report", str(log)]):
        code, out, err = run_cli(capsys, *command)
        assert "Traceback" not in err
        # The bad path is refused from its stat; the scenario is then found by its id (a warning says so),
        # or the log is refused with the reason in its one line.
        if kind != "proc":
            said = out + err
            assert f"the log's scenario_path {target} is" in said and "refused" in said, said
        else:  # a regular file of size 0 that cannot be read: a problem, never a traceback
            assert code != 0 and "/proc/self/mem:1:1: cannot read: Input/output error" in out + err, out + err
    # Refused from its stat: the 60 GB are never read, the FIFO never waited on. (/proc/self/mem is opened; its first read fails.)
    assert opened == []


def test_report_warns_when_the_scenario_changed_since_the_log(tmp_path, mini, rules, capsys):
    scenario = tmp_path / "mini.yaml"
    scenario.write_text(MINI.read_text())
    from tabletop.loading import load_scenario

    changed_scenario, _ = load_scenario(scenario)
    log = tmp_path / "ex.jsonl"
    runner.play(changed_scenario, rules, seed=3, log_path=log, fsync=False)
    scenario.write_text(MINI.read_text().replace("A test of a short-range missile.", "A test of a long-range missile."))
    code, out, err = run_cli(capsys, "report", str(log))
    assert code == 0
    assert f"warning: scenario {scenario} changed since the log was written" in err
    assert "long-range" in out


def test_the_tui_exits_non_zero_when_it_crashes(tmp_path):
    """The app's own crash handling sets return code 1; run_app passes it on (it used to return 0)."""
    script = (
        "import sys\n"
        "from tabletop.tui import app as appmod\n"
        "class Boom(appmod.TabletopApp):\n"
        "    def on_mount(self):\n"
        "        raise RuntimeError('boom')\n"
        "app = Boom(replay=None)\n"
        "sys.exit(appmod._run(app))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**env(), "TERM": "dumb"}, timeout=60,
                          cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
