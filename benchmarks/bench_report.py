"""`tabletop report`: time to render a log's after-action report, by the log's length, to show it is linear.

Prints figures; asserts nothing. For synthetic logs of many short turns
(about 18 events a turn: the case that was quadratic, every event scanned once
per turn), the log is read and replayed once as `tabletop report` does, then
the Markdown and the HTML report are each rendered and timed (best of 3).
A linear report costs the same per event at every size.

Run: python benchmarks/bench_report.py [--sizes 2000,20000,100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,20000,100000")
    args = parser.parse_args()
    import synthetic

    from tabletop import log as logmod
    from tabletop import report
    from tabletop.loading import load_scenario
    from tabletop.session import Session

    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            log = synthetic.write_log(Path(tmp), size)
            scenario, rules = load_scenario(next(Path(tmp).glob("synthetic-*.yaml")))
            contents = logmod.read(log)
            session = Session.replay(contents, scenario, rules)
            figures = []
            for fmt in report.FORMATS:
                best = float("inf")
                for _ in range(3):
                    start = time.perf_counter()
                    report.render(session, fmt)
                    best = min(best, time.perf_counter() - start)
                figures.append(best)
            events = len(contents.events)
            md, html = figures
            print(f"report of {events:>7,} events, {len(scenario.turns):,} turns: md {md:7.2f} s, html {html:7.2f} s "
                  f"({1e6 * md / events:.0f} / {1e6 * html / events:.0f} us an event)")


if __name__ == "__main__":
    main()
