"""``tabletop run SCENARIO --runs K``: statistics on standard output, a progress bar on standard error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent


def test_runs_print_statistics_and_a_progress_bar_without_carriage_returns_into_a_file(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    err = tmp_path / "stderr.txt"
    with open(err, "wb") as stderr:
        done = subprocess.run([sys.executable, "-m", "tabletop", "run", str(MINI), "--runs", "12"], stdout=subprocess.PIPE, stderr=stderr, env=env, timeout=120)
    assert done.returncode == 0
    assert done.stdout.decode().startswith("12 exercises of mini")
    written = err.read_bytes()
    assert b"\r" not in written and b"\x1b" not in written, written  # no redraws, no cursor moves, no colours in a file
    assert b"12/12" in written and written.count(b"\n") == 1  # the finished bar, once
