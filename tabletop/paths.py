"""Where bundled and user data live, whether installed from a wheel or run from a checkout.

A wheel carries ``scenarios/`` and ``rules/`` inside the package
(``tabletop/scenarios``); a source checkout keeps them at the top of the tree.
Both are looked for, so ``pip install .`` and ``pip install -e .`` behave alike
from any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DEFAULT_SCENARIO = "nea-2024"
APP = "tabletop"


def _bundled(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE / name


def bundled_rules() -> Path:
    return _bundled("rules")


def bundled_scenarios() -> Path:
    return _bundled("scenarios")


def data_home() -> Path:
    """The user's own folder: scenarios they write and the logs of their exercises.

    ``$TABLETOP_HOME`` when set, else the platform's user data folder
    (platformdirs): ``$XDG_DATA_HOME/tabletop`` or ``~/.local/share/tabletop``
    on Linux, where the logs of earlier versions already are;
    ``~/Library/Application Support/tabletop`` on macOS;
    ``%LOCALAPPDATA%\\tabletop`` on Windows.
    """
    base = os.environ.get("TABLETOP_HOME")
    if base:
        return Path(base)
    import platformdirs  # a few milliseconds; only the commands that need the folder pay them

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


CACHE_OFF = ("off", "0", "no", "false", "none")


def cache_home() -> Path | None:
    """The user's cache folder (compiled scenarios): things that can be thrown away and rebuilt at any time.

    ``$TABLETOP_CACHE``, else ``$XDG_CACHE_HOME/tabletop``, else ``~/.cache/tabletop``;
    None when ``TABLETOP_CACHE`` is ``off`` (or ``0``, ``no``, ``false``, ``none``).
    Kept apart from ``data_home``: a user may delete it, and back-ups may skip it.
    """
    base = os.environ.get("TABLETOP_CACHE")
    if base:
        return None if base.strip().lower() in CACHE_OFF else Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "tabletop"


def user_scenarios() -> Path:
    return data_home() / "scenarios"


def logs_dir() -> Path:
    return data_home() / "logs"


def scenario_files() -> list[Path]:
    """Bundled scenarios first, then the user's own."""
    found: list[Path] = []
    for folder in (bundled_scenarios(), user_scenarios()):
        if folder.is_dir():
            found.extend(sorted(folder.glob("*.yaml")))
    return found


def default_scenario() -> Path:
    return bundled_scenarios() / f"{DEFAULT_SCENARIO}.yaml"


def find_scenario(name_or_path: str) -> Path | None:
    """A path as given, else a bundled or user scenario by id or file stem."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    for candidate in scenario_files():
        if candidate.stem == name_or_path:
            return candidate
    return None


class ScenarioNotFound(LookupError):
    """No file of that name, and no bundled or user scenario of that id; the message lists the ones there are."""


def require_scenario(name_or_path: str) -> Path:
    """:func:`find_scenario`, or the one message every command gives for a scenario that is not there."""
    path = find_scenario(name_or_path)
    if path is None:
        known = ", ".join(p.stem for p in scenario_files()) or "none"
        raise ScenarioNotFound(f"no scenario {name_or_path!r}: not a file, nor a bundled or user scenario (known: {known})")
    return path


def scenario_for_log(header: dict) -> Path | None:
    """The scenario a log was written against: its recorded path, else by id."""
    recorded = header.get("scenario_path")
    if recorded and Path(recorded).is_file():
        return Path(recorded)
    return find_scenario(str(header.get("scenario", "")))
