"""Where bundled and user data live, whether installed from a wheel or run from a checkout.

A wheel carries ``scenarios/`` and ``rules/`` inside the package
(``tabletop/scenarios``); a source checkout keeps them at the top of the tree.
Both are looked for, so ``pip install .`` and ``pip install -e .`` behave alike
from any working directory.
"""

from __future__ import annotations

import os
import stat
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


def config_home() -> Path:
    """The user's settings: which signing keys they trust (``signing.trusted_path``).

    ``$TABLETOP_HOME`` when set (one folder for everything, as tests and
    portable installs want), else the platform's user config folder
    (platformdirs): ``$XDG_CONFIG_HOME/tabletop`` or ``~/.config/tabletop`` on
    Linux; ``~/Library/Application Support/tabletop`` on macOS;
    ``%LOCALAPPDATA%\\tabletop`` on Windows.
    """
    base = os.environ.get("TABLETOP_HOME")
    if base:
        return Path(base)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


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


def scenario_not_found(name_or_path: str) -> str:
    """The one message every command and screen gives for a scenario that is not there: what was asked for, and what there is."""
    known = ", ".join(p.stem for p in scenario_files()) or "none"
    return f"no scenario {name_or_path!r}: not a file, nor a bundled or user scenario (known: {known})"


def require_scenario(name_or_path: str) -> Path:
    """:func:`find_scenario`, or ScenarioNotFound with :func:`scenario_not_found`'s message."""
    path = find_scenario(name_or_path)
    if path is None:
        raise ScenarioNotFound(scenario_not_found(name_or_path))
    return path


def recorded_scenario(header: dict) -> tuple[Path | None, str]:
    """The header's ``scenario_path`` if it can be a scenario; else None, and why it was refused ('' if it is absent).

    A log's header may name any file, so its type and size are checked before
    anything opens it: a FIFO, a device, a folder or a file over the scenario
    size limit (a 60 GB sparse file, say) is refused from its ``stat`` alone.
    """
    recorded = header.get("scenario_path")
    if not recorded or type(recorded) is not str:
        return None, ""
    try:
        info = os.stat(recorded)
    except (OSError, ValueError):
        return None, ""
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not an ordinary file (a pipe, a device or a socket)"
        return None, f"the log's scenario_path {recorded} is {kind}: refused"
    from tabletop.yamlnodes import MAX_BYTES

    if info.st_size > MAX_BYTES:
        return None, f"the log's scenario_path {recorded} is {info.st_size:,} bytes; a scenario is at most {MAX_BYTES:,}: refused"
    return Path(recorded), ""


def scenario_for_log(header: dict) -> Path | None:
    """The scenario a log was written against: its recorded path (if it can be one), else by id."""
    recorded, _ = recorded_scenario(header)
    if recorded is not None:
        return recorded
    return find_scenario(str(header.get("scenario", "")))
