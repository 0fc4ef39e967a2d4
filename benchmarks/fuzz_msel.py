"""Fuzz `tabletop msel import`: mutated workbooks and random CSV sheets must give a result or a clear refusal.

    python benchmarks/fuzz_msel.py [--runs 600] [--seed 7]

Workbooks: the flood workbook of tests/msel_files.py with random bytes changed,
or rebuilt with parts damaged (XML metacharacters, NULs) or dropped. CSVs:
random headers from the synonym table over random cells (times, event types,
formulas, YAML). An outcome is exit 0 or 1 with no traceback; anything raised
is printed and counted. Prints the counts; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import random
import sys
import tempfile
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADERS = ["Event #", "Time", "Event Type", "To", "Event Description", "Notes", "Phase", "Inject ID", "Facts", "Scenario", "Turn",
           "Source", "", "Hypothetical", "Date", "Expected Player Action"]
CELLS = ["", "0900", "T+00:30", "Inject", "Contingency", "Player Action", "Controller Action", "all", "EOC", "x", "=1+1", "'=", "Day 2",
         "31/10/2024", "10/31/2024", "45596.3", "0.5", "-", "[{kind: threat}]", "{tension: 1}", "nea-2024", "mini", "1", "2", "Phase 2",
         "yes", "maybe", "\u00e9", "a, b; c", "Hypothetical: x", "Module 1", "ref-treaties", "&a", "*b", "!!python/object:os.system"]


def run(args: list[str]) -> int | str:
    from tabletop import cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(args)
    if "Traceback" in err.getvalue():
        return "traceback"
    return code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    from tests import msel_files as files

    rng = random.Random(options.seed)
    outcomes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        flood = files.flood_workbook(d / "flood.xlsx")
        original = flood.read_bytes()
        with zipfile.ZipFile(flood) as archive:
            parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
        for n in range(options.runs):
            kind = ("bytes", "parts", "csv")[n % 3]
            target = d / ("fz.csv" if kind == "csv" else "fz.xlsx")
            if kind == "bytes":
                data = bytearray(original)
                for _ in range(rng.randint(1, 20)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
                target.write_bytes(bytes(data))
            elif kind == "parts":
                with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
                    for name, body in parts.items():
                        if rng.random() < 0.05:
                            continue
                        damaged = bytearray(body)
                        if rng.random() < 0.3 and damaged:
                            for _ in range(rng.randint(1, 5)):
                                damaged[rng.randrange(len(damaged))] = rng.choice(b"<>&\"'x0 \x00")
                        out.writestr(name, bytes(damaged))
            else:
                rows = [[rng.choice(HEADERS) for _ in range(rng.randint(1, 8))]]
                rows += [[rng.choice(CELLS) for _ in range(rng.randint(0, 9))] for _ in range(rng.randint(0, 8))]
                with target.open("w", encoding="utf-8", newline="") as f:
                    csv.writer(f).writerows(rows)
            args = ["msel", "import", str(target), "-o", str(d / "out.yaml"), "--start", "2025-01-01"]
            if kind == "csv" and rng.random() < 0.3:
                args += ["--scenario", str(ROOT / "tests" / "data" / "mini.yaml")]
            try:
                outcome = str(run(args))
            except Exception:
                outcome = "raised"
                traceback.print_exc()
            key = f"{kind}: {outcome}"
            outcomes[key] = outcomes.get(key, 0) + 1
    for key, count in sorted(outcomes.items()):
        print(f"{key:<24} {count}")


if __name__ == "__main__":
    main()
