"""Shared fixtures: the bundled rules and the small test scenario, loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tabletop.loading import load_rules, load_scenario

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.yaml"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch, _facilitator_key):
    """No test reads or writes the real user's tabletop folder.

    Every home holds the same facilitator key (made once), so a log signed in
    one test verifies, signed by the same key, in another.
    """
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(_facilitator_key, home / "keys")
    monkeypatch.setenv("TABLETOP_HOME", str(home))


@pytest.fixture(scope="session", autouse=True)
def _facilitator_key(tmp_path_factory):
    """One facilitator key for the whole run, in a home of its own that is also the default for fixtures wider than a test."""
    from tabletop.signing import Signer

    home = tmp_path_factory.mktemp("session-home")
    folder = home / "keys"
    folder.mkdir(mode=0o700)
    assert Signer(folder / "facilitator_ed25519").fingerprint  # the key is made on first use
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TABLETOP_HOME", str(home))
        yield folder


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def mini(rules):
    scenario, _ = load_scenario(MINI, rules)
    return scenario


SECRET_REASON, SECRET_ANSWER = "Our secret reason: keep Seoul out of the loop.", "Our hidden answer: we stay out."


def mid_decision(scenario, rules, path: Path) -> Path:
    """A log of the mini scenario stopped in its first decide phase: the US decided and the ROK answered, in secret words."""
    from tabletop.session import Session

    s = Session.new(scenario, rules, seed=4, seats={"us": "human", "rok": "human"}, log_path=path, fsync=False)
    s.release("threat")
    while s.state.phase != "decide":
        s.advance()
    s.decide("us", "talk", SECRET_REASON)
    for open_ob in s.unanswered("rok"):
        s.answer("rok", open_ob.id, "decline", SECRET_ANSWER)
    s.close()
    return path
