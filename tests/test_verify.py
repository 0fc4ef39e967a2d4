"""Verify names the first bad line of a log, whatever was done to it, and accepts a log the engine wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop import log as logmod
from tabletop import runner
from tabletop.game import state_hash
from tabletop.loading import load_named
from tabletop.replay import fold, game_of
from tabletop.session import ReplayMismatch
from tabletop.verify import verify


@pytest.fixture(scope="module")
def nea():
    return load_named("nea-2024")


@pytest.fixture(scope="module")
def played(nea, tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("verify") / "bots.jsonl"
    runner.play(*nea, seed=7, log_path=path, fsync=False)
    return path.read_bytes()


def outcome(path: Path, nea, bots: bool = False) -> tuple:
    """What verify says, in a form two runs can be compared by."""
    try:
        verdict = verify(path, *nea, bots=bots)
    except logmod.LogError as exc:
        return ("log", exc.line, exc.message)
    except ReplayMismatch as exc:
        return ("replay", exc.line, exc.message)
    return ("ok", verdict.events, verdict.state_hashes, verdict.turn, verdict.ended, tuple(verdict.warnings))


def both(tmp_path: Path, data: bytes, nea, bots: bool = False) -> tuple:
    path = tmp_path / "log.jsonl"
    path.write_bytes(data)
    return outcome(path, nea, bots)


def rechained(records: list[dict]) -> bytes:
    """The records written out with every hash after the first recomputed: a forger's log."""
    out = [logmod.encode(records[0])]
    for event in records[1:]:
        event["prev"] = logmod.digest(out[-1])
        out.append(logmod.encode(event))
    return b"\n".join(out) + b"\n"


def test_a_good_log_verifies(tmp_path, played, nea):
    result = both(tmp_path, played, nea)
    assert result[0] == "ok" and result[1] == len(played.splitlines()) - 1


@pytest.mark.parametrize("where", [0.1, 0.5, 0.8, 0.97])
def test_an_edited_line_is_named(tmp_path, played, nea, where):
    lines = played.split(b"\n")
    at = int(len(lines) * where)
    record = json.loads(lines[at])
    record["turn"] = record["turn"] + 1 if "turn" in record else 1
    lines[at] = logmod.encode(record)
    result = both(tmp_path, b"\n".join(lines), nea)
    # The edited line itself, where its turn differs from the engine's; else the next one, whose prev no longer matches.
    assert result[:2] in (("replay", at + 1), ("log", at + 2)), result


@pytest.mark.parametrize("where", [0.1, 0.5, 0.8, 0.97])
def test_a_forged_adjudication_is_named(tmp_path, played, nea, where):
    records = [json.loads(line) for line in played.splitlines()]
    adjudications = [i for i, r in enumerate(records) if r.get("type") == "adjudicated"]
    at = min(adjudications, key=lambda i: abs(i - len(records) * where))
    records[at]["changes"]["tension"][1] += 1
    result = both(tmp_path, rechained(records), nea)
    assert result[:2] == ("replay", at + 1)


def test_a_torn_last_line_is_dropped(tmp_path, played, nea):
    result = both(tmp_path, played + b'{"type":"note","seq":', nea)
    assert result[0] == "ok" and "torn" in result[-1][0]


def test_a_dropped_line_in_the_second_half_is_named(tmp_path, played, nea):
    lines = played.split(b"\n")
    del lines[int(len(lines) * 0.9)]
    assert both(tmp_path, b"\n".join(lines), nea)[0] == "log"


def test_the_first_bad_line_is_named_whichever_its_kind(tmp_path, played, nea):
    records = [json.loads(line) for line in played.splitlines()]
    early = next(i for i, r in enumerate(records) if r.get("type") == "adjudicated")
    records[early]["changes"]["tension"][1] += 1
    data = rechained(records).split(b"\n")
    late = int(len(data) * 0.95)
    data[late] = data[late].replace(b'"seq":', b'"seq": ', 1)  # still JSON, but the next line's prev breaks
    result = both(tmp_path, b"\n".join(data), nea)
    assert result[:2] == ("replay", early + 1)  # read and replayed in one pass: the early difference comes first


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_forged_field_is_named_at_its_line_or_accepted(tmp_path, played, nea, data):
    records = [json.loads(line) for line in played.splitlines()]
    index = data.draw(st.integers(1, len(records) - 1))
    record = records[index]
    key = data.draw(st.sampled_from(sorted(k for k in record if k not in ("prev",))))
    record[key] = data.draw(st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=5), st.just(record[key])))
    result = both(tmp_path, rechained(records), nea)
    assert result[0] in ("ok", "log", "replay")
    if result[0] != "ok":
        assert result[1] <= index + 1  # named at the forged line (or, for a forged header field, line 1)


def test_a_command_cut_short_by_a_turn_start_is_named(tmp_path, played, nea):
    """The engine owes more events than the log has before a (forged) turn start: compared with it, both ways."""
    records = [json.loads(line) for line in played.splitlines()]
    at = next(i for i, r in enumerate(records) if r.get("type") == "obligation_triggered")
    turn = next(r for r in records if r.get("type") == "turn_started")
    records[at] = {**turn, "seq": records[at]["seq"], "turn": records[at]["turn"]}
    path = tmp_path / "log.jsonl"
    path.write_bytes(rechained(records))
    assert outcome(path, nea)[:2] == ("replay", at + 1)


def test_a_number_forged_as_an_equal_float_is_caught(tmp_path, played, nea):
    """2.0 == 2 in Python, not in the log: the board holds what the engine gives, and the logged hash must match it."""
    records = [json.loads(line) for line in played.splitlines()]
    at = next(i for i, r in enumerate(records) if r.get("type") == "adjudicated")
    records[at]["changes"]["tension"][1] = float(records[at]["changes"]["tension"][1])
    # The state is the engine's either way, so the logged hash stays right: only the number's type tells.
    assert records[at]["state_hash"] == state_hash(fold(game_of(records[0], *nea), [json.loads(x) for x in played.splitlines()[1 : at + 1]]))
    path = tmp_path / "log.jsonl"
    path.write_bytes(rechained(records))
    assert both(tmp_path, path.read_bytes(), nea)[:2] == ("replay", at + 1)


def test_a_bot_decision_the_bot_would_not_make_is_named_with_bots(tmp_path, played, nea):
    """Another option for a bot, its rationale rewritten to match, the chain recomputed: the bot would not have chosen it.

    A bot's decision is a command like a team's: open to the seat then, it
    replays as a decision (the adjudication after it may then differ; the
    recomputed chain is the signature's to catch, see test_signing).
    ``verify --bots`` re-runs the bots' policies and names the line itself.
    """
    records = [json.loads(line) for line in played.splitlines()]
    scenario = nea[0]
    at = next(i for i, r in enumerate(records) if r.get("type") == "decision" and r.get("by") == "bot" and "answers" not in r
              and len(scenario.options_for(r["seat"], r["turn"])) > 1)
    record = records[at]
    other = next(o for o in scenario.options_for(record["seat"], record["turn"]) if o.id != record["option"])
    record["option"] = other.id
    record["rationale"] = f"{scenario.seats[record['seat']].name} chose '{other.label}' because it seemed right."
    plain = both(tmp_path, rechained(records), nea)
    assert plain[0] == "ok" or plain[1] > at + 1
    result = both(tmp_path, rechained(records), nea, bots=True)
    assert result[:2] == ("replay", at + 1) and "the bot for" in result[2]


def test_a_forged_state_hash_is_named(tmp_path, played, nea):
    """Only the logged hash changed (the adjudication itself untouched), the chain recomputed: replay arrives at another state."""
    records = [json.loads(line) for line in played.splitlines()]
    at = [i for i, r in enumerate(records) if r.get("type") == "adjudicated"][-1]
    records[at]["state_hash"] = "0" * 64
    result = both(tmp_path, rechained(records), nea)
    assert result == ("replay", at + 1, "state hash differs from the replayed state")


def test_an_edited_bot_rationale_is_named_with_bots(tmp_path, played, nea):
    records = [json.loads(line) for line in played.splitlines()]
    at = next(i for i, r in enumerate(records) if r.get("type") == "decision" and r.get("by") == "bot")
    records[at]["rationale"] = "Because the facilitator said so."
    result = both(tmp_path, rechained(records), nea, bots=True)
    assert result[:2] == ("replay", at + 1) and "the rationale is not the bot's" in result[2]



def test_a_line_nested_too_deep_is_named(tmp_path, played, nea):
    lines = played.split(b"\n")
    at = len(lines) // 2
    record = json.loads(lines[at])
    record["deep"] = json.loads("[" * 500 + "]" * 500)
    lines[at] = logmod.encode(record)
    assert both(tmp_path, b"\n".join(lines), nea)[:2] == ("log", at + 1)


def test_a_forged_fact_detail_in_an_adjudication_is_named(tmp_path, played, nea):
    """A fact's details (casualties, scale, what it answers) are not in its equality, yet the rules read them: a forged one is named."""
    records = [json.loads(line) for line in played.splitlines()]
    at = next(i for i, r in enumerate(records) if r.get("type") == "adjudicated" and r.get("facts"))
    records[at]["facts"][0]["casualties"] = 5000
    result = both(tmp_path, rechained(records), nea)
    assert result[:2] == ("replay", at + 1) and "facts" in result[2], result


def test_an_override_value_of_the_wrong_shape_is_named_not_a_traceback(tmp_path, played, nea):
    records = [json.loads(line) for line in played.splitlines()]
    at = next(i for i, r in enumerate(records) if r.get("type") == "adjudicated") + 1
    seat = next(iter(records[0]["seats"]))
    forged = {"type": "override", "seq": 0, "turn": records[at - 1]["turn"], "prev": "", "what": "posture", "value": ["alert"], "reason": "x", "seat": seat}
    records.insert(at, forged)
    for i, r in enumerate(records[1:], start=1):
        r["seq"] = i
    result = both(tmp_path, rechained(records), nea)
    assert result[0] == "replay" and result[1] == at + 1 and "posture" in result[2], result
