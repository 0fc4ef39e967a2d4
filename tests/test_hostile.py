"""Hostile files: refused fast, in bounded memory, with file:line:col; never executed; logs that lie are caught.

Scenario and rule files are data a facilitator may download from anyone; an
exercise log may be edited by anyone who wants a different outcome on record.
Every case here must end in a clear ``file:line:col: message`` (or, for logs,
a ``LogError``/``ReplayMismatch`` naming the line) after little work (the
parser events read before the refusal are counted: a hostile file is refused
where its trouble starts, not after the whole of it is built) and well under
100 MB, and never in any other exception.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop import cli, runner, yamlnodes
from tabletop import log as logmod
from tabletop import model as m
from tabletop.loading import load_rules, load_scenario
from tabletop.session import ReplayMismatch, Session
from tabletop.yamlnodes import InputError

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
NEA = ROOT / "scenarios" / "nea-2024.yaml"
MINI_TEXT = MINI.read_text()
WORK = 200  # parser events: every hostile case here is refused within its first few values
PEAK = 100 * 1024 * 1024
LOCATED = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>\S.*)$")
EXAMPLES = int(os.environ.get("TABLETOP_FUZZ_EXAMPLES", "60"))  # raise it to fuzz harder
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def refused(path: Path, rules=None) -> tuple[str, int, int]:
    """Load ``path``; it must be refused: (first problem, parser events read, peak traced bytes)."""
    read = 0
    events = yamlnodes._events

    def counted(loader):
        nonlocal read
        for event in events(loader):
            read += 1
            yield event

    tracemalloc.start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(yamlnodes, "_events", counted)
            with pytest.raises(InputError) as info:
                load_scenario(path, rules)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    first = str(info.value.problems[0])
    match = LOCATED.match(first)
    assert match, f"not file:line:col: message: {first[:200]!r}"
    assert match["path"] == str(path)
    assert "\n" not in first and len(first) < len(str(path)) + 1100, "one short line per problem"
    for problem in info.value.problems:
        assert problem.line >= 1 and problem.col >= 1
    return first, read, peak


def write(tmp_path: Path, data: bytes | str, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# --------------------------------------------------------- size, depth, aliases

BILLION_LAUGHS = "lol0: &a0 lol\n" + "".join(
    f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 10)
)

HOSTILE = {
    "billion-laughs": (BILLION_LAUGHS, r":1:7: anchors \(&a0\) are not supported"),
    "alias-only": ("a: *nowhere\n", r":1:4: anchors and aliases \(\*nowhere\) are not supported"),
    "merge-key-bomb": ("base: {a: 1}\nx:\n  <<: &m {b: 2}\n  c: 3\n", r":3:7: anchors \(&m\) are not supported"),
    "deep-flow": ("a: " + "[" * 100_000, r":1:\d+: (nested more than 48 levels deep|YAML syntax: exceeded maximum nesting depth)"),
    "deep-block-map": ("".join("  " * i + "k:\n" for i in range(2_000)), r":49:\d+: nested more than 48 levels deep"),
    "deep-block-seq": ("- " * 100_000 + "x\n", r":1:97: nested more than 48 levels deep"),
    "deep-mixed": ("{a: [" * 50_000, r":1:\d+: (nested more than 48 levels deep|YAML syntax)"),
    "huge-scalar": ("id: mini\ntitle: " + "a" * 7_000_000 + "\n", r":2:8: a value of 7,000,000 characters; the limit is 100,000"),
    "huge-quoted": ('id: mini\ntitle: "' + "ab " * 2_000_000 + '"\n', r":2:8: a value of 6,000,000 characters"),
    "huge-key": ("? " + "k" * 3_000_000 + "\n: v\n", r":1:3: a value of 3,000,000 characters"),
    "huge-int": ("turn: " + "9" * 5_000_000 + "\n", r":1:7: a value of 5,000,000 characters"),
    "base-60-int": ("turn: " + "1:2" * 2_000_000 + "\n", r":1:7: a value of 6,000,000 characters"),
    "two-documents": ("a: 1\n---\nb: 2\n", r":2:1: expected one YAML document"),
    "nul": (b"id: mini\ntitle: ab\x00cd\n", r":2:10: character U\+0000 is not allowed in YAML"),
    "escape-char": (b"id: mini\n\x1b[2Jtitle: x\n", r":2:1: character U\+001B is not allowed"),
    "invalid-utf8": (b"id: mini\ntitle: caf\xc3\n", r":2:11: invalid UTF-8 \(byte 0xc3\)"),
    "overlong-utf8": (b"id: mini\ntitle: \xc0\xaf\n", r":2:8: invalid UTF-8 \(byte 0xc0\)"),
    "utf8-surrogate": (b"id: mini\n  \xed\xa0\x80: 1\n", r":2:3: invalid UTF-8 \(byte 0xed\)"),
    "utf16-bom": ("id: mini\n".encode("utf-16"), r":1:1: invalid UTF-8 \(byte 0xff\)"),
    "utf32-bom": ("id: mini\n".encode("utf-32"), r":1:1: invalid UTF-8 \(byte 0xff\)"),
    "bom-mid-file": ("id: mini\n\ufeffturns: []\n".encode(), r":2:\d+: YAML syntax"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_yaml_is_refused_fast_in_bounded_memory(tmp_path, rules, case):
    text, expected = HOSTILE[case]
    path = write(tmp_path, text)
    first, events, peak = refused(path, rules)
    assert re.search(expected, first), first
    assert events <= WORK, f"{case}: {events} parser events before the refusal"
    assert peak < PEAK, f"{case}: {peak / 1e6:.0f} MB"


def test_a_file_over_8_mb_is_refused_before_it_is_read(tmp_path, rules):
    path = write(tmp_path, "# padding\n" * 900_000)  # 9 MB of valid YAML
    first, events, peak = refused(path, rules)
    assert first.endswith(":1:1: file is 9,000,000 bytes; the limit is 8,388,608")
    assert events == 0 and peak < 3 * yamlnodes.MAX_BYTES
    sparse = tmp_path / "sparse.yaml"  # 4 GB that would not fit in memory; only the cap is read
    with open(sparse, "wb") as handle:
        handle.truncate(4 * 1024**3)
    first, events, peak = refused(sparse, rules)
    assert first.endswith(":1:1: file is 4,294,967,296 bytes; the limit is 8,388,608")
    assert events == 0 and peak < PEAK, f"{peak / 1e6:.0f} MB"


def test_the_value_cap_is_checked_as_values_arrive(tmp_path, rules, monkeypatch):
    """A file of millions of tiny values stops at MAX_NODES (here lowered so the test is quick)."""
    monkeypatch.setattr(yamlnodes, "MAX_NODES", 5_000)
    path = write(tmp_path, "[" + "1," * 20_000 + "1]\n")
    first, events, peak = refused(path, rules)
    assert re.search(r":1:\d+: more than 5,000 values", first)
    assert events <= 5_000 + 10, "stopped at the cap, not at the end of the file"


def test_a_leading_utf8_bom_is_accepted_and_positions_stay_right(tmp_path, rules):
    """An editor's UTF-8 byte order mark is not hostile: the file loads, and problems keep their columns."""
    path = write(tmp_path, b"\xef\xbb\xbf" + MINI_TEXT.encode())
    scenario, _ = load_scenario(path, rules)
    assert scenario.id == "mini"
    path = write(tmp_path, b"\xef\xbb\xbf" + MINI_TEXT.replace("id: mini", "id: Mini!", 1).encode())
    first, _, _ = refused(path, rules)
    assert ":1:5: expected an id" in first


def test_long_values_are_quoted_short_in_messages(tmp_path, rules):
    text = MINI_TEXT.replace("turn: 1\n", "turn: " + "7" * 5_000 + "\n", 1)  # over Python's int-string limit
    first, _, _ = refused(write(tmp_path, text), rules)
    assert "expected a whole number for turn, got '77777" in first and "(5,000 characters)" in first
    text = MINI_TEXT.replace("id: mini", "id: " + "X" * 90_000, 1)
    first, _, _ = refused(write(tmp_path, text), rules)
    assert len(first) < 1_100 and "characters in all" in first


@pytest.mark.parametrize("tagged", ["!!bool maybe", "!!int", "!!float", "!!timestamp someday", "!!int 0x", "!!null x"])
def test_an_explicit_tag_on_a_value_it_does_not_fit_is_a_problem_not_a_crash(tmp_path, rules, tagged):
    text = MINI_TEXT.replace("turn: 1\n", f"turn: {tagged}\n", 1)
    first, _, _ = refused(write(tmp_path, text), rules)
    assert "expected a whole number for turn" in first or "not allowed" in first


# -------------------------------------------------------------- never executed

PAYLOADS = {
    "apply": "!!python/object/apply:os.system ['touch {marker}']",
    "new": "!!python/object/new:os.system ['touch {marker}']",
    "name": "!!python/name:os.system",
    "module": "!!python/module:os",
    "object": "!!python/object:subprocess.Popen {{args: ['touch', '{marker}']}}",
    "verbatim": "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    "custom": "!marker touch {marker}",
    "local": "!touch '{marker}'",
    "binary": "!!binary dG91Y2g=",
    "set": "!!set {{a, b}}",
}


def payload(kind: str, marker: Path) -> str:
    return PAYLOADS[kind].format(marker=marker)


def test_the_payloads_are_live(tmp_path):
    """Sanity: PyYAML's unsafe loader does run the first payload, so the next tests would see a marker."""
    marker = tmp_path / "ran"
    yaml.unsafe_load("a: " + payload("apply", marker))
    assert marker.exists()


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
@pytest.mark.parametrize("where", ["value", "key", "root", "seq", "directive"])
def test_tags_never_run_code(tmp_path, rules, kind, where):
    marker = tmp_path / "ran"
    tagged = payload(kind, marker)
    if where == "value":
        text = MINI_TEXT.replace('title: "Mini', f"title: {tagged}\nx: \"Mini", 1)
    elif where == "key":
        text = f"? {tagged}\n: 1\n" + MINI_TEXT
    elif where == "root":
        text = tagged + "\n"
    elif where == "seq":
        text = MINI_TEXT.replace("tags: [diplomacy]", f"tags: [diplomacy, {tagged}]", 1)
    else:  # a %TAG directive that abbreviates the python tags
        short = tagged.replace("!!python/", "!p!").replace("!<tag:yaml.org,2002:python/", "!p!").replace("> ", " ")
        text = "%TAG !p! tag:yaml.org,2002:python/\n---\n" + MINI_TEXT.replace('title: "Mini', f"title: {short}\nx: \"Mini", 1)
    assert text != MINI_TEXT
    path = write(tmp_path, text)
    first, events, _ = refused(path, rules)
    assert "not allowed" in first or "YAML syntax" in first, first
    assert events < sum(1 for _ in yaml.parse(MINI_TEXT)), "refused where the tag stands, not after the whole file"
    assert not marker.exists(), "a tag ran code"


def test_no_command_runs_code_from_a_file(tmp_path):
    """validate, resolve, run and a scenario's own rules folder, through the real command line."""
    marker = tmp_path / "ran"
    apply = payload("apply", marker)
    scenario = write(tmp_path, MINI_TEXT.replace('title: "Mini', f"title: {apply}\nx: \"Mini", 1), "s.yaml")
    facts = write(tmp_path, f"date: 2025-01-15\nfacts:\n  - {{kind: {apply}}}\n", "facts.yaml")
    rules = tmp_path / "own" / "rules"
    shutil.copytree(ROOT / "rules", rules)
    treaty = rules / "treaties" / "us-rok-1953.yaml"
    treaty.write_text(treaty.read_text().replace("id: us-rok-1953", f"id: us-rok-1953\nnote: {apply}", 1))
    own = write(tmp_path / "own", "rules: rules\n" + MINI_TEXT, "s.yaml")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for args in (["validate", str(scenario)], ["resolve", str(facts)], ["run", str(scenario)], ["validate", str(rules)], ["run", str(own)]):
        result = subprocess.run([sys.executable, "-m", "tabletop", *args], capture_output=True, text=True, timeout=60, env=env)
        assert result.returncode in (1, 2), (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert re.search(r":\d+:\d+: tag '[^']*python/object/apply:os.system' is not allowed", result.stdout + result.stderr), args
    assert not marker.exists()


def test_nothing_in_the_package_evaluates_or_unpickles():
    """The promise rests on this: no eval/exec, no unsafe YAML loader, no pickle, no imports by name."""
    forbidden = re.compile(
        r"\beval\(|\bexec\(|yaml\.load\(|unsafe_load|UnsafeLoader|FullLoader|yaml\.Loader\b|\bpickle\b|"
        r"\bmarshal\b|__import__|importlib|(?<!re\.)\bcompile\(|os\.system|shell=True"
    )
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "tabletop").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if forbidden.search(line)
    ]
    assert not hits, hits


# ------------------------------------------------------------ outside the folder


@pytest.mark.parametrize("target", ["../elsewhere", "../../elsewhere", "sub/../../elsewhere", "ABSOLUTE", "link"])
def test_a_scenario_cannot_use_rules_outside_its_own_folder(tmp_path, target):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "rules", elsewhere)  # real, valid rules: refused for where they are, not what they are
    folder = tmp_path / "a" / "b" if target == "../../elsewhere" else tmp_path / "a"
    folder.mkdir(parents=True)
    (folder / "sub").mkdir()
    if target == "link":
        (folder / "link").symlink_to(elsewhere, target_is_directory=True)
    if target == "ABSOLUTE":
        target = str(elsewhere)
    path = write(folder, f"rules: {target}\n" + MINI_TEXT, "s.yaml")
    first, _, _ = refused(path)
    assert first.startswith(f"{path}:1:8: rules folder ") and "lies outside the scenario's own folder" in first


def test_rules_inside_the_folder_are_used(tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "mine")
    scenario, rules = load_scenario(write(tmp_path, "rules: mine\n" + MINI_TEXT, "s.yaml"))
    assert Path(rules.path).resolve() == (tmp_path / "mine").resolve()


# ------------------------------------------------------------------ loader fuzz

WIDE = st.one_of(
    st.characters(),
    st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?\n\n\n  \t\r\ufeff\x00\x1b\x85\u2028\u00e9\U0001f600")),
)
INTERESTING = [
    "", "~", "null", "yes", "no", "on", "1e309", "-.inf", ".nan", "0x1F", "0o17", "1:20", "2025-02-30", "2025-01-15",
    "9" * 120, "x" * 200, "<<", "=", "!!str", "&a", "*a", "!python/name:os.system", "'", '"', "- ", ": ", "#",
    "dprk", "all", "turn", "all", "\u202e", "\x85",
]


def scenario_data():
    return yaml.safe_load(MINI_TEXT)


def json_values(dates: bool = False):
    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=True), st.sampled_from(INTERESTING),
        st.text(max_size=20), *([st.dates()] if dates else []),
    )
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | st.sampled_from(INTERESTING), inner, max_size=3), max_leaves=8)


def paths_in(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths_in(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths_in(value, (*prefix, index))


def loads_or_problems(tmp_path, rules, data: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    try:
        load_scenario(path, rules)
    except InputError as exc:
        for problem in exc.problems:
            assert LOCATED.match(str(problem)), str(problem)[:200]
            assert problem.line >= 1 and problem.col >= 1 and problem.message


@FUZZ
@given(st.text(alphabet=WIDE, max_size=300))
def test_wide_alphabet_never_raises_anything_else(tmp_path, rules, text):
    loads_or_problems(tmp_path, rules, text.encode("utf-8", "surrogatepass"))


@pytest.mark.slow
@FUZZ
@given(st.data())
def test_structure_aware_mutations_never_raise_anything_else(tmp_path, rules, data):
    """Edit the parsed scenario (replace, drop, rename, wrap a value), write it back as YAML, load it."""
    tree = scenario_data()
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.sampled_from(list(paths_in(tree))[1:]))
        parent = tree
        for step in where[:-1]:
            parent = parent[step]
        last = where[-1]
        op = data.draw(st.sampled_from(["replace", "drop", "rename", "wrap", "copy"]))
        if op == "replace":
            parent[last] = data.draw(json_values(dates=True))
        elif op == "drop":
            del parent[last]
        elif op == "rename" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(INTERESTING))] = parent.pop(last)
        elif op == "wrap":
            parent[last] = [parent[last]] if data.draw(st.booleans()) else {"x": parent[last]}
        elif op == "copy" and isinstance(parent, list):
            parent.append(parent[last])
    text = yaml.safe_dump(tree, allow_unicode=data.draw(st.booleans()), default_flow_style=data.draw(st.sampled_from([None, True, False])))
    if data.draw(st.booleans()):  # and a textual edit on top: a tag, an anchor, a stray indicator
        lines = text.splitlines()
        i = data.draw(st.integers(0, len(lines) - 1))
        cut = data.draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:cut] + data.draw(st.sampled_from([" !!python/name:os.system ", " &a ", " *a", " !x ", "\t", "{", "]", ": ", "\x00", "\ufeff"])) + lines[i][cut:]
        text = "\n".join(lines)
    loads_or_problems(tmp_path, rules, text.encode("utf-8", "surrogatepass"))


@settings(max_examples=max(25, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_rule_modules_never_raise_anything_else(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("rules")
    shutil.rmtree(folder)
    shutil.copytree(ROOT / "rules", folder)
    target = data.draw(st.sampled_from(sorted(p.relative_to(folder) for p in folder.rglob("*.yaml"))))
    tree = yaml.safe_load((folder / target).read_text())
    where = data.draw(st.sampled_from(list(paths_in(tree))[1:]))
    parent = tree
    for step in where[:-1]:
        parent = parent[step]
    if data.draw(st.booleans()):
        parent[where[-1]] = data.draw(json_values(dates=True))
    else:
        del parent[where[-1]]
    (folder / target).write_text(yaml.safe_dump(tree, allow_unicode=True))
    try:
        load_rules(folder)
    except InputError as exc:
        assert all(LOCATED.match(str(p)) for p in exc.problems)


# ---------------------------------------------------------------- logs that lie


class Blob(bytes):
    """The bytes of a log, shown short in Hypothesis's reports."""

    def __repr__(self) -> str:
        return f"<log of {len(self):,} bytes>"


@pytest.fixture(scope="module")
def nea():
    return load_scenario(NEA)


@pytest.fixture(scope="module")
def real_log(tmp_path_factory, nea):
    """A bot exercise of nea-2024 with a note, an ad-hoc inject and an override in it."""
    scenario, rules = nea
    path = tmp_path_factory.mktemp("log") / "real.jsonl"
    session = Session.new(scenario, rules, seed=4, log_path=path, fsync=False)
    session.note("Facilitator: play begins.", seat="us")
    session.release_adhoc("Ad-hoc: a fishing boat is seized", "Text.", facts=[m.Fact(kind="incident", by="dprk", target="rok", location="yeonpyeong")], tension=1)
    session.override("tension", 3, "Facilitator judgement.")
    runner.finish(session)
    return Blob(path.read_bytes())


def verify_bytes(tmp_path: Path, data: bytes) -> tuple[int, str]:
    path = tmp_path / "mutant.jsonl"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["verify", str(path)])
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue()


def lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def test_the_real_log_verifies(tmp_path, real_log):
    code, out = verify_bytes(tmp_path, real_log)
    assert code == 0, out
    assert b'"adhoc"' in real_log and b'"override"' in real_log and b'"note"' in real_log


@FUZZ
@given(st.data())
def test_edited_dropped_duplicated_and_reordered_lines_are_named(tmp_path, real_log, data):
    lines = lines_of(real_log)
    last = len(lines) - 1
    op = data.draw(st.sampled_from(["edit", "drop", "duplicate", "swap", "move"]))
    i = data.draw(st.integers(1 if op != "edit" else 0, last - 1))  # dropping the last line is a truncation
    if op == "edit":
        record = json.loads(lines[i])
        key = data.draw(st.sampled_from(sorted(record)))
        record[key] = data.draw(json_values().filter(lambda v, old=record[key]: v != old))
        lines[i] = logmod.encode(record)
    elif op == "drop":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "swap":
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    else:
        j = data.draw(st.integers(1, last).filter(lambda j: abs(j - i) > 1))
        lines.insert(j, lines.pop(i))
    code, out = verify_bytes(tmp_path, b"\n".join(lines) + b"\n")
    assert code == 1, out
    named = re.search(r"^FAIL .*mutant\.jsonl:(\d+): ", out, re.M)
    assert named and 1 <= int(named.group(1)) <= i + 2, out


BYTES = [b"\n", b'"', b"{", b"}", b",", b":", b"0", b"9", b" ", b"\\", b"\x00", b"\xff", b"\xc3", b"a", b"-"]


@FUZZ
@given(st.data())
def test_random_byte_mutations_of_a_log_are_caught_or_harmless(tmp_path, real_log, nea, data):
    """Never anything but LogError/ReplayMismatch (exit 1) or an ok verify."""
    blob = bytearray(real_log)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(blob) - 1))
        op = data.draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if op == "flip":
            blob[at] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "set":
            blob[at : at + 1] = data.draw(st.sampled_from(BYTES))
        elif op == "insert":
            blob[at:at] = data.draw(st.sampled_from(BYTES))
        elif op == "delete":
            del blob[at : at + data.draw(st.integers(1, 40))]
        else:
            del blob[at:]
        if not blob:
            break
    code, out = verify_bytes(tmp_path, bytes(blob))
    assert code in (0, 1), out
    scenario, rules = nea
    try:
        Session.replay(logmod.read(tmp_path / "mutant.jsonl"), scenario, rules)
    except (logmod.LogError, ReplayMismatch):
        assert code == 1, "replay refuses what verify accepted"


@FUZZ
@given(st.data())
def test_a_forger_who_rewrites_the_chain_is_caught_by_replay_or_harmless(tmp_path, real_log, data):
    """Change any field of any line, recompute every hash after it: replay still catches it, or nothing breaks."""
    records = [json.loads(line) for line in lines_of(real_log)]
    keep = data.draw(st.integers(1, len(records)))
    records = records[:keep]
    record = records[data.draw(st.integers(0, keep - 1))]
    key = data.draw(st.sampled_from(sorted(record)))
    if isinstance(record[key], dict) and record[key] and data.draw(st.booleans()):
        record[key][data.draw(st.sampled_from(sorted(record[key])))] = data.draw(json_values())
    elif data.draw(st.integers(0, 4)) == 0:
        del record[key]
    else:
        record[key] = data.draw(json_values())
    out = [logmod.encode(records[0])]
    for event in records[1:]:
        event["prev"] = logmod.digest(out[-1])
        out.append(logmod.encode(event))
    code, text = verify_bytes(tmp_path, b"\n".join(out) + b"\n")
    assert code in (0, 1), text


def test_a_log_that_names_a_huge_file_as_its_scenario_is_refused_in_bounded_memory(tmp_path):
    """verify refuses, from its size alone, a scenario the header names that is over the scenario limit."""
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    header = {"type": "header", "format": logmod.FORMAT, "scenario": "x", "scenario_path": str(huge), "scenario_sha256": "0" * 64, "seed": 1}
    tracemalloc.start()
    try:
        code, out = verify_bytes(tmp_path, logmod.encode(header) + b"\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1 and "its scenario 'x' is not at" in out, out  # the path refused (from its size), and no scenario by that id
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
