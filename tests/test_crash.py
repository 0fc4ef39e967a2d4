"""Crashes: SIGKILL a running exercise at random moments and prove that nothing acknowledged is lost.

The property, for every kill: the log's complete lines are a byte prefix of the
log an uninterrupted run with the same seed writes (so every acknowledged
event is there, exactly as it would have been, and stays there through later
crashes); what is there verifies (``tabletop verify``, exit 0, a torn last
line dropped with a warning); and ``tabletop run SCENARIO --log PATH
--resume`` carries on to a finished log that is byte for byte the
uninterrupted one. Kills also land while a resume is itself running.

The processes are the real command line (``python -m tabletop``), so the log
is written with an fsync per event as in use. Kill moments are seeded: each
kill waits for a random number of complete lines and then a random fraction
of a millisecond (writing a whole exercise takes only tens of milliseconds
after a startup of a few hundred), and some kills come at a random delay
from the start, which may fall before the log exists.

The in-process tests below do the same at every line boundary, exhaustively
and fast, with a torn fragment of the next line added.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tabletop import log as logmod
from tabletop import runner
from tabletop.loading import load_scenario
from tabletop.session import DERIVED, Session

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
NEA = ROOT / "scenarios" / "nea-2024.yaml"
CLI = [sys.executable, "-m", "tabletop"]


def tabletop(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def complete(data: bytes) -> bytes:
    """The part of a log a reader trusts: up to the end of its last whole line."""
    return data[: data.rfind(b"\n") + 1]


def stops_inside_a_command(good: bytes, reference: bytes) -> bool:
    """Whether the next line of the uninterrupted log is an event the last command set off."""
    lines = reference.split(b"\n")
    count = good.count(b"\n")
    if count >= len(lines) - 1:
        return False
    return json.loads(lines[count]).get("type") in DERIVED


# ---------------------------------------------------------------- SIGKILL


@dataclass
class Crashes:
    kills: int = 0
    during_resume: int = 0
    before_header: int = 0
    torn: int = 0
    inside_command: int = 0
    verified: int = 0
    finished: int = 0


def lines_in(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def kill_at_random(proc: subprocess.Popen, path: Path, rng: random.Random, have: int, total: int) -> bool:
    """SIGKILL ``proc`` at a random moment; False if it finished first."""
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.35))  # anywhere, startup and replay included
    else:
        target = rng.randint(have, max(have, total - 1))
        deadline = time.monotonic() + 30
        while proc.poll() is None and lines_in(path) < target and time.monotonic() < deadline:
            time.sleep(0.0002)
        time.sleep(rng.uniform(0.0, 0.0015))
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return True


def crash_and_resume(tmp_path: Path, scenario: str, loaded, seed: int, reference: bytes, rng: random.Random,
                     kills: int, crashes: Crashes) -> None:
    """Start an exercise, kill it (and the resumes) ``kills`` times, resume it to the end."""
    path = tmp_path / "ex.jsonl"
    if path.exists():
        path.unlink()
    total = reference.count(b"\n")
    acknowledged = b""
    done = 0
    while True:
        resuming = path.exists()
        args = ["run", scenario, "--log", str(path)] + (["--resume"] if resuming else ["--seed", str(seed)])
        proc = subprocess.Popen([*CLI, *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        killed = done < kills and kill_at_random(proc, path, rng, acknowledged.count(b"\n"), total)
        out, err = proc.communicate(timeout=120)
        if not killed:
            assert proc.returncode == 0, f"{' '.join(args)}: {out}{err}"
            break
        done += 1
        crashes.kills += 1
        crashes.during_resume += resuming
        data = path.read_bytes() if path.exists() else b""
        good = complete(data)
        # Nothing acknowledged is lost, and what is there is what an uninterrupted run writes.
        assert good.startswith(acknowledged), "a crash lost lines that were complete before it"
        assert reference.startswith(good), "the killed log is not a prefix of the uninterrupted one"
        acknowledged = good
        if not good:
            # Killed before the header was whole: the log is created all at once, so there is none.
            assert not path.exists(), f"a log without a whole header was left behind: {data!r}"
            assert not resuming
            crashes.before_header += 1
            continue
        crashes.torn += len(data) > len(good)
        inside = stops_inside_a_command(good, reference)
        crashes.inside_command += inside
        copy = tmp_path / "killed.jsonl"
        copy.write_bytes(data)
        if inside:
            # Verify cannot tell such a log from one whose last line was edited: it names the line.
            result = tabletop("verify", str(copy), cwd=tmp_path)
            assert result.returncode == 1 and "FAIL" in result.stdout and "Traceback" not in result.stderr, result.stdout
            assert logmod.read(copy).good_bytes == len(good)  # the chain holds
            continue  # --resume writes the events the command still owes, then carries on
        contents = logmod.read(copy)  # what verify does, in process: chain, then replay
        assert bool(contents.warnings) == (len(data) > len(good))
        Session.replay(contents, *loaded)
        if crashes.kills % 3 == 1:  # and the command itself, now and then
            result = tabletop("verify", str(copy), cwd=tmp_path)
            assert result.returncode == 0 and result.stdout.startswith("ok "), result.stdout + result.stderr
        crashes.verified += 1
    assert path.read_bytes() == reference, "the resumed log differs from the uninterrupted run"
    final = tabletop("verify", str(path), cwd=tmp_path)
    assert final.returncode == 0 and "ended" in final.stdout, final.stdout + final.stderr
    crashes.finished += 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenario", "seed", "kills", "rng_seed"),
    [("nea-2024", 7, 13, 20241031), (str(MINI), 3, 9, 20250111)],
    ids=["nea-2024", "mini"],
)
def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path, scenario, seed, kills, rng_seed):
    started = time.monotonic()
    reference_path = tmp_path / "reference.jsonl"
    result = tabletop("run", scenario, "--seed", str(seed), "--log", str(reference_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    reference = reference_path.read_bytes()
    again = tmp_path / "again.jsonl"
    assert tabletop("run", scenario, "--seed", str(seed), "--log", str(again), cwd=tmp_path).returncode == 0
    assert again.read_bytes() == reference, "two uninterrupted runs with the same seed differ"

    loaded = load_scenario(NEA if scenario == "nea-2024" else scenario)
    rng = random.Random(rng_seed)
    crashes = Crashes()
    rounds = 0
    while crashes.kills < kills or crashes.during_resume < 3:
        rounds += 1  # each round kills two or three times, unless the process keeps finishing first
        assert rounds <= 4 * kills, f"the kills keep missing: {crashes} after {rounds - 1} rounds"
        crash_and_resume(tmp_path, scenario, loaded, seed, reference, rng, rng.choice([2, 3]), crashes)
    assert crashes.kills >= kills and crashes.during_resume >= 3, crashes
    print(f"{scenario}: {crashes} in {time.monotonic() - started:.1f} s")


# ------------------------------------------------- every line boundary, in process


@pytest.fixture(scope="module", params=["nea-2024", "mini"])
def uninterrupted(request, tmp_path_factory):
    path = NEA if request.param == "nea-2024" else MINI
    scenario, rules = load_scenario(path)
    log = tmp_path_factory.mktemp("ref") / "ref.jsonl"
    runner.play(scenario, rules, seed=5, log_path=log, fsync=False)
    return scenario, rules, log.read_bytes()


def cut_points(reference: bytes, inside: bool) -> list[int]:
    ends = [i + 1 for i, byte in enumerate(reference) if byte == 0x0A][:-1]
    return [end for end in ends if stops_inside_a_command(reference[:end], reference) == inside]


def resume_from(tmp_path: Path, scenario, rules, reference: bytes, end: int, replay: bool = True) -> bytes:
    """Cut the log after ``end`` bytes, add a torn piece of the next line, verify, resume."""
    torn = reference[end : end + max(1, (reference.index(b"\n", end) - end) // 2)]
    path = tmp_path / "cut.jsonl"
    path.write_bytes(reference[:end] + torn)
    contents = logmod.read(path)
    assert contents.warnings and "torn" in contents.warnings[0]
    assert contents.good_bytes == end
    if replay:
        Session.replay(contents, scenario, rules)
    runner.resume(path, scenario, rules, fsync=False)
    return path.read_bytes()


def test_resume_from_every_command_boundary(tmp_path, uninterrupted):
    scenario, rules, reference = uninterrupted
    ends = cut_points(reference, inside=False)
    assert len(ends) > 30
    for end in ends:
        assert resume_from(tmp_path, scenario, rules, reference, end) == reference, f"cut after byte {end}"


def test_resume_from_inside_a_command(tmp_path, uninterrupted):
    scenario, rules, reference = uninterrupted
    ends = cut_points(reference, inside=True)
    assert ends, "expected commands that set off further events (obligations, answers)"
    for end in ends:
        resumed = resume_from(tmp_path, scenario, rules, reference, end, replay=False)
        assert resumed == reference, f"cut after byte {end}"


# ------------------------------------------------------------- creating the log


@pytest.mark.slow
@pytest.mark.parametrize("where", ["write", "fsync", "link"])
def test_a_crash_while_creating_the_log_leaves_no_log(tmp_path, where):
    """The header is written aside and linked into place: no empty or half-header log is ever seen."""
    path = tmp_path / "ex.jsonl"
    script = (
        "import os, signal\n"
        "from tabletop import log\n"
        f"real = os.{where}\n"
        "def die(*args):\n"
        "    if os.path.basename(str(args[0])).startswith('.') or isinstance(args[0], int):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(*args)\n"
        f"os.{where} = die\n"
        f"log.Writer.create({str(path)!r}, {{'scenario': 'mini', 'seed': 1}})\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert not path.exists()
    assert tabletop("run", str(MINI), "--log", str(path), "--resume", cwd=tmp_path).returncode == 2
    result = tabletop("run", str(MINI), "--seed", "1", "--log", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert tabletop("verify", str(path), cwd=tmp_path).returncode == 0


def test_resume_without_a_log_says_so(tmp_path):
    result = tabletop("run", str(MINI), "--log", str(tmp_path / "none.jsonl"), "--resume", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot resume" in result.stderr and "Traceback" not in result.stderr
