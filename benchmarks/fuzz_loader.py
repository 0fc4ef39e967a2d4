"""A longer fuzz run of the scenario loader, the rule-module loader and the log reader.

    python benchmarks/fuzz_loader.py --seconds 300 [--seed N] [--only loader|rules|log] [--keep DIR]

Inputs are random text over a wide alphabet (YAML indicators, controls, BOMs,
emoji, any code point), byte and line mutations of the bundled scenarios and
rule modules, structure-aware mutations (parse, replace/drop/rename/wrap a
value, dump, then maybe splice in a tag, an anchor or a stray indicator), and,
for logs, byte mutations of a real log and forged lines whose hash chain is
recomputed. The only acceptable outcomes are success or the documented error
(``InputError`` with ``file:line:col`` problems, ``LogError``,
``ReplayMismatch``), within two seconds. Anything else is a failure: it is
printed with its traceback and the input is saved under --keep. The suite runs
the same kinds of input a few dozen times each (tests/test_hostile.py).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from tabletop import log as logmod  # noqa: E402
from tabletop import model as m  # noqa: E402
from tabletop import runner  # noqa: E402
from tabletop.loading import load_rules, load_scenario  # noqa: E402
from tabletop.session import ReplayMismatch, Session  # noqa: E402
from tabletop.yamlnodes import InputError  # noqa: E402

LOCATED = re.compile(r"^.+:\d+:\d+: \S")
SLOW = 2.0
ALPHABET = list(":-[]{}&*!|>'\"#%@`,?\n\n\n   \t\r\ufeff\x00\x1b\x85\u2028\u00e9\U0001f600") + list("abcxyz0123456789_.")
INTERESTING = [
    "", "~", "null", "yes", "no", "on", "1e309", "-.inf", ".nan", "0x1F", "0o17", "1:20", "2025-02-30", "2025-01-15",
    "9" * 120, "x" * 300, "<<", "=", "!!str", "&a", "*a", "!python/name:os.system", "'", '"', "- ", ": ", "#",
    "dprk", "all", "turn", "\u202e", "\x85", "-1", "0", "99999999999999999999999",
]
SPLICES = [" !!python/name:os.system ", " !!python/object/apply:os.system ['true'] ", " &a ", " *a", " !x ", "\t", "{", "]",
           ": ", "\x00", "\ufeff", " <<: ", "%TAG ! tag:x\n", "---\n", " ? ", " | ", "\\"]
BYTES = [b"\n", b'"', b"{", b"}", b",", b":", b"0", b"9", b" ", b"\\", b"\x00", b"\xff", b"\xc3", b"a", b"-", b"[", b"]"]


class Fuzzer:
    def __init__(self, rng: random.Random, work: Path, keep: Path):
        self.rng = rng
        self.work = work
        self.keep = keep
        self.rules = load_rules()
        self.scenarios = [ROOT / "scenarios" / "nea-2024.yaml", ROOT / "scenarios" / "nll-2025.yaml", ROOT / "tests" / "data" / "mini.yaml"]
        self.texts = [p.read_text() for p in self.scenarios]
        self.rules_copy = work / "rules"
        shutil.copytree(ROOT / "rules", self.rules_copy)
        self.rule_files = sorted(self.rules_copy.rglob("*.yaml"))
        self.nea = load_scenario(self.scenarios[0])
        self.log = self._real_log()
        self.tried: collections.Counter[str] = collections.Counter()
        self.failures: list[tuple[str, str, Path]] = []
        self.slowest = (0.0, "")

    def _real_log(self) -> bytes:
        scenario, rules = self.nea
        path = self.work / "real.jsonl"
        session = Session.new(scenario, rules, seed=4, log_path=path, fsync=False)
        session.note("A note.", seat="us")
        session.release_adhoc("Ad hoc", "Text.", facts=[m.Fact(kind="incident", by="dprk", target="rok", location="yeonpyeong")], tension=1)
        session.override("tension", 3, "Judgement.")
        runner.finish(session)
        return path.read_bytes()

    # ------------------------------------------------------------ inputs
    def value(self, depth: int = 0):
        r = self.rng
        kind = r.randrange(10 if depth < 2 else 8)
        if kind == 0:
            return None
        if kind == 1:
            return r.choice([True, False])
        if kind == 2:
            return r.randint(-(10 ** r.randint(0, 30)), 10 ** r.randint(0, 30))
        if kind == 3:
            return r.choice([r.random(), float("inf"), float("nan"), -0.0])
        if kind in (4, 5):
            return r.choice(INTERESTING)
        if kind == 6:
            return "".join(r.choice(ALPHABET) for _ in range(r.randint(0, 12)))
        if kind == 7:
            return dt.date(r.randint(1, 9999), r.randint(1, 12), r.randint(1, 28))
        if kind == 8:
            return [self.value(depth + 1) for _ in range(r.randint(0, 3))]
        return {self.rng.choice(INTERESTING + ["id", "title", "kind", "by"]): self.value(depth + 1) for _ in range(r.randint(0, 3))}

    def paths(self, data, prefix=()):
        yield prefix
        if isinstance(data, dict):
            for key, value in data.items():
                yield from self.paths(value, (*prefix, key))
        elif isinstance(data, list):
            for index, value in enumerate(data):
                yield from self.paths(value, (*prefix, index))

    def mutate_tree(self, tree, steps: int):
        r = self.rng
        for _ in range(steps):
            where = r.choice(list(self.paths(tree))[1:] or [()])
            if not where:
                return self.value()
            parent = tree
            for step in where[:-1]:
                parent = parent[step]
            last = where[-1]
            op = r.choice(["replace", "replace", "drop", "rename", "wrap", "copy"])
            if op == "replace":
                parent[last] = self.value()
            elif op == "drop":
                del parent[last]
            elif op == "rename" and isinstance(parent, dict):
                parent[r.choice(INTERESTING)] = parent.pop(last)
            elif op == "wrap":
                parent[last] = [parent[last]] if r.random() < 0.5 else {"x": parent[last]}
            elif op == "copy" and isinstance(parent, list):
                parent.append(parent[last])
        return tree

    def splice(self, text: str) -> str:
        lines = text.splitlines() or [""]
        for _ in range(self.rng.randint(1, 3)):
            i = self.rng.randrange(len(lines))
            cut = self.rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:cut] + self.rng.choice(SPLICES) + lines[i][cut:]
        return "\n".join(lines)

    def mutate_bytes(self, data: bytes) -> bytes:
        blob = bytearray(data)
        for _ in range(self.rng.randint(1, 5)):
            if not blob:
                break
            at = self.rng.randrange(len(blob))
            op = self.rng.choice(["flip", "set", "insert", "delete", "truncate", "duplicate"])
            if op == "flip":
                blob[at] ^= 1 << self.rng.randrange(8)
            elif op == "set":
                blob[at : at + 1] = self.rng.choice(BYTES)
            elif op == "insert":
                blob[at:at] = self.rng.choice(BYTES)
            elif op == "delete":
                del blob[at : at + self.rng.randint(1, 60)]
            elif op == "truncate":
                del blob[at:]
            else:
                end = min(len(blob), at + self.rng.randint(1, 200))
                blob[at:at] = blob[at:end]
        return bytes(blob)

    def mutate_lines(self, text: str) -> str:
        lines = text.splitlines()
        for _ in range(self.rng.randint(1, 4)):
            if not lines:
                break
            i = self.rng.randrange(len(lines))
            op = self.rng.choice(["drop", "dup", "cut", "swap", "indent", "dedent"])
            if op == "drop":
                del lines[i]
            elif op == "dup":
                lines.insert(i, lines[i])
            elif op == "cut":
                lines[i] = lines[i][: self.rng.randint(0, len(lines[i]))]
            elif op == "swap":
                j = self.rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "indent":
                lines[i] = "  " + lines[i]
            else:
                lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i]
        return "\n".join(lines) + "\n"

    def scenario_input(self) -> bytes:
        r = self.rng
        text = r.choice(self.texts)
        kind = r.randrange(5)
        if kind == 0:
            return "".join(r.choice(ALPHABET) if r.random() < 0.7 else chr(r.randrange(0x110000)) for _ in range(r.randint(0, 400))).encode("utf-8", "surrogatepass")
        if kind == 1:
            return self.mutate_bytes(text.encode())
        if kind == 2:
            return self.mutate_lines(text).encode()
        tree = self.mutate_tree(yaml.safe_load(text), r.randint(1, 5))
        dumped = yaml.safe_dump(tree, allow_unicode=r.random() < 0.5, default_flow_style=r.choice([None, True, False]), width=r.choice([80, 10_000]))
        if kind == 4:
            dumped = self.splice(dumped)
        return dumped.encode("utf-8", "surrogatepass")

    # -------------------------------------------------------------- runs
    def check(self, what: str, data: bytes, run) -> None:
        self.tried[what] += 1
        started = time.perf_counter()
        try:
            run()
        except InputError as exc:
            for problem in exc.problems:
                if not LOCATED.match(str(problem)) or problem.line < 1 or problem.col < 1 or "\n" in str(problem):
                    self.fail(what, data, f"badly placed problem: {str(problem)[:200]!r}")
                    break
        except (logmod.LogError, ReplayMismatch):
            pass
        except Exception:
            self.fail(what, data, traceback.format_exc())
        seconds = time.perf_counter() - started
        if seconds > self.slowest[0]:
            self.slowest = (seconds, what)
        if seconds > SLOW:
            self.fail(what, data, f"took {seconds:.1f} s")

    def fail(self, what: str, data: bytes, message: str) -> None:
        self.keep.mkdir(parents=True, exist_ok=True)
        kept = self.keep / f"{what}-{len(self.failures) + 1}{'.jsonl' if what == 'log' else '.yaml'}"
        kept.write_bytes(data)
        self.failures.append((what, message, kept))

    def loader(self) -> None:
        data = self.scenario_input()
        path = self.work / "fuzz.yaml"
        path.write_bytes(data)
        self.check("loader", data, lambda: load_scenario(path, self.rules))

    def rules_module(self) -> None:
        target = self.rng.choice(self.rule_files)
        original = target.read_bytes()
        r = self.rng
        if r.random() < 0.5:
            tree = self.mutate_tree(yaml.safe_load(original), r.randint(1, 3))
            data = yaml.safe_dump(tree, allow_unicode=True).encode("utf-8", "surrogatepass")
        else:
            data = self.mutate_lines(original.decode()).encode()
        target.write_bytes(data)
        try:
            self.check("rules", data, lambda: load_rules(self.rules_copy))
        finally:
            target.write_bytes(original)

    def log_input(self) -> None:
        scenario, rules = self.nea
        r = self.rng
        if r.random() < 0.5:
            data = self.mutate_bytes(self.log)
        else:
            records = [json.loads(line) for line in self.log.split(b"\n")[:-1]]
            records = records[: r.randint(1, len(records))]
            for _ in range(r.randint(1, 2)):
                record = r.choice(records)
                key = r.choice(sorted(record))
                inner = record[key]
                if isinstance(inner, dict) and inner and r.random() < 0.5:
                    inner[r.choice(sorted(inner))] = self.json_value()
                elif r.random() < 0.2:
                    del record[key]
                else:
                    record[key] = self.json_value()
            lines = [logmod.encode(records[0])]
            for event in records[1:]:
                event["prev"] = logmod.digest(lines[-1])
                lines.append(logmod.encode(event))
            data = b"\n".join(lines) + b"\n"
        path = self.work / "fuzz.jsonl"
        path.write_bytes(data)
        self.check("log", data, lambda: Session.replay(logmod.read(path), scenario, rules))

    def json_value(self):
        value = self.value()
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            return str(value)
        return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to fuzz (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock, printed)")
    parser.add_argument("--only", choices=["loader", "rules", "log"], help="fuzz one target only")
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"), help="where failing inputs are saved")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    with tempfile.TemporaryDirectory(prefix="tabletop-fuzz-") as tmp:
        fuzzer = Fuzzer(random.Random(seed), Path(tmp), args.keep)
        runs = {"loader": fuzzer.loader, "rules": fuzzer.rules_module, "log": fuzzer.log_input}
        weights = {"loader": 6, "rules": 1, "log": 3}
        names = [args.only] if args.only else list(runs)
        started = time.monotonic()
        while time.monotonic() - started < args.seconds:
            runs[fuzzer.rng.choices(names, [weights[n] for n in names])[0]]()
        elapsed = time.monotonic() - started
    total = sum(fuzzer.tried.values())
    detail = ", ".join(f"{name} {count:,}" for name, count in sorted(fuzzer.tried.items()))
    print(f"seed {seed}: tried {total:,} inputs in {elapsed:.0f} s ({detail}); slowest {fuzzer.slowest[0] * 1000:.0f} ms ({fuzzer.slowest[1]})")
    if not fuzzer.failures:
        print("no failures: every input loaded or was refused with the documented error")
        return 0
    print(f"{len(fuzzer.failures)} failure(s):")
    for what, message, kept in fuzzer.failures[:20]:
        print(f"--- {what}, input saved as {kept}\n{message.rstrip()}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
