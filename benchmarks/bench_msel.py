"""MSEL import and export: time and peak memory for real sizes and for the files import must refuse.

    python benchmarks/bench_msel.py

Each case runs `tabletop msel ...` in a fresh child process, so that its peak
RSS (``ru_maxrss``) and wall time are its own (interpreter start-up and imports
included). The spreadsheets are built first, by tests/msel_files.py, in a child
of their own: a child's peak RSS starts from its parent's at the fork, so the
parent stays small. Prints a table; asserts nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def child(args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MB, exit status and last stderr line of `python -m tabletop ARGS`."""
    code = (
        "import resource, sys, time\n"
        "from tabletop import cli\n"
        "t = time.perf_counter()\n"
        "rc = cli.main(sys.argv[1:])\n"
        "wall = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(f'{wall} {rss / 1024 / 1024 if sys.platform == \"darwin\" else rss / 1024} {rc}', file=sys.stdout)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    wall, rss, rc = done.stdout.split()[-3:]
    last = (done.stderr.strip().splitlines() or [""])[-1]
    return float(wall), float(rss), int(rc), last


def build(d: Path) -> None:
    from tabletop.msel import sheets
    from tests import msel_files as files

    flood = files.flood_workbook(d / "flood.xlsx")
    rows: list = []
    types = ["Inject", "Simulation", "Player Action", "Contingency", "Controller Action", "Actor Action"]
    start = dt.datetime(2025, 5, 14, 8, 0)
    for n in range(1, 1001):
        when = start + dt.timedelta(minutes=5 * n)
        rows.append([n, when, types[n % len(types)], "Email", "SimCell", ["County EOC", "PIO", "Public Works"][n % 3],
                     f"Event {n}: the river rises another few inches and a caller reports water in basement number {n}.",
                     "EOC tracks it", "J. Smith", "note"])
        if n % 100 == 0:
            rows.extend([files.PHASE, f"Phase {n // 100 + 1}"])
    files.workbook(d / "thousand.xlsx", [{"name": "MSEL", "header": files.FLOOD_HEADER, "rows": rows}])
    part = files.sheet_part(flood, "MSEL")
    files.replace_part(flood, d / "big.xlsx", part, stream=files.big_sheet_rows(100_000))
    files.replace_part(flood, d / "bomb.xlsx", part, stream=files.zeros(sheets.MAX_PART_BYTES + (1 << 20)))
    files.replace_part(flood, d / "huge.xlsx", part, stream=files.zeros(sheets.MAX_PART_BYTES - (1 << 20)))
    files.write_csv(d / "big.csv", [["Event #", "Time", "Event Description"]] + [[n, "0900", f"Event {n}"] for n in range(1, 100_001)])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        subprocess.run([sys.executable, __file__, "--build", tmp], check=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        out = str(d / "out.yaml")
        size = {p.name: p.stat().st_size for p in d.iterdir()}
        cases = [
            ("import flood.xlsx (12 rows, 2 sheets)", ["msel", "import", str(d / "flood.xlsx"), "-o", out]),
            ("import thousand.xlsx (1,000 events, 10 phases)", ["msel", "import", str(d / "thousand.xlsx"), "-o", out]),
            ("export it as .xlsx", ["msel", "export", out, "-o", str(d / "t.xlsx")]),
            ("export it as .csv", ["msel", "export", out, "-o", str(d / "t.csv")]),
            ("export nea-2024 as .xlsx", ["msel", "export", "nea-2024", "-o", str(d / "nea.xlsx")]),
            (f"refuse a 100,000-row sheet ({size['big.xlsx']:,} B)", ["msel", "import", str(d / "big.xlsx"), "-o", out]),
            (f"refuse a 100,000-row CSV ({size['big.csv']:,} B)", ["msel", "import", str(d / "big.csv"), "-o", out]),
            (f"refuse a zip bomb ({size['bomb.xlsx']:,} B, a 33 MB part)", ["msel", "import", str(d / "bomb.xlsx"), "-o", out]),
            (f"a 31 MB part of spaces, under the cap ({size['huge.xlsx']:,} B)", ["msel", "import", str(d / "huge.xlsx"), "-o", out]),
            ("(validate mini.yaml: the start-up floor)", ["validate", str(ROOT / "tests" / "data" / "mini.yaml")]),
        ]
        print(f"{'case':<58} {'wall s':>7} {'peak MB':>8} {'exit':>4}  last line")
        for label, args in cases:
            wall, rss, rc, last = child(args)
            print(f"{label:<58} {wall:7.2f} {rss:8.1f} {rc:>4}  {last[:100]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        build(Path(sys.argv[2]))
    else:
        main()
