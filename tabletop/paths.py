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
    """The user's own folder: scenarios they write and the logs of their exercises."""
    base = os.environ.get("TABLETOP_HOME")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "tabletop"


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


def scenario_for_log(header: dict) -> Path | None:
    """The scenario a log was written against: its recorded path, else by id."""
    recorded = header.get("scenario_path")
    if recorded and Path(recorded).is_file():
        return Path(recorded)
    return find_scenario(str(header.get("scenario", "")))
