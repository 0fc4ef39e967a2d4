"""Headless mistakes of issue 16 item 6: resuming with another seed or scenario, a misspelt option of ``run``."""

from __future__ import annotations

import shutil

import pytest

from tabletop import cli

from .conftest import MINI


@pytest.fixture
def seed9(tmp_path):
    log = tmp_path / "seed9.jsonl"
    assert cli.main(["run", str(MINI), "--seed", "9", "--log", str(log)]) == 0
    return log


def test_resume_with_another_seed_is_refused_in_words(seed9, capsys):
    capsys.readouterr()
    before = seed9.read_bytes()
    assert cli.main(["run", str(MINI), "--seed", "10", "--log", str(seed9), "--resume"]) == 2
    err = capsys.readouterr().err
    assert "played with seed 9, not 10" in err and err.count("\n") == 1
    assert seed9.read_bytes() == before
    assert cli.main(["run", str(MINI), "--seed", "9", "--log", str(seed9), "--resume"]) == 0  # its own seed is fine


def test_resume_with_the_wrong_scenario_names_the_logs_scenario(seed9, tmp_path, capsys):
    other = tmp_path / "other.yaml"
    shutil.copy(MINI, other)
    other.write_text(other.read_text().replace("id: mini", "id: other", 1))
    capsys.readouterr()
    assert cli.main(["run", str(other), "--log", str(seed9), "--resume"]) == 2
    err = capsys.readouterr().err
    assert "an exercise of scenario 'mini', not 'other'" in err and "date" not in err


def test_a_misspelt_option_shows_the_commands_own_usage(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["run", str(MINI), "--seeds", "7"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: tabletop run ") and "unrecognized arguments: --seeds 7" in err


def test_resume_of_a_log_whose_scenario_moved_uses_the_one_named(seed9, tmp_path, capsys):
    """The log's recorded scenario path is gone (a checkout removed): the scenario given on the command line, if it is the log's, carries it on."""
    import json

    from tabletop import log as logmod

    lines = seed9.read_bytes().splitlines()
    header = json.loads(lines[0])
    header["scenario_path"] = str(tmp_path / "gone" / "mini.yaml")
    out = [logmod.encode(header)]
    cut = next(i for i, line in enumerate(lines) if b'"turn_started"' in line and b'"turn":2' in line)
    for line in lines[1:cut]:  # turn 1 only, and no signature of the original key chain's end
        record = json.loads(line)
        if record.get("type") == "signature":
            continue
        out.append(logmod.encode({**record, "seq": len(out), "prev": logmod.digest(out[-1])}))
    moved = tmp_path / "moved.jsonl"
    moved.write_bytes(b"\n".join(out) + b"\n")
    assert cli.main(["run", str(MINI), "--log", str(moved), "--resume"]) == 0
    err = capsys.readouterr().err
    assert "using" in err and str(MINI) in err and "as you named it" in err
    assert cli.main(["verify", str(moved)]) == 1  # verify is given no scenario: it finds none where the header says, and says so
    other = tmp_path / "other.yaml"
    other.write_text(MINI.read_text().replace("id: mini", "id: other", 1))
    moved.write_bytes(b"\n".join(out) + b"\n")
    assert cli.main(["run", str(other), "--log", str(moved), "--resume"]) == 2
    assert "is an exercise of scenario 'mini', not 'other'" in capsys.readouterr().err


def test_tabletop_alone_is_play_with_its_defaults(monkeypatch):
    """`tabletop` with no words skips the parser (the start screen's first frame): what it runs is what the parser would give."""
    assert vars(cli._start_screen_args()) == vars(cli._parse([]))
    ran = []
    monkeypatch.setattr(cli, "cmd_play", lambda args: ran.append(vars(args)) or 0)
    assert cli.main([]) == 0
    assert cli.main(["play"]) == 0
    assert ran[0] == ran[1] and ran[0]["scenario"] is None and ran[0]["seat"] == []
