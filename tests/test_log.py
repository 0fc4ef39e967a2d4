"""The log: hash chain, tamper detection, torn-line recovery, and `tabletop verify`."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tabletop import cli, runner
from tabletop import log as logmod
from tabletop.replay import game_of, replay
from tabletop.session import ReplayMismatch, Session

from .conftest import MINI


@pytest.fixture
def played(mini, rules, tmp_path):
    path = tmp_path / "ex.jsonl"
    runner.play(mini, rules, seed=1, log_path=path, fsync=False)
    return path


def lines_of(path):
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path, lines):
    path.write_bytes(b"\n".join(lines) + b"\n")


def verify(path, capsys, *flags):
    code = cli.main(["verify", str(path), *flags])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_every_line_chains_to_the_one_before(played):
    contents = logmod.read(played)
    assert contents.header["format"] == "tabletop-log/1"
    for i, event in enumerate(contents.events):
        assert event["seq"] == i + 1 and event["prev"] == contents.digests[i]
        assert list(event)[:4] == ["type", "seq", "turn", "prev"]


def test_verify_accepts_an_untouched_log(played, capsys):
    code, out = verify(played, capsys)
    assert code == 0, out
    assert out.startswith("ok ")


def test_an_edited_line_is_named(played, tmp_path, capsys):
    lines = lines_of(played)
    index = next(i for i, line in enumerate(lines) if b'"decision"' in line)
    record = json.loads(lines[index])
    record["rationale"] = "Edited after the fact."
    lines[index] = logmod.encode(record)
    write_lines(played, lines)
    code, out = verify(played, capsys)
    assert code == 1
    assert f":{index + 2}: hash chain broken" in out  # the next line's link to it no longer matches
    # With --bots, the edited line itself (the bot's rationale re-derived), before the next line's broken link.
    code, out = verify(played, capsys, "--bots")
    assert code == 1
    assert f":{index + 1}: decision event: the rationale is not the bot's" in out


def test_an_edit_to_the_last_line_is_caught_by_replay(mini, rules, tmp_path, capsys):
    path = tmp_path / "x.jsonl"
    s = Session.new(mini, rules, seed=1, log_path=path, fsync=False)
    s.release("missile")
    s.close()
    lines = lines_of(path)
    record = json.loads(lines[-1])
    record["inject"] = "threat"
    lines[-1] = logmod.encode(record)
    write_lines(path, lines)
    code, out = verify(path, capsys)
    assert code == 1 and "FAIL" in out


@pytest.mark.parametrize("damage", ["drop", "duplicate", "swap"])
def test_dropped_duplicated_and_reordered_lines_are_detected(played, capsys, damage):
    lines = lines_of(played)
    if damage == "drop":
        del lines[5]
    elif damage == "duplicate":
        lines.insert(5, lines[5])
    else:
        lines[5], lines[6] = lines[6], lines[5]
    write_lines(played, lines)
    code, out = verify(played, capsys)
    assert code == 1
    assert ":6:" in out or ":7:" in out


def test_a_torn_last_line_is_dropped_with_a_warning(played, mini, rules):
    whole = played.read_bytes()
    played.write_bytes(whole + b'{"type":"note","seq":99,"tu')
    contents = logmod.read(played)
    assert contents.warnings and "torn" in contents.warnings[0]
    assert len(contents.events) == len(whole.split(b"\n")) - 2
    Session.replay(contents, mini, rules)


def test_resume_cuts_the_torn_line_and_appends_after_the_last_good_one(mini, rules, tmp_path):
    path = tmp_path / "t.jsonl"
    s = Session.new(mini, rules, seed=1, log_path=path, fsync=False)
    s.release("missile")
    s.close()
    with open(path, "ab") as handle:
        handle.write(b'{"type":"inject_rel')
    resumed, warnings = Session.resume(path, mini, rules)
    assert warnings
    resumed.release("threat")
    resumed.close()
    contents = logmod.read(path)
    assert not contents.warnings
    assert [e.get("inject") for e in contents.events if e["type"] == "inject_released"] == ["missile", "threat"]


def test_malformed_line_in_the_middle_is_an_error_naming_it(played):
    lines = lines_of(played)
    lines[3] = b"{not json"
    write_lines(played, lines)
    with pytest.raises(logmod.LogError) as info:
        logmod.read(played)
    assert info.value.line == 4


def test_a_changed_scenario_is_reported_as_such(mini, rules, tmp_path, capsys):
    copy = tmp_path / "mini.yaml"
    shutil.copy(MINI, copy)
    from tabletop.loading import load_scenario

    scenario, _ = load_scenario(copy, rules)
    path = tmp_path / "c.jsonl"
    runner.play(scenario, rules, seed=1, log_path=path, fsync=False)
    copy.write_text(copy.read_text().replace('title: "DPRK missile test"', 'title: "DPRK missile launch"'))
    code, out = verify(path, capsys)
    assert code == 1 and "changed since the log was written" in out


def test_replay_rejects_an_event_the_engine_would_not_produce(played, mini, rules):
    lines = lines_of(played)
    index = next(i for i, line in enumerate(lines) if b'"obligation_triggered"' in line)
    record = json.loads(lines[index])
    record["status"] = "contested" if record["status"] == "triggered" else "triggered"
    lines[index] = logmod.encode(record)
    contents = logmod.LogContents(str(played), json.loads(lines[0]), [json.loads(x) for x in lines[1:]], [], [], 0)
    with pytest.raises(ReplayMismatch) as info:
        Session.replay(contents, mini, rules)
    assert info.value.line == index + 1


def test_a_log_is_never_overwritten(played, capsys):
    code = cli.main(["run", str(MINI), "--log", str(played)])
    assert code == 2
    assert "never overwritten" in capsys.readouterr().err


def _outcome(fn, data):
    try:
        return ("ok", repr(fn(data)))
    except Exception as exc:  # noqa: BLE001 - comparing what each raises
        return (type(exc).__name__, str(exc))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=40), _JSON.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
                 _JSON.map(lambda v: json.dumps(v).encode() + b" "), st.binary(max_size=3).map(lambda b: b'{"a": 1}' + b)))
def test_a_line_is_read_exactly_as_json_loads_reads_it(tmp_path_factory, data):
    """Plain json.loads reads every line: a line is refused, naming it, exactly when json.loads refuses it or it is no object."""
    data = data.replace(b"\n", b" ")
    path = tmp_path_factory.mktemp("line") / "one.jsonl"
    header = logmod.encode({"type": "header", "format": logmod.FORMAT, "scenario": "x", "seed": 0})
    path.write_bytes(header + b"\n" + data + b"\n")
    expected = _outcome(json.loads, data)
    try:
        contents = logmod.read(path, check_chain=False)
    except logmod.LogError as exc:
        assert exc.line == 2
        assert expected[0] != "ok" or not expected[1].startswith("{"), (data, exc)
    else:
        assert ("ok", repr(contents.events[0])) == expected


def test_answers_or_adhoc_of_the_wrong_shape_on_any_event_is_named(tmp_path, played, mini, rules):
    """A field no event of its type has, or one of the wrong shape, is named with its line by the replay (verify)."""
    records = [json.loads(line) for line in played.read_bytes().splitlines()]
    note = {"type": "note", "seq": len(records), "turn": records[-1]["turn"], "text": "x", "adhoc": "x"}
    odd_answers = {"type": "note", "seq": len(records) + 1, "turn": records[-1]["turn"], "text": "x", "answers": {"inject": 3}}
    for extra in (note, odd_answers):
        out = [logmod.encode(records[0])]
        for event in [*records[1:], extra]:
            event["prev"] = logmod.digest(out[-1])
            out.append(logmod.encode(event))
        path = tmp_path / "odd.jsonl"
        path.write_bytes(b"\n".join(out[: len(records)] + [out[-1]]) + b"\n")
        contents = logmod.read(path, check_chain=False)
        with pytest.raises(ReplayMismatch, match=r"note event: unexpected field\(s\) '(adhoc|answers)'") as caught:
            replay(game_of(contents.header, mini, rules), contents.events)
        assert caught.value.line == len(records) + 1


def test_a_field_given_twice_in_a_line_is_named(played, capsys):
    """JSON readers differ on which of two equal keys counts, so a line with one twice says two things: refused."""
    lines = lines_of(played)
    index = next(i for i, line in enumerate(lines) if b'"note"' in line or b'"decision"' in line)
    lines[index] = lines[index][:-1] + b',"turn":99}'
    write_lines(played, lines)
    code, out = verify(played, capsys)
    assert code == 1 and f":{index + 1}: not valid JSON (a field appears twice: 'turn')" in out, out


def test_a_line_that_is_not_utf8_is_named(played, capsys):
    lines = lines_of(played)
    lines[3] = lines[3][:-2] + b'\xff"}'
    write_lines(played, lines)
    code, out = verify(played, capsys)
    assert code == 1 and ":4: not valid UTF-8" in out, out


def test_a_part_of_an_adjudication_of_the_wrong_shape_is_named_as_the_detailed_reading_names_it(played):
    """from_json reads quickly first (no note of where a problem lies, at any depth); a record that fails is read
    again in detail, so a cause or a change several levels down is named as before, and an edit that keeps the
    shape still reads."""
    from tabletop import events as ev

    record = next(json.loads(line) for line in played.read_bytes().splitlines() if b'"adjudicated"' in line)
    assert ev.from_json(record) == ev.from_json(json.loads(json.dumps(record)))

    def edited(change):
        copy = json.loads(json.dumps(record))
        change(copy)
        return copy

    cases = [
        (lambda r: r["changes"]["causes"][0].update(weight=2), r"adjudicated event: .*unexpected field\(s\) 'weight'"),
        (lambda r: r["changes"]["causes"][0].update(delta="1"), r"adjudicated event: .*expected a whole number, got text"),
        (lambda r: r["changes"].update(tension=[2, True]), r"adjudicated event: .*expected a whole number, got true/false"),
        (lambda r: r["changes"].update(extra={}), r"adjudicated event: .*unexpected field\(s\) 'extra'"),
    ]
    assert record["changes"].get("causes"), "the played log's adjudication explains itself"
    for change, message in cases:
        with pytest.raises(ev.EventError, match=message):
            ev.from_json(edited(change))


def test_the_state_refuses_a_field_it_does_not_have():
    from tabletop.state import State

    state = State()
    assert state.replace(tension=3).tension == 3 and state.tension == 0
    with pytest.raises(TypeError, match="State has no field tenson"):
        state.replace(tenson=3)
