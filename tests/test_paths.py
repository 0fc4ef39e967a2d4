"""Where the user's own folder is: TABLETOP_HOME, else the platform's data folder (the Linux one unchanged)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tabletop import paths


def test_tabletop_home_overrides_everything(monkeypatch, tmp_path):
    monkeypatch.setenv("TABLETOP_HOME", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.data_home() == tmp_path / "mine"
    assert paths.logs_dir() == tmp_path / "mine" / "logs"
    assert paths.user_scenarios() == tmp_path / "mine" / "scenarios"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG folders are Linux's")
def test_on_linux_the_folder_is_where_earlier_versions_kept_it(monkeypatch, tmp_path):
    monkeypatch.delenv("TABLETOP_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.data_home() == tmp_path / ".local" / "share" / "tabletop"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.data_home() == tmp_path / "xdg" / "tabletop"


def test_a_user_scenario_is_found_by_id_and_a_missing_one_names_the_known(monkeypatch, tmp_path):
    monkeypatch.setenv("TABLETOP_HOME", str(tmp_path))
    mine = tmp_path / "scenarios" / "my-own.yaml"
    mine.parent.mkdir()
    mine.write_text("id: my-own\n")
    assert paths.require_scenario("my-own") == mine
    with pytest.raises(paths.ScenarioNotFound, match=r"no scenario 'nope'.*known: .*nea-2024.*my-own"):
        paths.require_scenario("nope")
    assert paths.find_scenario(str(Path(mine))) == mine
