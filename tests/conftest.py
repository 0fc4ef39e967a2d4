"""Shared fixtures: the bundled rules and the small test scenario, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop.loading import load_rules, load_scenario

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.yaml"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's tabletop folder."""
    monkeypatch.setenv("TABLETOP_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def mini(rules):
    scenario, _ = load_scenario(MINI, rules)
    return scenario
