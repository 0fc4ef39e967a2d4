"""The compiled-scenario cache: a hit gives what parsing gives; anything changed, untrusted or broken is parsed anew."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
from pathlib import Path

import pytest

from tabletop import compiled, loading, paths
from tabletop.loading import load_rules, load_scenario
from tabletop.yamlnodes import InputError

from .conftest import MINI

ROOT = Path(__file__).resolve().parent.parent
MINI_TEXT = MINI.read_text()


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A cache folder of this test's own, not yet created."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TABLETOP_CACHE", str(folder))
    return folder


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The files the YAML reader parsed (rule modules included), in order: a cache hit parses no scenario."""
    seen: list[str] = []
    real = loading.load

    def counting(path: str, data: bytes):
        seen.append(path)
        return real(path, data)

    monkeypatch.setattr(loading, "load", counting)
    return seen


def scenario_file(folder: Path, text: str = MINI_TEXT, name: str = "s.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*" + compiled.SUFFIX))


def test_a_second_load_comes_from_the_cache_and_is_equal(tmp_path, cache, parsed):
    path = scenario_file(tmp_path / "a")
    first, first_rules = load_scenario(path)
    assert len(entries(cache)) == 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert not stat.S_IMODE(entries(cache)[0].stat().st_mode) & 0o077
    parsed.clear()
    second, second_rules = load_scenario(path)
    assert str(path) not in parsed and not parsed  # neither the scenario nor its rules were parsed
    assert second == first and second_rules == first_rules
    assert (second.path, second.sha256) == (first.path, first.sha256) == (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())
    assert second_rules.path == first_rules.path == str(paths.bundled_rules())
    assert [t.id for t in second.turns] == [t.id for t in first.turns] and second.inject(first.injects[0].id) == first.injects[0]


def test_the_same_bytes_elsewhere_come_out_at_their_own_path(tmp_path, cache, parsed, monkeypatch):
    here = scenario_file(tmp_path / "a")
    there = scenario_file(tmp_path / "b", name="other.yaml")
    original, _ = load_scenario(here)
    parsed.clear()
    moved, _ = load_scenario(there)
    assert not parsed and len(entries(cache)) == 1
    assert moved.path == str(there.resolve()) != original.path
    assert moved.sha256 == original.sha256
    monkeypatch.setenv("TABLETOP_CACHE", "off")
    assert moved == load_scenario(there)[0]  # what parsing it there gives, path and all


def test_rules_passed_in_are_the_callers_own_and_key_the_entry(tmp_path, cache, parsed, rules):
    path = scenario_file(tmp_path)
    first, given = load_scenario(path, rules)
    parsed.clear()
    second, again = load_scenario(path, rules)
    assert not parsed and again is rules and given is rules and second == first
    other = loading.attrs.evolve(rules, sha256="0" * 64)  # other rules, as far as the cache can tell
    third, _ = load_scenario(path, other)
    assert parsed == [str(path)] and third == first


def test_rules_built_by_hand_are_not_cached(tmp_path, cache, rules):
    load_scenario(scenario_file(tmp_path), loading.attrs.evolve(rules, sha256=""))
    assert not entries(cache)


def test_one_byte_changed_same_size_and_mtime_is_parsed_again(tmp_path, cache, parsed):
    path = scenario_file(tmp_path)
    before = path.stat()
    first, _ = load_scenario(path)
    edited = MINI_TEXT.replace("title: \"Mini:", "title: \"Mini;", 1)
    assert len(edited) == len(MINI_TEXT) and edited != MINI_TEXT
    path.write_text(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    parsed.clear()
    second, _ = load_scenario(path)
    assert str(path) in parsed
    assert second.title.startswith("Mini;") and second.sha256 != first.sha256
    assert len(entries(cache)) == 2


def test_a_changed_rules_folder_of_its_own_is_parsed_again(tmp_path, cache, parsed):
    shutil.copytree(ROOT / "rules", tmp_path / "a" / "mine")
    path = scenario_file(tmp_path / "a", "rules: mine\n" + MINI_TEXT)
    _, first_rules = load_scenario(path)
    parsed.clear()
    _, again = load_scenario(path)
    assert not parsed and again == first_rules and again.path == str((tmp_path / "a" / "mine").resolve())
    shutil.copytree(ROOT / "rules", tmp_path / "b" / "mine")  # the same scenario and rules elsewhere: its own rules' path
    _, elsewhere = load_scenario(scenario_file(tmp_path / "b", "rules: mine\n" + MINI_TEXT))
    assert not parsed and elsewhere.path == str((tmp_path / "b" / "mine").resolve())
    unsc = tmp_path / "a" / "mine" / "unsc.yaml"
    unsc.write_text(unsc.read_text() + "\n# edited\n")
    _, third = load_scenario(path)
    assert str(path) in parsed and str(unsc) in parsed and third.sha256 != first_rules.sha256
    shutil.rmtree(tmp_path / "b" / "mine")  # gone: the cache must not paper over it
    with pytest.raises(InputError, match="rules folder 'mine' does not exist"):
        load_scenario(tmp_path / "b" / "s.yaml")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong shape", "older layout"])
def test_a_broken_entry_is_parsed_over(tmp_path, cache, parsed, damage, monkeypatch):
    path = scenario_file(tmp_path)
    first, _ = load_scenario(path)
    [entry] = entries(cache)
    data = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "wrong shape":
        entry.write_bytes(pickle.dumps(("a", "tuple", "of", "text")))
    else:  # a class the file names no longer exists where it was
        entry.write_bytes(pickle.dumps((None, "", Gone(), None)))
        monkeypatch.delattr(f"{__name__}.Gone")
    parsed.clear()
    second, _ = load_scenario(path)
    assert str(path) in parsed and second == first
    parsed.clear()
    assert load_scenario(path)[0] == first and not parsed  # written afresh


class Gone:
    """A class that disappears, as one may between versions."""


@pytest.mark.parametrize("who", ["file", "folder"])
def test_an_entry_others_could_have_written_is_not_read(tmp_path, cache, parsed, who):
    path = scenario_file(tmp_path)
    first, _ = load_scenario(path)
    [entry] = entries(cache)
    target = entry if who == "file" else cache
    target.chmod(stat.S_IMODE(target.stat().st_mode) | stat.S_IWGRP)
    parsed.clear()
    assert load_scenario(path)[0] == first
    assert str(path) in parsed
    if who == "file":
        entry.chmod(0o666)  # writable by anyone: no better
        parsed.clear()
        load_scenario(path)
        assert str(path) in parsed


def test_an_entry_owned_by_someone_else_is_not_read(tmp_path, cache, parsed, monkeypatch):
    path = scenario_file(tmp_path)
    load_scenario(path)
    me = os.getuid()
    monkeypatch.setattr(compiled.os, "getuid", lambda: me + 1)
    parsed.clear()
    load_scenario(path)
    assert str(path) in parsed


def test_a_symlinked_entry_is_not_followed(tmp_path, cache, parsed):
    path = scenario_file(tmp_path)
    load_scenario(path)
    [entry] = entries(cache)
    real = entry.rename(tmp_path / "elsewhere.pickle")
    entry.symlink_to(real)
    parsed.clear()
    load_scenario(path)
    assert str(path) in parsed


def test_a_fifo_in_place_of_an_entry_neither_hangs_nor_is_read(tmp_path, cache, parsed):
    path = scenario_file(tmp_path)
    load_scenario(path)
    [entry] = entries(cache)
    entry.unlink()
    os.mkfifo(entry, 0o600)
    parsed.clear()
    load_scenario(path)
    assert str(path) in parsed


def test_invalid_files_are_never_cached_and_report_as_before(tmp_path, cache, monkeypatch):
    bad_yaml = scenario_file(tmp_path, "id: x\ntitle: [unclosed\n", "bad.yaml")
    bad_value = scenario_file(tmp_path, MINI_TEXT.replace("turn: 2\n    date: 2025-01-12", "turn: two\n    date: 2025-01-12"), "value.yaml")
    reported = {}
    for setting in ("off", str(cache), str(cache)):
        monkeypatch.setenv("TABLETOP_CACHE", setting)
        for path in (bad_yaml, bad_value):
            with pytest.raises(InputError) as info:
                load_scenario(path)
            problems = [str(p) for p in info.value.problems]
            assert problems and all(p.startswith(f"{path}:") and p.split(":")[1].isdigit() and p.split(":")[2].isdigit() for p in problems)
            assert reported.setdefault(path, problems) == problems
    assert not entries(cache)


def test_off_means_off(tmp_path, cache, parsed, monkeypatch):
    path = scenario_file(tmp_path)
    for word in ("off", "OFF", "0", "false", "no", "none"):
        monkeypatch.setenv("TABLETOP_CACHE", word)
        assert paths.cache_home() is None
        parsed.clear()
        load_scenario(path)
        assert str(path) in parsed
    assert not cache.exists() and not (Path.cwd() / "off").exists()


def test_a_cache_that_cannot_be_written_never_fails_a_load(tmp_path, monkeypatch, parsed):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TABLETOP_CACHE", str(blocker / "cache"))
    path = scenario_file(tmp_path)
    first, _ = load_scenario(path)
    assert load_scenario(path)[0] == first
    assert parsed.count(str(path)) == 2


def test_the_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TABLETOP_CACHE", str(tmp_path / "mine"))
    assert paths.cache_home() == tmp_path / "mine"
    monkeypatch.delenv("TABLETOP_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_home() == tmp_path / "xdg" / "tabletop"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.cache_home() == tmp_path / "home" / ".cache" / "tabletop"


def test_old_entries_are_pruned(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(compiled, "MAX_ENTRIES", 2)
    for i in range(4):
        load_scenario(scenario_file(tmp_path, MINI_TEXT.replace("Mini:", f"Mini {i}:", 1), f"s{i}.yaml"))
        if entries(cache):
            newest = max(entries(cache), key=lambda p: p.stat().st_mtime_ns)
            os.utime(newest, ns=(0, (i + 1) * 10**18 // 8))  # a strict order, whatever the clock's resolution
    assert len(entries(cache)) == 2
    abandoned = cache / ".abandoned.tmp"
    abandoned.write_bytes(b"half")
    os.utime(abandoned, (0, 0))
    load_scenario(scenario_file(tmp_path, MINI_TEXT.replace("Mini:", "Mini 9:", 1), "s9.yaml"))
    assert not abandoned.exists() and len(entries(cache)) == 2
    monkeypatch.setattr(compiled, "MAX_TOTAL_BYTES", 1)  # over the size cap: only the newest stays
    newest, _ = load_scenario(scenario_file(tmp_path, MINI_TEXT.replace("Mini:", "Mini 10:", 1), "s10.yaml"))
    assert len(entries(cache)) == 1
    assert load_scenario(tmp_path / "s10.yaml")[0] == newest


def test_the_key_covers_the_code_and_versions(monkeypatch):
    before = compiled.key("scenario", "x")
    assert before == compiled.key("scenario", "x") != compiled.key("scenario", "y")
    compiled.fingerprint.cache_clear()
    monkeypatch.setattr("tabletop.__version__", "99.0")
    try:
        assert compiled.key("scenario", "x") != before
    finally:
        compiled.fingerprint.cache_clear()


def test_bundled_scenarios_round_trip(cache, parsed):
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        first = load_scenario(path)
        parsed.clear()
        assert load_scenario(path) == first and not parsed
    assert load_rules() == first[1]
