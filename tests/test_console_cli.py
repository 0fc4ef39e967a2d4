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
