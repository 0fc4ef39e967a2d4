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


def test_the_config_folder_is_tabletop_home_or_the_platforms(monkeypatch, tmp_path):
    monkeypatch.setenv("TABLETOP_HOME", str(tmp_path / "mine"))
    assert paths.config_home() == tmp_path / "mine"
    if sys.platform.startswith("linux"):
        monkeypatch.delenv("TABLETOP_HOME")
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))
        assert paths.config_home() == tmp_path / ".config" / "tabletop"
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
        assert paths.config_home() == tmp_path / "cfg" / "tabletop"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG folders are Linux's")
def test_trusted_keys_are_a_setting_and_those_kept_where_earlier_versions_kept_them_still_count(monkeypatch, tmp_path):
    from tabletop import cli, signing

    monkeypatch.delenv("TABLETOP_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert signing.trusted_path() == tmp_path / ".config" / "tabletop" / "trusted_keys"
    alice, bob = signing.Signer(tmp_path / "alice.key"), signing.Signer(tmp_path / "bob.key")  # two colleagues' keys
    earlier = tmp_path / ".local" / "share" / "tabletop" / "trusted_keys"  # where the data folder kept it
    earlier.parent.mkdir(parents=True)
    earlier.write_text(alice.public.openssh() + "\n")
    assert alice.public.fingerprint in signing.trusted_keys()
    pub = tmp_path / "bob.pub"
    pub.write_text(bob.public.openssh() + "\n")
    assert cli.main(["key", "--trust", str(pub)]) == 0
    moved = signing.trusted_path().read_text()
    assert alice.public.openssh() in moved and bob.public.openssh() in moved  # the earlier keys came along
    trusted = signing.trusted_keys()
    assert alice.public.fingerprint in trusted and bob.public.fingerprint in trusted
    # From now on the config folder's file is the one: a key deleted from it is no longer trusted.
    signing.trusted_path().write_text(bob.public.openssh() + "\n")
    trusted = signing.trusted_keys()
    assert alice.public.fingerprint not in trusted and bob.public.fingerprint in trusted
