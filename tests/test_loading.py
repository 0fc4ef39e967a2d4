"""Loading: every problem as file:line:col with what was expected; never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop import cli
from tabletop.loading import load_facts, load_scenario
from tabletop.yamlnodes import InputError, parse

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
MINI_TEXT = MINI.read_text()


def problems_in(tmp_path, text, rules):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_scenario(path, rules)
    return [str(p) for p in info.value.problems]


def line_of(text, needle):
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


def test_bundled_rules_and_scenarios_validate(capsys):
    assert cli.main(["validate", str(ROOT / "rules"), str(ROOT / "scenarios"), str(MINI)]) == 0


def test_wrong_type_names_file_line_and_column(tmp_path, rules):
    text = MINI_TEXT.replace("turn: 2\n    date: 2025-01-12", "turn: two\n    date: 2025-01-12")
    [problem] = problems_in(tmp_path, text, rules)
    assert re.match(rf".*s\.yaml:{line_of(text, 'turn: two')}:11: expected a whole number for turn, got 'two'", problem)


def test_unknown_key_and_missing_field(tmp_path, rules):
    text = MINI_TEXT.replace('    title: "DPRK missile test"', '    titel: "DPRK missile test"')
    found = problems_in(tmp_path, text, rules)
    assert any(f":{line_of(text, 'titel')}:5: unknown key 'titel' in an inject" in p for p in found)
    assert any("missing field 'title' in an inject" in p for p in found)


def test_undefined_references_are_named(tmp_path, rules):
    text = (
        MINI_TEXT.replace("to: [all]", "to: [all]")
        .replace("facts: [{kind: missile_test, by: dprk,", "facts: [{kind: missile_test, by: nk2, location: atlantis,")
        .replace("source: ref-treaties\n    facts: [{kind: threat", "source: nowhere\n    facts: [{kind: threat")
    )
    found = "\n".join(problems_in(tmp_path, text, rules))
    assert "undefined state 'nk2'" in found
    assert "undefined territory 'atlantis'" in found
    assert "undefined source 'nowhere'" in found


def test_undefined_seat_and_treaty(tmp_path, rules):
    text = MINI_TEXT.replace("options:\n  dprk:", "treaties: [nato-1949]\noptions:\n  mars:\n    - {id: x, label: X}\n  dprk:")
    found = "\n".join(problems_in(tmp_path, text, rules))
    assert "undefined treaty 'nato-1949'" in found
    assert "undefined seat 'mars' under options" in found


def test_duplicate_ids(tmp_path, rules):
    text = MINI_TEXT.replace("  - id: threat\n", "  - id: missile\n")
    found = "\n".join(problems_in(tmp_path, text, rules))
    assert "duplicate inject id 'missile'" in found


def test_dates_out_of_order(tmp_path, rules):
    text = MINI_TEXT.replace("date: 2025-01-12", "date: 2025-01-25")
    found = "\n".join(problems_in(tmp_path, text, rules))
    assert "dates out of order: inject 'clash' is dated 2025-01-25, outside turn 2" in found
    text = MINI_TEXT.replace("from: 2025-01-11", "from: 2025-01-05")
    assert "dates out of order: turn 2 starts 2025-01-05" in "\n".join(problems_in(tmp_path, text, rules))


def test_all_problems_are_reported_not_only_the_first(tmp_path, rules):
    text = MINI_TEXT.replace("turn: 1\n    date: 2025-01-02", "turn: x\n    date: someday").replace("label: \"Offer talks\"", "label: [1]", 1)
    found = problems_in(tmp_path, text, rules)
    assert len(found) >= 3
    assert any("expected a date like 2024-11-05 for date, got 'someday'" in p for p in found)


def test_validate_command_exit_codes(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI_TEXT.replace("turn: 1\n", "turn: one\n", 1))
    assert cli.main(["validate", str(bad), str(MINI)]) == 1
    out = capsys.readouterr().out
    assert out.count("bad.yaml:") >= 1 and "mini.yaml" not in out
    assert cli.main(["validate", str(tmp_path / "missing.yaml")]) == 1


def test_yaml_that_is_not_plain_data_is_refused(tmp_path):
    for text, expected in [
        ("a: !!python/object/apply:os.system ['echo hi']", "not allowed"),
        ("a: &x [1]\nb: *x", "anchors"),
        ("a: [" * 200 + "]" * 200, "nested"),
        ("a: 1\n---\nb: 2", "one YAML document"),
        ("a: [1,", "YAML syntax"),
    ]:
        with pytest.raises(InputError) as info:
            parse("x.yaml", text)
        assert expected in str(info.value)


def test_invalid_utf8_names_the_line(tmp_path, rules):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"id: x\ntitle: \xff\xfe\n")
    with pytest.raises(InputError) as info:
        load_scenario(path, rules)
    assert str(info.value.problems[0]).endswith("2:8: invalid UTF-8 (byte 0xff); save the file as UTF-8")


def test_facts_file_for_resolve(tmp_path, rules):
    path = tmp_path / "f.yaml"
    path.write_text("date: 2025-01-15\nfacts:\n  - {kind: armed_attack, by: north_korea, target: south_korea, location: seoul}\n")
    date, facts = load_facts(path, rules)
    assert (facts[0].by, facts[0].target) == ("dprk", "rok")  # aliases from geography.yaml
    path.write_text("date: 2025-01-15\nfacts:\n  - {kind: armed_attack, by: dprk}\n")
    with pytest.raises(InputError) as info:
        load_facts(path, rules)
    assert "missing field 'target' in a armed_attack fact" in str(info.value) or "missing field 'target'" in str(info.value)


def test_a_scenario_cannot_reach_rules_outside_its_folder(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("rules: ../../etc\n" + MINI_TEXT)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "outside the scenario's own folder" in str(info.value)


# --- fuzzing: random and mutated files give problems, never tracebacks ----------------


def _load_text(tmp_path, text, rules):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    try:
        load_scenario(path, rules)
    except InputError as exc:
        for problem in exc.problems:
            assert problem.line >= 1 and problem.col >= 1 and problem.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#\n ,0123456789?%@`")), max_size=200))
def test_random_yaml_never_raises_anything_else(tmp_path, rules, text):
    _load_text(tmp_path, text, rules)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_scenario_never_raises_anything_else(tmp_path, rules, data):
    lines = MINI_TEXT.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "cut", "junk", "swap"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, max(0, len(lines[i]))))]
        elif op == "junk":
            lines[i] = lines[i] + data.draw(st.sampled_from([": x", " [", "}", " &a", " *a", " !!str", "\t", " -1", ": {a: [b"]))
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            break
    _load_text(tmp_path, "\n".join(lines), rules)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_else(tmp_path, rules, blob):
    _load_text(tmp_path, blob, rules)


def test_names_are_read_as_people_write_them(tmp_path, rules):
    path = tmp_path / "f.yaml"
    path.write_text("date: 2025-01-15\nfacts:\n  - {kind: armed_attack, by: North Korea, target: USA, location: Camp Humphreys}\n  - {kind: armed_attack, by: DPRK, target: Japan}\n")
    _, facts = load_facts(path, rules)
    assert [(f.by, f.target, f.location) for f in facts] == [("dprk", "us", "pyeongtaek"), ("dprk", "japan", "japan")]


class _Plain:
    """A plain scalar event as the parser gives it, for comparing the two ways of reading one."""

    def __init__(self, value: str, style: str = ""):
        self.value, self.style, self.implicit, self.tag, self.anchor = value, style, (True, False), None, None


_SCALARS = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"[0-9]{1,6}", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", fullmatch=True),
    st.sampled_from(["yes", "No", "on", "OFF", "null", "~", "true", "0", "007", "0x1F", "1_000", "1:30", ".inf", "-3", "+4",
                     "2024-02-30", "2024-13-01", "2024-06-19", "1e3", "3.5", "Jeju", "dprk", "", "y", "n"]),
)


@settings(max_examples=400, deadline=None)
@given(_SCALARS, st.sampled_from(["", None, "'", '"']))
def test_plain_scalars_read_directly_come_out_as_the_resolver_reads_them(text, style):
    from tabletop import yamlnodes

    event = _Plain(text, style)
    fast = yamlnodes._scalar(event, 1, 1, None)
    slow = yamlnodes._resolved(event, 1, 1, None, text)
    assert (type(fast.value), repr(fast.value), fast.raw, fast.quoted) == (type(slow.value), repr(slow.value), slow.raw, slow.quoted)


@pytest.mark.parametrize("key, what", [("{a: 1}", "mapping"), ("[a, b]", "sequence")])
def test_a_complex_mapping_key_is_a_problem_not_a_traceback(tmp_path, capsys, key, what):
    path = tmp_path / "s.yaml"
    path.write_text(f"id: x\n? {key}\n: 2\n")
    assert cli.main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"s.yaml:2:3: a {what} as a mapping key; a key must be plain text" in out
    with pytest.raises(InputError):
        load_scenario(path)


def test_initial_credibility_outside_the_ladders_range_is_refused(tmp_path, rules):
    low, high = rules.escalation.credibility_min, rules.escalation.credibility_max
    text = MINI_TEXT.rstrip("\n") + f"\ninitial:\n  credibility: {{us: {high + 1}, rok: {low - 1}, japan: {high}}}\n"
    found = problems_in(tmp_path, text, rules)
    line = line_of(text, "credibility: {us:")
    assert any(f":{line}:" in p and f"expected credibility from {low} to {high} (the ladder's range), got {high + 1}" in p for p in found), found
    assert any(f"got {low - 1}" in p for p in found), found
    assert len(found) == 2  # the value at the top of the range is fine
