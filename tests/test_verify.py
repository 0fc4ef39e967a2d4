"""Verify split over two processes names the same first bad line as verify in one, and accepts the same logs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop import log as logmod
from tabletop import runner
from tabletop import verify as verifying
from tabletop.loading import load_named
from tabletop.session import ReplayMismatch, Session
from tabletop.verify import verify

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the split needs os.fork")


@pytest.fixture(scope="module")
def nea():
    return load_named("nea-2024")


@pytest.fixture(scope="module")
def played(nea, tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("verify") / "bots.jsonl"
    runner.play(*nea, seed=7, log_path=path, fsync=False)
    return path.read_bytes()


def outcome(path: Path, nea, split: bool) -> tuple:
    """What verify says, in a form two runs can be compared by."""
    try:
        verdict = verify(path, *nea, split=split)
    except logmod.LogError as exc:
        return ("log", exc.line, exc.message)
    except ReplayMismatch as exc:
        return ("replay", exc.line, exc.message)
    return ("ok", verdict.events, verdict.state_hashes, verdict.turn, verdict.ended, tuple(verdict.warnings))


SHARES = (0.15, 0.4, 0.6, 0.85)  # where the split is tried: a short log has few turn starts to split at


def both(tmp_path: Path, data: bytes, nea) -> tuple:
    """Verify in one process, then split at each share of the lines: every verdict the same."""
    path = tmp_path / "log.jsonl"
    path.write_bytes(data)
    one = outcome(path, nea, split=False)
    for share in SHARES:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(verifying, "PARENT_SHARE", share)
            assert outcome(path, nea, split=True) == one, f"split at {share}"
    return one


def rechained(records: list[dict]) -> bytes:
    """The records written out with every hash after the first recomputed: a forger's log."""
    out = [logmod.encode(records[0])]
    for event in records[1:]:
        event["prev"] = logmod.digest(out[-1])
        out.append(logmod.encode(event))
    return b"\n".join(out) + b"\n"


def test_a_good_log_verifies_alike_and_the_split_is_at_a_turn_start(tmp_path, played, nea):
    path = tmp_path / "log.jsonl"
    path.write_bytes(played)
    events = logmod.read(path).events
    splits = []
    for share in SHARES:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(verifying, "PARENT_SHARE", share)
            split = verify(path, *nea, split=True)
        guess = max(1, int(len(events) * share))
        starts = [i for i, e in enumerate(events) if e["type"] == "turn_started" and i >= guess]
        assert split.split == (starts[0] if starts else None)  # past the last turn's start there is nothing to split
        splits.append(split.split)
    assert len({s for s in splits if s is not None}) >= 2
    assert both(tmp_path, played, nea)[0] == "ok"


@pytest.mark.parametrize("where", [0.1, 0.5, 0.8, 0.97])
def test_an_edited_line_is_named_alike_before_and_after_the_split(tmp_path, played, nea, where):
    lines = played.split(b"\n")
    at = int(len(lines) * where)
    record = json.loads(lines[at])
    record["turn"] = record["turn"] + 1 if "turn" in record else 1
    lines[at] = logmod.encode(record)
    result = both(tmp_path, b"\n".join(lines), nea)
    assert result[0] == "log" and result[1] == at + 2  # the next line's prev no longer matches


@pytest.mark.parametrize("where", [0.1, 0.5, 0.8, 0.97])
def test_a_forged_adjudication_is_named_alike_before_and_after_the_split(tmp_path, played, nea, where):
    records = [json.loads(line) for line in played.splitlines()]
    adjudications = [i for i, r in enumerate(records) if r.get("type") == "adjudicated"]
    at = min(adjudications, key=lambda i: abs(i - len(records) * where))
    records[at]["changes"]["tension"][1] += 1
    result = both(tmp_path, rechained(records), nea)
    assert result[:2] == ("replay", at + 1)


def test_a_torn_last_line_is_dropped_alike(tmp_path, played, nea):
    result = both(tmp_path, played + b'{"type":"note","seq":', nea)
    assert result[0] == "ok" and "torn" in result[-1][0]


def test_a_dropped_line_in_the_second_half_is_named_alike(tmp_path, played, nea):
    lines = played.split(b"\n")
    del lines[int(len(lines) * 0.9)]
    assert both(tmp_path, b"\n".join(lines), nea)[0] == "log"


def test_a_replay_difference_early_and_a_broken_chain_late_name_the_chain_as_one_process_does(tmp_path, played, nea):
    records = [json.loads(line) for line in played.splitlines()]
    early = next(i for i, r in enumerate(records) if r.get("type") == "adjudicated")
    records[early]["changes"]["tension"][1] += 1
    data = rechained(records).split(b"\n")
    late = int(len(data) * 0.95)
    data[late] = data[late].replace(b'"seq":', b'"seq": ', 1)  # still JSON, but the next line's prev breaks
    result = both(tmp_path, b"\n".join(data), nea)
    assert result[:2] == ("log", late + 2)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_forged_field_gets_the_same_verdict_split_or_not(tmp_path, played, nea, data):
    records = [json.loads(line) for line in played.splitlines()]
    index = data.draw(st.integers(1, len(records) - 1))
    record = records[index]
    key = data.draw(st.sampled_from(sorted(k for k in record if k not in ("prev",))))
    record[key] = data.draw(st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=5), st.just(record[key])))
    both(tmp_path, rechained(records), nea)


def test_when_the_children_disagree_the_parent_checks_the_whole_log_itself(tmp_path, played, nea, monkeypatch):
    """A folded start that differs from the replayed one (here: always) is overruled, not believed."""
    path = tmp_path / "log.jsonl"
    path.write_bytes(played)
    monkeypatch.setattr(Session, "internals", lambda self: str(os.getpid()))
    monkeypatch.setattr(verifying, "PARENT_SHARE", 0.4)
    verdict = verify(path, *nea, split=True)
    assert verdict.split is None and outcome(path, nea, split=True) == outcome(path, nea, split=False)
    records = [json.loads(line) for line in played.splitlines()]
    late = max(i for i, r in enumerate(records) if r.get("type") == "adjudicated")
    records[late]["changes"]["tension"][1] += 1
    path.write_bytes(rechained(records))
    assert outcome(path, nea, split=True)[:2] == ("replay", late + 1)


@pytest.mark.parametrize("which", ["_start", "_rest"])
def test_a_child_that_dies_changes_nothing(tmp_path, played, nea, monkeypatch, which):
    path = tmp_path / "log.jsonl"
    path.write_bytes(played)

    def die(*args, **kwargs):
        os._exit(3)

    monkeypatch.setattr(verifying, which, die)
    monkeypatch.setattr(verifying, "PARENT_SHARE", 0.4)
    assert outcome(path, nea, split=True) == outcome(path, nea, split=False)
    assert verify(path, *nea, split=True).split is None


def test_a_command_cut_short_by_a_turn_start_at_the_split_is_named_alike(tmp_path, played, nea):
    """The engine owes more events than the log has before a (forged) turn start: compared with it, both ways."""
    records = [json.loads(line) for line in played.splitlines()]
    at = next(i for i, r in enumerate(records) if r.get("type") == "obligation_triggered")
    turn = next(r for r in records if r.get("type") == "turn_started")
    records[at] = {**turn, "seq": records[at]["seq"], "turn": records[at]["turn"]}
    path = tmp_path / "log.jsonl"
    path.write_bytes(rechained(records))
    one = outcome(path, nea, split=False)
    assert one[:2] == ("replay", at + 1)
    events = logmod.read(path).events
    with pytest.MonkeyPatch.context() as patch:  # put the split exactly on the forged turn start
        patch.setattr(verifying, "PARENT_SHARE", (at - 1) / len(events))
        assert outcome(path, nea, split=True) == one


def test_a_number_forged_as_an_equal_float_is_caught(tmp_path, played, nea):
    """2.0 == 2 in Python, not in the log: the board holds what the engine gives, and the logged hash must match it."""
    from tabletop.session import Session, _digest, _summary

    records = [json.loads(line) for line in played.splitlines()]
    at = next(i for i, r in enumerate(records) if r.get("type") == "adjudicated")
    records[at]["changes"]["tension"][1] = float(records[at]["changes"]["tension"][1])
    folded = Session.fold(logmod.LogContents("x", records[0], records[1 : at + 1], [], [], 0), *nea)
    records[at]["state_hash"] = _digest(_summary(folded.state))  # what a forger would write
    path = tmp_path / "log.jsonl"
    path.write_bytes(rechained(records))
    assert both(tmp_path, path.read_bytes(), nea)[:2] == ("replay", at + 1)


def test_a_line_nested_too_deep_is_named_alike(tmp_path, played, nea):
    lines = played.split(b"\n")
    at = len(lines) // 2
    record = json.loads(lines[at])
    record["deep"] = json.loads("[" * 500 + "]" * 500)
    lines[at] = logmod.encode(record)
    assert both(tmp_path, b"\n".join(lines), nea)[:2] == ("log", at + 1)
